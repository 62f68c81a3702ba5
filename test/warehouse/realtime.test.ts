/**
 * The real-time monitoring views (sql/views/realtime.*.sql) over generated streams, end to end in the
 * twin: the events go onto the Kinesis emulator through the real SDK client, the twin's streaming
 * ingestion (twin/warehouse/stream-ingestion.ts) appends the records to the local warehouse, where
 * migration V005's stream views and the monitoring views read them, while the real transformers apply
 * the same records to the live DynamoDB tables.
 *
 * Every view is checked against answers this test computes from the generated events (not by the
 * same SQL), and the live tables against the views (the operations team and the analysts see the
 * same truth). The workload has what the issue lists: late and out-of-order events, duplicates, a
 * burst of ten times the normal rate, a stream that has gone silent for minutes, a SKU whose stock
 * goes negative, and malformed records of every kind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InventoryMovement, OrderEvent } from '../../contracts/generated/types';
import { stockDeltas } from '../../lambdas/inventory-transformer/stock-deltas';
import { ORDER_STATUS_RANK, OrderStatus } from '../../lambdas/orders-transformer/order-status';
import { MIGRATIONS, VIEWS } from '../../sql/registry';
import { Emulators, startEmulators } from '../../twin/emulators';
import { LocalTwin, RawRecord, startLocalTwin } from '../../twin/local-twin';
import { LocalWarehouse, Row } from '../../twin/warehouse/local-warehouse';
import { orderEvent } from '../fixtures/events';
import { StreamIngestion } from '../../twin/warehouse/stream-ingestion';

jest.setTimeout(240_000);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = random(20261127);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

let ids = 0;
const nextId = (p: string): string => `${p}-rt-${String((ids += 1)).padStart(7, '0')}`;

/** The wall clock the events are placed against (the views read GETDATE()). */
const NOW = Date.now();
const iso = (ms: number): string => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------
// The generated orders

interface Line {
  line_number: number;
  sku: string;
  product_id: number;
  quantity: number;
  unit_price: string;
  discount?: number;
}

/** What the test knows of each order it generated. */
interface GeneratedOrder {
  readonly orderId: string;
  readonly createdAt: number;
  readonly currency: string;
  /** Σ quantity × unit_price − discount + shipping, in cents (exact). */
  readonly valueCents: number;
  /** Its events (created first), as sent. */
  readonly events: OrderEvent[];
}

function created(orderId: string, at: number, currency = 'EUR'): { event: OrderEvent; valueCents: number } {
  const lines: Line[] = [];
  let cents = 0;
  for (let n = 1; n <= int(1, 3); n += 1) {
    const quantity = int(1, 4);
    const priceCents = int(100, 9_999);
    const discountCents = rnd() < 0.3 ? int(1, 99) * 1 : 0;
    lines.push({
      line_number: n,
      sku: `SKU-${String(int(1, 50)).padStart(6, '0')}`,
      product_id: int(1, 50),
      quantity,
      unit_price: (priceCents / 100).toFixed(2),
      ...(discountCents ? { discount: discountCents / 100 } : {}),
    });
    cents += quantity * priceCents - discountCents;
  }
  const shippingCents = pick([0, 499, 990]);
  cents += shippingCents;
  const event = {
    event_id: nextId('ord'),
    event_type: 'order.created',
    event_time: iso(at),
    schema_version: 1,
    order_id: orderId,
    customer_id: int(1, 10_000),
    channel: pick(['web', 'mobile_app', 'marketplace', 'store']),
    currency,
    lines,
    shipping_amount: (shippingCents / 100).toFixed(2),
  } as OrderEvent;
  return { event, valueCents: cents };
}

type LaterType = Exclude<OrderEvent['event_type'], 'order.created'>;

function later(type: LaterType, orderId: string, at: number): OrderEvent {
  return orderEvent(type, iso(at), { event_id: nextId('ord'), order_id: orderId });
}

/** An order created at `at`, moved through `steps` (each a type and minutes after creation). */
function order(
  at: number,
  steps: ReadonlyArray<readonly [LaterType, number]> = [],
  currency = 'EUR',
): GeneratedOrder {
  const orderId = nextId('ORD');
  const c = created(orderId, at, currency);
  return {
    orderId,
    createdAt: at,
    currency,
    valueCents: c.valueCents,
    events: [c.event, ...steps.map(([type, after]) => later(type, orderId, at + after * MINUTE))],
  };
}

const orders: GeneratedOrder[] = [];
// The last six hours at about one order a minute, up to 3 minutes ago: the stream has been silent since.
for (let m = 355; m >= 3; m -= 1) {
  if (rnd() < 0.8) {
    const at = NOW - m * MINUTE - int(0, 50) * 1000;
    const path = pick<ReadonlyArray<readonly [LaterType, number]>>([
      [],
      [['order.paid', 2]],
      [
        ['order.paid', 2],
        ['order.shipped', 60],
      ],
      [['order.cancelled', 5]],
      [
        ['order.paid', 1],
        ['order.returned', 90],
      ],
    ]);
    orders.push(
      order(
        at,
        path.filter(([, after]) => at + after * MINUTE < NOW - MINUTE),
      ),
    );
  }
}
// A burst: 30 orders in one minute 90 minutes ago (ten times the normal rate and more).
const burstMinute = Math.floor((NOW - 90 * MINUTE) / MINUTE) * MINUTE;
for (let i = 0; i < 30; i += 1) orders.push(order(burstMinute + int(5, 55) * 1000));
// Orders in another currency: counted as orders, not as EUR revenue.
for (let i = 0; i < 5; i += 1) orders.push(order(NOW - int(10, 300) * MINUTE, [], 'USD'));
// The same time last week.
for (let i = 0; i < 40; i += 1) orders.push(order(NOW - 7 * DAY - int(5, 350) * MINUTE));

// Stuck and not stuck (thresholds: paid 24 h, shipped 120 h).
const stuckPaid = order(NOW - 40 * HOUR, [['order.paid', 10]]);
const stuckShipped = order(NOW - 200 * HOUR, [
  ['order.paid', 10],
  ['order.shipped', 60],
]);
// Shipped long ago but delivered since: its delivery is sent BEFORE its shipment (out of order).
const deliveredLate = order(NOW - 200 * HOUR, [
  ['order.paid', 10],
  ['order.shipped', 60],
  ['order.delivered', 3 * 24 * 60],
]);
// Paid 30 h ago; its shipment (2 h after payment) arrives minutes late, at the very end.
const shippedLate = order(NOW - 30 * HOUR, [
  ['order.paid', 1],
  ['order.shipped', 121],
]);
// Paid recently: not stuck yet.
const paidRecently = order(NOW - 5 * HOUR, [['order.paid', 1]]);
orders.push(stuckPaid, stuckShipped, deliveredLate, shippedLate, paidRecently);

// ---------------------------------------------------------------------------------------------
// The generated stock movements

const SKUS = Array.from({ length: 12 }, (_, i) => `SKU-RT${String(i).padStart(4, '0')}`);
const WAREHOUSES = ['WH-BER-1', 'WH-PAR-2'];
const movements: InventoryMovement[] = [];
for (const sku of SKUS) {
  for (const wh of WAREHOUSES) {
    let at = NOW - int(60, 300) * MINUTE;
    const first: InventoryMovement = {
      event_id: nextId('inv'),
      event_type: 'inventory.received',
      event_time: iso(at),
      schema_version: 1,
      sku,
      warehouse_id: wh,
      quantity: int(5, 40),
      ...(rnd() < 0.5 ? { reorder_point: int(5, 20) } : {}),
    };
    movements.push(first);
    for (let k = 0; k < int(3, 8); k += 1) {
      at += int(1, 20) * MINUTE;
      const type = pick([
        'inventory.received',
        'inventory.reserved',
        'inventory.released',
        'inventory.shipped',
        'inventory.adjusted',
      ] as const);
      movements.push({
        event_id: nextId('inv'),
        event_type: type,
        event_time: iso(at),
        schema_version: 1,
        sku,
        warehouse_id: wh,
        quantity: int(1, 15),
        ...(type === 'inventory.adjusted'
          ? { direction: pick(['increase', 'decrease'] as const), reason: 'cycle count' }
          : {}),
        ...(rnd() < 0.2 ? { reorder_point: int(5, 20) } : {}),
      });
    }
  }
}
// A SKU whose stock goes negative: a shipment reported before its receipt.
const negativeSku = 'SKU-RTNEG1';
movements.push(
  {
    event_id: nextId('inv'),
    event_type: 'inventory.shipped',
    event_time: iso(NOW - 20 * MINUTE),
    schema_version: 1,
    sku: negativeSku,
    warehouse_id: 'WH-BER-1',
    quantity: 7,
  },
  {
    event_id: nextId('inv'),
    event_type: 'inventory.reserved',
    event_time: iso(NOW - 25 * MINUTE),
    schema_version: 1,
    sku: negativeSku,
    warehouse_id: 'WH-BER-1',
    quantity: 2,
  },
);

/** Movements the scheduled loads have already put in the star schema (counted once, not twice). */
const loadedMovements = new Set(movements.filter(() => rnd() < 0.25).map((m) => m.event_id));

// ---------------------------------------------------------------------------------------------
// Malformed records (the reason realtime.stream_errors must give for each)

const bigLines = Array.from({ length: 200 }, (_, i) => ({
  line_number: i + 1,
  sku: `SKU-${'X'.repeat(60)}`,
  product_id: i + 1,
  quantity: 1,
  unit_price: '1.00',
  note: 'y'.repeat(300),
}));
const malformedOrders: Array<[RawRecord, string]> = [
  [new RawRecord(Buffer.from('this is not json'), 'bad-1'), 'not_json_object'],
  [new RawRecord(Buffer.from([0xc3, 0x28, 0x7b, 0x7d]), 'bad-2'), 'not_json_object'],
  [new RawRecord(Buffer.from('[1, 2, 3]'), 'bad-3'), 'not_json_object'],
  [
    new RawRecord(
      Buffer.from(JSON.stringify({ event_type: 'order.paid', event_time: iso(NOW), order_id: 'X-1' })),
      'bad-4',
    ),
    'missing_event_id',
  ],
  [
    new RawRecord(
      Buffer.from(JSON.stringify({ ...later('order.paid', 'X-2', NOW), event_time: '2026-02-30T10:00:00Z' })),
      'bad-5',
    ),
    'bad_event_time',
  ],
  [
    new RawRecord(
      Buffer.from(JSON.stringify({ ...later('order.paid', 'X-3', NOW), event_type: 'order.teleported' })),
      'bad-6',
    ),
    'unknown_event_type',
  ],
  [
    new RawRecord(
      Buffer.from(JSON.stringify({ ...created('X-4', NOW - 10 * MINUTE).event, lines: undefined })),
      'bad-7',
    ),
    'missing_fields',
  ],
  [
    new RawRecord(
      Buffer.from(JSON.stringify({ ...created('X-5', NOW - 10 * MINUTE).event, lines: bigLines })),
      'bad-8',
    ),
    'too_large',
  ],
  [
    new RawRecord(
      Buffer.from(
        JSON.stringify({
          ...created('X-6', NOW - 10 * MINUTE).event,
          lines: [{ line_number: 1, sku: 'SKU-000001', product_id: 1, quantity: '2', unit_price: '5.00' }],
        }),
      ),
      'bad-14',
    ),
    'invalid_value',
  ],
];
const movementJson = (overrides: Record<string, unknown>): Buffer =>
  Buffer.from(
    JSON.stringify({
      event_id: nextId('inv'),
      event_type: 'inventory.received',
      event_time: iso(NOW - 30 * MINUTE),
      schema_version: 1,
      sku: 'SKU-RT0001',
      warehouse_id: 'WH-BER-1',
      quantity: 3,
      ...overrides,
    }),
  );
const malformedInventory: Array<[RawRecord, string]> = [
  [new RawRecord(movementJson({ quantity: -3 }), 'bad-11'), 'invalid_value'],
  // Trailing comma: JSON some parsers accept, Redshift's (and the contract) do not.
  [
    new RawRecord(Buffer.from(movementJson({}).toString('utf8').replace(/}$/, ',}')), 'bad-15'),
    'not_json_object',
  ],
  [new RawRecord(movementJson({ quantity: '3' }), 'bad-12'), 'invalid_value'],
  [new RawRecord(movementJson({ schema_version: 2 }), 'bad-13'), 'unsupported_schema_version'],
  // An id sent as a number, not a string.
  [new RawRecord(movementJson({ sku: 12345 }), 'bad-16'), 'invalid_value'],
  [new RawRecord(Buffer.from('{"event_id": "inv-broken",'), 'bad-9'), 'not_json_object'],
  [
    new RawRecord(
      Buffer.from(
        JSON.stringify({
          event_id: nextId('inv'),
          event_type: 'inventory.adjusted',
          event_time: iso(NOW),
          schema_version: 1,
          sku: 'SKU-RT0000',
          warehouse_id: 'WH-BER-1',
          quantity: 3,
        }),
      ),
      'bad-10',
    ),
    'missing_fields',
  ],
];

// ---------------------------------------------------------------------------------------------

let emulators: Emulators;
let twin: LocalTwin;
let wh: LocalWarehouse;
let root: string;

/** Stream order: shuffled (late and out-of-order), with 10% sent twice, the late shipment last. */
function streamOrder<T>(events: readonly T[], last: readonly T[] = []): T[] {
  const shuffled = events.filter((e) => !last.includes(e)).map((e) => [rnd(), e] as const);
  shuffled.sort((a, b) => a[0] - b[0]);
  const out = shuffled.map(([, e]) => e);
  const duplicates = out.filter(() => rnd() < 0.1);
  return [...out, ...duplicates, ...last];
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'realtime-'));
  emulators = await startEmulators();
  twin = await startLocalTwin({ emulators, prefix: 'rt', root, shardCount: 2 });
  wh = await LocalWarehouse.open();
  await wh.migrate(MIGRATIONS, VIEWS, {
    streamingRoleArn: 'arn:aws:iam::000000000000:role/test',
    ordersStream: twin.streams.orders,
    inventoryStream: twin.streams.inventory,
  });
  // The scheduled loads' share of the movements: in the facts and in the position snapshot.
  const loaded = movements.filter((m) => loadedMovements.has(m.event_id));
  for (const m of loaded) {
    const d = stockDeltas(m);
    await wh.run(
      `INSERT INTO star.fact_inventory_movement (event_id, event_type, event_time, date_key, product_key, sku, warehouse_key, warehouse_id, quantity, on_hand_delta, reserved_delta, reorder_point, order_id, reason, loaded_at)
       VALUES ('${m.event_id}', '${m.event_type}', TIMESTAMP '${m.event_time.replace('T', ' ').replace('Z', '')}', 0, -1, '${m.sku}', -1, '${m.warehouse_id}', ${m.quantity}, ${d.onHand}, ${d.reserved}, ${m.reorder_point ?? 'NULL'}, NULL, NULL, now())`,
    );
  }
  // The snapshot as the inventory load keeps it: sums, and the newest reorder point given.
  await wh.run(`INSERT INTO star.fact_inventory_position
    SELECT sku, warehouse_id, SUM(on_hand_delta), SUM(reserved_delta), COUNT(*), MAX(event_time),
      arg_max(reorder_point, event_time) FILTER (WHERE reorder_point IS NOT NULL), now()
    FROM star.fact_inventory_movement GROUP BY sku, warehouse_id`);

  const allOrderEvents = orders.flatMap((o) => o.events);
  const lateShipment = shippedLate.events[2];
  const deliveredEvent = deliveredLate.events[3];
  await twin.putEvents('orders', [deliveredEvent]); // the delivery before its shipment
  await twin.putEvents(
    'orders',
    streamOrder(
      allOrderEvents.filter((e) => e !== deliveredEvent),
      [lateShipment],
    ),
  );
  await twin.putEvents(
    'orders',
    malformedOrders.map(([r]) => r),
  );
  await twin.putEvents('inventory', streamOrder(movements));
  await twin.putEvents(
    'inventory',
    malformedInventory.map(([r]) => r),
  );

  const ingestion = new StreamIngestion(twin.kinesis, wh, {
    orders: twin.streams.orders,
    inventory: twin.streams.inventory,
  });
  await ingestion.poll();
  await twin.drain();
});

afterAll(async () => {
  await wh?.close();
  await twin?.stop({ removeRoot: true });
  await emulators?.stop();
  await rm(root, { recursive: true, force: true });
});

const minuteOf = (ms: number): number => Math.floor(ms / MINUTE) * MINUTE;
const ms = (cell: unknown): number => new Date(`${String(cell).replace(' ', 'T')}Z`).getTime();
const num = (cell: unknown): number => Number(cell);

describe('orders per minute', () => {
  let rows: Row[];
  beforeAll(async () => {
    rows = await wh.query('SELECT * FROM realtime.orders_per_minute ORDER BY minute_start');
  });

  test('lists every minute of the last six hours, silent ones as 0', () => {
    expect(rows).toHaveLength(361);
    const starts = rows.map((r) => ms(r.minute_start));
    starts.slice(1).forEach((s, i) => expect(s - starts[i]).toBe(MINUTE));
    expect(rows[360].is_current_minute).toBe(true);
    // The stream has been silent for the last two minutes.
    expect(rows.slice(-2).map((r) => num(r.orders))).toEqual([0, 0]);
  });

  test('counts each order once in the minute it was placed, with its EUR value, against last week', () => {
    const byMinute = new Map<number, { orders: number; cents: number }>();
    for (const o of orders) {
      const m = minuteOf(o.createdAt);
      const v = byMinute.get(m) ?? { orders: 0, cents: 0 };
      v.orders += 1;
      if (o.currency === 'EUR') v.cents += o.valueCents;
      byMinute.set(m, v);
    }
    for (const r of rows) {
      const m = ms(r.minute_start);
      const now = byMinute.get(m) ?? { orders: 0, cents: 0 };
      const week = byMinute.get(m - 7 * DAY) ?? { orders: 0, cents: 0 };
      expect([m, num(r.orders), Math.round(num(r.revenue) * 100)]).toEqual([m, now.orders, now.cents]);
      expect([m, num(r.orders_last_week), Math.round(num(r.revenue_last_week) * 100)]).toEqual([
        m,
        week.orders,
        week.cents,
      ]);
      expect(num(r.orders_change)).toBe(now.orders - week.orders);
    }
    // The burst shows as one minute of ten times the usual rate or more.
    const burst = rows.find((r) => ms(r.minute_start) === burstMinute)!;
    expect(num(burst.orders)).toBeGreaterThanOrEqual(30);
    const total = rows.reduce((n, r) => n + num(r.orders), 0);
    expect(total).toBe(orders.filter((o) => o.createdAt >= ms(rows[0].minute_start)).length);
  });
});

describe('order status and stuck orders', () => {
  test('the live status is the latest (event_time, rank), whatever the arrival order, as in the live table', async () => {
    const rankOf = (type: string): number => ORDER_STATUS_RANK[type.slice(6) as OrderStatus];
    const expected = new Map<string, string>();
    for (const o of orders) {
      const latest = [...o.events].sort(
        (a, b) => b.event_time.localeCompare(a.event_time) || rankOf(b.event_type) - rankOf(a.event_type),
      )[0];
      expected.set(o.orderId, latest.event_type.slice(6));
    }
    const rows = await wh.query('SELECT order_id, status, events FROM realtime.order_status');
    const seen = new Map(rows.map((r) => [String(r.order_id), String(r.status)]));
    expect(seen).toEqual(expected);
    for (const r of rows) {
      expect(num(r.events)).toBe(orders.find((o) => o.orderId === r.order_id)!.events.length);
    }
    // The operations team's live table says the same.
    const live = await twin.scanTable('orders');
    const liveStatus = new Map(live.map((i) => [String(i.order_id), String(i.status)]));
    for (const [orderId, status] of expected)
      expect([orderId, liveStatus.get(orderId)]).toEqual([orderId, status]);
  });

  test('lists the orders over their threshold, and un-sticks an order once its late event arrives', async () => {
    const rows = await wh.query('SELECT * FROM realtime.stuck_orders ORDER BY order_id');
    const expected = orders
      .map((o) => {
        const last = [...o.events].sort((a, b) => b.event_time.localeCompare(a.event_time))[0];
        const status = last.event_type.slice(6);
        const hours = (NOW - Date.parse(last.event_time)) / HOUR;
        if (status === 'paid' && hours > 24) return [o.orderId, 'paid_not_shipped'];
        if (status === 'shipped' && hours > 120) return [o.orderId, 'shipped_not_delivered'];
        return undefined;
      })
      .filter((x): x is string[] => x !== undefined)
      .sort((a, b) => a[0].localeCompare(b[0]));
    expect(rows.map((r) => [r.order_id, r.stuck_reason])).toEqual(expected);
    const ids = rows.map((r) => r.order_id);
    expect(ids).toEqual(expect.arrayContaining([stuckPaid.orderId, stuckShipped.orderId]));
    expect(ids).not.toContain(deliveredLate.orderId);
    expect(ids).not.toContain(shippedLate.orderId);
    expect(ids).not.toContain(paidRecently.orderId);
    const paid = rows.find((r) => r.order_id === stuckPaid.orderId)!;
    expect(num(paid.hours_in_status)).toBeCloseTo(
      (NOW - Date.parse(stuckPaid.events[1].event_time)) / HOUR,
      0,
    );
    expect(num(paid.threshold_hours)).toBe(24);
  });

  test('a threshold is data: an UPDATE changes which orders are stuck', async () => {
    await wh.run("UPDATE realtime.monitoring_thresholds SET value = 1 WHERE name = 'paid_not_shipped'");
    try {
      const rows = await wh.query(
        "SELECT order_id FROM realtime.stuck_orders WHERE stuck_reason = 'paid_not_shipped'",
      );
      expect(rows.map((r) => r.order_id)).toContain(paidRecently.orderId);
    } finally {
      await wh.run("UPDATE realtime.monitoring_thresholds SET value = 24 WHERE name = 'paid_not_shipped'");
    }
  });
});

describe('cancellations and returns', () => {
  test('per hour of the last 24: orders created, cancelled and returned, and the rates', async () => {
    const rows = await wh.query('SELECT * FROM realtime.order_outcomes_hourly ORDER BY hour_start');
    expect(rows).toHaveLength(25);
    const hourOf = (t: string): number => Math.floor(Date.parse(t) / HOUR) * HOUR;
    for (const r of rows) {
      const h = ms(r.hour_start);
      const count = (type: string): number =>
        new Set(
          orders.flatMap((o) =>
            o.events
              .filter((e) => e.event_type === type && hourOf(e.event_time) === h)
              .map((e) => e.order_id),
          ),
        ).size;
      const createdN = count('order.created');
      expect([h, num(r.orders_created), num(r.cancellations), num(r.returns)]).toEqual([
        h,
        createdN,
        count('order.cancelled'),
        count('order.returned'),
      ]);
      if (createdN === 0) expect(r.cancellation_rate).toBeNull();
      else expect(num(r.cancellation_rate)).toBeCloseTo(count('order.cancelled') / createdN, 10);
    }
    expect(rows.reduce((n, r) => n + num(r.cancellations), 0)).toBeGreaterThan(0);
    expect(rows.reduce((n, r) => n + num(r.returns), 0)).toBeGreaterThan(0);
  });
});

describe('stock', () => {
  /**
   * The expected position of every SKU and warehouse: every movement once; the reorder point is the
   * newest (by event_time) a movement gave, else 10.
   */
  function expectedStock(): Map<string, { onHand: number; reserved: number; reorderPoint: number }> {
    type Acc = { onHand: number; reserved: number; point?: [string, number] };
    const out = new Map<string, Acc>();
    for (const m of movements) {
      const key = `${m.sku}|${m.warehouse_id}`;
      const s = out.get(key) ?? { onHand: 0, reserved: 0 };
      const d = stockDeltas(m);
      s.onHand += d.onHand;
      s.reserved += d.reserved;
      if (m.reorder_point !== undefined && (s.point === undefined || m.event_time > s.point[0]))
        s.point = [m.event_time, m.reorder_point];
      out.set(key, s);
    }
    return new Map(
      [...out].map(([k, v]) => [
        k,
        { onHand: v.onHand, reserved: v.reserved, reorderPoint: v.point?.[1] ?? 10 },
      ]),
    );
  }

  test('on hand, reserved and available per SKU and warehouse: every movement exactly once', async () => {
    const rows = await wh.query('SELECT * FROM realtime.stock_levels');
    const expected = expectedStock();
    expect(rows).toHaveLength(expected.size);
    for (const r of rows) {
      const e = expected.get(`${r.sku}|${r.warehouse_id}`)!;
      expect([r.sku, num(r.on_hand), num(r.reserved), num(r.available), num(r.reorder_point)]).toEqual([
        r.sku,
        e.onHand,
        e.reserved,
        e.onHand - e.reserved,
        e.reorderPoint,
      ]);
    }
    const neg = rows.find((r) => r.sku === negativeSku)!;
    expect([num(neg.on_hand), num(neg.reserved), num(neg.available)]).toEqual([-7, -5, -2]);
    // Counted from the stream: the movements not yet loaded.
    const streamed = rows.reduce((n, r) => n + num(r.streamed_movements), 0);
    expect(streamed).toBe(movements.length - loadedMovements.size);
  });

  test('the views and the live stock table agree, reorder points too; low stock is below them', async () => {
    const rows = await wh.query('SELECT * FROM realtime.stock_levels');
    const live = await twin.scanTable('stock');
    const liveByKey = new Map(live.map((i) => [`${String(i.sku)}|${String(i.warehouse_id)}`, i]));
    expect(liveByKey.size).toBe(rows.length);
    for (const r of rows) {
      const l = liveByKey.get(`${r.sku}|${r.warehouse_id}`)!;
      expect([
        r.sku,
        r.warehouse_id,
        num(r.on_hand),
        num(r.reserved),
        num(r.available),
        num(r.reorder_point),
      ]).toEqual([
        r.sku,
        r.warehouse_id,
        num(l.on_hand),
        num(l.reserved),
        num(l.available),
        num(l.reorder_point),
      ]);
    }
    const low = await wh.query('SELECT * FROM realtime.low_stock ORDER BY sku, warehouse_id');
    const expectedLow = rows
      .filter((r) => num(r.available) < num(r.reorder_point))
      .map((r) => [r.sku, r.warehouse_id, num(r.available) <= 0 ? 'out_of_stock' : 'below_reorder_point'])
      .sort((a, b) => `${a[0]}|${a[1]}`.localeCompare(`${b[0]}|${b[1]}`));
    expect(low.map((r) => [r.sku, r.warehouse_id, r.stock_state])).toEqual(expectedLow);
    expect(low.some((r) => r.sku === negativeSku && r.stock_state === 'out_of_stock')).toBe(true);
    expect(low.length).toBeLessThan(rows.length);
  });
});

describe('stream health', () => {
  test('every malformed record is listed with its reason; nothing is dropped', async () => {
    const rows = await wh.query('SELECT stream, reason, partition_key FROM realtime.stream_errors');
    const got = rows.map((r) => [r.stream, r.partition_key, r.reason]).sort();
    const expected = [
      ...malformedOrders.map(([r, reason]) => ['orders', r.partitionKey, reason]),
      ...malformedInventory.map(([r, reason]) => ['inventory', r.partitionKey, reason]),
    ].sort();
    expect(got).toEqual(expected);
    // Records in = distinct parsed events + their duplicates + errors.
    for (const [stream, events, view] of [
      ['orders', 'realtime.order_events', 'realtime.orders_stream'],
      ['inventory', 'realtime.inventory_events', 'realtime.inventory_stream'],
    ] as const) {
      const [{ n: records }] = await wh.query(`SELECT COUNT(*) AS n FROM ${view}`);
      const [{ n: parsed }] = await wh.query(`SELECT COUNT(*) AS n FROM ${events}`);
      const [{ n: distinctIds }] = await wh.query(
        `SELECT COUNT(DISTINCT event_id) AS n FROM ${view} WHERE event_id IN (SELECT event_id FROM ${events})`,
      );
      const [{ n: duplicates }] = await wh.query(
        `SELECT COUNT(*) - COUNT(DISTINCT event_id) AS n FROM ${view} WHERE event_id IN (SELECT event_id FROM ${events})`,
      );
      const errors = rows.filter((r) => r.stream === stream).length;
      expect(num(parsed)).toBe(num(distinctIds));
      expect(num(records)).toBe(num(parsed) + num(duplicates) + errors);
    }
    const [{ n: distinctOrders }] = await wh.query('SELECT COUNT(*) AS n FROM realtime.order_events');
    expect(num(distinctOrders)).toBe(orders.reduce((n, o) => n + o.events.length, 0));
  });

  test('lag is now minus the newest event time; a silent stream shows it growing', async () => {
    const rows = await wh.query('SELECT * FROM realtime.stream_lag ORDER BY stream');
    const newestOrder = Math.max(...orders.flatMap((o) => o.events.map((e) => Date.parse(e.event_time))));
    const newestMovement = Math.max(...movements.map((m) => Date.parse(m.event_time)));
    const byStream = new Map(rows.map((r) => [String(r.stream), r]));
    const o = byStream.get('orders')!;
    const i = byStream.get('inventory')!;
    expect(ms(o.newest_event_time)).toBe(newestOrder);
    expect(ms(i.newest_event_time)).toBe(newestMovement);
    const elapsed = (Date.now() - newestOrder) / 1000;
    expect(num(o.lag_seconds)).toBeGreaterThanOrEqual(Math.floor((NOW - newestOrder) / 1000) - 1);
    expect(num(o.lag_seconds)).toBeLessThanOrEqual(Math.ceil(elapsed) + 1);
    expect(num(o.unparsed_records)).toBe(malformedOrders.length);
    expect(num(i.unparsed_records)).toBe(malformedInventory.length);
    expect(num(o.records_last_5_minutes)).toBeGreaterThan(0);
  });
});
