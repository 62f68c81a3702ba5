/**
 * How the API reaches the warehouse: by the name of an allow-listed query (./queries/registry.ts) and
 * its bound parameters, never by SQL text. Two implementations: {@link DataApiWarehouse}
 * (./data-api-warehouse.ts: Redshift Data API) and the twin's LocalWarehouseQueries
 * (api/local-warehouse-queries.ts: DuckDB).
 */
import type { QueryName } from './queries/registry';

/** A value of a result row: what both implementations return (dates and times as strings). */
export type WarehouseValue = string | number | boolean | null;
export type WarehouseRow = Readonly<Record<string, WarehouseValue>>;

/** What running a query gave within the wait. */
export type QueryOutcome =
  | { readonly state: 'finished'; readonly rows: readonly WarehouseRow[] }
  | { readonly state: 'running'; readonly queryId: string };

/** What polling a query that outlived the wait gives. */
export type PollOutcome =
  | {
      readonly state: 'finished';
      readonly query: QueryName;
      readonly parameters: Readonly<Record<string, string>>;
      readonly rows: readonly WarehouseRow[];
    }
  | { readonly state: 'running' }
  /** Not a query of this API, or its result expired. */
  | { readonly state: 'unknown' };

/** The warehouse failed to answer (the query failed or was aborted): 502 query-failed. */
export class WarehouseQueryError extends Error {
  constructor(
    message: string,
    readonly queryId?: string,
  ) {
    super(message);
    this.name = 'WarehouseQueryError';
  }
}

export interface WarehouseQueries {
  /** Runs a named query; answers `running` (with an id to poll) when it outlives the wait. */
  run(query: QueryName, parameters: Readonly<Record<string, string | number>>): Promise<QueryOutcome>;
  /** The state of a query that was answered `running`. */
  poll(queryId: string): Promise<PollOutcome>;
}

/** Data API statement ids (and the twin's query ids): a UUID. */
export const QUERY_ID_PATTERN =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
