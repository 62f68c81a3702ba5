/**
 * Runs the real OLTP extraction job (glue-scripts/jobs/oltp_to_curated.py) on local PySpark against the
 * twin's PostgreSQL, exactly as `main()` runs on AWS Glue but with a JDBC URL instead of a Glue
 * connection and local folders instead of buckets, and reads back the run report the job writes.
 * The password reaches the job in an environment variable, never on its command line.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');
const JOB = join(REPO_ROOT, 'glue-scripts', 'jobs', 'oltp_to_curated.py');
const JOB_NAME = 'oltp_to_curated';
const PASSWORD_VARIABLE = 'OLTP_JDBC_PASSWORD';

/** One dataset's entry of the job's run report. */
export interface OltpDatasetReport {
  readonly source_table: string;
  readonly read: number;
  /** New versions appended to curated. */
  readonly written: number;
  /** Rows whose tracked columns equal the version in effect (no new version). */
  readonly deduplicated: number;
  readonly quarantined: Readonly<Record<string, number>>;
  readonly watermark_before: string | null;
  readonly watermark_after: string | null;
  readonly upper_bound: string;
  readonly jdbc_partitions: number;
  /** The extract's folder under the raw root, null when nothing was read. */
  readonly raw_extract: string | null;
  readonly partitions_written: readonly string[];
  readonly reconciled: boolean;
  readonly seconds: number;
}

/** The run report (`_state/oltp_to_curated/runs/<run_id>.json`). */
export interface OltpRunReport {
  readonly run_id: string;
  readonly extract_date: string;
  readonly upper_bound: string;
  readonly reconciled: boolean;
  readonly datasets: Readonly<Record<string, OltpDatasetReport>>;
  readonly totals: {
    readonly read: number;
    readonly written: number;
    readonly deduplicated: number;
    readonly quarantined: number;
  };
}

/** Options of {@link runOltpExtraction}. */
export interface OltpExtractionOptions {
  /** The database (startPostgres() returns these). */
  readonly source: { readonly jdbcUrl: string; readonly user: string; readonly password: string };
  /** The folder standing in for the raw bucket (gets `oltp/<table>/...`). */
  readonly rawRoot: string;
  /** The folder standing in for the curated bucket (gets `curated/`, `quarantine/`, `_state/`). */
  readonly curatedRoot: string;
  readonly runId: string;
  /** @default - every OLTP dataset */
  readonly tables?: readonly string[];
  /** More job arguments, e.g. `['--rows-per-partition', '400']`. */
  readonly extraArgs?: readonly string[];
  /**
   * Spark master of the local run.
   * @default 'local[2]'
   */
  readonly master?: string;
  /** @default - the project's .venv Python */
  readonly python?: string;
}

/** Runs the job to completion and returns its run report; throws with the job's last output on failure. */
export async function runOltpExtraction(options: OltpExtractionOptions): Promise<OltpRunReport> {
  const python = options.python ?? join(REPO_ROOT, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`No Python environment at ${python}: run 'make setup' to build .venv`);
  }
  const args = [
    JOB,
    '--raw-root',
    options.rawRoot,
    '--curated-root',
    options.curatedRoot,
    '--run-id',
    options.runId,
    '--jdbc-url',
    options.source.jdbcUrl,
    '--jdbc-user',
    options.source.user,
    '--jdbc-password-env',
    PASSWORD_VARIABLE,
    ...(options.tables ? ['--tables', options.tables.join(',')] : []),
    ...(options.extraArgs ?? []),
  ];
  const master = options.master ?? 'local[2]';
  const env = {
    ...process.env,
    [PASSWORD_VARIABLE]: options.source.password,
    PYSPARK_SUBMIT_ARGS: [
      `--master ${master}`,
      '--conf spark.sql.shuffle.partitions=2',
      '--conf spark.ui.enabled=false',
      '--conf spark.ui.showConsoleProgress=false',
      'pyspark-shell',
    ].join(' '),
  };
  const output: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(python, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
        `Run it alone: ${PASSWORD_VARIABLE}=<password> .venv/bin/python ${args.join(' ')}`,
    );
  }
  const reportPath = join(options.curatedRoot, '_state', JOB_NAME, 'runs', `${options.runId}.json`);
  return JSON.parse(await readFile(reportPath, 'utf8')) as OltpRunReport;
}
