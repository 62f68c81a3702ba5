/**
 * The transformers end to end as Lambda runs them: a Kinesis event built by hand, DynamoDB in
 * dynalite, dead letters in a temp folder laid out like the raw bucket.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { handler as ordersHandler } from '../../lambdas/orders-transformer/handler';
import { handler as inventoryHandler } from '../../lambdas/inventory-transformer/handler';
import { handler as clickstreamHandler } from '../../lambdas/clickstream-transformer/handler';
import { createOrdersTransformer } from '../../lambdas/orders-transformer/transformer';
import { LocalFolderDeadLetterSink } from '../../lambdas/shared/dead-letter';
import type { BatchOutcome } from '../../lambdas/shared/kinesis-transformer';
import type { Rejection } from '../../lambdas/shared/rejection';
import { orderCreated, orderEvent } from '../fixtures/events';
import { jsonRecord, kinesisEvent, rawRecord } from './fixtures/kinesis';
import { RecordingLogger, testSettings } from './fixtures/settings';
import { TestStores, injectFailures, once, startStores } from './fixtures/stores';

let stores: TestStores;
let root: string;

beforeAll(async () => {
  stores = await startStores('handler');
});

afterAll(async () => {
  await stores.stop();
});

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'transformer-lake-'));
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function deadLetters(): Promise<{ key: string; lines: Rejection[] }[]> {
  const out: { key: string; lines: Rejection[] }[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else {
        const body = await fs.readFile(full, 'utf8');
        out.push({
          key: path.relative(root, full).split(path.sep).join('/'),
          lines: body
            .trimEnd()
            .split('\n')
            .map((l) => JSON.parse(l) as Rejection),
        });
      }
    }
  };
  await walk(root);
  return out;
}

function build() {
  const outcomes: BatchOutcome[] = [];
  const transform = createOrdersTransformer({
    settings: testSettings('orders', stores.tables),
    documents: stores.documents,
    deadLetter: new LocalFolderDeadLetterSink({ root }),
    logger: new RecordingLogger(),
    onBatchOutcome: (o) => {
      outcomes.push(o);
    },
  });
  return { transform, outcomes };
}

describe('orders transformer, end to end', () => {
  test('applies the good records and dead-letters the bad ones with their reasons', async () => {
    // Prepare
    const { transform, outcomes } = build();
    const shard = 'shardId-000000000003';
    const created = jsonRecord(orderCreated({ order_id: 'ORD-E2E-1' }), {
      shardId: shard,
      sequenceNumber: '49000000000000000000000000000000000000000000000000000101',
    });
    const notJson = rawRecord(Buffer.from('order ORD-E2E-2 was paid'), {
      shardId: shard,
      sequenceNumber: '49000000000000000000000000000000000000000000000000000102',
    });
    const wrongStream = jsonRecord(
      {
        event_id: 'evt-e2e-inv',
        event_type: 'inventory.received',
        event_time: '2024-09-18T10:00:00Z',
        schema_version: 1,
        sku: 'SKU-1',
        warehouse_id: 'WH-1',
        quantity: 1,
      },
      { shardId: shard, sequenceNumber: '49000000000000000000000000000000000000000000000000000103' },
    );
    const paid = jsonRecord(orderEvent('order.paid', '2024-09-18T13:00:00Z', { order_id: 'ORD-E2E-1' }), {
      shardId: shard,
      sequenceNumber: '49000000000000000000000000000000000000000000000000000104',
    });

    // Act
    const response = await transform(kinesisEvent([created, notJson, wrongStream, paid]), {} as Context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(outcomes).toEqual([
      {
        stream: 'orders',
        received: 4,
        applied: 2,
        duplicates: 0,
        rejected: 2,
        rejectedByCode: { MALFORMED_JSON: 1, WRONG_STREAM: 1 },
        failed: 0,
        // The order.created recorded a new EUR order of 127.30 (2 x 59.90 - 5 + 12.50).
        business: { orders_created: 1, order_revenue: 127.3 },
      },
    ]);
    const order = await stores.documents.send(
      new GetCommand({ TableName: stores.tables.orders, Key: { order_id: 'ORD-E2E-1' } }),
    );
    expect(order.Item).toMatchObject({ status: 'paid', order_total: '127.30' });
    const files = await deadLetters();
    expect(files.map((f) => f.key)).toEqual([
      `dead-letter/stream=orders/reject_date=2024-09-18/${shard}-49000000000000000000000000000000000000000000000000000102-49000000000000000000000000000000000000000000000000000103.jsonl`,
    ]);
    expect(files[0].lines.map((l) => [l.code, l.sequenceNumber, l.eventId, l.data])).toEqual([
      ['MALFORMED_JSON', notJson.kinesis.sequenceNumber, undefined, notJson.kinesis.data],
      ['WRONG_STREAM', wrongStream.kinesis.sequenceNumber, 'evt-e2e-inv', wrongStream.kinesis.data],
    ]);
    expect(files[0].lines[0].message).toMatch(/^payload is not valid JSON: Unexpected token/);
  });

  test('reports a DynamoDB failure and everything after it; the retry from there completes the batch', async () => {
    // Prepare: the shipped update fails once, as a throttled or broken call would.
    const { transform, outcomes } = build();
    const records = [
      rawRecord('bad!'),
      jsonRecord(orderCreated({ order_id: 'ORD-E2E-3' })),
      jsonRecord(orderEvent('order.shipped', '2024-09-19T10:00:00Z', { order_id: 'ORD-E2E-3' })),
      jsonRecord({ ...orderCreated({ order_id: 'ORD-E2E-4' }), schema_version: 3 }),
    ];
    const isShippedUpdate = (c: { input: Record<string, unknown> }) =>
      c instanceof UpdateCommand &&
      JSON.stringify(c.input.ExpressionAttributeValues ?? {}).includes('"shipped"');
    const restore = injectFailures(stores.documents, once(isShippedUpdate));

    // Act: Lambda retries from the lowest reported sequence number.
    let first;
    try {
      first = await transform(kinesisEvent(records));
    } finally {
      restore();
    }
    const from = records.findIndex(
      (r) => r.kinesis.sequenceNumber === first.batchItemFailures[0].itemIdentifier,
    );
    const retry = await transform(kinesisEvent(records.slice(from)));

    // Assess
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      records[2].kinesis.sequenceNumber,
      records[3].kinesis.sequenceNumber,
    ]);
    expect(outcomes[0]).toMatchObject({ received: 4, applied: 1, rejected: 1, failed: 2 });
    expect(retry.batchItemFailures).toEqual([]);
    expect(outcomes[1]).toMatchObject({
      received: 2,
      applied: 1,
      rejected: 1,
      rejectedByCode: { UNSUPPORTED_SCHEMA_VERSION: 1 },
    });
    const order = await stores.documents.send(
      new GetCommand({ TableName: stores.tables.orders, Key: { order_id: 'ORD-E2E-3' } }),
    );
    expect(order.Item).toMatchObject({ status: 'shipped' });
    const files = await deadLetters();
    expect(files.flatMap((f) => f.lines.map((l) => l.sequenceNumber)).sort()).toEqual(
      [records[0].kinesis.sequenceNumber, records[3].kinesis.sequenceNumber].sort(),
    );
  });

  test('a batch delivered again whole (after a timeout) overwrites its dead-letter object', async () => {
    const { transform } = build();
    const records = [
      rawRecord('bad!'),
      jsonRecord({ order_id: 'ORD-E2E-6' }),
      jsonRecord(orderCreated({ order_id: 'ORD-E2E-5' })),
    ];

    await transform(kinesisEvent(records));
    await transform(kinesisEvent(records));

    const files = await deadLetters();
    expect(files).toHaveLength(1);
    expect(files[0].lines.map((l) => l.code)).toEqual(['NOT_BASE64', 'MISSING_ENVELOPE']);
  });
});

describe('handlers', () => {
  test.each([
    ['orders', ordersHandler],
    ['inventory', inventoryHandler],
    ['clickstream', clickstreamHandler],
  ] as const)(
    'the %s handler reads its environment on invocation, not at import, and names what is missing',
    async (_stream, handler) => {
      const saved = process.env.STREAM_ID;
      delete process.env.STREAM_ID;
      try {
        await expect(handler(kinesisEvent([]), {} as Context)).rejects.toThrow(
          /Environment variable STREAM_ID is not set/,
        );
      } finally {
        if (saved !== undefined) process.env.STREAM_ID = saved;
      }
    },
  );

  test('a transformer refuses settings for another stream', () => {
    expect(() =>
      createOrdersTransformer({
        settings: testSettings('inventory', stores.tables),
        documents: stores.documents,
        deadLetter: new LocalFolderDeadLetterSink({ root }),
      }),
    ).toThrow(/the orders transformer consumes the orders stream, but its settings say streamId 'inventory'/);
  });
});
