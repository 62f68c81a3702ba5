/**
 * Seeds the twin's OLTP source (the shop's PostgreSQL, twin/oltp/schema.sql) from the generator, and
 * applies deterministic batches of business changes to it, so the extraction job
 * (glue-scripts/jobs/oltp_to_curated.py) can be proven incremental and history-keeping.
 *
 *   npx tsx twin/oltp/seed.ts --scale 0.001 [--seed 42] [--days 1] [--changes 1]
 *
 * (the CLI starts a throwaway PostgreSQL, seeds it, prints the counts and the connection, and keeps
 * it running until Ctrl-C; `--url` seeds an existing database instead and exits).
 *
 * Entities are streamed into COPY ... FROM STDIN (CSV), never held in memory: 25M SKUs at scale 1
 * load at the generator's pace. Order headers are derived from the generated order events: one row
 * per order with its total and its latest status.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { OrderEvent } from '../../contracts/generated/types';
import type { GeneratedItem } from '../../generator/items';
import { Shop, ShopOptions, campaigns, customers, products, warehouses } from '../../generator/shop';
import { GeneratorOptions, generateEvents } from '../../generator/simulation';
import { createProgress, formatTable } from '../../generator/terminal';

/** The OLTP source schema (tables, primary keys, updated_at indexes). */
export const OLTP_SCHEMA_SQL = readFileSync(join(__dirname, 'schema.sql'), 'utf8');

/** The source tables, in load order. */
export const OLTP_TABLES = ['warehouses', 'campaigns', 'customers', 'products', 'order_headers'] as const;
export type OltpTable = (typeof OLTP_TABLES)[number];

/** Rows loaded per table. */
export type OltpCounts = Record<OltpTable, number>;

/** The columns of each table, in COPY order (the contract's fields). */
export const OLTP_COLUMNS: Readonly<Record<OltpTable, readonly string[]>> = {
  warehouses: ['warehouse_id', 'name', 'country', 'city', 'capacity_units', 'updated_at'],
  campaigns: [
    'campaign_id',
    'name',
    'channel',
    'start_date',
    'end_date',
    'budget',
    'currency',
    'discount_pct',
    'updated_at',
  ],
  customers: [
    'customer_id',
    'email',
    'first_name',
    'last_name',
    'country',
    'city',
    'loyalty_tier',
    'signup_date',
    'updated_at',
  ],
  products: [
    'sku',
    'product_id',
    'name',
    'category',
    'subcategory',
    'brand',
    'list_price',
    'currency',
    'reorder_point',
    'active',
    'updated_at',
  ],
  order_headers: [
    'order_id',
    'customer_id',
    'status',
    'channel',
    'currency',
    'campaign_id',
    'order_total',
    'line_count',
    'placed_at',
    'updated_at',
  ],
};

/** Where the order headers come from. */
export type OrdersSource =
  /** generated items (order events among them are used; anything else is skipped) */
  | Iterable<GeneratedItem>
  /** options of generateEvents (merged over the shop options; bad records are never used) */
  | Partial<GeneratorOptions>
  /** no order headers */
  | false;

/** Options of {@link seedOltp}. */
export interface SeedOptions {
  /**
   * Order headers from these events.
   * @default - generateEvents over the shop options (one day from the start date)
   */
  readonly orders?: OrdersSource;
  /**
   * Show progress on stderr.
   * @default - for tables of 100,000 rows or more
   */
  readonly progress?: boolean;
}

/** An order header row, as derived from order events. */
export interface OrderHeaderRow {
  readonly order_id: string;
  readonly customer_id: number;
  status: string;
  readonly channel: string;
  readonly currency: string;
  readonly campaign_id: string | null;
  /** In cents. */
  readonly totalCents: number;
  readonly line_count: number;
  readonly placedAtMs: number;
  updatedAtMs: number;
  statusRank: number;
}

/** lambdas/orders-transformer/order-status.ts: the status moves forward in (event_time, rank). */
const STATUS_RANK: Readonly<Record<string, number>> = {
  created: 1,
  paid: 2,
  shipped: 3,
  delivered: 4,
  cancelled: 5,
  returned: 6,
};

function cents(value: number | string | undefined): number {
  return value === undefined ? 0 : Math.round(Number(value) * 100);
}

/**
 * The order headers of a stream of order events: one per order that has its order.created, with
 * the total (lines minus discounts plus shipping) and the latest status by (event_time, rank), as
 * the orders transformer keeps it. Events of an order whose order.created is missing are ignored.
 */
export function deriveOrderHeaders(events: Iterable<OrderEvent>): Map<string, OrderHeaderRow> {
  const headers = new Map<string, OrderHeaderRow>();
  const pending: OrderEvent[] = [];
  const applyStatus = (h: OrderHeaderRow, e: OrderEvent) => {
    const status = e.event_type.slice('order.'.length);
    const at = Date.parse(e.event_time);
    const rank = STATUS_RANK[status];
    if (at > h.updatedAtMs || (at === h.updatedAtMs && rank > h.statusRank)) {
      h.status = status;
      h.updatedAtMs = at;
      h.statusRank = rank;
    }
  };
  for (const e of events) {
    if (e.event_type !== 'order.created') {
      const h = headers.get(e.order_id);
      if (h) applyStatus(h, e);
      else pending.push(e);
      continue;
    }
    if (headers.has(e.order_id)) continue; // a duplicate order.created
    const lines = e.lines ?? [];
    const total =
      lines.reduce((s, l) => s + cents(l.unit_price) * l.quantity - cents(l.discount), 0) +
      cents(e.shipping_amount);
    const at = Date.parse(e.event_time);
    headers.set(e.order_id, {
      order_id: e.order_id,
      customer_id: e.customer_id ?? 0,
      status: 'created',
      channel: e.channel ?? 'web',
      currency: e.currency ?? 'EUR',
      campaign_id: e.campaign_id ?? null,
      totalCents: total,
      line_count: lines.length,
      placedAtMs: at,
      updatedAtMs: at,
      statusRank: STATUS_RANK.created,
    });
  }
  for (const e of pending) {
    const h = headers.get(e.order_id);
    if (h) applyStatus(h, e);
  }
  return headers;
}

function isIterable(x: unknown): x is Iterable<GeneratedItem> {
  return typeof x === 'object' && x !== null && Symbol.iterator in x;
}

function* orderEventsOf(items: Iterable<GeneratedItem>): Generator<OrderEvent> {
  for (const item of items) {
    if (item.bad && item.bad.expect.outcome === 'rejected') continue;
    if (item.payload.kind !== 'event') continue;
    const e = item.payload.event;
    if (e.event_type.startsWith('order.')) yield e as OrderEvent;
  }
}

/** One CSV field: null as an unquoted empty field, anything else quoted (COPY ... FORMAT csv). */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  return `"${String(v).replace(/"/g, '""')}"`;
}

/** Lines of CSV in chunks of about 256 KB (fewer, larger writes into the COPY stream). */
function* csvChunks(
  rows: Iterable<object>,
  columns: readonly string[],
  onRow: (n: number) => void,
): Generator<string> {
  let chunk: string[] = [];
  let size = 0;
  let n = 0;
  for (const row of rows) {
    const line = columns.map((c) => csvField((row as Record<string, unknown>)[c])).join(',') + '\n';
    chunk.push(line);
    size += line.length;
    n++;
    if (size >= 1 << 18) {
      onRow(n);
      yield chunk.join('');
      chunk = [];
      size = 0;
    }
  }
  onRow(n);
  if (chunk.length > 0) yield chunk.join('');
}

async function copyRows(
  client: Client,
  table: OltpTable,
  rows: Iterable<object>,
  expected: number,
  progress: boolean | undefined,
): Promise<number> {
  const columns = OLTP_COLUMNS[table];
  const show = progress ?? expected >= 100_000;
  const bar = show ? createProgress({ label: table, total: expected, unit: 'rows' }) : undefined;
  let count = 0;
  const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin with (format csv)`));
  try {
    await pipeline(
      Readable.from(
        csvChunks(rows, columns, (n) => {
          count = n;
          bar?.update(n);
        }),
      ),
      stream,
    );
  } catch (err) {
    throw new Error(`Loading ${table} with COPY failed: ${(err as Error).message}`, { cause: err });
  } finally {
    bar?.stop();
  }
  return count;
}

function* headerRows(headers: Map<string, OrderHeaderRow>): Generator<Record<string, unknown>> {
  for (const h of headers.values()) {
    yield {
      order_id: h.order_id,
      customer_id: h.customer_id,
      status: h.status,
      channel: h.channel,
      currency: h.currency,
      campaign_id: h.campaign_id,
      order_total: (h.totalCents / 100).toFixed(2),
      line_count: h.line_count,
      placed_at: new Date(h.placedAtMs).toISOString(),
      updated_at: new Date(h.updatedAtMs).toISOString(),
    };
  }
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `Cannot connect to the OLTP database (${url.replace(/:[^:@/]*@/, ':***@')}): ${(err as Error).message}`,
      { cause: err },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates the OLTP schema in the database at `url` (dropping the shop's tables if they exist) and
 * loads the generator's entities plus the order headers derived from generated order events.
 * Returns the rows loaded per table.
 */
export async function seedOltp(
  url: string,
  shop: ShopOptions,
  options: SeedOptions = {},
): Promise<OltpCounts> {
  return withClient(url, async (client) => {
    await client.query(`drop table if exists ${OLTP_TABLES.join(', ')} cascade`);
    await client.query(OLTP_SCHEMA_SQL);
    const v = new Shop(shop).volumes;
    const counts: OltpCounts = { warehouses: 0, campaigns: 0, customers: 0, products: 0, order_headers: 0 };
    const p = options.progress;
    counts.warehouses = await copyRows(client, 'warehouses', warehouses(shop), v.warehouses, p);
    counts.campaigns = await copyRows(client, 'campaigns', campaigns(shop), v.campaigns, p);
    counts.customers = await copyRows(client, 'customers', customers(shop), v.customers, p);
    counts.products = await copyRows(client, 'products', products(shop), v.skus, p);
    const source = options.orders ?? {};
    if (source !== false) {
      const items = isIterable(source) ? source : generateEvents({ ...shop, ...source, badShare: 0 });
      const headers = deriveOrderHeaders(orderEventsOf(items));
      counts.order_headers = await copyRows(client, 'order_headers', headerRows(headers), headers.size, p);
    }
    await client.query('analyze');
    return counts;
  });
}

/** Options of {@link applyOltpChanges}. */
export interface ChangeOptions {
  /** Seed of the choice of rows (same seed and data, same changes). */
  readonly seed: number;
  /**
   * The updated_at of every change, ISO 8601.
   * @default - one hour after the newest updated_at in the database (deterministic, and in the past
   *   for the generator's dates, so older than the extraction's safety lag)
   */
  readonly at?: string;
  /**
   * Rows per kind of change (customers' tier, customers' city, product prices, product
   * deactivations, order statuses, and the untracked-only touches of customers and products).
   * @default 3
   */
  readonly perKind?: number;
}

/** What {@link applyOltpChanges} changed, by kind, with the keys. */
export interface OltpChanges {
  readonly at: string;
  /** Customers whose loyalty_tier moved (tracked). */
  readonly customerTier: readonly number[];
  /** Customers who moved city (tracked). */
  readonly customerCity: readonly number[];
  /** Customers saved again with no change (only updated_at moves: untracked). */
  readonly customerTouched: readonly number[];
  /** The new customer. */
  readonly customerNew: readonly number[];
  /** SKUs whose list_price went up 10% (tracked). */
  readonly productPrice: readonly string[];
  /** SKUs deactivated (tracked). */
  readonly productDeactivated: readonly string[];
  /** SKUs whose reorder_point changed (untracked). */
  readonly productReorderPoint: readonly string[];
  /** Orders whose status moved one step (created → paid → shipped → delivered; tracked). */
  readonly orderAdvanced: readonly string[];
  /** New versions the extraction must write, per table. */
  readonly newVersions: Readonly<Record<OltpTable, number>>;
  /** Rows with a newer updated_at, per table (what the next extraction reads). */
  readonly touched: Readonly<Record<OltpTable, number>>;
}

const NEXT_TIER = `case loyalty_tier when 'none' then 'silver' when 'silver' then 'gold'
  when 'gold' then 'platinum' else 'gold' end`;
const NEXT_STATUS = `case status when 'created' then 'paid' when 'paid' then 'shipped' else 'delivered' end`;

/**
 * Applies one deterministic batch of business changes to a seeded OLTP database, all stamped with
 * the same newer updated_at: some customers change loyalty tier or city, one new customer signs up,
 * some products change price or are deactivated, some orders advance one status; and some rows are
 * saved again with changes to untracked columns only (customer re-saves, product reorder points),
 * which the extraction reads but must not turn into versions. Rows are chosen by md5(key, seed), so
 * the same seed on the same data changes the same rows. Returns what changed.
 */
export async function applyOltpChanges(url: string, options: ChangeOptions): Promise<OltpChanges> {
  const n = options.perKind ?? 3;
  if (!Number.isInteger(options.seed))
    throw new Error(`applyOltpChanges: seed must be an integer, got ${options.seed}`);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`applyOltpChanges: perKind must be a positive integer, got ${n}`);
  return withClient(url, async (client) => {
    let at = options.at;
    if (at === undefined) {
      const { rows } = await client.query<{ at: Date | null }>(
        `select greatest(${OLTP_TABLES.map((t) => `(select max(updated_at) from ${t})`).join(', ')}) as at`,
      );
      if (!rows[0].at) throw new Error('applyOltpChanges: the OLTP database is empty; run seedOltp first');
      at = new Date(Math.floor(rows[0].at.getTime() / 1000) * 1000 + 3_600_000).toISOString();
    } else if (Number.isNaN(Date.parse(at))) {
      throw new Error(`applyOltpChanges: at must be an ISO 8601 time, got '${at}'`);
    }
    const seed = String(options.seed);
    /** Keys of `table` ordered by md5(key || seed), sliced into `slices` groups of n. */
    const pick = async <K>(table: string, key: string, where: string, slices: number): Promise<K[][]> => {
      const { rows } = await client.query(
        `select ${key} as k from ${table} where ${where} order by md5(${key}::text || $1), ${key} limit $2`,
        [seed, n * slices],
      );
      const keys = rows.map((r: { k: K }) => r.k);
      return Array.from({ length: slices }, (_, i) => keys.slice(i * n, (i + 1) * n));
    };
    await client.query('begin');
    try {
      const [tier, city, touchedCustomers] = await pick<string>('customers', 'customer_id', 'true', 3);
      const ids = (xs: string[]) => xs.map(Number);
      await client.query(
        `update customers set loyalty_tier = ${NEXT_TIER}, updated_at = $2 where customer_id = any($1::bigint[])`,
        [tier, at],
      );
      await client.query(
        `update customers set city = case when city = 'Rotterdam' then 'Utrecht' else 'Rotterdam' end,
           updated_at = $2 where customer_id = any($1::bigint[])`,
        [city, at],
      );
      await client.query(`update customers set updated_at = $2 where customer_id = any($1::bigint[])`, [
        touchedCustomers,
        at,
      ]);
      const { rows: created } = await client.query<{ customer_id: string }>(
        `insert into customers (customer_id, email, first_name, last_name, country, city, loyalty_tier, signup_date, updated_at)
         select coalesce(max(customer_id), 0) + 1, 'new.customer.' || (coalesce(max(customer_id), 0) + 1) || '@example.com',
           'Nova', 'Kowalski', 'PL', 'Kraków', 'none', ($1::timestamptz at time zone 'UTC')::date, $1
         from customers returning customer_id`,
        [at],
      );
      const [price, deactivated, reorder] = await pick<string>('products', 'sku', 'active', 3);
      await client.query(
        `update products set list_price = round(list_price * 1.1, 2), updated_at = $2 where sku = any($1::text[])`,
        [price, at],
      );
      await client.query(`update products set active = false, updated_at = $2 where sku = any($1::text[])`, [
        deactivated,
        at,
      ]);
      await client.query(
        `update products set reorder_point = coalesce(reorder_point, 0) + 5, updated_at = $2 where sku = any($1::text[])`,
        [reorder, at],
      );
      const [orders] = await pick<string>(
        'order_headers',
        'order_id',
        `status in ('created', 'paid', 'shipped')`,
        1,
      );
      await client.query(
        `update order_headers set status = ${NEXT_STATUS}, updated_at = $2 where order_id = any($1::text[])`,
        [orders, at],
      );
      await client.query('commit');
      const newCustomers = created.map((r) => Number(r.customer_id));
      return {
        at,
        customerTier: ids(tier),
        customerCity: ids(city),
        customerTouched: ids(touchedCustomers),
        customerNew: newCustomers,
        productPrice: price,
        productDeactivated: deactivated,
        productReorderPoint: reorder,
        orderAdvanced: orders,
        newVersions: {
          warehouses: 0,
          campaigns: 0,
          customers: tier.length + city.length + newCustomers.length,
          products: price.length + deactivated.length,
          order_headers: orders.length,
        },
        touched: {
          warehouses: 0,
          campaigns: 0,
          customers: tier.length + city.length + touchedCustomers.length + newCustomers.length,
          products: price.length + deactivated.length + reorder.length,
          order_headers: orders.length,
        },
      };
    } catch (err) {
      await client.query('rollback');
      throw err;
    }
  });
}

// ---- command line ----------------------------------------------------------------------------------

const USAGE = `Usage: npx tsx twin/oltp/seed.ts [options]
  --scale <n>      scale factor, 1 = prod volumes (default 0.001)
  --seed <n>       integer seed (default 42)
  --days <n>       days of order events the order headers come from (default 1)
  --start-date <d> first simulated day, YYYY-MM-DD (default the generator's)
  --changes <n>    batches of business changes to apply after seeding (default 0)
  --url <url>      seed this database (postgresql://...) and exit; default: start a throwaway
                   PostgreSQL, seed it, print how to connect and keep it running until Ctrl-C
  --help           show this help`;

async function cli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' },
      seed: { type: 'string' },
      days: { type: 'string' },
      'start-date': { type: 'string' },
      changes: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const num = (name: string, raw: string | undefined, fallback: number) => {
    const x = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(x) || x < 0)
      throw new Error(`--${name} must be a non-negative number, got '${raw}'\n\n${USAGE}`);
    return x;
  };
  const shop: ShopOptions = {
    scale: num('scale', values.scale, 0.001),
    seed: num('seed', values.seed, 42),
    days: num('days', values.days, 1),
    ...(values['start-date'] ? { startDate: values['start-date'] } : {}),
  };
  const { startPostgres } = await import('./postgres-server');
  const server = values.url ? undefined : await startPostgres();
  const url = values.url ?? server!.url;
  const started = Date.now();
  const counts = await seedOltp(url, shop);
  console.log(`\nSeeded the OLTP source in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  console.log(formatTable(['table', 'rows'], Object.entries(counts)));
  for (let b = 1; b <= num('changes', values.changes, 0); b++) {
    const c = await applyOltpChanges(url, { seed: shop.seed + b });
    console.log(`changes batch ${b} at ${c.at}: new versions ${JSON.stringify(c.newVersions)}`);
  }
  if (!server) return;
  console.log(`\nPostgreSQL is running (Ctrl-C stops it and deletes its folder):
  url       ${server.url}
  jdbc url  ${server.jdbcUrl}   user ${server.user}   password ${server.password}
Extract with:
  OLTP_PASSWORD='${server.password}' .venv/bin/python glue-scripts/jobs/oltp_to_curated.py \\
    --jdbc-url ${server.jdbcUrl} --jdbc-user ${server.user} --jdbc-password-env OLTP_PASSWORD \\
    --raw-root .twin/oltp/lake/raw --curated-root .twin/oltp/lake/curated`);
  // signal listeners alone do not keep Node running: a timer does, until a signal comes
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve());
  });
  clearInterval(keepAlive);
  await server.stop();
}

if (require.main === module) {
  cli(process.argv.slice(2)).catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
