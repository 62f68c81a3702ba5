/**
 * Every kind of bad input, end to end: put on a real (emulated) stream between two good events, read
 * by the local event source mapping, handled by the real transformer. Each bad record must end in the
 * dead-letter folder with a reason a person can act on, must not be retried (a bad record is not a
 * failure), and must not block its shard: the good record after it is applied.
 *
 * "Not base64" cannot come out of Kinesis (it base64-encodes whatever bytes are put), so that case
 * goes through the twin's `interceptRecord` seam: a marker record is put on the stream, and the
 * mapping replaces its `kinesis.data` with a string that is not base64 when it builds the event.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinesisStreamRecord } from 'aws-lambda';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StreamId } from '../../lib/streams/stream-definitions';
import { Emulators, startEmulators } from '../../twin/emulators';
import { LocalTwin, TwinInput, rawRecord } from '../../twin/local-twin';
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

const NOT_BASE64_MARKER = 'marker:replace-me-with-data-that-is-not-base64';
const NOT_BASE64_DATA = '!!this is not base64!!';

let emulators: Emulators;
let twin: LocalTwin;

/** The mapping's seam: swaps the marker record's data for a string that is not base64. */
function injectNotBase64(_stream: StreamId, record: KinesisStreamRecord): KinesisStreamRecord {
  const text = Buffer.from(record.kinesis.data, 'base64').toString('utf8');
  return text === NOT_BASE64_MARKER
    ? { ...record, kinesis: { ...record.kinesis, data: NOT_BASE64_DATA } }
    : record;
}

beforeAll(async () => {
  emulators = await startEmulators();
  twin = await twinOn(emulators, { shardCount: 1, interceptRecord: injectNotBase64 });
});

afterAll(async () => {
  await twin.stop({ removeRoot: true });
  await emulators.stop();
});

/** A good event of a stream, and how to tell that it was applied. */
function goodEvent(stream: StreamId): { event: object; isApplied: () => Promise<boolean> } {
  switch (stream) {
    case 'orders': {
      const orderId = newOrderId();
      return {
        event: orderCreated(orderId),
        isApplied: async () =>
          !!(
            await twin.documents.send(
              new GetCommand({ TableName: twin.tables.orders, Key: { order_id: orderId } }),
            )
          ).Item,
      };
    }
    case 'inventory': {
      const m = movement('inventory.received', newSku(), 5);
      return {
        event: m,
        isApplied: async () =>
          !!(
            await twin.documents.send(
              new GetCommand({ TableName: twin.tables['stock-ledger'], Key: { event_id: m.event_id } }),
            )
          ).Item,
      };
    }
    case 'clickstream': {
      const i = interaction(`sess-${newEventId('s')}`);
      return {
        event: i,
        isApplied: async () =>
          (await twin.scanTable('customer-interactions')).some((item) =>
            String(item.interaction_key).endsWith(`#${i.event_id}`),
          ),
      };
    }
  }
}

const big = 'x'.repeat(300 * 1024);

/** [case, stream, bad input, expected code, what the reason must say] */
const CASES: [string, StreamId, () => TwinInput, string, RegExp][] = [
  [
    'malformed JSON',
    'orders',
    () => rawRecord('{"event_id": "evt-12345678", "event_type": '),
    'MALFORMED_JSON',
    /not valid JSON/,
  ],
  ['data that is not base64', 'orders', () => rawRecord(NOT_BASE64_MARKER), 'NOT_BASE64', /not valid base64/],
  [
    'bytes that are not UTF-8',
    'inventory',
    () => rawRecord(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
    'NOT_UTF8',
    /UTF-8/,
  ],
  [
    'a JSON value that is not an object',
    'clickstream',
    () => rawRecord('[1, 2, 3]'),
    'NOT_AN_OBJECT',
    /JSON object/,
  ],
  [
    'a wrong type (customer_id as a string)',
    'orders',
    () => orderCreated(newOrderId(), { customer_id: '12345' }),
    'CONTRACT_VIOLATION',
    /customer_id/,
  ],
  [
    'a wrong type (quantity as a string)',
    'inventory',
    () => movement('inventory.received', newSku(), '5' as unknown as number),
    'CONTRACT_VIOLATION',
    /quantity/,
  ],
  [
    'a missing key (order_id)',
    'orders',
    () => {
      const e: Record<string, unknown> = { ...orderCreated(newOrderId()) };
      delete e.order_id;
      return e;
    },
    'CONTRACT_VIOLATION',
    /order_id/,
  ],
  [
    'a missing key (session_id)',
    'clickstream',
    () => interaction('unused', { interaction_details: { action: 'click' } }),
    'CONTRACT_VIOLATION',
    /session_id/,
  ],
  [
    'a missing event_type',
    'inventory',
    () => {
      const e: Record<string, unknown> = { ...movement('inventory.received', newSku(), 1) };
      delete e.event_type;
      return e;
    },
    'MISSING_ENVELOPE',
    /event_type/,
  ],
  [
    'an unknown event type',
    'orders',
    () => orderEvent('order.paid', newOrderId(), '2024-09-18T12:00:00Z', { event_type: 'order.teleported' }),
    'UNKNOWN_EVENT_TYPE',
    /order\.teleported/,
  ],
  [
    'an unknown future schema_version',
    'clickstream',
    () => interaction(`sess-${newEventId('s')}`, { schema_version: 2 }),
    'UNSUPPORTED_SCHEMA_VERSION',
    /schema_version 2/,
  ],
  [
    'an oversized record (300 KiB, over the 256 KiB limit)',
    'orders',
    () => orderEvent('order.cancelled', newOrderId(), '2024-09-18T12:00:00Z', { reason: big }),
    'OVERSIZED',
    /over the limit of 262144 bytes/,
  ],
  [
    'a negative quantity',
    'inventory',
    () => movement('inventory.shipped', newSku(), -3),
    'CONTRACT_VIOLATION',
    /quantity/,
  ],
  [
    'a negative price',
    'orders',
    () =>
      orderCreated(newOrderId(), {
        lines: [{ line_number: 1, sku: 'SKU-00000987', product_id: 987, quantity: 1, unit_price: -59.9 }],
      }),
    'CONTRACT_VIOLATION',
    /unit_price/,
  ],
  [
    'an event on the wrong stream',
    'orders',
    () => movement('inventory.received', newSku(), 1),
    'WRONG_STREAM',
    /does not belong on the orders stream/,
  ],
  [
    'a value that cannot be normalized (a currency the platform does not know)',
    'orders',
    () => orderCreated(newOrderId(), { currency: 'ZZZ' }),
    'INVALID_VALUE',
    /ZZZ|currency/,
  ],
];

describe('a bad record is dead-lettered with a reason and never blocks its shard', () => {
  test.each(CASES)('%s', async (_label, stream, makeBad, code, reason) => {
    // Prepare
    const before = goodEvent(stream);
    const after = goodEvent(stream);
    const pollerBefore = twin.pollers[stream].stats();
    const [, badPut] = await twin.putEvents(stream, [before.event, makeBad(), after.event], {
      partitionKey: 'one-shard',
    });
    // Act
    await twin.drain();
    // Assess
    const rejected = (await twin.deadLetters(stream)).filter(
      (r) => r.sequenceNumber === badPut.sequenceNumber,
    );
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ code, stream, shardId: badPut.shardId, partitionKey: 'one-shard' });
    expect(rejected[0].message).toMatch(reason);
    expect(rejected[0].message.length).toBeGreaterThan(20);
    expect(rejected[0].data.length).toBeGreaterThan(0);
    expect(await before.isApplied()).toBe(true);
    expect(await after.isApplied()).toBe(true);
    const pollerAfter = twin.pollers[stream].stats();
    expect(pollerAfter.retries - pollerBefore.retries).toBe(0);
    expect(pollerAfter.recordsToOnFailure).toBe(0);
    expect(pollerAfter.recordsSucceeded - pollerBefore.recordsSucceeded).toBe(3);
  });

  test('the dead-letter folder has the layout of the raw bucket', async () => {
    // Prepare
    const stream: StreamId = 'clickstream';
    await twin.putEvents(stream, [rawRecord('not json at all')]);
    // Act
    await twin.drain();
    // Assess
    const rejections = await twin.deadLetters(stream);
    expect(rejections.length).toBeGreaterThan(0);
    const days = await readdir(join(twin.lakeRoot, 'dead-letter', `stream=${stream}`));
    expect(days.every((d) => /^reject_date=\d{4}-\d{2}-\d{2}$/.test(d))).toBe(true);
    expect(await twin.failedBatches()).toEqual([]);
  });
});
