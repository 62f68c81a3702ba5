/**
 * Reconciliation from the twin's summary: for every stream, the events put equal the events processed
 * (applied + duplicates) plus the events rejected, plus any records the mapping had to discard to its
 * on-failure destination; every rejection is in the dead-letter folder; every raw record is in the lake.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STREAM_IDS, StreamId } from '../../lib/streams/stream-definitions';
import { tableName } from '../../lib/tables/table-definitions';
import { Emulators, startEmulators } from '../../twin/emulators';
import { TwinInput, rawRecord } from '../../twin/local-twin';
import {
  interaction,
  mixedWorkload,
  movement,
  newOrderId,
  orderCreated,
  orderEvent,
  putWorkload,
  twinOn,
} from './fixtures';

const NOT_BASE64_MARKER = 'marker:not-base64';

let emulators: Emulators;

beforeAll(async () => {
  emulators = await startEmulators();
});

afterAll(async () => {
  await emulators.stop();
});

/** One bad record of every kind, for a stream. */
function badRecords(stream: StreamId): TwinInput[] {
  const ownEvent = (overrides: Record<string, unknown>): object => {
    switch (stream) {
      case 'orders':
        return orderCreated(newOrderId(), overrides);
      case 'inventory':
        return movement('inventory.received', 'SKU-BAD-0001', 1, overrides);
      case 'clickstream':
        return interaction('sess-bad-0001', overrides);
    }
  };
  const foreign =
    stream === 'orders' ? movement('inventory.received', 'SKU-FOREIGN', 1) : orderCreated(newOrderId());
  return [
    rawRecord('{"event_id": "truncated'),
    rawRecord(NOT_BASE64_MARKER),
    rawRecord(Buffer.from([0xc3, 0x28, 0xa0])),
    rawRecord('"just a string"'),
    ownEvent({ schema_version: 'one' }),
    ownEvent({ event_id: undefined }),
    ownEvent({ event_type: 'something.new' }),
    ownEvent({ schema_version: 3 }),
    ownEvent({ padding: 'p'.repeat(270 * 1024) }),
    foreign,
  ];
}

function interceptNotBase64(_s: StreamId, r: KinesisStreamRecord): KinesisStreamRecord {
  return Buffer.from(r.kinesis.data, 'base64').toString() === NOT_BASE64_MARKER
    ? { ...r, kinesis: { ...r.kinesis, data: '***' } }
    : r;
}

describe('reconciliation', () => {
  test('per stream, events in = applied + duplicates + rejected, and every record is in the lake', async () => {
    // Prepare
    const twin = await twinOn(emulators, { interceptRecord: interceptNotBase64 });
    try {
      const workloads = [mixedWorkload(), mixedWorkload(), mixedWorkload()];
      for (const w of workloads) await putWorkload(twin, w);
      const bad = {} as Record<StreamId, number>;
      for (const s of STREAM_IDS) {
        const records = badRecords(s);
        bad[s] = records.length;
        await twin.putEvents(s, records);
      }
      await putWorkload(twin, workloads[0]); // a replay: duplicates
      // Act
      await twin.drain();
      const summary = await twin.summary();
      // Assess
      for (const s of STREAM_IDS) {
        const x = summary.streams[s];
        const valid = workloads.reduce((n, w) => n + w[s].length, 0) + workloads[0][s].length;
        expect({ s, put: x.put }).toEqual({ s, put: valid + bad[s] });
        expect({ s, inOut: x.applied + x.duplicates + x.rejected }).toEqual({ s, inOut: x.put });
        expect({ s, rejected: x.rejected, deadLetters: x.deadLetterRecords }).toEqual({
          s,
          rejected: bad[s],
          deadLetters: bad[s],
        });
        expect(Object.values(x.rejectedByCode).reduce((n, c) => n + c, 0)).toBe(x.rejected);
        expect({ s, lake: x.lake.records + x.lake.unparsedRecords }).toEqual({ s, lake: x.put });
        expect(x.reconciled).toBe(true);
        expect(x.failedBatchRecords).toBe(0);
      }
      expect(summary.streams.orders.rejectedByCode).toEqual({
        MALFORMED_JSON: 1,
        NOT_BASE64: 1,
        NOT_UTF8: 1,
        NOT_AN_OBJECT: 1,
        CONTRACT_VIOLATION: 2,
        UNKNOWN_EVENT_TYPE: 1,
        UNSUPPORTED_SCHEMA_VERSION: 1,
        OVERSIZED: 1,
        WRONG_STREAM: 1,
      });
      expect(summary.tables).toMatchObject({
        orders: 3,
        'product-metadata': 1,
        stock: 6,
        'stock-ledger': 15,
        sessions: 3,
      });
    } finally {
      await twin.stop({ removeRoot: true });
    }
  });

  test('a store that stays down: retries run out, the batch goes to the on-failure destination, the shard moves on', async () => {
    // Prepare: every call to the orders table fails; the other tables work.
    const ordersTable = tableName('outage', 'orders');
    const outage = (documents: DynamoDBDocumentClient): DynamoDBDocumentClient => {
      const send = documents.send.bind(documents) as (c: unknown) => Promise<unknown>;
      (documents as unknown as { send: (c: unknown) => Promise<unknown> }).send = async (c) => {
        if ((c as { input?: { TableName?: string } }).input?.TableName === ordersTable) {
          throw Object.assign(new Error('Service unavailable (injected)'), { name: 'ServiceUnavailable' });
        }
        return send(c);
      };
      return documents;
    };
    const twin = await twinOn(emulators, {
      prefix: 'outage',
      shardCount: 1,
      wrapDocuments: outage,
      eventSource: { retryAttempts: 2 },
    });
    try {
      const order = newOrderId();
      const events = [
        orderEvent('order.cancelled', newOrderId(), '2024-09-18T12:00:00Z', { schema_version: 7 }), // rejected first
        orderCreated(order),
        orderEvent('order.paid', order, '2024-09-18T12:25:00Z'),
      ];
      // Act
      await twin.putEvents('orders', events);
      await twin.putEvents('inventory', [movement('inventory.received', 'SKU-OUTAGE-1', 3)]);
      await twin.drain();
      await twin.putEvents('orders', [rawRecord('after the outage: still read, rejected')]);
      await twin.drain();
      // Assess
      const summary = await twin.summary();
      const orders = summary.streams.orders;
      expect(orders).toMatchObject({
        put: 4,
        applied: 0,
        rejected: 2,
        failedBatchRecords: 2,
        reconciled: true,
      });
      expect(orders.poller.retries).toBe(2);
      const failed = await twin.failedBatches('orders');
      expect(failed).toHaveLength(1);
      expect(failed[0].requestContext).toMatchObject({
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      });
      expect(failed[0].KinesisBatchInfo).toMatchObject({ batchSize: 2, shardId: 'shardId-000000000000' });
      expect(failed[0].lastError).toMatch(/failed/);
      expect(summary.streams.inventory).toMatchObject({ applied: 1, reconciled: true });
    } finally {
      await twin.stop({ removeRoot: true });
    }
  });
});
