/**
 * A small curated zone built from GENERATED data, for the warehouse tests: the generator simulates
 * the shop (generator/), and this module writes what the curation jobs would publish under
 * `<root>/curated/<dataset>/<key>=<value>/part-0.parquet`, in the exact column order and types of
 * the staging tables (sql/migrations/V004__staging.sql), with DuckDB. It also returns every row it
 * wrote, already normalized (UTC times, numbers), so tests compute their expected answers from the
 * rows in TypeScript, never through the SQL under test.
 *
 * Shapes (the curated datasets the loads read):
 * - order_lines: one row per line of an `order.created` event, plus one per returned line of an
 *   `order.returned` event (the return rows carry only the event, order, line and quantity).
 * - order_status_changes: one row per order event, with the fields of its type.
 * - inventory_movements: one row per inventory event.
 * - campaign_spend: one row per running campaign, reporting platform and day
 *   (generator/third-party.ts), in daily `spend_date=` folders (the load takes the date from it),
 *   for every simulated day but the last week: the partners report a day's spend the day after, and
 *   the fixture holds back a week of reports so that, at its tiny scale, some attributed orders fall
 *   after the last day reported (analytics.campaign_performance leaves them out).
 * - customers, products, campaigns, warehouses: version logs as the OLTP extraction writes them
 *   (the entity plus `valid_from` = its `updated_at`, and a `row_hash`), all in one `extract_date=`
 *   folder of the first simulated day; plus, for the slowly changing dimension check, a second
 *   version of one customer (the one with the most orders) who moves to another country halfway
 *   through their orders, in the `extract_date=` folder of the day of the move.
 *
 * Added to the simulation: the write-offs of two dormant stock positions (see stockOutMovements),
 * because the simulated shop never runs a position out of stock.
 *
 * Simplification, for speed: the event datasets are written in folders of `partitionDays` days
 * (default 7: `event_date=<first day of the block>`) instead of one per day. The loads of these
 * datasets use the partition value only as a label in ops.load_audit, so the star schema is the
 * same as with daily folders; a day-per-folder zone would only make the test four times slower.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InventoryMovement, OrderEvent } from '../../contracts/generated/types';
import { Shop, generateEvents } from '../../generator';
import {
  DERIVED_DATASETS,
  EVENT_DATASETS,
  SOURCE_DATASETS,
  curatedColumns,
  derivedColumns,
  sourceColumns,
} from '../../lib/lake/lake-datasets';
import { campaignSpendForDay } from '../../generator/third-party';

const MS_PER_DAY = 86_400_000;

/** What the fixture simulates. */
export interface FixtureOptions {
  readonly scale: number;
  readonly seed: number;
  /** First simulated day, YYYY-MM-DD. */
  readonly startDate: string;
  readonly days: number;
  /** Days per folder of the event datasets (1 = one folder per day). */
  readonly partitionDays: number;
}

/** The last days of the fixture whose campaign spend the partners have not reported yet. */
const SPEND_NOT_YET_REPORTED_DAYS = 7;

/**
 * About 13 months (so that year-over-year, cohorts and 28-day baselines have data) at a tiny scale:
 * ~300 customers, ~750 SKUs, 3 warehouses, ~25 campaigns, ~3 orders a day.
 */
export const DEFAULT_FIXTURE_OPTIONS: FixtureOptions = {
  scale: 0.00003,
  seed: 20240101,
  startDate: '2024-01-01',
  days: 400,
  partitionDays: 7,
};

/** A timestamp as the fixture writes it: UTC, 'YYYY-MM-DD HH:MM:SS.mmm'. */
export type Timestamp = string;

export interface OrderLineRow {
  event_id: string;
  event_type: 'order.created' | 'order.returned';
  event_time: Timestamp;
  order_id: string;
  line_number: number;
  customer_id: number | null;
  channel: string | null;
  currency: string | null;
  campaign_id: string | null;
  sku: string | null;
  product_id: number | null;
  quantity: number;
  unit_price: number | null;
  discount: number | null;
}

export interface StatusChangeRow {
  event_id: string;
  event_type: OrderEvent['event_type'];
  event_time: Timestamp;
  order_id: string;
  customer_id: number | null;
  channel: string | null;
  currency: string | null;
  campaign_id: string | null;
  shipping_amount: number | null;
  line_count: number | null;
  payment_method: string | null;
  payment_amount: number | null;
  warehouse_id: string | null;
  carrier: string | null;
  reason: string | null;
  returned_units: number | null;
}

export interface InventoryMovementRow {
  event_id: string;
  event_type: InventoryMovement['event_type'];
  event_time: Timestamp;
  schema_version: number;
  sku: string;
  product_id: number | null;
  warehouse_id: string;
  quantity: number;
  direction: string | null;
  order_id: string | null;
  reorder_point: number | null;
  reason: string | null;
}

export interface CampaignSpendRow {
  spend_date: string;
  campaign_id: string;
  channel: string;
  source: string;
  impressions: number;
  clicks: number;
  conversions: number | null;
  spend: number;
  currency: string;
  reported_at: Timestamp | null;
}

export interface CustomerVersionRow {
  customer_id: number;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  country: string | null;
  city: string | null;
  loyalty_tier: string | null;
  signup_date: string | null;
  updated_at: Timestamp;
  valid_from: Timestamp;
}

export interface ProductVersionRow {
  sku: string;
  product_id: number;
  name: string | null;
  category: string | null;
  subcategory: string | null;
  brand: string | null;
  list_price: number;
  currency: string;
  reorder_point: number | null;
  active: boolean | null;
  updated_at: Timestamp;
  valid_from: Timestamp;
}

export interface CampaignVersionRow {
  campaign_id: string;
  name: string;
  channel: string;
  start_date: string;
  end_date: string;
  budget: number;
  currency: string;
  discount_pct: number | null;
  updated_at: Timestamp;
  valid_from: Timestamp;
}

export interface WarehouseVersionRow {
  warehouse_id: string;
  name: string | null;
  country: string | null;
  city: string | null;
  capacity_units: number | null;
  updated_at: Timestamp;
  valid_from: Timestamp;
}

/** The customer whose country changes (the SCD type 2 check). */
export interface MovedCustomer {
  readonly customerId: number;
  readonly fromCountry: string;
  readonly toCountry: string;
  /** valid_from of the second version. */
  readonly movedAt: Timestamp;
}

/** The curated zone written and every row in it. */
export interface CuratedFixture {
  /** The folder that holds `curated/` (LocalWarehouse.load's curatedRoot). */
  readonly root: string;
  readonly options: FixtureOptions;
  readonly orderLines: readonly OrderLineRow[];
  readonly statusChanges: readonly StatusChangeRow[];
  readonly inventoryMovements: readonly InventoryMovementRow[];
  readonly campaignSpend: readonly CampaignSpendRow[];
  readonly customers: readonly CustomerVersionRow[];
  readonly products: readonly ProductVersionRow[];
  readonly campaigns: readonly CampaignVersionRow[];
  readonly warehouses: readonly WarehouseVersionRow[];
  readonly movedCustomer: MovedCustomer;
  /** Partitions written per dataset. */
  readonly partitions: Readonly<Record<string, number>>;
}

/** Column name and DuckDB type, in the staging table's order. */
type Columns = readonly (readonly [string, string])[];

/** Glue catalog types as DuckDB types. */
const DUCKDB_TYPE: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  'decimal(18,4)': 'DECIMAL(18,4)',
};

/**
 * A curated dataset's columns as the Glue jobs write them (the catalog's declaration in lib/lake,
 * without the partition key): the fixture writes what the lake writes, and the twin's COPY check
 * then holds the staging tables of sql/migrations to it.
 */
function catalogColumns(dataset: string): Columns {
  const event = EVENT_DATASETS.find((d) => d.name === dataset);
  const derived = DERIVED_DATASETS.find((d) => d.name === dataset);
  const source = SOURCE_DATASETS.find((d) => d.name === dataset);
  const columns = event
    ? curatedColumns(event)
    : derived
      ? derivedColumns(derived)
      : source
        ? sourceColumns(source)
        : undefined;
  if (columns === undefined) throw new Error(`curated-fixture: no catalog declaration for '${dataset}'`);
  return columns.map((c) => {
    const type = DUCKDB_TYPE[c.type];
    if (type === undefined)
      throw new Error(`curated-fixture: ${dataset}.${c.name} has type ${c.type}, not mapped`);
    return [c.name, type] as const;
  });
}

/** The curated datasets the loads read, with their columns (see {@link catalogColumns}). */
const CURATED_COLUMNS: Readonly<Record<string, Columns>> = Object.fromEntries(
  [
    'customers',
    'products',
    'campaigns',
    'warehouses',
    'order_lines',
    'order_status_changes',
    'inventory_movements',
    'campaign_spend',
  ].map((d) => [d, catalogColumns(d)]),
);

const PARTITION_KEYS: Readonly<Record<string, string>> = {
  customers: 'extract_date',
  products: 'extract_date',
  campaigns: 'extract_date',
  warehouses: 'extract_date',
  order_lines: 'event_date',
  order_status_changes: 'event_date',
  inventory_movements: 'event_date',
  campaign_spend: 'spend_date',
};

/** An RFC 3339 time (any offset) as a UTC timestamp 'YYYY-MM-DD HH:MM:SS.mmm'. */
export function utc(time: string | number): Timestamp {
  const ms = typeof time === 'number' ? time : Date.parse(time);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${time}`);
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** Epoch ms of a fixture timestamp. */
export function epochMs(ts: Timestamp): number {
  return Date.parse(`${ts.replace(' ', 'T')}Z`);
}

/** The date part of a fixture timestamp. */
export function dateOf(ts: Timestamp): string {
  return ts.slice(0, 10);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

function num(v: number | string | undefined | null): number | null {
  return v === undefined || v === null ? null : Number(v);
}

function rowHash(row: object): string {
  return createHash('sha256').update(JSON.stringify(row)).digest('hex');
}

/** What a movement does to on-hand and reserved (sql/loads/07_inventory_movements.sql). */
export function stockDeltas(m: InventoryMovementRow): { onHand: number; reserved: number } {
  switch (m.event_type) {
    case 'inventory.received':
      return { onHand: m.quantity, reserved: 0 };
    case 'inventory.reserved':
      return { onHand: 0, reserved: m.quantity };
    case 'inventory.released':
      return { onHand: 0, reserved: -m.quantity };
    case 'inventory.shipped':
      return { onHand: -m.quantity, reserved: -m.quantity };
    case 'inventory.adjusted':
      return { onHand: m.direction === 'decrease' ? -m.quantity : m.quantity, reserved: 0 };
  }
}

/**
 * The simulated shop never sells what it does not have, so its positions never run out: two
 * dormant positions (stock on hand, nothing reserved, no movement in the last 40 days) are written
 * off by cycle-count adjustments, so that analytics.stock_outs has something to find. The first
 * goes to 0 thirty days before the end; the second too, then receives 5 units (twenty days before
 * the end) and loses them again (ten days before the end): it is out of stock since the second
 * write-off, not the first.
 */
function stockOutMovements(
  movements: readonly InventoryMovementRow[],
  endMs: number,
): InventoryMovementRow[] {
  const positions = new Map<
    string,
    { sku: string; warehouse: string; onHand: number; reserved: number; last: number; rp: number | null }
  >();
  for (const m of movements) {
    const key = `${m.sku}#${m.warehouse_id}`;
    const p = positions.get(key) ?? {
      sku: m.sku,
      warehouse: m.warehouse_id,
      onHand: 0,
      reserved: 0,
      last: 0,
      rp: null,
    };
    const d = stockDeltas(m);
    p.onHand += d.onHand;
    p.reserved += d.reserved;
    p.last = Math.max(p.last, epochMs(m.event_time));
    p.rp = m.reorder_point ?? p.rp;
    positions.set(key, p);
  }
  const dormant = [...positions.entries()]
    .filter(([, p]) => p.reserved === 0 && p.onHand > 0 && p.last < endMs - 40 * MS_PER_DAY)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .slice(0, 2)
    .map(([, p]) => p);
  if (dormant.length < 2) throw new Error('the fixture needs two dormant stock positions to write off');
  const at = (daysBeforeEnd: number) => utc(endMs - daysBeforeEnd * MS_PER_DAY + 12 * 3_600_000);
  const adjust = (
    p: (typeof dormant)[number],
    n: number,
    days: number,
    direction: 'increase' | 'decrease',
  ): InventoryMovementRow => ({
    event_id: `fixture-stock-out-${p.sku}-${p.warehouse}-${n}`,
    event_type: direction === 'increase' ? 'inventory.received' : 'inventory.adjusted',
    event_time: at(days),
    schema_version: 1,
    sku: p.sku,
    product_id: null,
    warehouse_id: p.warehouse,
    quantity: n === 2 || n === 3 ? 5 : p.onHand,
    direction: direction === 'increase' ? null : 'decrease',
    order_id: null,
    reorder_point: p.rp,
    reason: direction === 'increase' ? 'purchase order PO-FIXTURE' : 'cycle count: stock not found',
  });
  return [
    adjust(dormant[0], 1, 30, 'decrease'),
    adjust(dormant[1], 1, 30, 'decrease'),
    adjust(dormant[1], 2, 20, 'increase'),
    adjust(dormant[1], 3, 10, 'decrease'),
  ];
}

/** Simulates the shop and writes its curated zone under `root`. */
export async function buildCuratedFixture(
  root: string,
  options: FixtureOptions = DEFAULT_FIXTURE_OPTIONS,
): Promise<CuratedFixture> {
  const shopOptions = {
    scale: options.scale,
    seed: options.seed,
    startDate: options.startDate,
    days: options.days,
  };
  const shop = new Shop(shopOptions);
  const block = (ts: Timestamp): string => {
    const day = Math.floor((epochMs(ts) - shop.startMs) / MS_PER_DAY);
    return addDays(options.startDate, Math.floor(day / options.partitionDays) * options.partitionDays);
  };

  // ---- events ---------------------------------------------------------------------------------
  const orderLines: OrderLineRow[] = [];
  const statusChanges: StatusChangeRow[] = [];
  const inventoryMovements: InventoryMovementRow[] = [];
  for (const item of generateEvents({ ...shopOptions, badShare: 0 })) {
    if (item.payload.kind !== 'event') continue;
    const e = item.payload.event;
    if (e.event_type.startsWith('order.')) {
      const o = e as OrderEvent;
      const at = utc(o.event_time);
      statusChanges.push({
        event_id: o.event_id,
        event_type: o.event_type,
        event_time: at,
        order_id: o.order_id,
        customer_id: o.customer_id ?? null,
        channel: o.channel ?? null,
        currency: o.currency ?? null,
        campaign_id: o.campaign_id ?? null,
        shipping_amount: num(o.shipping_amount),
        line_count: o.lines ? o.lines.length : null,
        payment_method: o.payment?.method ?? null,
        payment_amount: num(o.payment?.amount),
        warehouse_id: o.shipment?.warehouse_id ?? null,
        carrier: o.shipment?.carrier ?? null,
        reason: o.reason ?? null,
        returned_units: o.returned_lines ? o.returned_lines.reduce((s, l) => s + l.quantity, 0) : null,
      });
      if (o.event_type === 'order.created') {
        for (const l of o.lines ?? []) {
          orderLines.push({
            event_id: o.event_id,
            event_type: 'order.created',
            event_time: at,
            order_id: o.order_id,
            line_number: l.line_number,
            customer_id: o.customer_id ?? null,
            channel: o.channel ?? null,
            currency: o.currency ?? null,
            campaign_id: o.campaign_id ?? null,
            sku: l.sku,
            product_id: l.product_id ?? null,
            quantity: l.quantity,
            unit_price: num(l.unit_price),
            discount: num(l.discount),
          });
        }
      } else if (o.event_type === 'order.returned') {
        for (const l of o.returned_lines ?? []) {
          orderLines.push({
            event_id: o.event_id,
            event_type: 'order.returned',
            event_time: at,
            order_id: o.order_id,
            line_number: l.line_number,
            customer_id: o.customer_id ?? null,
            channel: null,
            currency: null,
            campaign_id: null,
            sku: null,
            product_id: null,
            quantity: l.quantity,
            unit_price: null,
            discount: null,
          });
        }
      }
    } else if (e.event_type.startsWith('inventory.')) {
      const m = e as InventoryMovement;
      inventoryMovements.push({
        event_id: m.event_id,
        event_type: m.event_type,
        event_time: utc(m.event_time),
        schema_version: m.schema_version,
        sku: m.sku,
        product_id: m.product_id ?? null,
        warehouse_id: m.warehouse_id,
        quantity: m.quantity,
        direction: m.direction ?? null,
        order_id: m.order_id ?? null,
        reorder_point: m.reorder_point ?? null,
        reason: m.reason ?? null,
      });
    }
  }

  inventoryMovements.push(...stockOutMovements(inventoryMovements, shop.endMs));

  const campaignSpend: CampaignSpendRow[] = [];
  for (let d = 0; d < options.days - SPEND_NOT_YET_REPORTED_DAYS; d++) {
    for (const s of campaignSpendForDay(shop, addDays(options.startDate, d))) {
      campaignSpend.push({
        spend_date: s.spend_date,
        campaign_id: s.campaign_id,
        channel: s.channel,
        source: s.source,
        impressions: s.impressions,
        clicks: s.clicks,
        conversions: s.conversions ?? null,
        spend: Number(s.spend),
        currency: s.currency,
        reported_at: s.reported_at ? utc(s.reported_at) : null,
      });
    }
  }

  // ---- dimensions (version logs) --------------------------------------------------------------
  const customers: CustomerVersionRow[] = [];
  for (let i = 0; i < shop.volumes.customers; i++) {
    const c = shop.customer(i);
    customers.push({
      customer_id: c.customer_id,
      email: c.email ?? null,
      first_name: c.first_name ?? null,
      last_name: c.last_name ?? null,
      country: c.country ?? null,
      city: c.city ?? null,
      loyalty_tier: c.loyalty_tier ?? null,
      signup_date: c.signup_date ?? null,
      updated_at: utc(c.updated_at),
      valid_from: utc(c.updated_at),
    });
  }
  // The customer with the most orders moves to another country between their middle two orders.
  const ordersByCustomer = new Map<number, Timestamp[]>();
  for (const s of statusChanges) {
    if (s.event_type !== 'order.created' || s.customer_id === null) continue;
    ordersByCustomer.set(s.customer_id, [...(ordersByCustomer.get(s.customer_id) ?? []), s.event_time]);
  }
  const [movedId, movedOrders] = [...ordersByCustomer.entries()].sort(
    (a, b) => b[1].length - a[1].length || a[0] - b[0],
  )[0];
  const sortedOrders = [...movedOrders].sort();
  const k = Math.floor(sortedOrders.length / 2);
  const movedAt = utc(Math.floor((epochMs(sortedOrders[k - 1]) + epochMs(sortedOrders[k])) / 2));
  const base = customers.find((c) => c.customer_id === movedId)!;
  const toCountry = ['PL', 'SE', 'AT'].find((c) => c !== base.country)!;
  const moved: CustomerVersionRow = {
    ...base,
    country: toCountry,
    city: { PL: 'Warsaw', SE: 'Stockholm', AT: 'Vienna' }[toCountry]!,
    updated_at: movedAt,
    valid_from: movedAt,
  };
  customers.push(moved);

  const products: ProductVersionRow[] = [];
  for (let i = 0; i < shop.volumes.skus; i++) {
    const p = shop.product(i);
    products.push({
      sku: p.sku,
      product_id: p.product_id,
      name: p.name ?? null,
      category: p.category ?? null,
      subcategory: p.subcategory ?? null,
      brand: p.brand ?? null,
      list_price: Number(p.list_price),
      currency: p.currency,
      reorder_point: p.reorder_point ?? null,
      active: p.active ?? null,
      updated_at: utc(p.updated_at),
      valid_from: utc(p.updated_at),
    });
  }
  const campaigns: CampaignVersionRow[] = shop.campaigns.map(({ campaign: c }) => ({
    campaign_id: c.campaign_id,
    name: c.name,
    channel: c.channel,
    start_date: c.start_date,
    end_date: c.end_date,
    budget: Number(c.budget),
    currency: c.currency,
    discount_pct: c.discount_pct ?? null,
    updated_at: utc(c.updated_at),
    valid_from: utc(c.updated_at),
  }));
  const warehouses: WarehouseVersionRow[] = shop.warehouses.map((w) => ({
    warehouse_id: w.warehouse_id,
    name: w.name ?? null,
    country: w.country ?? null,
    city: w.city ?? null,
    capacity_units: w.capacity_units ?? null,
    updated_at: utc(w.updated_at),
    valid_from: utc(w.updated_at),
  }));

  // ---- Parquet --------------------------------------------------------------------------------
  const first = options.startDate;
  const withHash = <T extends object>(r: T) => ({ ...r, row_hash: rowHash(r) });
  const datasets: Record<string, { partition: string; row: object }[]> = {
    customers: customers.map((c) => ({
      partition: c === moved ? dateOf(movedAt) : first,
      row: withHash(c),
    })),
    products: products.map((p) => ({ partition: first, row: withHash(p) })),
    campaigns: campaigns.map((c) => ({ partition: first, row: withHash(c) })),
    warehouses: warehouses.map((w) => ({ partition: first, row: withHash(w) })),
    order_lines: orderLines.map((r) => ({ partition: block(r.event_time), row: { ...r } })),
    order_status_changes: statusChanges.map((r) => ({ partition: block(r.event_time), row: { ...r } })),
    inventory_movements: inventoryMovements.map((r) => ({ partition: block(r.event_time), row: { ...r } })),
    campaign_spend: campaignSpend.map((r) => ({ partition: r.spend_date, row: { ...r } })),
  };

  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const partitions: Record<string, number> = {};
  try {
    const work = join(root, 'json');
    mkdirSync(work, { recursive: true });
    for (const [dataset, rows] of Object.entries(datasets)) {
      const columns = CURATED_COLUMNS[dataset];
      const key = PARTITION_KEYS[dataset];
      const file = join(work, `${dataset}.jsonl`);
      const lines = rows.map(({ partition, row }) => {
        const out: Record<string, string | null> = { __partition: partition };
        const values = row as Record<string, unknown>;
        for (const [name] of columns) {
          const v =
            name === '_source_file'
              ? `fixture/curated/${dataset}/${key}=${partition}/part-0.parquet`
              : name === '_curated_at'
                ? `${addDays(partition, 1)} 03:00:00`
                : values[name];
          out[name] = v === null || v === undefined ? null : String(v);
        }
        return JSON.stringify(out);
      });
      writeFileSync(file, `${lines.join('\n')}\n`);
      partitions[dataset] = new Set(rows.map((r) => r.partition)).size;
      const typesJson = `{${[['__partition', 'VARCHAR'], ...columns].map(([n]) => `'${n}': 'VARCHAR'`).join(', ')}}`;
      const select = columns.map(([n, t]) => `CAST("${n}" AS ${t}) AS "${n}"`).join(', ');
      const target = join(root, 'curated', dataset);
      mkdirSync(target, { recursive: true });
      await connection.run(
        `COPY (SELECT ${select}, __partition AS ${key} FROM read_json('${file}', format = 'newline_delimited', columns = ${typesJson}) ORDER BY ALL)
         TO '${target}' (FORMAT PARQUET, PARTITION_BY (${key}), FILENAME_PATTERN 'part-{i}', OVERWRITE_OR_IGNORE)`,
      );
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }

  return {
    root,
    options,
    orderLines,
    statusChanges,
    inventoryMovements,
    campaignSpend,
    customers,
    products,
    campaigns,
    warehouses,
    movedCustomer: { customerId: movedId, fromCountry: base.country ?? '', toCountry, movedAt },
    partitions,
  };
}
