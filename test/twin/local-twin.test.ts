/**
 * The twin's wiring: names and settings from the shared definitions and the environment config,
 * partition keys per the stream rules, PutRecords chunking, and the summary of an empty run.
 */
import { join } from 'node:path';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { STREAM_IDS } from '../../lib/streams/stream-definitions';
import { TABLE_IDS, tableName } from '../../lib/tables/table-definitions';
import { TRANSFORMER_TABLES } from '../../lambdas/shared/runtime-settings';
import { LocalTwin, partitionKeyOf, rawRecord, startLocalTwin } from '../../twin/local-twin';

describe('partitionKeyOf', () => {
  test.each([
    ['orders', { event_type: 'order.paid', order_id: 'ORD-1' }, 'ORD-1'],
    ['orders', { event_type: 'product.metadata_updated', product_id: 987 }, '987'],
    ['inventory', { event_type: 'inventory.received', sku: 'SKU-1', warehouse_id: 'WH-1' }, 'SKU-1#WH-1'],
    [
      'clickstream',
      { event_type: 'clickstream.interaction', interaction_details: { session_id: 's-1' } },
      's-1',
    ],
    ['clickstream', { event_type: 'review.submitted', product_id: 5 }, '5'],
    ['clickstream', { event_type: 'app.log', log_id: 7890 }, '7890'],
    ['orders', { event_type: 'order.paid', event_id: 'evt-00000001' }, 'evt-00000001'],
    ['inventory', 'not an object', 'unkeyed'],
  ] as const)('%s %j -> %s', (stream, event, key) => {
    // Act
    const k = partitionKeyOf(stream, event);
    // Assess
    expect(k).toBe(key);
  });
});

describe('startLocalTwin', () => {
  let twin: LocalTwin;

  beforeAll(async () => {
    twin = await startLocalTwin();
  });

  afterAll(async () => {
    await twin.stop({ removeRoot: true });
  });

  test('defaults: the dev environment, a root under .twin/, streams and tables from the shared definitions', async () => {
    // Act
    const streams = await twin.kinesis.send(new ListStreamsCommand({}));
    const tables = await twin.dynamo.send(new ListTablesCommand({}));
    // Assess
    expect(twin.root.startsWith(join(process.cwd(), '.twin'))).toBe(true);
    expect(twin.prefix).toBe(ENVIRONMENTS.dev.prefix);
    expect(streams.StreamNames?.sort()).toEqual(
      STREAM_IDS.map((id) => `${ENVIRONMENTS.dev.prefix}-${id}`).sort(),
    );
    expect(tables.TableNames?.sort()).toEqual(
      TABLE_IDS.map((id) => tableName(ENVIRONMENTS.dev.prefix, id)).sort(),
    );
  });

  test('each transformer gets the settings a Lambda reads, and the mapping those of the deployed one', () => {
    // Assess
    const t = ENVIRONMENTS.dev.transformer;
    expect(twin.eventSource).toMatchObject({
      batchSize: t.batchSize,
      retryAttempts: t.retryAttempts,
      maxRecordAgeSeconds: t.maxRecordAgeSeconds,
      timeoutSeconds: t.timeoutSeconds,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
    });
    for (const id of STREAM_IDS) {
      expect(twin.settings[id]).toEqual({
        streamId: id,
        tables: Object.fromEntries(TRANSFORMER_TABLES[id].map((t) => [t, tableName(twin.prefix, t)])),
        deadLetterBucket: twin.lakeRoot,
        maxRecordBytes: t.maxRecordBytes,
        ttlDays: {
          interactions: ENVIRONMENTS.dev.retention.interactionsTtlDays,
          sessions: ENVIRONMENTS.dev.retention.sessionsTtlDays,
          applicationLogs: ENVIRONMENTS.dev.retention.applicationLogsTtlDays,
          stockLedger: ENVIRONMENTS.dev.retention.stockLedgerTtlDays,
        },
      });
    }
  });

  test('putEvents sends more than one PutRecords chunk and keeps the input order', async () => {
    // Prepare
    const inputs = Array.from({ length: 1203 }, (_, i) => rawRecord(`not json ${i}`, `k${i % 7}`));
    // Act
    const results = await twin.putEvents('clickstream', inputs);
    await twin.drain();
    // Assess
    expect(results).toHaveLength(1203);
    expect(results.every((r) => /^shardId-\d{12}$/.test(r.shardId) && /^\d+$/.test(r.sequenceNumber))).toBe(
      true,
    );
    expect(results[8].partitionKey).toBe('k1');
    const summary = await twin.summary();
    expect(summary.streams.clickstream).toMatchObject({ put: 1203, rejected: 1203, reconciled: true });
    expect(summary.streams.clickstream.rejectedByCode).toEqual({ MALFORMED_JSON: 1203 });
    expect(summary.lake.unparsedRecords).toBe(1203);
    expect(summary.streams.orders).toMatchObject({ put: 0, received: 0, reconciled: true });
  });
});
