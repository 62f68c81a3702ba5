/**
 * The twin's lake workflow: runs glue-scripts/run_workflow.py, which runs the jobs of
 * glue-scripts/workflow.json in dependency order through their real `main()` on local PySpark (one
 * process, one SparkSession), as the Glue workflow runs them on AWS. Returns the workflow report:
 * each job's state and its own run report.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..');
const RUNNER = join(REPO_ROOT, 'glue-scripts', 'run_workflow.py');
const REPORT_MARK = 'WORKFLOW_REPORT ';

/** A job's outcome in a workflow run. */
export interface WorkflowJobOutcome {
  readonly state: 'SUCCEEDED' | 'FAILED' | 'NOT_RUN';
  readonly seconds?: number;
  readonly attempts?: readonly {
    readonly state: string;
    readonly seconds: number;
    readonly error?: string;
  }[];
  /** The job's run report (what its main() returned), when it succeeded. */
  readonly report?: Record<string, unknown>;
  readonly error?: string;
  readonly reason?: string;
}

/** The report of a workflow run. */
export interface WorkflowReport {
  readonly run_id: string;
  readonly succeeded: boolean;
  readonly jobs: Readonly<Record<string, WorkflowJobOutcome>>;
}

export interface LakeWorkflowOptions {
  /** The twin's raw lake folder (stands in for the raw bucket). */
  readonly rawRoot: string;
  /** The folder standing in for the curated bucket. */
  readonly curatedRoot: string;
  readonly runId: string;
  /** Each job's own arguments, for example `{ oltp_to_curated: ['--jdbc-url', url, ...] }`. */
  readonly jobArgs?: Readonly<Record<string, readonly string[]>>;
  /** Environment variables for the jobs (for example the OLTP password the job reads by name). */
  readonly env?: Readonly<Record<string, string>>;
  /** Run only these jobs (with the same ordering rules). @default - every job */
  readonly only?: readonly string[];
  /** Retries of a failed job (Glue's MaxRetries). @default 1 */
  readonly maxRetries?: number;
  /** Called with each line the jobs print (progress). @default - lines are kept, not printed */
  readonly onLine?: (line: string) => void;
  /** @default - the project's .venv Python */
  readonly python?: string;
}

/**
 * Runs the workflow to its end and returns its report (also when a job failed: check `succeeded`).
 * Throws only when the runner itself could not run, with its last output.
 */
export async function runLakeWorkflow(options: LakeWorkflowOptions): Promise<WorkflowReport> {
  const python = options.python ?? join(REPO_ROOT, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`No Python environment at ${python}: run 'make setup' (make demo does) to build .venv`);
  }
  const args = [
    RUNNER,
    '--raw-root',
    options.rawRoot,
    '--curated-root',
    options.curatedRoot,
    '--run-id',
    options.runId,
    '--job-args',
    JSON.stringify(options.jobArgs ?? {}),
    '--max-retries',
    String(options.maxRetries ?? 1),
  ];
  if (options.only !== undefined) args.push('--only', options.only.join(','));
  const tail: string[] = [];
  let report: WorkflowReport | undefined;
  let pending = '';
  const onText = (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(REPORT_MARK)) {
        report = JSON.parse(line.slice(REPORT_MARK.length)) as WorkflowReport;
        continue;
      }
      tail.push(line);
      if (tail.length > 400) tail.splice(0, tail.length - 400);
      options.onLine?.(line);
    }
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
  if (pending.startsWith(REPORT_MARK))
    report = JSON.parse(pending.slice(REPORT_MARK.length)) as WorkflowReport;
  if (report === undefined) {
    throw new Error(
      `The lake workflow runner stopped (exit ${code}) without a report. Its last output:\n${tail.slice(-40).join('\n')}\n` +
        `Run it alone: ${python} ${args.map((a) => (/[\s"{}]/.test(a) ? `'${a}'` : a)).join(' ')}`,
    );
  }
  return report;
}
