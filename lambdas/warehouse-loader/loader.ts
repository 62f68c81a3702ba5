/**
 * The scheduled loads of the curated zone into the star schema, as small steps a Step Functions
 * state machine strings together per entry of LOADS (in order) and per changed partition, then per
 * entry of MATERIALIZED_VIEWS (in order) once every load of the run is done:
 *
 * - {@link planLoad}: the dataset's watermark (newest `source_modified_at` its loads recorded in
 *   ops.load_audit), the listing of `curated/<dataset>/`, and the partitions changed since;
 * - {@link submitPartition}: the load's statements for one partition as ONE Data API batch (one
 *   transaction: COPY into staging, merge, audit row);
 * - {@link pollPartition}: the batch's state; a failure throws with the file, the statement and
 *   Redshift's message, which fails the execution (and alarms);
 * - {@link submitRefresh}: `REFRESH MATERIALIZED VIEW <name>` of one materialized view as a single
 *   Data API statement, not a batch (on Redshift each refresh is its own transaction);
 * - {@link pollRefresh}: the refresh's state; a failure throws with the materialized view, Redshift's
 *   message and the statement id, which fails the execution (and alarms).
 */
import {
  ChangedPartition,
  CuratedObject,
  LOADS,
  LoadFile,
  MATERIALIZED_VIEWS,
  changedPartitions,
  loadStatements,
  refreshStatement,
} from '../../sql/registry';
import {
  CellValue,
  MAX_BATCH_STATEMENTS,
  StatementDescription,
  WarehouseDataApi,
  isRunning,
} from '../warehouse-migrations/data-api';

/** The watermark query: bound parameter, never string-built. */
export const WATERMARK_SQL = 'SELECT max(source_modified_at) FROM ops.load_audit WHERE dataset = :dataset';

/** Lists the objects under a prefix of the curated bucket (keys relative to the prefix). */
export type ListCurated = (prefix: string) => Promise<CuratedObject[]>;

/** What the loader runs with. */
export interface LoaderDeps {
  readonly api: WarehouseDataApi;
  readonly list: ListCurated;
  /** The curated bucket's name. */
  readonly bucket: string;
  /** The namespace's COPY role. */
  readonly copyRoleArn: string;
  /** Prefix of the Data API statement names. */
  readonly statementPrefix: string;
  /** Folder holding loads/ (the bundle's). */
  readonly sqlRoot: string;
  /** Partitions one run loads per dataset at most; the next run takes the rest. */
  readonly maxPartitionsPerRun: number;
  /** Waits between two DescribeStatement calls of the watermark query. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** How long the watermark query may take. @default 120 s */
  readonly watermarkTimeoutMs?: number;
  readonly loads?: readonly LoadFile[];
  /** The materialized views a run may refresh. @default MATERIALIZED_VIEWS of sql/registry.ts */
  readonly materializedViews?: readonly string[];
}

/** A partition to load, as the state machine carries it. */
export interface PartitionToLoad {
  readonly partition: string;
  /** ISO 8601. */
  readonly sourceModifiedAt: string;
}

/** {@link planLoad}'s answer. */
export interface LoadPlan {
  readonly dataset: string;
  readonly watermark: string | null;
  readonly partitions: readonly PartitionToLoad[];
  /** Partitions left for the next run (above maxPartitionsPerRun). */
  readonly deferred: number;
}

function loadOf(dataset: string, loads: readonly LoadFile[]): LoadFile {
  const load = loads.find((l) => l.dataset === dataset);
  if (!load)
    throw new Error(
      `No load of dataset '${dataset}' in sql/registry.ts LOADS (known: ${loads.map((l) => l.dataset).join(', ') || 'none'})`,
    );
  return load;
}

/**
 * A watermark cell as a Date: Redshift returns a TIMESTAMP as `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC,
 * no zone) and a TIMESTAMPTZ with `+00`; NULL (no load yet) is undefined.
 */
export function parseWatermark(value: CellValue): Date | undefined {
  if (value === null || value === '') return undefined;
  const text = String(value).trim();
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$/.exec(text);
  if (!m) throw new Error(`ops.load_audit.source_modified_at returned '${text}', which is not a timestamp`);
  const fraction = m[3] ? m[3].slice(0, 4) : '';
  const zone = m[4] === undefined || m[4] === 'Z' ? 'Z' : m[4].length === 3 ? `${m[4]}:00` : m[4];
  return new Date(`${m[1]}T${m[2]}${fraction}${zone}`);
}

/**
 * The partitions a run loads, at most `max`, from `changed` as changedPartitions (sql/registry.ts)
 * returns them: oldest change first. A cut never splits partitions
 * that share a modification time, since the watermark (the newest time loaded) would then hide the
 * ones left behind; when the first `max` all share one time, the whole group is taken.
 */
export function selectPartitions(
  changed: readonly ChangedPartition[],
  max: number,
): { take: ChangedPartition[]; deferred: number } {
  const sorted = changed;
  if (sorted.length <= max) return { take: [...sorted], deferred: 0 };
  let end = max;
  const boundary = sorted[max].modifiedAt.getTime();
  while (end > 0 && sorted[end - 1].modifiedAt.getTime() === boundary) end -= 1;
  if (end === 0) {
    end = max;
    while (end < sorted.length && sorted[end].modifiedAt.getTime() === boundary) end += 1;
  }
  return { take: sorted.slice(0, end), deferred: sorted.length - end };
}

async function waitFor(api: WarehouseDataApi, id: string, deps: LoaderDeps): Promise<StatementDescription> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (deps.watermarkTimeoutMs ?? 120_000);
  for (;;) {
    const d = await api.describe(id);
    if (!isRunning(d.status)) return d;
    if (Date.now() > deadline)
      throw new Error(`The watermark query ${id} did not finish in time; is the workgroup available?`);
    await sleep(1000);
  }
}

/** The watermark, the listing and the partitions to load of one dataset. */
export async function planLoad(
  input: { dataset: string; runId: string },
  deps: LoaderDeps,
): Promise<LoadPlan> {
  const load = loadOf(input.dataset, deps.loads ?? LOADS);
  const id = await deps.api.execute(
    WATERMARK_SQL,
    [{ name: 'dataset', value: load.dataset }],
    `${deps.statementPrefix}/${input.runId}/${load.dataset}/watermark`,
  );
  const d = await waitFor(deps.api, id, deps);
  if (d.status !== 'FINISHED') {
    throw new Error(
      `Load of ${load.dataset}: the watermark query (${WATERMARK_SQL}) ${d.status.toLowerCase()}: ${d.error ?? 'no message'}`,
    );
  }
  const rows = await deps.api.records(id);
  const watermark = parseWatermark(rows[0]?.[0] ?? null);
  const objects = await deps.list(`curated/${load.dataset}/`);
  const { take, deferred } = selectPartitions(
    changedPartitions(objects, load.partitionKey, watermark),
    deps.maxPartitionsPerRun,
  );
  return {
    dataset: load.dataset,
    watermark: watermark?.toISOString() ?? null,
    partitions: take.map((p) => ({ partition: p.partition, sourceModifiedAt: p.modifiedAt.toISOString() })),
    deferred,
  };
}

/** A partition's folder in the curated zone, as COPY reads it. */
export function partitionSource(bucket: string, load: LoadFile, partition: string): string {
  return `s3://${bucket}/curated/${load.dataset}/${load.partitionKey}=${partition}/`;
}

/** The statement name of a partition's batch (also how an operator finds it in the Data API). */
export function partitionStatementName(
  prefix: string,
  runId: string,
  dataset: string,
  partition: string,
): string {
  return `${prefix}/${runId}/${dataset}/${partition}`;
}

/** Submits the load of one partition as one batch; returns the batch's id. */
export async function submitPartition(
  input: { dataset: string; runId: string; partition: string; sourceModifiedAt: string },
  deps: LoaderDeps,
): Promise<{ statementId: string; statements: number }> {
  const load = loadOf(input.dataset, deps.loads ?? LOADS);
  const sqls = loadStatements(
    load,
    {
      source: partitionSource(deps.bucket, load, input.partition),
      partition: input.partition,
      copyRoleArn: deps.copyRoleArn,
      runId: input.runId,
      sourceModifiedAt: input.sourceModifiedAt,
    },
    deps.sqlRoot,
  );
  if (sqls.length > MAX_BATCH_STATEMENTS) {
    throw new Error(
      `sql/${load.file} has ${sqls.length} statements, above the ${MAX_BATCH_STATEMENTS} a Data API batch (one transaction) takes; shorten it`,
    );
  }
  const statementId = await deps.api.batch(
    sqls,
    partitionStatementName(deps.statementPrefix, input.runId, load.dataset, input.partition),
  );
  return { statementId, statements: sqls.length };
}

/** The error of a failed partition load: file, statement (1-based), Redshift's message. */
export function loadFailureMessage(load: LoadFile, partition: string, d: StatementDescription): string {
  const failed = d.subStatements.find((s) => s.status === 'FAILED' || s.status === 'ABORTED');
  const where = failed ? `statement ${failed.index} of ${d.subStatements.length}` : 'the batch';
  return `Load of ${load.dataset} partition ${load.partitionKey}=${partition} failed in sql/${load.file}, ${where}: ${failed?.error ?? d.error ?? d.status.toLowerCase()}. The partition's transaction was rolled back; the next run retries it (Data API statement ${d.id}).`;
}

/** RUNNING or FINISHED; throws the failure. */
export async function pollPartition(
  input: { dataset: string; partition: string; statementId: string },
  deps: LoaderDeps,
): Promise<{ status: 'RUNNING' | 'FINISHED' }> {
  const d = await deps.api.describe(input.statementId);
  if (isRunning(d.status)) return { status: 'RUNNING' };
  if (d.status === 'FINISHED') return { status: 'FINISHED' };
  throw new Error(loadFailureMessage(loadOf(input.dataset, deps.loads ?? LOADS), input.partition, d));
}

function materializedViewOf(name: string, known: readonly string[]): string {
  if (!known.includes(name))
    throw new Error(
      `No materialized view '${name}' in sql/registry.ts MATERIALIZED_VIEWS (known: ${known.join(', ') || 'none'})`,
    );
  return name;
}

/** The statement name of a materialized view's refresh (also how an operator finds it in the Data API). */
export function refreshStatementName(prefix: string, runId: string, materializedView: string): string {
  return `${prefix}/${runId}/refresh/${materializedView}`;
}

/**
 * Submits the refresh of one materialized view as ONE statement (ExecuteStatement, not a batch: on
 * Redshift a REFRESH MATERIALIZED VIEW runs as its own transaction); returns its id.
 */
export async function submitRefresh(
  input: { materializedView: string; runId: string },
  deps: LoaderDeps,
): Promise<{ statementId: string }> {
  const mv = materializedViewOf(input.materializedView, deps.materializedViews ?? MATERIALIZED_VIEWS);
  const statementId = await deps.api.execute(
    refreshStatement(mv),
    [],
    refreshStatementName(deps.statementPrefix, input.runId, mv),
  );
  return { statementId };
}

/** The error of a failed refresh: the materialized view, Redshift's message, the statement, what to do. */
export function refreshFailureMessage(materializedView: string, d: StatementDescription): string {
  return `Refresh of materialized view ${materializedView} ${d.status.toLowerCase()}: ${d.error ?? 'no message'} (Data API statement ${d.id}). The loads of this run are committed and the view keeps its previous contents; the materialized views after it in MATERIALIZED_VIEWS were not refreshed by this run. The next run refreshes them all again; to refresh now, fix the cause and run ${refreshStatement(materializedView)} as the warehouse admin user (Query Editor v2 or the Data API with the admin secret).`;
}

/** RUNNING or FINISHED; throws the failure. */
export async function pollRefresh(
  input: { materializedView: string; statementId: string },
  deps: LoaderDeps,
): Promise<{ status: 'RUNNING' | 'FINISHED' }> {
  const mv = materializedViewOf(input.materializedView, deps.materializedViews ?? MATERIALIZED_VIEWS);
  const d = await deps.api.describe(input.statementId);
  if (isRunning(d.status)) return { status: 'RUNNING' };
  if (d.status === 'FINISHED') return { status: 'FINISHED' };
  throw new Error(refreshFailureMessage(mv, d));
}
