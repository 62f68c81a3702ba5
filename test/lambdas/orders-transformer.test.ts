import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderEvent } from '../../contracts/generated/types';
import type {
  ApplyEvent,
  BatchOutcome,
  BusinessMetricName,
  BusinessRecorder,
} from '../../lambdas/shared/kinesis-transformer';
import { prepareRecord } from '../../lambdas/shared/prepare-record';
import { createOrdersTransformer, ordersApplier } from '../../lambdas/orders-transformer/transformer';
import { orderDetailFields } from '../../lambdas/orders-transformer/apply-order-event';
import { normalizeOrderEvent } from '../../lambdas/shared/normalize';
import { orderCreated, orderEvent, productMetadata } from '../fixtures/events';
import { jsonRecord, kinesisEvent } from './fixtures/kinesis';
import { RecordingLogger, testSettings } from './fixtures/settings';
import { TestStores, startStores } from './fixtures/stores';

let stores: TestStores;
let apply: ApplyEvent;
const settings = () => testSettings('orders', stores.tables);

beforeAll(async () => {
  stores = await startStores();
  apply = ordersApplier({
    settings: settings(),
    documents: stores.documents,
    clock: () => new Date('2024-09-20T00:00:00Z'),
  });
});

afterAll(async () => {
  await stores.stop();
});

async function applyAll(events: unknown[], business?: BusinessRecorder): Promise<string[]> {
  const outcomes: string[] = [];
  for (const e of events) {
    const prepared = prepareRecord(jsonRecord(e), settings());
    if (!prepared.ok) throw new Error(prepared.rejection.message);
    outcomes.push(await apply(prepared.normalized, business));
  }
  return outcomes;
}

/** A BusinessRecorder that keeps the sums it is given. */
function recorder(): BusinessRecorder & { sums: Partial<Record<BusinessMetricName, number>> } {
  const sums: Partial<Record<BusinessMetricName, number>> = {};
  return {
    sums,
    add(name, value = 1) {
      sums[name] = (sums[name] ?? 0) + value;
    },
  };
}

async function order(orderId: string): Promise<Record<string, unknown> | undefined> {
  const out = await stores.documents.send(
    new GetCommand({ TableName: stores.tables.orders, Key: { order_id: orderId }, ConsistentRead: true }),
  );
  return out.Item;
}

/** An order's life: created 10:00, paid 10:05, shipped 11:00 (UTC, sent with offsets). */
function life(orderId: string): OrderEvent[] {
  return [
    orderCreated({ order_id: orderId, event_time: '2024-09-18T12:00:00+02:00' }),
    orderEvent('order.paid', '2024-09-18T10:05:00Z', { order_id: orderId }),
    orderEvent('order.shipped', '2024-09-18T07:00:00-04:00', { order_id: orderId }),
  ];
}

describe('orders', () => {
  test('in order: the status follows the events and every detail is stored', async () => {
    // Prepare
    const events = life('ORD-IN-ORDER');

    // Act
    const outcomes = await applyAll(events);

    // Assess
    expect(outcomes).toEqual(['applied', 'applied', 'applied']);
    expect(await order('ORD-IN-ORDER')).toEqual({
      order_id: 'ORD-IN-ORDER',
      status: 'shipped',
      status_rank: 3,
      status_event_time: '2024-09-18T11:00:00.000Z',
      status_changed_at: '2024-09-18T11:00:00.000Z',
      last_event_id: events[2].event_id,
      created_at: '2024-09-18T10:00:00.000Z',
      paid_at: '2024-09-18T10:05:00.000Z',
      shipped_at: '2024-09-18T11:00:00.000Z',
      customer_id: 12345,
      channel: 'web',
      currency: 'EUR',
      campaign_id: 'CMP-autumn',
      lines: normalizeOrderEvent(events[0]).lines,
      order_total: '127.30',
      item_count: 3,
      payment: { method: 'card', amount: '124.30' },
      shipment: { warehouse_id: 'WH-BER-1', carrier: 'DHL' },
      updated_at: '2024-09-20T00:00:00.000Z',
    });
  });

  test('out of order: an older event never overwrites the newer status, but fills in its details', async () => {
    const [created, paid, shipped] = life('ORD-REVERSED');

    const outcomes = await applyAll([shipped, paid, created]);

    expect(outcomes).toEqual(['applied', 'applied', 'applied']);
    const item = await order('ORD-REVERSED');
    expect(item).toMatchObject({
      status: 'shipped',
      status_changed_at: '2024-09-18T11:00:00.000Z',
      last_event_id: shipped.event_id,
      created_at: '2024-09-18T10:00:00.000Z',
      paid_at: '2024-09-18T10:05:00.000Z',
      customer_id: 12345,
      order_total: '127.30',
      payment: { method: 'card', amount: '124.30' },
    });
  });

  test('every arrival order ends in the same item', async () => {
    const permutations = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [2, 0, 3, 1],
      [1, 3, 0, 2],
    ];
    const items: Record<string, unknown>[] = [];
    for (const [i, perm] of permutations.entries()) {
      const orderId = `ORD-PERM-${i}`;
      const events = [
        ...life(orderId),
        orderEvent('order.delivered', '2024-09-19T09:00:00Z', { order_id: orderId }),
      ].map((e, k) => ({ ...e, event_id: `evt-perm-${k}` }));
      await applyAll(perm.map((k) => events[k]));
      const item = { ...(await order(orderId)) };
      delete item.order_id;
      items.push(item);
    }

    expect(items[0]).toMatchObject({ status: 'delivered', delivered_at: '2024-09-19T09:00:00.000Z' });
    for (const item of items.slice(1)) expect(item).toEqual(items[0]);
  });

  test('a replayed or duplicated event changes nothing and counts as a duplicate', async () => {
    const events = life('ORD-REPLAY');
    await applyAll(events);
    const before = await order('ORD-REPLAY');

    const outcomes = await applyAll([...events, events[0], events[1]]);

    expect(outcomes).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(await order('ORD-REPLAY')).toEqual(before);
  });

  test('at the same instant the status further along wins, whatever arrives first', async () => {
    const at = '2024-09-18T12:00:00Z';
    const paid = (id: string) => orderEvent('order.paid', at, { order_id: id });
    const cancelled = (id: string) => orderEvent('order.cancelled', at, { order_id: id });

    await applyAll([paid('ORD-TIE-1'), cancelled('ORD-TIE-1')]);
    await applyAll([cancelled('ORD-TIE-2'), paid('ORD-TIE-2')]);

    expect(await order('ORD-TIE-1')).toMatchObject({
      status: 'cancelled',
      cancellation_reason: 'customer request',
      paid_at: at.replace('Z', '.000Z'),
    });
    expect(await order('ORD-TIE-2')).toMatchObject({
      status: 'cancelled',
      cancellation_reason: 'customer request',
      paid_at: at.replace('Z', '.000Z'),
    });
  });

  test('the by-status index finds orders paid but not shipped since a time', async () => {
    await applyAll([
      orderCreated({ order_id: 'ORD-STUCK', event_time: '2024-09-17T08:00:00Z' }),
      orderEvent('order.paid', '2024-09-17T08:10:00Z', { order_id: 'ORD-STUCK' }),
    ]);

    const out = await stores.documents.send(
      new QueryCommand({
        TableName: stores.tables.orders,
        IndexName: 'by-status',
        KeyConditionExpression: '#s = :s AND status_changed_at < :t',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'paid', ':t': '2024-09-18T00:00:00.000Z' },
      }),
    );

    expect(out.Items?.map((i) => i.order_id)).toEqual(['ORD-STUCK']);
  });

  test('returned and cancelled orders keep their reasons and returned lines', async () => {
    const e = orderEvent('order.returned', '2024-09-25T10:00:00Z', { order_id: 'ORD-RET' });

    await applyAll([e]);

    expect(await order('ORD-RET')).toMatchObject({
      status: 'returned',
      returned_at: '2024-09-25T10:00:00.000Z',
      returned_lines: [{ line_number: 1, quantity: 1 }],
      return_reason: 'too small',
    });
    expect(Object.keys(orderDetailFields(normalizeOrderEvent(e)))).toEqual([
      'returned_at',
      'returned_lines',
      'return_reason',
    ]);
  });
});

describe('product metadata', () => {
  async function metadata(productId: number) {
    const out = await stores.documents.send(
      new GetCommand({
        TableName: stores.tables['product-metadata'],
        Key: { product_id: productId },
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }

  test('keeps the newest by event_time, whatever the arrival order', async () => {
    // Prepare
    const older = productMetadata({
      product_id: 501,
      event_time: '2024-09-18T10:00:00Z',
      metadata: { specifications: { colour: 'red' } },
    });
    const newer = productMetadata({
      product_id: 501,
      event_time: '2024-09-18T12:00:00+01:00',
      metadata: { specifications: { colour: 'blue' } },
    });

    // Act
    const outcomes = await applyAll([newer, older, newer]);

    // Assess
    expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate']);
    expect(await metadata(501)).toEqual({
      product_id: 501,
      metadata: { specifications: { colour: 'blue' } },
      metadata_event_time: '2024-09-18T11:00:00.000Z',
      metadata_event_id: newer.event_id,
      updated_at: '2024-09-20T00:00:00.000Z',
    });
  });

  test('breaks a tie on event_time by event_id, so both arrival orders agree', async () => {
    const a = (id: number) =>
      productMetadata({ product_id: id, event_id: 'evt-tie-aaaa', metadata: { specifications: { v: 'a' } } });
    const b = (id: number) =>
      productMetadata({ product_id: id, event_id: 'evt-tie-bbbb', metadata: { specifications: { v: 'b' } } });

    await applyAll([a(601), b(601)]);
    await applyAll([b(602), a(602)]);

    expect((await metadata(601))?.metadata).toEqual({ specifications: { v: 'b' } });
    expect((await metadata(602))?.metadata).toEqual({ specifications: { v: 'b' } });
  });
});

describe('business metrics: orders_created and order_revenue', () => {
  // orderCreated's total: 2 x 59.90 - 5 + 1 x 12.50 = 127.30 EUR.
  const TOTAL = 127.3;

  test('an order.created counts once with its EUR total; replays and duplicates add nothing', async () => {
    const created = orderCreated({ order_id: 'ORD-BIZ-ONCE' });
    const business = recorder();

    const outcomes = await applyAll([created, created, { ...created }], business);

    expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate']);
    expect(business.sums.orders_created).toBe(1);
    expect(business.sums.order_revenue).toBeCloseTo(TOTAL, 6);
  });

  test('a second order.created of the same order (another event_id, later) is not a new order', async () => {
    const first = orderCreated({ order_id: 'ORD-BIZ-RESENT', event_time: '2024-09-18T10:00:00Z' });
    const resent = orderCreated({ order_id: 'ORD-BIZ-RESENT', event_time: '2024-09-18T10:03:00Z' });
    const business = recorder();

    await applyAll([first, resent], business);

    expect(business.sums.orders_created).toBe(1);
    expect(business.sums.order_revenue).toBeCloseTo(TOTAL, 6);
  });

  test('out of order: an order.paid that arrives first counts nothing, the late order.created counts once', async () => {
    const [created, paid, shipped] = life('ORD-BIZ-LATE');
    const business = recorder();

    await applyAll([paid, shipped], business);
    const beforeCreated = { ...business.sums };
    await applyAll([created, paid, created], business);

    expect(beforeCreated).toEqual({});
    expect(business.sums.orders_created).toBe(1);
    expect(business.sums.order_revenue).toBeCloseTo(TOTAL, 6);
  });

  test('an order in another currency counts as an order but adds no revenue (the warehouse is EUR)', async () => {
    const business = recorder();

    await applyAll([orderCreated({ order_id: 'ORD-BIZ-USD', currency: 'USD' })], business);

    expect(business.sums).toEqual({ orders_created: 1 });
  });

  test('the transformer publishes both metrics with every batch, 0 in a batch without a new order', async () => {
    const outcomes: BatchOutcome[] = [];
    const transform = createOrdersTransformer({
      settings: settings(),
      documents: stores.documents,
      deadLetter: { write: async () => undefined },
      logger: new RecordingLogger(),
      onBatchOutcome: (o) => {
        outcomes.push(o);
      },
    });
    const a = orderCreated({ order_id: 'ORD-BIZ-BATCH-A' });
    const b = orderCreated({ order_id: 'ORD-BIZ-BATCH-B', currency: 'GBP' });
    const paid = orderEvent('order.paid', '2024-09-18T13:00:00Z', { order_id: 'ORD-BIZ-BATCH-A' });

    await transform(kinesisEvent([a, b, a, paid].map((e) => jsonRecord(e))));
    await transform(kinesisEvent([a, paid].map((e) => jsonRecord(e))));

    expect(outcomes.map((o) => o.business.orders_created)).toEqual([2, 0]);
    expect(outcomes[0].business.order_revenue).toBeCloseTo(TOTAL, 6);
    expect(outcomes[1].business).toEqual({ orders_created: 0, order_revenue: 0 });
  });
});
