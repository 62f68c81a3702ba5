/**
 * The lake's Glue workflow, read from glue-scripts/workflow.json: the single list of the jobs and the
 * order they run in, which the processing stack deploys (one Glue job each, a scheduled trigger, one
 * conditional trigger per job with upstream jobs) and the twin's runner (glue-scripts/run_workflow.py)
 * follows.
 */
import workflowJson from '../../glue-scripts/workflow.json';

/** One job of the workflow. */
export interface WorkflowJob {
  /** The job's name in the scripts (JOB_NAME), for example `raw_events_to_curated`. */
  readonly name: string;
  /** Its script, relative to glue-scripts/. */
  readonly script: string;
  readonly description: string;
  /** Jobs that must have succeeded before it starts. */
  readonly after: readonly string[];
}

/**
 * Checks a workflow definition (names unique and well formed, every `after` a job of the workflow,
 * no cycle) and returns its jobs in an order that runs every job after its upstream jobs, keeping
 * the file's order where the dependencies allow. Throws naming what is wrong.
 */
export function orderedJobs(jobs: readonly WorkflowJob[]): WorkflowJob[] {
  const where = 'glue-scripts/workflow.json';
  const byName = new Map<string, WorkflowJob>();
  for (const job of jobs) {
    if (!/^[a-z][a-z0-9_]*$/.test(job.name)) {
      throw new Error(`${where}: job name '${job.name}' must be snake_case (it is the script's JOB_NAME)`);
    }
    if (byName.has(job.name)) throw new Error(`${where}: job '${job.name}' is listed twice`);
    byName.set(job.name, job);
  }
  for (const job of jobs) {
    for (const upstream of job.after) {
      if (!byName.has(upstream)) {
        throw new Error(
          `${where}: job '${job.name}' runs after '${upstream}', which is not a job of the workflow (known: ${[...byName.keys()].join(', ')})`,
        );
      }
    }
  }
  const ordered: WorkflowJob[] = [];
  const done = new Set<string>();
  while (ordered.length < jobs.length) {
    const ready = jobs.find((j) => !done.has(j.name) && j.after.every((u) => done.has(u)));
    if (ready === undefined) {
      const left = jobs.filter((j) => !done.has(j.name)).map((j) => j.name);
      throw new Error(`${where}: the jobs ${left.join(', ')} wait on each other (a cycle in 'after')`);
    }
    ordered.push(ready);
    done.add(ready.name);
  }
  return ordered;
}

/** The workflow's jobs in run order. */
export const WORKFLOW_JOBS: readonly WorkflowJob[] = orderedJobs(workflowJson.jobs);

/** The Glue job name of a workflow job in an environment, for example `ecom-dev-raw-events-to-curated`. */
export function glueJobName(prefix: string, job: string): string {
  return `${prefix}-${job.replace(/_/g, '-')}`;
}
