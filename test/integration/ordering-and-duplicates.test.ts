/**
 * Events that are valid but arrive in an awkward way, end to end through the twin: out of order (the
 * newest order status wins), exact duplicates (no change), and a burst on one hot SKU (exact stock,
 * nothing blocked).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Emulators, startEmulators } from '../../twin/emulators';
import type { LocalTwin } from '../../twin/local-twin';
import {
  interaction,
  movement,
  newEventId,
  newOrderId,
  newSku,
  orderCreated,
  orderEvent,
  twinOn,
} from './fixtures';

let emulators: Emulators;
let twin: LocalTwin;

beforeAll(async () => {
  emulators = await startEmulators();
  twin = await twinOn(emulators, { shardCount: 2 });
});

afterAll(async () => {
  await twin.stop({ removeRoot: true });
  await emulators.stop();
});

async function getItem(table: keyof LocalTwin['tables'], key: Record<string, unknown>) {
  const out = await twin.documents.send(
    new GetCommand({ TableName: twin.tables[table], Key: key, ConsistentRead: true }),
  );
  return out.Item;
}

describe('events out of order', () => {
  test('the newest order status wins, and older events still fill in their details', async () => {
    // Prepare
    const orderId = newOrderId();
    const events = [
      orderEvent('order.delivered', orderId, '2024-09-20T09:00:00Z'),
      orderEvent('order.paid', orderId, '2024-09-18T12:25:00Z'),
      orderCreated(orderId),
      orderEvent('order.shipped', orderId, '2024-09-19T08:00:00+02:00'),
    ];
    await twin.putEvents('orders', events);
    // Act
    await twin.drain();
    // Assess
    const order = await getItem('orders', { order_id: orderId });
    expect(order).toMatchObject({
      status: 'delivered',
      status_event_time: '2024-09-20T09:00:00.000Z',
      created_at: '2024-09-18T12:20:00.000Z',
      paid_at: '2024-09-18T12:25:00.000Z',
      shipped_at: '2024-09-19T06:00:00.000Z',
      delivered_at: '2024-09-20T09:00:00.000Z',
      customer_id: 12345,
      order_total: '129.30',
      payment: { method: 'card', amount: '124.30' },
      shipment: { warehouse_id: 'WH-BER-1', carrier: 'DHL' },
    });
    expect(order?.lines).toHaveLength(2);
  });

  test('a session built from interactions out of order spans the earliest to the latest', async () => {
    // Prepare
    const session = `sess-${newEventId('s')}`;
    const at = (t: string) => ({ timestamp: t, event_time: t });
    await twin.putEvents('clickstream', [
      interaction(session, at('2024-09-18T14:20:00Z')),
      interaction(session, at('2024-09-18T14:05:00Z')),
      interaction(session, { ...at('2024-09-18T14:30:00Z'), interaction_type: 'add_to_cart' }),
      interaction(session, at('2024-09-18T14:10:00Z')),
    ]);
    // Act
    await twin.drain();
    // Assess
    const item = await getItem('sessions', { session_id: session });
    expect(item).toMatchObject({
      start_time: '2024-09-18T14:05:00.000Z',
      end_time: '2024-09-18T14:30:00.000Z',
    });
    expect(item?.pages_visited).toHaveLength(3);
    expect(item?.actions).toHaveLength(1);
  });
});

describe('exact duplicates', () => {
  test('the same events sent twice change nothing the second time', async () => {
    // Prepare
    const orderId = newOrderId();
    const sku = newSku();
    const session = `sess-${newEventId('s')}`;
    const created = orderCreated(orderId);
    const received = movement('inventory.received', sku, 40);
    const reserved = movement('inventory.reserved', sku, 15, { order_id: orderId });
    const click = interaction(session);
    const before = await twin.summary();
    // Act
    await twin.putEvents('orders', [created, created, created]);
    await twin.putEvents('inventory', [received, reserved, received, reserved]);
    await twin.putEvents('clickstream', [click, click]);
    await twin.drain();
    // Assess
    expect(await getItem('stock', { sku, warehouse_id: 'WH-BER-1' })).toMatchObject({
      on_hand: 40,
      reserved: 15,
      available: 25,
    });
    const order = await getItem('orders', { order_id: orderId });
    expect(order).toMatchObject({ status: 'created', order_total: '129.30' });
    const sessionItem = await getItem('sessions', { session_id: session });
    expect(sessionItem?.pages_visited).toHaveLength(1);
    const interactions = (await twin.scanTable('customer-interactions')).filter(
      (i) => (i.interaction_details as { session_id: string }).session_id === session,
    );
    expect(interactions).toHaveLength(1);
    const after = await twin.summary();
    const delta = (s: 'orders' | 'inventory' | 'clickstream', k: 'applied' | 'duplicates') =>
      after.streams[s][k] - before.streams[s][k];
    expect(delta('orders', 'applied')).toBe(1);
    expect(delta('orders', 'duplicates')).toBe(2);
    expect(delta('inventory', 'applied')).toBe(2);
    expect(delta('inventory', 'duplicates')).toBe(2);
    expect(delta('clickstream', 'applied') + delta('clickstream', 'duplicates')).toBe(2);
  });
});

describe('a burst on one hot SKU', () => {
  test('stock stays exact and other keys are not blocked', async () => {
    // Prepare
    const hot = newSku();
    const other = newSku();
    const session = `sess-${newEventId('s')}`;
    const burst = [];
    let onHand = 0;
    let reserved = 0;
    for (let i = 0; i < 600; i++) {
      const time = new Date(Date.UTC(2024, 8, 18, 6, 0, i)).toISOString();
      const kind = i % 6;
      if (kind <= 1) {
        burst.push(movement('inventory.received', hot, 3, { event_time: time }));
        onHand += 3;
      } else if (kind === 2) {
        burst.push(movement('inventory.reserved', hot, 2, { event_time: time }));
        reserved += 2;
      } else if (kind === 3) {
        burst.push(movement('inventory.released', hot, 1, { event_time: time }));
        reserved -= 1;
      } else if (kind === 4) {
        burst.push(movement('inventory.shipped', hot, 1, { event_time: time }));
        onHand -= 1;
        reserved -= 1;
      } else {
        burst.push(
          movement('inventory.adjusted', hot, 1, {
            event_time: time,
            direction: 'decrease',
            reason: 'damaged',
          }),
        );
        onHand -= 1;
      }
    }
    const before = twin.pollers.inventory.stats();
    // Act: the burst and other traffic at once, drained while it is still being put.
    const putting = Promise.all([
      (async () => {
        for (let i = 0; i < burst.length; i += 150)
          await twin.putEvents('inventory', burst.slice(i, i + 150));
      })(),
      twin.putEvents('inventory', [movement('inventory.received', other, 7)]),
      twin.putEvents('clickstream', [interaction(session)]),
    ]);
    await twin.drain();
    await putting;
    await twin.drain();
    // Assess
    expect(await getItem('stock', { sku: hot, warehouse_id: 'WH-BER-1' })).toMatchObject({
      on_hand: onHand,
      reserved,
      available: onHand - reserved,
      headroom: onHand - reserved - 10,
    });
    expect(await getItem('stock', { sku: other, warehouse_id: 'WH-BER-1' })).toMatchObject({ on_hand: 7 });
    expect(await getItem('sessions', { session_id: session })).toBeDefined();
    const after = twin.pollers.inventory.stats();
    expect(after.recordsSucceeded - before.recordsSucceeded).toBe(601);
    expect(after.retries - before.retries).toBe(0);
    expect(after.recordsToOnFailure).toBe(0);
    expect(after.invocations - before.invocations).toBeGreaterThanOrEqual(
      Math.ceil(600 / twin.eventSource.batchSize),
    );
  });
});
