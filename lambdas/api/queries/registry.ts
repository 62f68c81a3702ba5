/**
 * The allow-list of warehouse queries the API may run: one Redshift SQL file per query in this
 * folder (a header comment, named parameters `:name`), and here each query's parameters with their
 * types. Every parameter is bound through the Data API's `Parameters` (DuckDB's bound parameters in
 * the twin), never spliced into the text; the values are checked against their types before binding.
 * The Data API binds neither NULL nor an empty string: an optional filter that is not given is bound
 * as {@link NO_FILTER} (`(:channel = '*' OR channel = :channel)`).
 *
 * The file texts reach the Lambda bundle through ./sql.generated.ts (scripts/generate-api-types.ts);
 * test/api/named-queries.test.ts keeps the registry, the files and the generated module in step and
 * checks that every file parses as Redshift SQL.
 */
import { QUERY_SQL } from './sql.generated';

export type ParameterType = 'date' | 'integer' | 'string';

export interface NamedQuery {
  readonly name: QueryName;
  /** The file in lambdas/api/queries. */
  readonly file: string;
  readonly parameters: Readonly<Record<string, ParameterType>>;
}

/** The value of an optional string filter that is not given. */
export const NO_FILTER = '*';

const PAGED = { row_from: 'integer', row_to: 'integer' } as const;
const RANGE = { from_date: 'date', to_date: 'date' } as const;
const FILTERS = { category: 'string', channel: 'string', region: 'string' } as const;
const MONTH = { month_start: 'date', max_rank: 'integer' } as const;

const DEFINITIONS = {
  sales_trend_day: { ...RANGE, ...PAGED },
  sales_trend_week: { ...RANGE, ...PAGED },
  sales_trend_month: { ...RANGE, ...PAGED },
  sales_trend_filtered_day: { ...RANGE, ...FILTERS, ...PAGED },
  sales_trend_filtered_week: { ...RANGE, ...FILTERS, ...PAGED },
  sales_trend_filtered_month: { ...RANGE, ...FILTERS, ...PAGED },
  top_products: MONTH,
  top_categories: MONTH,
  customer_segments: {},
  customer_segment: { customer_id: 'integer' },
  campaign_performance: { campaign_id: 'string' },
  campaign_ranking: { by: 'string', ...PAGED },
  freshness: {},
} as const satisfies Record<string, Record<string, ParameterType>>;

export type QueryName = keyof typeof DEFINITIONS;

export const NAMED_QUERIES: Readonly<Record<QueryName, NamedQuery>> = Object.fromEntries(
  Object.entries(DEFINITIONS).map(([name, parameters]) => [
    name,
    { name: name as QueryName, file: `${name}.sql`, parameters },
  ]),
) as Record<QueryName, NamedQuery>;

export function isQueryName(name: string): name is QueryName {
  return Object.prototype.hasOwnProperty.call(NAMED_QUERIES, name);
}

/** The Redshift SQL of a named query, as in its file. */
export function querySql(name: QueryName): string {
  const sql = QUERY_SQL[NAMED_QUERIES[name].file];
  if (sql === undefined)
    throw new Error(`named query ${name}: no text; run npx tsx scripts/generate-api-types.ts`);
  return sql;
}

function squeeze(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

/** How much of a statement's text identifies its named query when the text given back is cut short. */
const MIN_PREFIX = 200;

/**
 * The named query whose SQL text this is (the Data API describes a statement by its text): the same
 * text, else the same text up to whitespace, else (a text cut short) a prefix of at least
 * {@link MIN_PREFIX} characters of exactly one query. Anything else is not one of ours.
 */
export function queryNameOfSql(sql: string): QueryName | undefined {
  const names = Object.keys(NAMED_QUERIES) as QueryName[];
  const exact = names.find((n) => querySql(n).trim() === sql.trim());
  if (exact) return exact;
  const given = squeeze(sql);
  const same = names.find((n) => squeeze(querySql(n)) === given);
  if (same) return same;
  if (given.length < MIN_PREFIX) return undefined;
  const prefixed = names.filter((n) => squeeze(querySql(n)).startsWith(given));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** The `:name` parameters a SQL text uses (outside `--` comments and string literals). */
export function parametersInSql(sql: string): string[] {
  const code = sql.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''");
  return [...new Set([...code.matchAll(/(?<!:):([a-z_][a-z0-9_]*)/g)].map((m) => m[1]))].sort();
}

const VALID: Readonly<Record<ParameterType, RegExp>> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  integer: /^-?\d{1,18}$/,
  string: /^.{1,256}$/s,
};

/** A named parameter, as the Data API takes it. */
export interface BoundParameter {
  readonly name: string;
  readonly value: string;
}

/**
 * The parameters of a call, checked: exactly the query's parameters, each a non-empty string of its
 * type. A mistake here is the API's bug, not the caller's: it throws a plain Error (500).
 */
export function bindParameters(
  name: QueryName,
  values: Readonly<Record<string, string | number>>,
): BoundParameter[] {
  const expected = NAMED_QUERIES[name].parameters;
  const given = Object.keys(values).sort();
  const wanted = Object.keys(expected).sort();
  if (given.join(',') !== wanted.join(','))
    throw new Error(`named query ${name}: parameters [${given.join(', ')}], expected [${wanted.join(', ')}]`);
  return wanted.map((p) => {
    const value = String(values[p]);
    if (!VALID[expected[p]].test(value))
      throw new Error(`named query ${name}: parameter ${p} is not a valid ${expected[p]}`);
    return { name: p, value };
  });
}
