/**
 * The twin's lake workflow: runs glue-scripts/run_workflow.py, which runs the jobs of
 * glue-scripts/workflow.json in dependency order through their real `main()` on local PySpark (one
 * process, one SparkSession), as the Glue workflow runs them on AWS. Returns the workflow report:
 * each job's state and its own run report.
 */
import { join } from 'node:path';
import { runPythonScript } from './glue-job';

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
  let report: WorkflowReport | undefined;
  const args = [
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
    ...(options.only !== undefined ? ['--only', options.only.join(',')] : []),
  ];
  const run = await runPythonScript({
    script: join('glue-scripts', 'run_workflow.py'),
    args,
    env: options.env,
    python: options.python,
    onLine: (line) => {
      if (line.startsWith(REPORT_MARK)) report = JSON.parse(line.slice(REPORT_MARK.length)) as WorkflowReport;
      else options.onLine?.(line);
    },
  });
  if (report === undefined) {
    throw new Error(
      `The lake workflow runner stopped (exit ${run.code}) without a report. Its last output:\n${run.tail.slice(-40).join('\n')}\n` +
        `Run it alone: ${run.commandLine}`,
    );
  }
  return report;
}
