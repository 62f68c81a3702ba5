/**
 * Runs the Glue scripts of glue-scripts/ on local PySpark from TypeScript (the demo, the tests): one
 * place that finds the project's Python, spawns it, keeps the tail of its output for the error, and
 * reads back the run report a job writes to `_state/<job>/runs/<run_id>.json`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The repository root (scripts run with it as working directory). */
export const REPO_ROOT = resolve(__dirname, '..');

/** Lines of output kept for an error message. */
const TAIL = 400;

export interface PythonScriptOptions {
  /** The script, relative to the repository root (for example `glue-scripts/run_workflow.py`). */
  readonly script: string;
  readonly args: readonly string[];
  /** More environment variables (secrets go here, never in `args`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Called with every line the script prints (stdout and stderr). */
  readonly onLine?: (line: string) => void;
  /** @default - the project's .venv Python */
  readonly python?: string;
}

/** How a script ended. */
export interface PythonScriptRun {
  readonly code: number | null;
  /** Its last lines of output. */
  readonly tail: readonly string[];
  /** The command line to run it alone (environment values left out). */
  readonly commandLine: string;
}

/** The project's Python, or an error that says how to get it. */
export function projectPython(python?: string): string {
  const found = python ?? join(REPO_ROOT, '.venv', 'bin', 'python');
  if (!existsSync(found)) {
    throw new Error(
      `No Python environment at ${found}: run 'make setup' (make demo and make test do) to build .venv`,
    );
  }
  return found;
}

/** Runs a Python script of the repository to its end. */
export async function runPythonScript(options: PythonScriptOptions): Promise<PythonScriptRun> {
  const python = projectPython(options.python);
  const args = [join(REPO_ROOT, options.script), ...options.args];
  const tail: string[] = [];
  let pending = '';
  const take = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL) tail.splice(0, tail.length - TAIL);
    options.onLine?.(line);
  };
  const onText = (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(take);
  };
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(python, args, {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    child.stdout.on('data', onText);
    child.stderr.on('data', onText);
    child.on('error', fail);
    child.on('close', done);
  });
  if (pending !== '') take(pending);
  const envNames = Object.keys(options.env ?? {}).map((k) => `${k}=<…> `);
  const quoted = args.map((a) => (/[\s"'{}]/.test(a) ? `'${a}'` : a));
  return { code, tail, commandLine: `${envNames.join('')}${python} ${quoted.join(' ')}` };
}

export interface GlueJobRunOptions extends Omit<PythonScriptOptions, 'script'> {
  /** The job's name in the scripts (JOB_NAME); its script is glue-scripts/jobs/<job>.py. */
  readonly job: string;
  /** The folder standing in for the raw bucket. */
  readonly rawRoot: string;
  /** The folder standing in for the curated bucket (the job writes its run report under it). */
  readonly curatedRoot: string;
  readonly runId: string;
}

/**
 * Runs one Glue job's main() (glue-scripts/jobs/<job>.py) with the arguments every job takes (the
 * two roots and the run id) and its own `args`, and returns its run report; throws with the job's
 * last output and the command to run it alone when it fails.
 */
export async function runGlueJob<Report>(options: GlueJobRunOptions): Promise<Report> {
  const run = await runPythonScript({
    ...options,
    script: join('glue-scripts', 'jobs', `${options.job}.py`),
    args: [
      '--raw-root',
      options.rawRoot,
      '--curated-root',
      options.curatedRoot,
      '--run-id',
      options.runId,
      ...options.args,
    ],
  });
  if (run.code !== 0) {
    throw new Error(
      `The Glue job ${options.job} failed (exit ${run.code}). Its last output:\n${run.tail.slice(-40).join('\n')}\n` +
        `Run it alone: ${run.commandLine}`,
    );
  }
  const reportPath = join(options.curatedRoot, '_state', options.job, 'runs', `${options.runId}.json`);
  return JSON.parse(await readFile(reportPath, 'utf8')) as Report;
}
