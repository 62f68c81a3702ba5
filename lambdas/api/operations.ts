/**
 * What each operation of api/openapi.yaml does once its request has been validated against the
 * document: warehouse operations pick a named query and its bound parameters (and shape its rows into
 * the documented answer: the shaping depends only on the query and its parameters, so a query polled
 * later through GET /v1/queries/{id} is answered the same way), DynamoDB operations read the live
 * tables with the document client.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { components } from '../../api/generated/openapi-types';
import { PageTokens, PagePosition } from './page-token';
import { ApiProblem, invalidParameter } from './problems';
import { NO_FILTER, QueryName } from './queries/registry';
import {
  QUERY_ID_PATTERN,
  WarehouseQueries,
  WarehouseQueryError,
  WarehouseRow,
  WarehouseValue,
} from './warehouse';

type Schemas = components['schemas'];

/** What the handler needs (the AWS wiring is in ./handler.ts, the twin's in api/local-server.ts). */
export interface ApiDeps {
  readonly warehouse: WarehouseQueries;
  readonly documents: Pick<DynamoDBDocumentClient, 'send'>;
  /** Physical names of the DynamoDB tables. */
  readonly tables: { readonly orders: string; readonly stock: string };
  readonly pageTokens: PageTokens;
  /** Retry-After of a 202 (seconds); default 2. */
  readonly retryAfterSeconds?: number;
}

/** A validated request: its query and path parameters (strings, as sent) and the stage prefix. */
export interface ApiRequest {
  readonly operationId: string;
  readonly query: Readonly<Record<string, string>>;
  readonly path: Readonly<Record<string, string>>;
  /** Prefix of this API's paths in the URL the caller used (the stage, e.g. `/prod`; '' locally). */
  readonly basePath: string;
}

/** An answer before it becomes an HTTP response. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
const MIN_DATE = '2000-01-01';
const MAX_DATE = '2100-12-31';
const MAX_SPAN_DAYS = 3660;
const MS_PER_DAY = 86_400_000;

// ---- values ---------------------------------------------------------------------------------------

function num(v: WarehouseValue | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function int(v: WarehouseValue | undefined): number | null {
  const n = num(v);
  return n === null ? null : Math.round(n);
}

function str(v: WarehouseValue | undefined): string | null {
  return v === null || v === undefined ? null : String(v);
}

function date(v: WarehouseValue | undefined): string | null {
  return v === null || v === undefined ? null : String(v).slice(0, 10);
}

/** A warehouse timestamp ('YYYY-MM-DD HH:MM:SS[.fff]', UTC) as RFC 3339. */
function time(v: WarehouseValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  const text = String(v).trim().replace(' ', 'T');
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? String(v) : new Date(ms).toISOString();
}

// ---- request helpers ------------------------------------------------------------------------------

function pageSizeOf(req: ApiRequest): number {
  const raw = req.query.page_size;
  return raw === undefined ? DEFAULT_PAGE_SIZE : Number(raw);
}

/** The row offset a page token holds (0 without a token). */
function offsetOf(tokens: PageTokens, req: ApiRequest, scope: string): number {
  const token = req.query.page_token;
  if (token === undefined) return 0;
  const position = tokens.verify(token, scope);
  if (!('offset' in position))
    throw new ApiProblem('invalid-page-token', 'The page token belongs to another operation.', [
      { name: 'page_token', in: 'query', reason: 'belongs to another operation' },
    ]);
  return position.offset;
}

function rowBounds(offset: number, pageSize: number): { row_from: number; row_to: number } {
  // One row more than the page: its presence says that another page follows.
  return { row_from: offset + 1, row_to: offset + pageSize + 1 };
}

/** The page of rows and the token of the next one, from bound row_from/row_to. */
function page<T>(
  tokens: PageTokens,
  rows: readonly T[],
  parameters: Readonly<Record<string, string>>,
  scope: string,
): { items: T[]; next_page_token: string | null } {
  const offset = Number(parameters.row_from) - 1;
  const size = Number(parameters.row_to) - Number(parameters.row_from);
  const more = rows.length > size;
  return {
    items: rows.slice(0, size),
    next_page_token: more ? tokens.issue(scope, { offset: offset + size }) : null,
  };
}

function checkedDate(req: ApiRequest, name: string): string {
  const value = req.query[name];
  if (value < MIN_DATE || value > MAX_DATE)
    throw invalidParameter(name, `must be a date between ${MIN_DATE} and ${MAX_DATE} (got ${value})`);
  return value;
}

function filterOf(req: ApiRequest, name: string): string {
  return req.query[name] ?? NO_FILTER;
}

function notFound(detail: string): ApiProblem {
  return new ApiProblem('not-found', detail);
}

// ---- warehouse operations ---------------------------------------------------------------------

/** A named query and its parameters. */
interface Plan {
  readonly query: QueryName;
  readonly parameters: Readonly<Record<string, string | number>>;
}

type Shape = (
  tokens: PageTokens,
  rows: readonly WarehouseRow[],
  parameters: Readonly<Record<string, string>>,
) => ApiAnswer;

const GRAINS = ['day', 'week', 'month'] as const;
type Grain = (typeof GRAINS)[number];

function trendScope(p: Readonly<Record<string, string | number>>, grain: Grain): string {
  return PageTokens.scopeOf('getSalesTrend', {
    grain,
    from: String(p.from_date),
    to: String(p.to_date),
    category: p.category === undefined ? NO_FILTER : String(p.category),
    channel: p.channel === undefined ? NO_FILTER : String(p.channel),
    region: p.region === undefined ? NO_FILTER : String(p.region),
  });
}

function planSalesTrend(tokens: PageTokens, req: ApiRequest): Plan {
  const grain = req.query.grain as Grain;
  const from = checkedDate(req, 'from');
  const to = checkedDate(req, 'to');
  if (from > to)
    throw new ApiProblem(
      'invalid-parameter',
      `'from' (${from}) is after 'to' (${to}): the range is reversed.`,
      [
        { name: 'from', in: 'query', reason: `is after 'to'` },
        { name: 'to', in: 'query', reason: `is before 'from'` },
      ],
    );
  const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY;
  if (span > MAX_SPAN_DAYS)
    throw new ApiProblem(
      'invalid-parameter',
      `The range from ${from} to ${to} spans ${span} days; at most ${MAX_SPAN_DAYS} are allowed.`,
      [{ name: 'to', in: 'query', reason: `is more than ${MAX_SPAN_DAYS} days after 'from'` }],
    );
  const filters = {
    category: filterOf(req, 'category'),
    channel: filterOf(req, 'channel'),
    region: filterOf(req, 'region'),
  };
  const filtered = Object.values(filters).some((f) => f !== NO_FILTER);
  const scope = trendScope({ from_date: from, to_date: to, ...filters }, grain);
  const bounds = rowBounds(offsetOf(tokens, req, scope), pageSizeOf(req));
  return filtered
    ? {
        query: `sales_trend_filtered_${grain}`,
        parameters: { from_date: from, to_date: to, ...filters, ...bounds },
      }
    : { query: `sales_trend_${grain}`, parameters: { from_date: from, to_date: to, ...bounds } };
}

function shapeSalesTrend(grain: Grain): Shape {
  return (tokens, rows, p) => {
    const items: Schemas['SalesPeriod'][] = rows.map((r) => ({
      period_start: date(r.period_start) ?? '',
      orders: int(r.orders) ?? 0,
      units: int(r.units) ?? 0,
      revenue: num(r.revenue) ?? 0,
      average_order_value: num(r.average_order_value),
    }));
    const filters: Schemas['SalesTrendPage']['filters'] = {};
    for (const f of ['category', 'channel', 'region'] as const)
      if (p[f] !== undefined && p[f] !== NO_FILTER) filters[f] = p[f];
    const body: Schemas['SalesTrendPage'] = {
      grain,
      from: p.from_date,
      to: p.to_date,
      filters,
      ...page(tokens, items, p, trendScope(p, grain)),
    };
    return { status: 200, body };
  };
}

function planMonthTop(req: ApiRequest, defaultLimit: number): Record<string, string | number> {
  return {
    month_start: `${req.query.month}-01`,
    max_rank: req.query.limit === undefined ? defaultLimit : Number(req.query.limit),
  };
}

const shapeTopProducts: Shape = (_t, rows, p) => {
  const body: Schemas['TopProducts'] = {
    month: p.month_start.slice(0, 7),
    items: rows.map((r) => ({
      rank: int(r.revenue_rank) ?? 0,
      sku: str(r.sku) ?? '',
      product_name: str(r.product_name),
      category: str(r.category),
      brand: str(r.brand),
      orders: int(r.orders) ?? 0,
      units: int(r.units) ?? 0,
      revenue: num(r.revenue) ?? 0,
      revenue_share: num(r.revenue_share),
    })),
  };
  return { status: 200, body };
};

const shapeTopCategories: Shape = (_t, rows, p) => {
  const body: Schemas['TopCategories'] = {
    month: p.month_start.slice(0, 7),
    items: rows.map((r) => ({
      rank: int(r.revenue_rank) ?? 0,
      category: str(r.category),
      orders: int(r.orders) ?? 0,
      units: int(r.units) ?? 0,
      revenue: num(r.revenue) ?? 0,
      revenue_share: num(r.revenue_share),
      revenue_prev_month: num(r.revenue_prev_month),
      revenue_change_prev_month: num(r.revenue_change_prev_month),
    })),
  };
  return { status: 200, body };
};

const shapeSegments: Shape = (_t, rows) => {
  const body: Schemas['CustomerSegments'] = {
    items: rows.map((r) => ({
      segment: str(r.segment) ?? '',
      customers: int(r.customers) ?? 0,
      customer_share: num(r.customer_share),
      revenue: num(r.revenue) ?? 0,
      revenue_share: num(r.revenue_share),
      avg_recency_days: num(r.avg_recency_days),
      avg_frequency: num(r.avg_frequency),
      avg_monetary: num(r.avg_monetary),
    })),
  };
  return { status: 200, body };
};

const shapeSegment: Shape = (_t, rows, p) => {
  const r = rows[0];
  if (r === undefined) throw notFound(`Customer ${p.customer_id} has no order (or does not exist).`);
  const body: Schemas['CustomerSegment'] = {
    customer_id: int(r.customer_id) ?? Number(p.customer_id),
    segment: str(r.segment) ?? '',
    rfm_cell: int(r.rfm_cell) ?? 0,
    r_score: int(r.r_score) ?? 0,
    f_score: int(r.f_score) ?? 0,
    m_score: int(r.m_score) ?? 0,
    recency_days: int(r.recency_days) ?? 0,
    frequency: int(r.frequency) ?? 0,
    monetary: num(r.monetary) ?? 0,
    first_order_date: date(r.first_order_date) ?? '',
    last_order_date: date(r.last_order_date) ?? '',
  };
  return { status: 200, body };
};

const shapeCampaign: Shape = (_t, rows, p) => {
  const r = rows[0];
  if (r === undefined) throw notFound(`Campaign '${p.campaign_id}' does not exist.`);
  const body: Schemas['CampaignPerformance'] = {
    campaign_id: str(r.campaign_id) ?? p.campaign_id,
    campaign_name: str(r.campaign_name),
    channel: str(r.channel),
    start_date: date(r.start_date),
    end_date: date(r.end_date),
    budget: num(r.budget),
    spend: num(r.spend),
    spend_reported_through: date(r.spend_reported_through),
    impressions: int(r.impressions),
    clicks: int(r.clicks),
    reported_conversions: int(r.reported_conversions),
    attributed_orders: int(r.attributed_orders),
    attributed_revenue: num(r.attributed_revenue),
    click_through_rate: num(r.click_through_rate),
    conversion_rate: num(r.conversion_rate),
    roas: num(r.roas),
    cpa: num(r.cpa),
    campaign_days_observed: int(r.campaign_days_observed),
    avg_daily_revenue_during: num(r.avg_daily_revenue_during),
    avg_daily_revenue_baseline: num(r.avg_daily_revenue_baseline),
    revenue_uplift: num(r.revenue_uplift),
  };
  return { status: 200, body };
};

type RankingBy = Schemas['CampaignRankingPage']['by'];

function rankingScope(by: string): string {
  return PageTokens.scopeOf('listCampaignRanking', { by });
}

const shapeRanking: Shape = (tokens, rows, p) => {
  const items: Schemas['CampaignRank'][] = rows.map((r) => ({
    rank: int(r.rn) ?? 0,
    campaign_id: str(r.campaign_id) ?? '',
    campaign_name: str(r.campaign_name),
    channel: str(r.channel),
    spend: num(r.spend),
    attributed_orders: int(r.attributed_orders),
    attributed_revenue: num(r.attributed_revenue),
    roas: num(r.roas),
    conversion_rate: num(r.conversion_rate),
    cpa: num(r.cpa),
  }));
  const body: Schemas['CampaignRankingPage'] = {
    by: p.by as RankingBy,
    ...page(tokens, items, p, rankingScope(p.by)),
  };
  return { status: 200, body };
};

const shapeFreshness: Shape = (_t, rows) => {
  const body: Schemas['Freshness'] = {
    datasets: rows
      .filter((r) => r.kind === 'dataset')
      .map((r) => ({
        table_name: str(r.name) ?? '',
        dataset: str(r.dataset),
        row_count: int(r.row_count) ?? 0,
        latest_event_time: time(r.event_time),
        latest_loaded_at: time(r.loaded_at),
        latest_partition: str(r.latest_partition),
        loads: int(r.loads),
        hours_since_last_load: num(r.hours_since_last_load),
      })),
    streams: rows
      .filter((r) => r.kind === 'stream')
      .map((r) => ({
        stream: str(r.name) ?? '',
        newest_event_time: time(r.event_time),
        newest_arrival_time: time(r.loaded_at),
        lag_seconds: num(r.lag_seconds),
        records_last_5_minutes: int(r.records_last_5_minutes),
        events: int(r.row_count),
        unparsed_records: int(r.unparsed_records),
      })),
  };
  return { status: 200, body };
};

/** How each named query's rows become an answer, and of which operation. */
const SHAPES: Readonly<Record<QueryName, { readonly operationId: string; readonly shape: Shape }>> = {
  sales_trend_day: { operationId: 'getSalesTrend', shape: shapeSalesTrend('day') },
  sales_trend_week: { operationId: 'getSalesTrend', shape: shapeSalesTrend('week') },
  sales_trend_month: { operationId: 'getSalesTrend', shape: shapeSalesTrend('month') },
  sales_trend_filtered_day: { operationId: 'getSalesTrend', shape: shapeSalesTrend('day') },
  sales_trend_filtered_week: { operationId: 'getSalesTrend', shape: shapeSalesTrend('week') },
  sales_trend_filtered_month: { operationId: 'getSalesTrend', shape: shapeSalesTrend('month') },
  top_products: { operationId: 'getTopProducts', shape: shapeTopProducts },
  top_categories: { operationId: 'getTopCategories', shape: shapeTopCategories },
  customer_segments: { operationId: 'listCustomerSegments', shape: shapeSegments },
  customer_segment: { operationId: 'getCustomerSegment', shape: shapeSegment },
  campaign_performance: { operationId: 'getCampaignPerformance', shape: shapeCampaign },
  campaign_ranking: { operationId: 'listCampaignRanking', shape: shapeRanking },
  freshness: { operationId: 'getFreshness', shape: shapeFreshness },
};

/** The warehouse operations: each request's named query and parameters. */
const PLANS: Readonly<Record<string, (tokens: PageTokens, req: ApiRequest) => Plan>> = {
  getSalesTrend: planSalesTrend,
  getTopProducts: (_t, req) => ({ query: 'top_products', parameters: planMonthTop(req, 10) }),
  getTopCategories: (_t, req) => ({ query: 'top_categories', parameters: planMonthTop(req, 20) }),
  listCustomerSegments: () => ({ query: 'customer_segments', parameters: {} }),
  getCustomerSegment: (_t, req) => ({
    query: 'customer_segment',
    parameters: { customer_id: req.path.customer_id },
  }),
  getCampaignPerformance: (_t, req) => ({
    query: 'campaign_performance',
    parameters: { campaign_id: req.path.campaign_id },
  }),
  listCampaignRanking: (tokens, req) => {
    const by = req.query.by ?? 'roas';
    const bounds = rowBounds(offsetOf(tokens, req, rankingScope(by)), pageSizeOf(req));
    return { query: 'campaign_ranking', parameters: { by, ...bounds } };
  },
  getFreshness: () => ({ query: 'freshness', parameters: {} }),
};

function queryFailed(e: unknown): never {
  if (e instanceof WarehouseQueryError)
    throw new ApiProblem(
      'query-failed',
      `The warehouse could not answer${e.queryId ? ` (query ${e.queryId})` : ''}; try again later.`,
    );
  throw e;
}

function running(deps: ApiDeps, req: ApiRequest, queryId: string): ApiAnswer {
  const location = `${req.basePath}/v1/queries/${queryId}`;
  const body: Schemas['QueryRunning'] = { query_id: queryId, status: 'running', location };
  return {
    status: 202,
    body,
    headers: { Location: location, 'Retry-After': String(deps.retryAfterSeconds ?? 2) },
  };
}

async function runWarehouseOperation(deps: ApiDeps, req: ApiRequest): Promise<ApiAnswer> {
  const plan = PLANS[req.operationId](deps.pageTokens, req);
  const outcome = await deps.warehouse.run(plan.query, plan.parameters).catch(queryFailed);
  if (outcome.state === 'running') return running(deps, req, outcome.queryId);
  const parameters = Object.fromEntries(Object.entries(plan.parameters).map(([k, v]) => [k, String(v)]));
  return SHAPES[plan.query].shape(deps.pageTokens, outcome.rows, parameters);
}

async function getQueryResult(deps: ApiDeps, req: ApiRequest): Promise<ApiAnswer> {
  const id = req.path.query_id;
  const unknown = notFound(
    `Query ${id} is not known: it is not a query of this API, or its result has expired (after 24 hours).`,
  );
  if (!QUERY_ID_PATTERN.test(id)) throw unknown;
  const outcome = await deps.warehouse.poll(id).catch(queryFailed);
  if (outcome.state === 'unknown') throw unknown;
  if (outcome.state === 'running') return running(deps, req, id);
  const { operationId, shape } = SHAPES[outcome.query];
  const answer = shape(deps.pageTokens, outcome.rows, outcome.parameters);
  return {
    status: 200,
    body: { query_id: id, status: 'finished', operation_id: operationId, result: answer.body },
  };
}

// ---- DynamoDB operations ------------------------------------------------------------------------

type Item = Record<string, unknown>;

async function dynamo<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const name = (e as { name?: string }).name ?? 'Error';
    throw new ApiProblem('query-failed', `The live table could not answer (${name}); try again later.`);
  }
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function position(item: Item): Schemas['StockPosition'] {
  return {
    sku: String(item.sku),
    warehouse_id: String(item.warehouse_id),
    on_hand: numberOrNull(item.on_hand) ?? 0,
    reserved: numberOrNull(item.reserved) ?? 0,
    available: numberOrNull(item.available) ?? 0,
    reorder_point: numberOrNull(item.reorder_point),
    headroom: numberOrNull(item.headroom),
    updated_at: typeof item.updated_at === 'string' ? item.updated_at : null,
  };
}

async function getSkuStock(deps: ApiDeps, req: ApiRequest): Promise<ApiAnswer> {
  const sku = req.path.sku;
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const out = await dynamo(() =>
      deps.documents.send(
        new QueryCommand({
          TableName: deps.tables.stock,
          KeyConditionExpression: '#sku = :sku',
          ExpressionAttributeNames: { '#sku': 'sku' },
          ExpressionAttributeValues: { ':sku': sku },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      ),
    );
    items.push(...((out.Items ?? []) as Item[]));
    start = out.LastEvaluatedKey as Item | undefined;
  } while (start);
  if (items.length === 0) throw notFound(`SKU '${sku}' has no stock position in any warehouse.`);
  const warehouses = items.map(position);
  const total = (k: 'on_hand' | 'reserved' | 'available'): number => warehouses.reduce((s, w) => s + w[k], 0);
  const body: Schemas['SkuStock'] = {
    sku,
    warehouses,
    totals: { on_hand: total('on_hand'), reserved: total('reserved'), available: total('available') },
  };
  return { status: 200, body };
}

function isHeadroomKey(
  position: PagePosition,
  warehouseId: string,
): position is { readonly key: Readonly<Record<string, string | number>> } {
  if (!('key' in position)) return false;
  const k = position.key;
  return (
    Object.keys(k).sort().join(',') === 'headroom,sku,warehouse_id' &&
    typeof k.sku === 'string' &&
    k.warehouse_id === warehouseId &&
    typeof k.headroom === 'number'
  );
}

async function listSkusBelowReorderPoint(deps: ApiDeps, req: ApiRequest): Promise<ApiAnswer> {
  const warehouseId = req.query.warehouse_id;
  const size = pageSizeOf(req);
  const scope = PageTokens.scopeOf('listSkusBelowReorderPoint', { warehouse_id: warehouseId });
  let start: Item | undefined;
  if (req.query.page_token !== undefined) {
    const p = deps.pageTokens.verify(req.query.page_token, scope);
    if (!isHeadroomKey(p, warehouseId))
      throw new ApiProblem('invalid-page-token', 'The page token belongs to another operation.', [
        { name: 'page_token', in: 'query', reason: 'belongs to another operation' },
      ]);
    start = { ...p.key };
  }
  const out = await dynamo(() =>
    deps.documents.send(
      new QueryCommand({
        TableName: deps.tables.stock,
        IndexName: 'by-warehouse-headroom',
        KeyConditionExpression: '#w = :w AND #h < :zero',
        ExpressionAttributeNames: { '#w': 'warehouse_id', '#h': 'headroom' },
        ExpressionAttributeValues: { ':w': warehouseId, ':zero': 0 },
        ScanIndexForward: true,
        Limit: size + 1,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    ),
  );
  const items = ((out.Items ?? []) as Item[]).map(position);
  let next: Item | undefined;
  if (items.length > size) {
    const last = items[size - 1];
    next = { sku: last.sku, warehouse_id: last.warehouse_id, headroom: last.headroom ?? 0 };
  } else if (out.LastEvaluatedKey) {
    next = out.LastEvaluatedKey as Item;
  }
  const body: Schemas['StockPositionPage'] = {
    warehouse_id: warehouseId,
    items: items.slice(0, size),
    next_page_token: next
      ? deps.pageTokens.issue(scope, { key: next as Record<string, string | number> })
      : null,
  };
  return { status: 200, body };
}

const STATUSES = ['created', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'] as const;

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

async function getOrder(deps: ApiDeps, req: ApiRequest): Promise<ApiAnswer> {
  const orderId = req.path.order_id;
  const out = await dynamo(() =>
    deps.documents.send(new GetCommand({ TableName: deps.tables.orders, Key: { order_id: orderId } })),
  );
  const item = out.Item as Item | undefined;
  if (item === undefined) throw notFound(`Order '${orderId}' does not exist.`);
  const statusTimes: Record<string, string> = {};
  for (const s of STATUSES)
    if (typeof item[`${s}_at`] === 'string') statusTimes[s] = item[`${s}_at`] as string;
  const lines = Array.isArray(item.lines)
    ? (item.lines as Item[]).map((l) => ({
        line_number: numberOrNull(l.line_number) ?? 0,
        sku: String(l.sku ?? ''),
        product_id: numberOrNull(l.product_id),
        quantity: numberOrNull(l.quantity) ?? 0,
        unit_price: stringOrNull(l.unit_price) ?? '0',
        discount: stringOrNull(l.discount),
      }))
    : null;
  const body: Schemas['Order'] = {
    order_id: orderId,
    status: item.status as Schemas['Order']['status'],
    status_changed_at: String(item.status_changed_at ?? item.status_event_time ?? ''),
    customer_id: numberOrNull(item.customer_id),
    channel: stringOrNull(item.channel),
    currency: stringOrNull(item.currency),
    campaign_id: stringOrNull(item.campaign_id),
    order_total: stringOrNull(item.order_total),
    shipping_amount: stringOrNull(item.shipping_amount),
    item_count: numberOrNull(item.item_count),
    lines,
    status_times: statusTimes,
    cancellation_reason: stringOrNull(item.cancellation_reason),
    return_reason: stringOrNull(item.return_reason),
    updated_at: String(item.updated_at ?? ''),
  };
  return { status: 200, body };
}

/** Every operation of the document, by operationId. */
export const OPERATIONS: Readonly<Record<string, (deps: ApiDeps, req: ApiRequest) => Promise<ApiAnswer>>> = {
  ...Object.fromEntries(Object.keys(PLANS).map((id) => [id, runWarehouseOperation])),
  getQueryResult,
  getSkuStock,
  listSkusBelowReorderPoint,
  getOrder,
};

/** The operation a named query answers (for tests and logs). */
export function operationOfQuery(query: QueryName): string {
  return SHAPES[query].operationId;
}

export { GRAINS };
