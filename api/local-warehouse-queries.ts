/**
 * The API's warehouse in the local twin: the same named queries (lambdas/api/queries/*.sql, Redshift
 * SQL) translated once to DuckDB by sqlglot (twin/warehouse/translator.ts turns `:name` into
 * `$name`) and run on the twin's LocalWarehouse with their parameters bound, never spliced in. Like
 * the Data API, a query that outlives the wait is answered `running` with an id (a UUID) that
 * `poll` follows; `delayMs` makes every query that slow, to exercise the 202 path.
 */
import { randomUUID } from 'node:crypto';
import { NAMED_QUERIES, QueryName, bindParameters, querySql } from '../lambdas/api/queries/registry';
import {
  PollOutcome,
  QueryOutcome,
  WarehouseQueries,
  WarehouseQueryError,
  WarehouseRow,
  WarehouseValue,
} from '../lambdas/api/warehouse';
import type { Cell, LocalWarehouse } from '../twin/warehouse/local-warehouse';
import { translateStatements } from '../twin/warehouse/translator';

export interface LocalWarehouseQueriesOptions {
  /** How long `run` waits before answering `running` (seconds; default 20, as QUERY_WAIT_SECONDS). */
  readonly waitSeconds?: number;
  /** An extra delay before every query runs (ms; default 0). */
  readonly delayMs?: number;
}

interface Pending {
  readonly query: QueryName;
  readonly parameters: Record<string, string>;
  result?: { rows: WarehouseRow[] } | { error: string };
}

function value(cell: Cell): WarehouseValue {
  if (cell instanceof Date) return cell.toISOString();
  return cell;
}

export class LocalWarehouseQueries implements WarehouseQueries {
  private readonly pending = new Map<string, Pending>();

  private constructor(
    private readonly warehouse: LocalWarehouse,
    private readonly duckdb: ReadonlyMap<QueryName, string>,
    private readonly options: LocalWarehouseQueriesOptions,
  ) {}

  /** Translates every named query (one translator run) for `warehouse`. */
  static async create(
    warehouse: LocalWarehouse,
    options: LocalWarehouseQueriesOptions = {},
  ): Promise<LocalWarehouseQueries> {
    const names = Object.keys(NAMED_QUERIES) as QueryName[];
    const translated = await translateStatements(
      names.map((name) => ({
        file: `lambdas/api/queries/${NAMED_QUERIES[name].file}`,
        index: 1,
        sql: querySql(name),
      })),
    );
    return new LocalWarehouseQueries(
      warehouse,
      new Map(names.map((n, i) => [n, translated[i].translated])),
      options,
    );
  }

  private async execute(query: QueryName, parameters: Record<string, string>): Promise<WarehouseRow[]> {
    if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    const rows = await this.warehouse.queryWithParams(this.duckdb.get(query)!, parameters);
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, value(v)])));
  }

  async run(query: QueryName, values: Readonly<Record<string, string | number>>): Promise<QueryOutcome> {
    const parameters = Object.fromEntries(bindParameters(query, values).map((p) => [p.name, p.value]));
    const entry: Pending = { query, parameters };
    const done = this.execute(query, parameters).then(
      (rows) => (entry.result = { rows }),
      (e: unknown) => (entry.result = { error: e instanceof Error ? e.message : String(e) }),
    );
    const waitMs = (this.options.waitSeconds ?? 20) * 1000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    if (entry.result === undefined) {
      const queryId = randomUUID();
      this.pending.set(queryId, entry);
      return { state: 'running', queryId };
    }
    if ('error' in entry.result)
      throw new WarehouseQueryError(`query ${query} failed: ${entry.result.error}`);
    return { state: 'finished', rows: entry.result.rows };
  }

  async poll(queryId: string): Promise<PollOutcome> {
    const entry = this.pending.get(queryId.toLowerCase());
    if (entry === undefined) return { state: 'unknown' };
    if (entry.result === undefined) return { state: 'running' };
    if ('error' in entry.result)
      throw new WarehouseQueryError(`query ${entry.query} failed: ${entry.result.error}`, queryId);
    return { state: 'finished', query: entry.query, parameters: entry.parameters, rows: entry.result.rows };
  }
}
