/**
 * The typed registry of the warehouse SQL in this folder, and the few pure functions every runner
 * shares: the migration custom resource on AWS (lambdas/warehouse-migrations), the scheduled loads
 * (lambdas/warehouse-loader) and the local warehouse on DuckDB (twin/warehouse). A test keeps the
 * lists below in step with the files.
 *
 * - `migrations/V<NNN>__<name>.sql`: applied once each, in version order, each file in ONE
 *   transaction together with its row in `ops.schema_migrations` (a file that fails leaves nothing
 *   behind, and the next deploy resumes at it). Statements are idempotent (`IF NOT EXISTS`).
 * - `views/<schema>.<view>.sql`: repeatable, one view per file, (re)created after the migrations on
 *   every deploy, in the order listed (a view comes after the views it reads).
 * - `loads/<NN>_<target>.sql`: the scheduled load of one curated dataset into the star schema,
 *   one transaction per partition, with `{{placeholders}}` the runner fills (never user input).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** This folder: where the registry's paths are relative to (the Lambda bundles copy it next to the handler). */
export const SQL_ROOT = __dirname;

/** A numbered migration. */
export interface MigrationFile {
  /** The number in the file name; strictly increasing, never reused. */
  readonly version: number;
  /** The rest of the file name (snake case). */
  readonly name: string;
  /** Path relative to sql/. */
  readonly file: string;
}

/** A view: repeatable, re-created on every deploy. */
export interface ViewFile {
  /** `<schema>.<view>`, the object the file creates. */
  readonly name: string;
  readonly file: string;
}

/** The load of one curated dataset. */
export interface LoadFile {
  /** The curated dataset (folder under the curated zone's `curated/`) the load reads. */
  readonly dataset: string;
  /** Its partition key in the curated zone (a folder `key=value`). */
  readonly partitionKey: string;
  /** The staging table the COPY fills. */
  readonly stagingTable: string;
  readonly file: string;
}

/** The table that records applied migrations; created by the runner before anything else. */
export const MIGRATIONS_TABLE = 'ops.schema_migrations';

/** Statements the runner executes before the first migration (idempotent). */
export const MIGRATIONS_BOOTSTRAP: readonly string[] = [
  'CREATE SCHEMA IF NOT EXISTS ops',
  `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
    version INTEGER NOT NULL,
    name VARCHAR(128) NOT NULL,
    checksum CHAR(64) NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    PRIMARY KEY (version)
  )`,
];

function migration(version: number, name: string): MigrationFile {
  return { version, name, file: `migrations/V${String(version).padStart(3, '0')}__${name}.sql` };
}

function view(name: string): ViewFile {
  return { name, file: `views/${name}.sql` };
}

/** Every migration, in version order. */
export const MIGRATIONS: readonly MigrationFile[] = [
  migration(1, 'schemas'),
  migration(2, 'dimensions'),
  migration(3, 'facts'),
  migration(4, 'staging'),
  migration(5, 'realtime_streams'),
  migration(6, 'api_reader_role'),
  migration(7, 'sales_order_counts_by_grain'),
  migration(8, 'analytics_materialized_views'),
];

/** Every view, in creation order. */
export const VIEWS: readonly ViewFile[] = [
  view('analytics.sales_lines'),
  view('analytics.sales_daily'),
  view('analytics.sales_weekly'),
  view('analytics.sales_monthly'),
  view('analytics.sales_by_segment_monthly'),
  view('analytics.top_products_monthly'),
  view('analytics.top_categories_monthly'),
  view('analytics.customer_rfm'),
  view('analytics.customer_segments'),
  view('analytics.cohort_retention'),
  view('analytics.customer_lifetime_value'),
  view('analytics.new_vs_returning_monthly'),
  view('analytics.campaign_performance'),
  view('analytics.campaign_channel_performance'),
  view('analytics.inventory_stock_position'),
  view('analytics.inventory_health'),
  view('analytics.stock_outs'),
  view('analytics.data_freshness'),
  // The real-time monitoring views over the stream materialized views of V005.
  view('realtime.order_events'),
  view('realtime.order_values'),
  view('realtime.orders_per_minute'),
  view('realtime.order_status'),
  view('realtime.stuck_orders'),
  view('realtime.order_outcomes_hourly'),
  view('realtime.inventory_events'),
  view('realtime.stock_levels'),
  view('realtime.low_stock'),
  view('realtime.stream_errors'),
  view('realtime.stream_lag'),
];

/**
 * The materialized views over the star (created by the migrations), in refresh order: an MV comes
 * after the MVs it reads. The analytics views read them instead of grouping the order lines on every
 * query (docs/DESIGN.md section 16). A load run refreshes each one after the loads, one
 * `REFRESH MATERIALIZED VIEW` at a time (each is its own transaction on Redshift), so that the views
 * agree with the star when the run ends; on AWS they also have AUTO REFRESH.
 */
export const MATERIALIZED_VIEWS: readonly string[] = [
  'star.mv_sales_by_day_campaign',
  'star.mv_segment_month_sales',
  'star.mv_top_products_monthly',
  'star.mv_customer_month_sales',
  'star.mv_customer_sales',
  'star.mv_stock_positions',
  'star.mv_sku_units_30d',
  'star.mv_stock_outs',
];

/** The statement that refreshes one materialized view. */
export function refreshStatement(materializedView: string): string {
  if (!/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(materializedView))
    throw new Error(`'${materializedView}' is not a schema-qualified materialized view name`);
  return `REFRESH MATERIALIZED VIEW ${materializedView}`;
}

function load(order: number, dataset: string, partitionKey: string): LoadFile {
  return {
    dataset,
    partitionKey,
    stagingTable: `staging.${dataset}`,
    file: `loads/${String(order).padStart(2, '0')}_${dataset}.sql`,
  };
}

/**
 * Every load, in the order a scheduled run executes them: the dimensions first, so that the facts
 * of the same run find their keys (a fact that arrives before its dimension row still loads, with
 * the unknown member, and the dimension's next load re-points it).
 */
export const LOADS: readonly LoadFile[] = [
  load(1, 'customers', 'extract_date'),
  load(2, 'products', 'extract_date'),
  load(3, 'campaigns', 'extract_date'),
  load(4, 'warehouses', 'extract_date'),
  load(5, 'order_status_changes', 'event_date'),
  load(6, 'order_lines', 'event_date'),
  load(7, 'inventory_movements', 'event_date'),
  load(8, 'campaign_spend', 'spend_date'),
];

/** The text of a registered file. */
export function readSql(file: string, root: string = SQL_ROOT): string {
  return readFileSync(join(root, file), 'utf8');
}

/** SHA-256 of a file's text, recorded with each applied migration. */
export function checksum(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Splits a SQL file into its statements on `;` outside quotes, quoted identifiers, `$$` bodies and
 * comments. Comments are kept with the statement that follows them; empty statements are dropped.
 */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? n : end + 1;
      current += text.slice(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new Error('SQL: a /* comment is not closed');
      current += text.slice(i, end + 2);
      i = end + 2;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n) {
        if (text[j] === c && text[j + 1] === c) j += 2;
        else if (text[j] === c) break;
        else j += 1;
      }
      if (j >= n) throw new Error(`SQL: a ${c} quote is not closed`);
      current += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '$' && next === '$') {
      const end = text.indexOf('$$', i + 2);
      if (end === -1) throw new Error('SQL: a $$ body is not closed');
      current += text.slice(i, end + 2);
      i = end + 2;
    } else if (c === ';') {
      out.push(current);
      current = '';
      i += 1;
    } else {
      current += c;
      i += 1;
    }
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => stripComments(s).trim() !== '');
}

/** The statement without its `--` and `/* *\/` comments (quotes are not looked into: used for emptiness and headers). */
export function stripComments(statement: string): string {
  return statement.replace(/\/\*[\s\S]*?\*\//g, '').replace(/--[^\n]*/g, '');
}

/** Values a load's `{{placeholders}}` take; the runner builds them from config, never from requests. */
export type SqlParameters = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g;

/** The placeholders a text uses. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}

/**
 * Fills `{{name}}` placeholders. Every value must be a plain token (letters, digits and `/ : . _ - = @ *`),
 * so a value can never close a quote or start a statement; a missing or unsafe value throws.
 */
export function renderSql(text: string, params: SqlParameters): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => {
    const value = params[name];
    if (value === undefined)
      throw new Error(
        `SQL placeholder {{${name}}} has no value (known: ${Object.keys(params).sort().join(', ') || 'none'})`,
      );
    if (!/^[A-Za-z0-9/:._\-=@*+]*$/.test(value))
      throw new Error(`SQL placeholder {{${name}}}: value '${value}' has a character that is not allowed`);
    return value;
  });
}

/** What the migrations' `{{placeholders}}` are filled with: the environment's names, from the stack. */
export interface MigrationParameters {
  /** The role the namespace assumes to read the streams (streaming ingestion); any token in the twin. */
  readonly streamingRoleArn: string;
  /** The orders Kinesis stream's name (for example `ecom-dev-orders`). */
  readonly ordersStream: string;
  /** The inventory Kinesis stream's name. */
  readonly inventoryStream: string;
}

/** The values of the migrations' `{{placeholders}}`. */
export function migrationPlaceholders(params: MigrationParameters): SqlParameters {
  return {
    streaming_role_arn: params.streamingRoleArn,
    orders_stream: params.ordersStream,
    inventory_stream: params.inventoryStream,
  };
}

/** A migration already applied, as recorded in {@link MIGRATIONS_TABLE}. */
export interface AppliedMigration {
  readonly version: number;
  readonly checksum: string;
}

/** A migration to apply: its statements, then the statement that records it, in one transaction. */
export interface PendingMigration {
  readonly migration: MigrationFile;
  readonly checksum: string;
  readonly statements: readonly string[];
}

/**
 * The migrations still to apply, in order, with their `{{placeholders}}` filled from `params`. The
 * checksum is the file's own text, so the same file gives the same checksum in every environment.
 * Throws when an applied migration's file changed (edit a migration only by adding a new one), when
 * the database knows a version this code does not, or when a pending file needs a placeholder
 * `params` does not give.
 */
export function pendingMigrations(
  applied: readonly AppliedMigration[],
  migrations: readonly MigrationFile[] = MIGRATIONS,
  read: (file: string) => string = (f) => readSql(f),
  now: () => Date = () => new Date(),
  params: SqlParameters = {},
): PendingMigration[] {
  const known = new Map(migrations.map((m) => [m.version, m]));
  const done = new Map(applied.map((a) => [a.version, a.checksum]));
  for (const a of applied) {
    if (!known.has(a.version))
      throw new Error(
        `${MIGRATIONS_TABLE} records version ${a.version}, which sql/registry.ts does not list: the database is ahead of this code; deploy the newer code`,
      );
  }
  const pending: PendingMigration[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    const text = read(m.file);
    const sum = checksum(text);
    const recorded = done.get(m.version);
    if (recorded !== undefined) {
      if (recorded !== sum)
        throw new Error(
          `${m.file} changed after it was applied (checksum ${recorded.slice(0, 12)}… recorded, ${sum.slice(0, 12)}… now): never edit an applied migration, add a new one`,
        );
      continue;
    }
    const at = now().toISOString().replace('T', ' ').replace('Z', '');
    let rendered: string;
    try {
      rendered = renderSql(text, params);
    } catch (e) {
      throw new Error(`sql/${m.file}: ${(e as Error).message}`, { cause: e });
    }
    pending.push({
      migration: m,
      checksum: sum,
      statements: [
        ...splitStatements(rendered),
        `INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum, applied_at) VALUES (${m.version}, '${m.name}', '${sum}', TIMESTAMP '${at}')`,
      ],
    });
  }
  return pending;
}

/** One statement of the view step and the file it comes from. */
export interface ViewStatement {
  readonly file: string;
  readonly sql: string;
}

/**
 * The statements that (re)create the views on every deploy: first DROP VIEW IF EXISTS for each,
 * dependents first (the reverse of the registry's order), then each file's CREATE in order.
 * Redshift's CREATE OR REPLACE VIEW cannot change a view's columns, and a view that another view
 * reads cannot be dropped alone, so replacing in place would stop the first deploy that changes a
 * column. No CASCADE: a view someone else built on ours stops the deploy with Redshift's message
 * naming it, rather than disappearing. Throws when a view file holds more than one statement.
 */
export function viewStatements(
  views: readonly ViewFile[] = VIEWS,
  read: (file: string) => string = (f) => readSql(f),
): ViewStatement[] {
  const creates = views.map((v) => {
    const statements = splitStatements(read(v.file));
    if (statements.length !== 1) {
      throw new Error(
        `sql/${v.file} has ${statements.length} statements; a view file holds exactly one (CREATE OR REPLACE VIEW ${v.name} ...)`,
      );
    }
    return { file: v.file, sql: statements[0] };
  });
  const drops = [...views].reverse().map((v) => ({ file: v.file, sql: `DROP VIEW IF EXISTS ${v.name}` }));
  return [...drops, ...creates];
}

/** What a load's placeholders are filled with for one partition. */
export interface LoadParameters {
  /** The partition's folder: `s3://<curated bucket>/curated/<dataset>/<key>=<value>/` on AWS, a local folder in the twin. */
  readonly source: string;
  /** The value of the partition key (for example `2024-09-18`). */
  readonly partition: string;
  /** The role Redshift assumes for COPY (the namespace's COPY role); any token in the twin. */
  readonly copyRoleArn: string;
  /** Id of the load run, recorded in `ops.load_audit`. */
  readonly runId: string;
  /** Newest last-modified time of the partition's objects (ISO 8601), recorded as the load's watermark. */
  readonly sourceModifiedAt: string;
}

/** The values of a load file's `{{placeholders}}`. */
export function loadPlaceholders(params: LoadParameters): SqlParameters {
  return {
    source: params.source,
    partition: params.partition,
    copy_role_arn: params.copyRoleArn,
    run_id: params.runId,
    // UTC without the zone letter: a plain TIMESTAMP literal on Redshift and on DuckDB.
    source_modified_at: params.sourceModifiedAt.replace(/Z$/, ''),
  };
}

/** The statements of one load for one partition, to run in ONE transaction (a Data API batch). */
export function loadStatements(load: LoadFile, params: LoadParameters, root: string = SQL_ROOT): string[] {
  return splitStatements(renderSql(readSql(load.file, root), loadPlaceholders(params)));
}

/** An object of the curated zone, as a listing returns it (key relative to the dataset's folder). */
export interface CuratedObject {
  /** For example `event_date=2024-09-18/part-0000.snappy.parquet`. */
  readonly key: string;
  readonly lastModified: Date;
}

/** A partition to (re)load and the newest modification time of its Parquet files. */
export interface ChangedPartition {
  readonly partition: string;
  readonly modifiedAt: Date;
}

/**
 * The partitions of a dataset with a Parquet file modified after `since` (the watermark the last
 * load of the dataset recorded; undefined: everything). Files outside `key=value/` folders and
 * non-Parquet files (`_SUCCESS`, checksums) are ignored. Sorted oldest change first (then by
 * value): the watermark is the newest time loaded, so loading in this order never skips a partition
 * when a run stops halfway.
 */
export function changedPartitions(
  objects: readonly CuratedObject[],
  partitionKey: string,
  since?: Date,
): ChangedPartition[] {
  const newest = new Map<string, Date>();
  const prefix = `${partitionKey}=`;
  for (const o of objects) {
    const [folder, ...rest] = o.key.split('/');
    if (!folder.startsWith(prefix) || rest.length === 0 || !o.key.endsWith('.parquet')) continue;
    const value = decodeURIComponent(folder.slice(prefix.length));
    const seen = newest.get(value);
    if (seen === undefined || o.lastModified > seen) newest.set(value, o.lastModified);
  }
  return [...newest.entries()]
    .filter(([, at]) => since === undefined || at > since)
    .sort(([a, at], [b, bt]) => at.getTime() - bt.getTime() || a.localeCompare(b))
    .map(([partition, modifiedAt]) => ({ partition, modifiedAt }));
}

/** A hash of every registered file: a deploy re-runs the migration resource when any of them changes. */
export function sqlFingerprint(root: string = SQL_ROOT): string {
  const h = createHash('sha256');
  for (const f of [
    ...MIGRATIONS.map((m) => m.file),
    ...VIEWS.map((v) => v.file),
    ...LOADS.map((l) => l.file),
  ]) {
    h.update(f).update('\0').update(readSql(f, root)).update('\0');
  }
  return h.digest('hex');
}
