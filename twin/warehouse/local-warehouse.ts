/**
 * The local twin of the Redshift warehouse: DuckDB running the same sql/ files, translated by
 * twin/warehouse/translate.py. It applies the migrations the way the deploy-time custom resource
 * does (bootstrap, pending migrations each in one transaction with its record, then the views), and
 * runs the scheduled loads the way the loader does (per dataset: the partitions changed since the
 * watermark in ops.load_audit, each partition's load in one transaction).
 *
 *   const wh = await LocalWarehouse.open();
 *   await wh.migrate();
 *   const report = await wh.load({ curatedRoot: '.twin/demo/lake/curated', runId: 'demo-1' });
 *   const rows = await wh.query('SELECT * FROM analytics.sales_daily');
 */
import { DuckDBConnection, DuckDBInstance, DuckDBTimestampValue } from '@duckdb/node-api';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  AppliedMigration,
  CuratedObject,
  LOADS,
  LoadFile,
  MATERIALIZED_VIEWS,
  MIGRATIONS,
  MIGRATIONS_BOOTSTRAP,
  MIGRATIONS_TABLE,
  MigrationFile,
  MigrationParameters,
  SQL_ROOT,
  VIEWS,
  ViewFile,
  changedPartitions,
  loadPlaceholders,
  migrationPlaceholders,
  pendingMigrations,
  readSql,
  refreshStatement,
  renderSql,
  splitStatements,
  viewStatements,
} from '../../sql/registry';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { streamName } from '../../lib/streams/stream-definitions';
import { StatementSource, TranslatedStatement, translateStatements } from './translator';

/**
 * What the twin fills the migrations' placeholders with: the streams the local twin creates (the dev
 * environment's names) and a placeholder role (the twin has no IAM; the Kinesis relations are
 * tables that twin/warehouse/stream-ingestion.ts fills).
 */
export const TWIN_STREAMS: MigrationParameters = {
  streamingRoleArn: 'arn:aws:iam::000000000000:role/twin-streaming-ingestion',
  ordersStream: streamName(ENVIRONMENTS.dev.prefix, 'orders'),
  inventoryStream: streamName(ENVIRONMENTS.dev.prefix, 'inventory'),
};

/** A value DuckDB returns, converted to plain JavaScript (BIGINT and DECIMAL become numbers). */
export type Cell = string | number | boolean | null | Date;
export type Row = Record<string, Cell>;

/**
 * One record of a Kinesis relation, in the columns Redshift gives it (the tables translate.py
 * creates for `kinesis_streams."<stream>"`).
 */
export interface KinesisRelationRow {
  readonly approximateArrivalTimestamp: Date;
  readonly partitionKey: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly refreshTime: Date;
  readonly kinesisData: Uint8Array;
}

/**
 * The catalog of the streaming materialized views, which the translated statements fill
 * (twin/warehouse/translate.py, STREAM_CATALOG and KINESIS_SCHEMAS): one row per MV over a Kinesis
 * relation, and one per schema declared FROM KINESIS.
 */
const STREAM_CATALOG = {
  schema: 'twin_streaming',
  views: 'materialized_views',
  kinesisSchemas: 'kinesis_schemas',
};

/** A streaming materialized view, as the catalog names it. */
interface StreamView {
  /** The MV's table, as SQL. */
  readonly materializedView: string;
  /** The view of the MV's SELECT over the pending table, as SQL. */
  readonly refreshView: string;
  readonly pendingSchema: string;
  readonly pendingName: string;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function timestampValue(at: Date): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(at.getTime()) * 1000n);
}

/** What one run of {@link LocalWarehouse.migrate} did. */
export interface MigrationReport {
  readonly applied: readonly string[];
  readonly views: readonly string[];
}

/** One partition's load. */
export interface PartitionLoad {
  readonly dataset: string;
  readonly partition: string;
  readonly rowsStaged: number;
  readonly rowsDistinct: number;
  readonly rowsInTarget: number;
  readonly targetTable: string;
}

/** What one run of {@link LocalWarehouse.load} did. */
export interface LoadReport {
  readonly runId: string;
  readonly partitions: readonly PartitionLoad[];
  /** Every partition's distinct staged keys are in its target. */
  readonly reconciled: boolean;
  /** The materialized views refreshed after the loads (none when no partition was loaded). */
  readonly refreshed: readonly string[];
}

/** Options of {@link LocalWarehouse.load}. */
export interface LoadOptions {
  /** The folder standing in for the curated bucket (holds `curated/<dataset>/`). */
  readonly curatedRoot: string;
  readonly runId: string;
  /** Only these datasets (default: every load in the registry). */
  readonly datasets?: readonly string[];
  /** Called before each partition's load. */
  readonly onPartition?: (dataset: string, partition: string) => void;
}

/** A statement of a file, translated. */
interface FileStatement extends TranslatedStatement {
  readonly file: string;
  readonly index: number;
}

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  // DECIMAL, DATE, TIMESTAMP values of @duckdb/node-api: their string form is the SQL literal.
  const text = String(value);
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && /^-?\d+(\.\d+)?$/.test(text) ? n : text;
}

async function listFiles(root: string): Promise<CuratedObject[]> {
  const out: CuratedObject[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else
        out.push({ key: relative(root, path).split('\\').join('/'), lastModified: (await stat(path)).mtime });
    }
  }
  await walk(root);
  return out;
}

/** The local warehouse: one DuckDB database (in memory by default). */
export class LocalWarehouse {
  private translated = new Map<string, FileStatement[]>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly sqlRoot: string,
  ) {}

  /** Opens (or creates) the database at `path` (`:memory:` by default). */
  static async open(path = ':memory:', sqlRoot: string = SQL_ROOT): Promise<LocalWarehouse> {
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    // Redshift's GETDATE() and TIMESTAMP columns are UTC.
    await connection.run("SET TimeZone = 'UTC'");
    return new LocalWarehouse(instance, connection, sqlRoot);
  }

  /** Rows of a query, as plain objects. */
  async query(sql: string): Promise<Row[]> {
    return this.serial(async () => {
      const reader = await this.connection.runAndReadAll(sql);
      const names = reader.columnNames();
      return reader.getRows().map((r) => Object.fromEntries(names.map((n, i) => [n, toCell(r[i])])));
    });
  }

  /**
   * Rows of a query with named parameters (`$name` in DuckDB SQL) bound as VARCHAR values, never
   * spliced into the text: the twin of the Data API's bound `Parameters` (lambdas/api).
   */
  async queryWithParams(sql: string, params: Readonly<Record<string, string>>): Promise<Row[]> {
    return this.serial(async () => {
      const reader = await this.connection.runAndReadAll(sql, { ...params });
      const names = reader.columnNames();
      return reader.getRows().map((r) => Object.fromEntries(names.map((n, i) => [n, toCell(r[i])])));
    });
  }

  /** Runs one DuckDB statement. */
  async run(sql: string): Promise<void> {
    await this.serial(() => this.connection.run(sql));
  }

  /**
   * Appends records to a Kinesis relation (`schema.relation`, as translate.py creates it) and
   * refreshes every streaming materialized view that reads it with just those records, in one
   * transaction, as Redshift's incremental refresh of a streaming MV: the records go to the
   * relation's pending table, each MV inserts its refresh view's rows (its SELECT over the pending
   * table, so only the new records are parsed), the records move to the relation and the pending
   * table is emptied. A query never sees the records without their MV rows, nor a partial refresh.
   * Returns the MVs refreshed.
   */
  async appendToStream(
    schema: string,
    relation: string,
    rows: readonly KinesisRelationRow[],
  ): Promise<string[]> {
    if (rows.length === 0) return [];
    return this.serial(async () => {
      const views = await this.streamViews(schema, relation);
      const target = views[0] ? { schema: views[0].pendingSchema, name: views[0].pendingName } : undefined;
      await this.connection.run('BEGIN TRANSACTION');
      try {
        const appender = await this.connection.createAppender(
          target?.name ?? relation,
          target?.schema ?? schema,
        );
        try {
          for (const r of rows) {
            appender.appendTimestamp(timestampValue(r.approximateArrivalTimestamp));
            appender.appendVarchar(r.partitionKey);
            appender.appendVarchar(r.shardId);
            appender.appendVarchar(r.sequenceNumber);
            appender.appendTimestamp(timestampValue(r.refreshTime));
            appender.appendBlob(r.kinesisData);
            appender.endRow();
          }
        } finally {
          appender.closeSync();
        }
        if (target) {
          const pending = `${quoteIdentifier(target.schema)}.${quoteIdentifier(target.name)}`;
          for (const v of views)
            await this.connection.run(
              `INSERT INTO ${v.materializedView} BY NAME SELECT * FROM ${v.refreshView}`,
            );
          await this.connection.run(
            `INSERT INTO ${quoteIdentifier(schema)}.${quoteIdentifier(relation)} SELECT * FROM ${pending}`,
          );
          await this.connection.run(`DELETE FROM ${pending}`);
        }
        await this.connection.run('COMMIT');
      } catch (e) {
        await this.connection.run('ROLLBACK');
        throw e;
      }
      return views.map((v) => v.materializedView);
    });
  }

  /** The schemas earlier migrations declared FROM KINESIS, as translate.py records them. */
  private async kinesisSchemas(): Promise<string[]> {
    if (!(await this.hasTable(STREAM_CATALOG.schema, STREAM_CATALOG.kinesisSchemas))) return [];
    const reader = await this.connection.runAndReadAll(
      `SELECT schema_name FROM ${STREAM_CATALOG.schema}.${STREAM_CATALOG.kinesisSchemas} ORDER BY 1`,
    );
    return reader.getRows().map(([name]) => String(name));
  }

  private async hasTable(schema: string, table: string): Promise<boolean> {
    const reader = await this.connection.runAndReadAll(
      'SELECT count(*) FROM duckdb_tables() WHERE schema_name = $schema AND table_name = $table',
      { schema, table },
    );
    return Number(reader.getRows()[0][0]) > 0;
  }

  /** The streaming materialized views reading a Kinesis relation (none if the catalog has none). */
  private async streamViews(schema: string, relation: string): Promise<StreamView[]> {
    if (!(await this.hasTable(STREAM_CATALOG.schema, STREAM_CATALOG.views))) return [];
    const reader = await this.connection.runAndReadAll(
      `SELECT materialized_view, refresh_view, pending_schema, pending_name
       FROM ${STREAM_CATALOG.schema}.${STREAM_CATALOG.views}
       WHERE lower(relation_schema) = lower($schema) AND lower(relation_name) = lower($relation)
       ORDER BY materialized_view`,
      { schema, relation },
    );
    return reader.getRows().map(([materializedView, refreshView, pendingSchema, pendingName]) => ({
      materializedView: String(materializedView),
      refreshView: String(refreshView),
      pendingSchema: String(pendingSchema),
      pendingName: String(pendingName),
    }));
  }

  /** The translated REFRESH of each materialized view refreshed so far (translated once). */
  private readonly refreshes = new Map<string, FileStatement>();

  private tail: Promise<unknown> = Promise.resolve();

  /**
   * Runs calls on the one connection one after the other: the stream reader appends in the
   * background while the demo's live view queries.
   */
  private serial<T>(call: () => Promise<T>): Promise<T> {
    const next = this.tail.then(call, call);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Translates (once) the statements of registered files. */
  private async prepare(files: readonly string[], texts: Map<string, string> = new Map()): Promise<void> {
    const todo = files.filter((f) => !this.translated.has(f));
    const sources: StatementSource[] = [];
    for (const file of todo) {
      const text = texts.get(file) ?? readSql(file, this.sqlRoot);
      splitStatements(text).forEach((sql, i) => sources.push({ file, index: i + 1, sql }));
    }
    const out = await translateStatements(sources);
    for (const file of todo) this.translated.set(file, []);
    out.forEach((t, i) =>
      this.translated.get(sources[i].file)!.push({ ...t, file: sources[i].file, index: sources[i].index }),
    );
  }

  private statementsOf(file: string): FileStatement[] {
    const s = this.translated.get(file);
    if (s === undefined) throw new Error(`sql/${file} was not prepared`);
    return s;
  }

  /** Runs statements in one transaction; on failure rolls back and throws naming the file and statement. */
  private async transaction(
    statements: readonly FileStatement[],
    params?: Readonly<Record<string, string>>,
  ): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      for (const s of statements) {
        const sql = params ? renderSql(s.translated, params) : s.translated;
        if (s.copy)
          await this.checkCopy(s.copy.table, params ? renderSql(s.copy.source, params) : s.copy.source, s);
        try {
          await this.connection.run(sql);
        } catch (e) {
          throw new Error(
            `sql/${s.file}, statement ${s.index} failed: ${(e as Error).message}\n  Redshift: ${s.redshift.slice(0, 300)}`,
            { cause: e },
          );
        }
      }
      await this.connection.run('COMMIT');
    } catch (e) {
      await this.connection.run('ROLLBACK');
      throw e;
    }
  }

  /** Redshift's COPY from Parquet maps columns by position: the twin insists the names match too. */
  private async checkCopy(table: string, source: string, s: FileStatement): Promise<void> {
    const [schema, name] = table.split('.');
    const tableColumns = (
      await this.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${name}' ORDER BY ordinal_position`,
      )
    ).map((r) => String(r.column_name));
    const fileColumns = (
      await this.query(
        `DESCRIBE SELECT * FROM read_parquet('${source.replace(/'/g, "''")}/*.parquet', hive_partitioning = false)`,
      )
    ).map((r) => String(r.column_name));
    if (tableColumns.join(',') !== fileColumns.join(',')) {
      throw new Error(
        `sql/${s.file}, statement ${s.index}: COPY into ${table} maps Parquet columns by position, but the columns differ.\n` +
          `  table: ${tableColumns.join(', ')}\n  files: ${fileColumns.join(', ')}\n` +
          `  Change the staging table in a new migration so that it lists the curated dataset's columns in the files' order.`,
      );
    }
  }

  /** The migrations recorded as applied. */
  async appliedMigrations(): Promise<AppliedMigration[]> {
    return (await this.query(`SELECT version, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`)).map(
      (r) => ({
        version: Number(r.version),
        checksum: String(r.checksum),
      }),
    );
  }

  /**
   * Applies the pending migrations (each in one transaction with its record) and re-creates every
   * view, as the deploy does. `migrations`/`views` default to the registry (tests pass others);
   * `parameters` name the streams the stream views read (default: the twin's, {@link TWIN_STREAMS}).
   */
  async migrate(
    migrations: readonly MigrationFile[] = MIGRATIONS,
    views: readonly ViewFile[] = VIEWS,
    parameters: MigrationParameters = TWIN_STREAMS,
  ): Promise<MigrationReport> {
    const bootstrap: StatementSource[] = MIGRATIONS_BOOTSTRAP.map((sql, i) => ({
      file: 'registry.ts (bootstrap)',
      index: i + 1,
      sql,
    }));
    for (const t of await translateStatements(bootstrap)) await this.connection.run(t.translated);
    const pending = pendingMigrations(
      await this.appliedMigrations(),
      migrations,
      (f) => readSql(f, this.sqlRoot),
      undefined,
      migrationPlaceholders(parameters),
    );
    const applied: string[] = [];
    if (pending.length > 0) {
      const sources: StatementSource[] = pending.flatMap((p) =>
        p.statements.map((sql, i) => ({ file: p.migration.file, index: i + 1, sql })),
      );
      const translated = await translateStatements(sources, 'duckdb', await this.kinesisSchemas());
      let at = 0;
      for (const p of pending) {
        const statements = translated
          .slice(at, at + p.statements.length)
          .map((t, i) => ({ ...t, file: p.migration.file, index: i + 1 }));
        at += p.statements.length;
        await this.transaction(statements);
        applied.push(p.migration.file);
      }
    }
    // Drops (dependents first) then creates, in one transaction: see viewStatements.
    const viewSources: StatementSource[] = viewStatements(views, (f) => readSql(f, this.sqlRoot)).map(
      (v) => ({
        file: v.file,
        index: 1,
        sql: v.sql,
      }),
    );
    const translatedViews = await translateStatements(viewSources);
    await this.transaction(translatedViews.map((t, i) => ({ ...t, file: viewSources[i].file, index: 1 })));
    return { applied, views: views.map((v) => v.name) };
  }

  /** The newest source time loaded for a dataset (the load watermark), if any. */
  private async watermark(dataset: string): Promise<Date | undefined> {
    const rows = await this.query(
      `SELECT max(source_modified_at) AS at FROM ops.load_audit WHERE dataset = '${dataset.replace(/'/g, "''")}'`,
    );
    const at = rows[0]?.at;
    if (at === null || at === undefined) return undefined;
    return at instanceof Date ? at : new Date(`${String(at).replace(' ', 'T')}Z`);
  }

  /**
   * Loads every curated partition changed since the last load of its dataset, in the registry's
   * order, each partition in one transaction, and returns what ops.load_audit recorded for them.
   */
  async load(options: LoadOptions, loads: readonly LoadFile[] = LOADS): Promise<LoadReport> {
    const selected = options.datasets ? loads.filter((l) => options.datasets!.includes(l.dataset)) : loads;
    await this.prepare(selected.map((l) => l.file));
    const partitions: PartitionLoad[] = [];
    for (const load of selected) {
      const folder = join(options.curatedRoot, 'curated', load.dataset);
      const changed = changedPartitions(
        await listFiles(folder),
        load.partitionKey,
        await this.watermark(load.dataset),
      );
      for (const c of changed) {
        options.onPartition?.(load.dataset, c.partition);
        await this.transaction(
          this.statementsOf(load.file),
          loadPlaceholders({
            source: join(folder, `${load.partitionKey}=${c.partition}`),
            partition: c.partition,
            copyRoleArn: 'local-twin',
            runId: options.runId,
            sourceModifiedAt: c.modifiedAt.toISOString(),
          }),
        );
        const audit = await this.query(
          `SELECT target_table, rows_staged, rows_distinct, rows_in_target FROM ops.load_audit
           WHERE run_id = '${options.runId.replace(/'/g, "''")}' AND dataset = '${load.dataset}' AND partition_value = '${c.partition}'
           ORDER BY loaded_at DESC LIMIT 1`,
        );
        const a = audit[0];
        partitions.push({
          dataset: load.dataset,
          partition: c.partition,
          targetTable: String(a?.target_table ?? ''),
          rowsStaged: Number(a?.rows_staged ?? 0),
          rowsDistinct: Number(a?.rows_distinct ?? 0),
          rowsInTarget: Number(a?.rows_in_target ?? 0),
        });
      }
    }
    // As the load run on AWS: the materialized views over the star, once the loads are in.
    const refreshed = partitions.length > 0 ? Object.keys(await this.refreshMaterializedViews()) : [];
    return {
      runId: options.runId,
      partitions,
      reconciled: partitions.every((p) => p.rowsDistinct === p.rowsInTarget),
      refreshed,
    };
  }

  /**
   * Refreshes the materialized views over the star (sql/registry.ts MATERIALIZED_VIEWS), in the
   * registry's order, each in its own transaction, as the load run does on AWS after its loads (the
   * twin does not refresh them by itself). Returns each one's time, ms.
   */
  async refreshMaterializedViews(
    names: readonly string[] = MATERIALIZED_VIEWS,
  ): Promise<Record<string, number>> {
    const file = 'registry.ts (MATERIALIZED_VIEWS)';
    const todo = names.filter((name) => !this.refreshes.has(name));
    const translated = await translateStatements(
      todo.map((name, i) => ({ file, index: i + 1, sql: refreshStatement(name) })),
    );
    translated.forEach((t, i) =>
      this.refreshes.set(todo[i], { ...t, file, index: names.indexOf(todo[i]) + 1 }),
    );
    const took: Record<string, number> = {};
    for (const name of names) {
      const t0 = performance.now();
      await this.transaction([this.refreshes.get(name)!]);
      took[name] = performance.now() - t0;
    }
    return took;
  }

  /** Closes the database. */
  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
