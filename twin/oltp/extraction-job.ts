/**
 * Runs the real OLTP extraction job (glue-scripts/jobs/oltp_to_curated.py) on local PySpark against the
 * twin's PostgreSQL, exactly as `main()` runs on AWS Glue but with a JDBC URL instead of a Glue
 * connection and local folders instead of buckets, and reads back the run report the job writes.
 * The password reaches the job in an environment variable, never on its command line.
 */
import { runGlueJob } from '../glue-job';

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
  const source = oltpSourceArgs(options.source);
  const master = options.master ?? 'local[2]';
  return runGlueJob<OltpRunReport>({
    job: JOB_NAME,
    rawRoot: options.rawRoot,
    curatedRoot: options.curatedRoot,
    runId: options.runId,
    python: options.python,
    args: [
      ...source.args,
      ...(options.tables ? ['--tables', options.tables.join(',')] : []),
      ...(options.extraArgs ?? []),
    ],
    env: {
      ...source.env,
      PYSPARK_SUBMIT_ARGS: [
        `--master ${master}`,
        '--conf spark.sql.shuffle.partitions=2',
        '--conf spark.ui.enabled=false',
        '--conf spark.ui.showConsoleProgress=false',
        'pyspark-shell',
      ].join(' '),
    },
  });
}

/**
 * The arguments that point the OLTP job at a local database, and the environment that carries its
 * password (the job reads it by the variable's name; a password never goes on a command line).
 */
export function oltpSourceArgs(source: OltpExtractionOptions['source']): {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
} {
  return {
    args: [
      '--jdbc-url',
      source.jdbcUrl,
      '--jdbc-user',
      source.user,
      '--jdbc-password-env',
      PASSWORD_VARIABLE,
    ],
    env: { [PASSWORD_VARIABLE]: source.password },
  };
}
