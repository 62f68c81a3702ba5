/**
 * The demo's Glue step: runs the real raw-events-to-curated job (glue-scripts/jobs) on local PySpark
 * over the twin's raw lake folder, exactly as `main()` runs on AWS Glue but with local paths, and
 * reads back the run report the job writes.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..');
const JOB = join(REPO_ROOT, 'glue-scripts', 'jobs', 'raw_events_to_curated.py');
const JOB_NAME = 'raw_events_to_curated';

/** One dataset's line of the job's run report. */
export interface CuratedDatasetReport {
  readonly read: number;
  readonly written: number;
  readonly deduplicated: number;
  readonly quarantined: Readonly<Record<string, number>>;
  readonly gates: { readonly passed: readonly string[]; readonly failed: Readonly<Record<string, unknown>> };
  readonly partitions_written: readonly string[];
  readonly reconciled: boolean;
}

/** The run report of the job (`_state/raw_events_to_curated/runs/<run_id>.json`). */
export interface CurationReport {
  readonly run_id: string;
  readonly reconciled: boolean;
  readonly datasets: Readonly<Record<string, CuratedDatasetReport>>;
  readonly unrouted: { readonly read: number; readonly quarantined: Readonly<Record<string, number>> };
  readonly totals: {
    readonly read: number;
    readonly written: number;
    readonly quarantined: number;
    readonly deduplicated: number;
  };
  readonly files: { readonly new: number; readonly unreadable: readonly unknown[] };
}

export interface CurationStepOptions {
  /** The twin's raw lake folder (stands in for the raw bucket). */
  readonly rawRoot: string;
  /** The folder standing in for the curated bucket. */
  readonly curatedRoot: string;
  readonly runId: string;
  /** @default - the project's .venv Python */
  readonly python?: string;
}

/** Runs the job to completion and returns its run report; throws with the job's last output on failure. */
export async function runCurationStep(options: CurationStepOptions): Promise<CurationReport> {
  const python = options.python ?? join(REPO_ROOT, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`No Python environment at ${python}: run 'make setup' (make demo does) to build .venv`);
  }
  const args = [
    JOB,
    '--raw-root',
    options.rawRoot,
    '--curated-root',
    options.curatedRoot,
    '--run-id',
    options.runId,
  ];
  const output: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(python, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      output.push(...chunk.toString('utf8').split('\n'));
      if (output.length > 400) output.splice(0, output.length - 400);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', fail);
    child.on('close', done);
  });
  if (code !== 0) {
    throw new Error(
      `The Glue job ${JOB_NAME} failed (exit ${code}). Its last output:\n${output.slice(-40).join('\n')}\n` +
        `Run it alone: .venv/bin/python ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`,
    );
  }
  const reportPath = join(options.curatedRoot, '_state', JOB_NAME, 'runs', `${options.runId}.json`);
  return JSON.parse(await readFile(reportPath, 'utf8')) as CurationReport;
}
