import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { KinesisStreamEvent } from 'aws-lambda';
import type { InventoryMovement } from '../../contracts/generated/types';
import {
  createInventoryTransformer,
  inventoryApplier,
} from '../../lambdas/inventory-transformer/transformer';
import {
  DEFAULT_REORDER_POINT,
  stockCrossings,
  stockDeltas,
} from '../../lambdas/inventory-transformer/stock-deltas';
import { StockLedger } from '../../lambdas/inventory-transformer/stock-ledger';
import type {
  BatchOutcome,
  BusinessMetricName,
  BusinessRecorder,
  KinesisTransformer,
} from '../../lambdas/shared/kinesis-transformer';
import type { DeadLetterSink } from '../../lambdas/shared/dead-letter';
import { prepareRecord } from '../../lambdas/shared/prepare-record';
import { movement } from '../fixtures/events';
import { jsonRecord, kinesisEvent } from './fixtures/kinesis';
import { RecordingLogger, testSettings } from './fixtures/settings';
import { SentCommand, TestStores, injectFailures, once, startStores } from './fixtures/stores';

let stores: TestStores;
const settings = () => testSettings('inventory', stores.tables);
const noDeadLetters: DeadLetterSink = {
  write: async (r) => {
    throw new Error(`unexpected rejections: ${r.map((x) => x.message).join('; ')}`);
  },
};

beforeAll(async () => {
  stores = await startStores();
});

afterAll(async () => {
  await stores.stop();
});

async function applyAll(events: InventoryMovement[], business?: BusinessRecorder): Promise<string[]> {
  const apply = inventoryApplier({ settings: settings(), documents: stores.documents }).applyEvent;
  const outcomes: string[] = [];
  for (const e of events) {
    const prepared = prepareRecord(jsonRecord(e, { stream: 'inventory' }), settings());
    if (!prepared.ok) throw new Error(prepared.rejection.message);
    outcomes.push(await apply(prepared.normalized, business));
  }
  return outcomes;
}

/** The inventory transformer on the test stores, keeping each batch's outcome. */
function collectingTransformer(): { outcomes: BatchOutcome[]; transform: KinesisTransformer } {
  const outcomes: BatchOutcome[] = [];
  const transform = createInventoryTransformer({
    settings: settings(),
    documents: stores.documents,
    deadLetter: noDeadLetters,
    logger: new RecordingLogger(),
    onBatchOutcome: (o) => {
      outcomes.push(o);
    },
  });
  return { outcomes, transform };
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

async function stock(sku: string, warehouseId = 'WH-BER-1') {
  const out = await stores.documents.send(
    new GetCommand({
      TableName: stores.tables.stock,
      Key: { sku, warehouse_id: warehouseId },
      ConsistentRead: true,
    }),
  );
  return out.Item;
}

function counts(item: Record<string, unknown> | undefined) {
  return {
    on_hand: item?.on_hand,
    reserved: item?.reserved,
    available: item?.available,
    headroom: item?.headroom,
  };
}

/** Stands in for the event source mapping: retries from the first reported failure, in order. */
async function deliver(
  transform: KinesisTransformer,
  event: KinesisStreamEvent,
  batchSize: number,
  maxInvocations = 1000,
) {
  const records = event.Records;
  let position = 0;
  let invocations = 0;
  while (position < records.length) {
    invocations += 1;
    if (invocations > maxInvocations) throw new Error('too many invocations');
    const batch = records.slice(position, position + batchSize);
    const { batchItemFailures } = await transform(kinesisEvent(batch));
    if (batchItemFailures.length === 0) {
      position += batch.length;
    } else {
      const first = batchItemFailures[0].itemIdentifier;
      position = records.findIndex((r) => r.kinesis.sequenceNumber === first);
    }
  }
  return invocations;
}

describe('stockDeltas', () => {
  test.each([
    ['inventory.received', undefined, { onHand: 5, reserved: 0, available: 5 }],
    ['inventory.reserved', undefined, { onHand: 0, reserved: 5, available: -5 }],
    ['inventory.released', undefined, { onHand: 0, reserved: -5, available: 5 }],
    ['inventory.shipped', undefined, { onHand: -5, reserved: -5, available: 0 }],
    ['inventory.adjusted', 'increase', { onHand: 5, reserved: 0, available: 5 }],
    ['inventory.adjusted', 'decrease', { onHand: -5, reserved: 0, available: -5 }],
  ] as const)('%s %s of 5', (type, direction, expected) => {
    expect(stockDeltas({ event_type: type, quantity: 5, direction })).toEqual(expected);
  });
});

describe('stock', () => {
  test('applies all five movement types exactly', async () => {
    // Prepare
    const sku = 'SKU-FIVE-TYPES';
    const steps: [InventoryMovement, ReturnType<typeof counts>][] = [
      [
        movement('inventory.received', 100, { sku }),
        { on_hand: 100, reserved: 0, available: 100, headroom: 90 },
      ],
      [
        movement('inventory.reserved', 30, { sku }),
        { on_hand: 100, reserved: 30, available: 70, headroom: 60 },
      ],
      [
        movement('inventory.released', 10, { sku }),
        { on_hand: 100, reserved: 20, available: 80, headroom: 70 },
      ],
      [movement('inventory.shipped', 15, { sku }), { on_hand: 85, reserved: 5, available: 80, headroom: 70 }],
      [
        movement('inventory.adjusted', 5, { sku, direction: 'decrease' }),
        { on_hand: 80, reserved: 5, available: 75, headroom: 65 },
      ],
      [
        movement('inventory.adjusted', 3, { sku, direction: 'increase' }),
        { on_hand: 83, reserved: 5, available: 78, headroom: 68 },
      ],
    ];

    for (const [m, expected] of steps) {
      // Act
      const outcome = await applyAll([m]);

      // Assess
      expect(outcome).toEqual(['applied']);
      expect(counts(await stock(sku))).toEqual(expected);
    }
    expect(await stock(sku)).toMatchObject({
      reorder_point: DEFAULT_REORDER_POINT,
      last_event_id: steps[5][0].event_id,
      last_movement_type: 'inventory.adjusted',
    });
  });

  test('records each applied movement in the ledger with an expiry', async () => {
    const m = movement('inventory.received', 4, { sku: 'SKU-LEDGER' });

    await applyAll([m]);

    const out = await stores.documents.send(
      new GetCommand({ TableName: stores.tables['stock-ledger'], Key: { event_id: m.event_id } }),
    );
    expect(out.Item).toMatchObject({
      event_id: m.event_id,
      sku: 'SKU-LEDGER',
      warehouse_id: 'WH-BER-1',
      quantity: 4,
    });
    const now = Date.now() / 1000;
    expect(out.Item?.expires_at).toBeGreaterThan(now + 6.9 * 86_400);
    expect(out.Item?.expires_at).toBeLessThan(now + 7.1 * 86_400);
  });

  test('a duplicate movement changes nothing', async () => {
    const sku = 'SKU-DUPLICATE';
    const m = movement('inventory.received', 7, { sku });

    const outcomes = await applyAll([m, m, { ...m }]);

    expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate']);
    expect(counts(await stock(sku))).toEqual({ on_hand: 7, reserved: 0, available: 7, headroom: -3 });
  });

  test('counts may go negative, as the warehouse reports them', async () => {
    const sku = 'SKU-NEGATIVE';

    await applyAll([movement('inventory.shipped', 2, { sku })]);

    expect(counts(await stock(sku))).toEqual({ on_hand: -2, reserved: -2, available: 0, headroom: -10 });
  });

  test('keeps the newest reorder point given (by event_time), the default until one is, and finds SKUs below it', async () => {
    const warehouse = 'WH-HEADROOM';
    const at = (hour: number) => `2024-09-18T${String(hour).padStart(2, '0')}:00:00Z`;
    await applyAll([
      movement('inventory.received', 50, { sku: 'SKU-PLENTY', warehouse_id: warehouse, reorder_point: 20 }),
      movement('inventory.received', 15, {
        sku: 'SKU-LOW',
        warehouse_id: warehouse,
        reorder_point: 20,
        event_time: at(8),
      }),
      movement('inventory.received', 5, { sku: 'SKU-LOWER', warehouse_id: warehouse }),
      // A newer reorder point replaces it; an older one, arriving after it, does not.
      movement('inventory.received', 1, {
        sku: 'SKU-LOW',
        warehouse_id: warehouse,
        reorder_point: 30,
        event_time: at(10),
      }),
      movement('inventory.received', 1, {
        sku: 'SKU-LOW',
        warehouse_id: warehouse,
        reorder_point: 99,
        event_time: at(9),
      }),
      // Without a reorder point the default holds, until a movement gives one.
      movement('inventory.received', 3, {
        sku: 'SKU-LATE-POINT',
        warehouse_id: warehouse,
        event_time: at(6),
      }),
      movement('inventory.received', 3, {
        sku: 'SKU-LATE-POINT',
        warehouse_id: warehouse,
        reorder_point: 7,
        event_time: at(7),
      }),
    ]);

    const below = await stores.documents.send(
      new QueryCommand({
        TableName: stores.tables.stock,
        IndexName: 'by-warehouse-headroom',
        KeyConditionExpression: 'warehouse_id = :w AND headroom < :zero',
        ExpressionAttributeValues: { ':w': warehouse, ':zero': 0 },
      }),
    );

    expect(below.Items?.map((i) => [i.sku, i.headroom, i.reorder_point])).toEqual([
      ['SKU-LOW', -13, 30],
      ['SKU-LOWER', -5, 10],
      ['SKU-LATE-POINT', -1, 7],
    ]);
  });

  test('a crash after the stock update and before the ledger write counts once after the retry', async () => {
    // Prepare: the first ledger write of the batch fails, as if the function died right after step 2.
    const sku = 'SKU-CRASH';
    const logger = new RecordingLogger();
    const transform = createInventoryTransformer({
      settings: settings(),
      documents: stores.documents,
      deadLetter: noDeadLetters,
      logger,
    });
    const records = [
      movement('inventory.received', 10, { sku }),
      movement('inventory.reserved', 4, { sku }),
      movement('inventory.shipped', 3, { sku }),
    ].map((m) => jsonRecord(m, { stream: 'inventory' }));
    const restore = injectFailures(
      stores.documents,
      once(
        (c: SentCommand) =>
          c instanceof BatchWriteCommand &&
          (c.input.RequestItems?.[stores.tables['stock-ledger']] ?? []).some(
            (r) => r.PutRequest?.Item?.event_type === 'inventory.reserved',
          ),
      ),
    );

    // Act
    let first;
    try {
      first = await transform(kinesisEvent(records));
    } finally {
      restore();
    }
    const afterCrash = counts(await stock(sku));
    const retry = await transform(kinesisEvent(records.slice(1)));

    // Assess
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      records.slice(1).map((r) => r.kinesis.sequenceNumber),
    );
    expect(afterCrash).toEqual({ on_hand: 10, reserved: 4, available: 6, headroom: -4 });
    expect(retry.batchItemFailures).toEqual([]);
    expect(counts(await stock(sku))).toEqual({ on_hand: 7, reserved: 1, available: 6, headroom: -4 });
    expect(logger.entries.map((e) => e.message)).toEqual([
      'record failed; the later records of its partition key are skipped, and Lambda retries the batch from the lowest failed record',
    ]);
  });

  test('a hot SKU burst of 500 movements with duplicates and failures keeps exact counts', async () => {
    // Prepare: a deterministic mix of all movement types on one SKU, every 10th movement sent twice.
    const sku = 'SKU-HOT';
    const kinds: [InventoryMovement['event_type'], ('increase' | 'decrease')?][] = [
      ['inventory.received'],
      ['inventory.reserved'],
      ['inventory.shipped'],
      ['inventory.reserved'],
      ['inventory.released'],
      ['inventory.adjusted', 'decrease'],
      ['inventory.received'],
      ['inventory.adjusted', 'increase'],
    ];
    const movements = Array.from({ length: 500 }, (_, i) => {
      const [type, direction] = kinds[i % kinds.length];
      return movement(type, 1 + ((i * 7) % 13), {
        sku,
        event_id: `evt-hot-${String(i).padStart(4, '0')}`,
        ...(direction ? { direction, reason: 'cycle count' } : {}),
      });
    });
    const sent = movements.flatMap((m, i) => (i % 10 === 0 ? [m, m] : [m]));
    const expected = movements.reduce(
      (acc, m) => {
        const d = stockDeltas(m);
        return {
          on_hand: acc.on_hand + d.onHand,
          reserved: acc.reserved + d.reserved,
          available: acc.available + d.available,
        };
      },
      { on_hand: 0, reserved: 0, available: 0 },
    );
    const { outcomes, transform } = collectingTransformer();
    // Fail every 211th call: a movement makes 3 calls (ledger read, stock update, ledger write) and 211
    // is not a multiple of 3, so the failures land on every step in turn, as crashes would.
    const restore = injectFailures(stores.documents, (_c, call) => call % 211 === 0);

    // Act
    let invocations;
    try {
      invocations = await deliver(
        transform,
        kinesisEvent(
          sent.map((m) => jsonRecord(m, { stream: 'inventory', partitionKey: `${sku}#WH-BER-1` })),
        ),
        100,
      );
    } finally {
      restore();
    }

    // Assess
    expect(invocations).toBeGreaterThan(6);
    expect(counts(await stock(sku))).toEqual({
      ...expected,
      headroom: expected.available - DEFAULT_REORDER_POINT,
    });
    const total = outcomes.reduce((n, o) => n + o.applied, 0);
    expect(total).toBe(500);
    for (const o of outcomes) expect(o.applied + o.duplicates + o.rejected + o.failed).toBe(o.received);
  });

  test('an update that fails for another reason is a failure, not a silent duplicate', async () => {
    const restore = injectFailures(
      stores.documents,
      once((c) => c instanceof UpdateCommand),
    );
    const transform = createInventoryTransformer({
      settings: settings(),
      documents: stores.documents,
      deadLetter: noDeadLetters,
      logger: new RecordingLogger(),
    });
    const m = jsonRecord(movement('inventory.received', 1, { sku: 'SKU-UPDATE-FAILS' }), {
      stream: 'inventory',
    });

    let response;
    try {
      response = await transform(kinesisEvent([m]));
    } finally {
      restore();
    }

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: m.kinesis.sequenceNumber }]);
    expect(await stock('SKU-UPDATE-FAILS')).toBeUndefined();
  });
});

describe('the ledger calls of the records in flight are batched', () => {
  /** 40 SKUs × 5 movements, interleaved as a shard delivers them, every 7th movement sent twice. */
  function manySkus(prefix: string) {
    const movements = Array.from({ length: 200 }, (_, i) =>
      movement(i % 3 === 0 ? 'inventory.reserved' : 'inventory.received', 1 + (i % 5), {
        sku: `${prefix}-${String(i % 40).padStart(2, '0')}`,
        event_id: `evt-${prefix}-${String(i).padStart(3, '0')}`,
      }),
    );
    const sent = movements.flatMap((m, i) => (i % 7 === 0 ? [m, m] : [m]));
    const records = sent.map((m) =>
      jsonRecord(m, { stream: 'inventory', partitionKey: `${m.sku}#${m.warehouse_id}` }),
    );
    const expected = new Map<string, { on_hand: number; reserved: number }>();
    for (const m of movements) {
      const d = stockDeltas(m);
      const e = expected.get(m.sku) ?? { on_hand: 0, reserved: 0 };
      expected.set(m.sku, { on_hand: e.on_hand + d.onHand, reserved: e.reserved + d.reserved });
    }
    return { movements, records, expected };
  }

  async function assertStock(expected: Map<string, { on_hand: number; reserved: number }>) {
    for (const [sku, e] of expected) {
      const item = await stock(sku);
      expect([sku, item?.on_hand, item?.reserved, item?.available]).toEqual([
        sku,
        e.on_hand,
        e.reserved,
        e.on_hand - e.reserved,
      ]);
    }
  }

  test('one batch of 229 records of 40 SKUs reads and writes the ledger in a few calls, with exact counts', async () => {
    const { movements, records, expected } = manySkus('SKU-BATCHED');
    const { outcomes, transform } = collectingTransformer();
    const sent: string[] = [];
    const getSizes: number[] = [];
    const restore = injectFailures(stores.documents, (c) => {
      sent.push(c.constructor.name);
      if (c instanceof BatchGetCommand)
        getSizes.push(c.input.RequestItems![stores.tables['stock-ledger']].Keys!.length);
      return false;
    });

    let response;
    try {
      response = await transform(kinesisEvent(records));
    } finally {
      restore();
    }

    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ received: 229, applied: 200, duplicates: 29, failed: 0 });
    await assertStock(expected);
    const calls = (name: string) => sent.filter((n) => n === name).length;
    // One UpdateItem per applied movement. The ledger is read once for the whole batch before any
    // movement is applied (the prefetch: its 200 distinct event ids in two calls of 100 keys), and
    // the copies later in the batch are known from what the batch recorded: no other read. The writes
    // ride along in batches; how many share a call depends on timing.
    expect(calls('UpdateCommand')).toBe(movements.length);
    expect(calls('GetCommand') + calls('PutCommand')).toBe(0);
    expect(getSizes).toEqual([100, 100]);
    expect(calls('BatchWriteCommand')).toBeLessThan(movements.length);
    expect(sent.indexOf('UpdateCommand')).toBeGreaterThan(sent.lastIndexOf('BatchGetCommand'));
  });

  test('a batch replayed after it was applied finds every movement in the prefetched ledger, and writes nothing', async () => {
    const { records, expected } = manySkus('SKU-REPLAYED');
    const { outcomes, transform } = collectingTransformer();
    expect((await transform(kinesisEvent(records))).batchItemFailures).toEqual([]);
    const sent: string[] = [];
    const restore = injectFailures(stores.documents, (c) => {
      sent.push(c.constructor.name);
      return false;
    });
    try {
      expect((await transform(kinesisEvent(records))).batchItemFailures).toEqual([]);
    } finally {
      restore();
    }
    expect(outcomes[1]).toMatchObject({ received: 229, applied: 0, duplicates: 229, failed: 0 });
    expect(sent).toEqual(['BatchGetCommand', 'BatchGetCommand']);
    await assertStock(expected);
  });

  test('a failed prefetch only costs calls: every movement reads the ledger for itself, counts exact', async () => {
    const { movements, records, expected } = manySkus('SKU-NO-PREFETCH');
    const logger = new RecordingLogger();
    const outcomes: BatchOutcome[] = [];
    const transform = createInventoryTransformer({
      settings: settings(),
      documents: stores.documents,
      deadLetter: noDeadLetters,
      logger,
      onBatchOutcome: (o) => {
        outcomes.push(o);
      },
    });
    let getCalls = 0;
    // The two reads of the prefetch fail; the later, per-movement reads go through.
    const restore = injectFailures(stores.documents, (c) => c instanceof BatchGetCommand && ++getCalls <= 2);
    try {
      expect((await transform(kinesisEvent(records))).batchItemFailures).toEqual([]);
    } finally {
      restore();
    }
    expect(outcomes[0]).toMatchObject({
      received: 229,
      applied: movements.length,
      duplicates: 29,
      failed: 0,
    });
    expect(getCalls).toBeGreaterThan(2);
    expect(logger.entries.some((e) => e.level === 'warn' && /prefetch failed/.test(e.message))).toBe(true);
    await assertStock(expected);
  });

  test('a failed batched ledger write fails every movement in it, and the retries leave exact counts', async () => {
    const { movements, records, expected } = manySkus('SKU-BATCH-FAIL');
    const { outcomes, transform } = collectingTransformer();
    // The first ledger write with several items fails, as a crash after their stock updates would.
    const restore = injectFailures(
      stores.documents,
      once((c) => {
        if (!(c instanceof BatchWriteCommand)) return false;
        const items = Object.values(c.input.RequestItems ?? {})[0] ?? [];
        return items.length > 1;
      }),
    );

    let invocations;
    try {
      invocations = await deliver(transform, kinesisEvent(records), 100);
    } finally {
      restore();
    }

    expect(invocations).toBeGreaterThan(3);
    expect(outcomes[0].failed).toBeGreaterThan(1);
    await assertStock(expected);
    // Every record is acknowledged once over the retries (a record after the checkpoint that the first
    // invocation applied counts as failed there and as a duplicate in its retry).
    expect(outcomes.reduce((n, o) => n + o.applied + o.duplicates, 0)).toBe(records.length);
    expect(outcomes.reduce((n, o) => n + o.applied, 0)).toBeLessThanOrEqual(movements.length);
    for (const o of outcomes) expect(o.applied + o.duplicates + o.rejected + o.failed).toBe(o.received);
  });
});

describe('StockLedger', () => {
  /**
   * A client whose first `left` batch calls process all but their last key or item and hand that one
   * back unprocessed, as DynamoDB does when it throttles.
   */
  function throttling(left = 1) {
    const original = stores.documents.send.bind(stores.documents) as (c: unknown) => Promise<unknown>;
    const table = stores.tables['stock-ledger'];
    let throttled = 0;
    const documents = {
      send: async (c: SentCommand) => {
        if (throttled < left && c instanceof BatchGetCommand) {
          throttled += 1;
          const request = c.input.RequestItems![table];
          const keys = request.Keys!;
          const out = (
            keys.length > 1
              ? await original(
                  new BatchGetCommand({ RequestItems: { [table]: { ...request, Keys: keys.slice(0, -1) } } }),
                )
              : {}
          ) as Record<string, unknown>;
          return { ...out, UnprocessedKeys: { [table]: { ...request, Keys: keys.slice(-1) } } };
        }
        if (throttled < left && c instanceof BatchWriteCommand) {
          throttled += 1;
          const items = c.input.RequestItems![table];
          if (items.length > 1) {
            await original(new BatchWriteCommand({ RequestItems: { [table]: items.slice(0, -1) } }));
          }
          return { UnprocessedItems: { [table]: items.slice(-1) } };
        }
        return original(c);
      },
    } as unknown as DynamoDBDocumentClient;
    return documents;
  }
  const noPause = () => Promise.resolve();

  test("answers from a batch's prefetch, and from the table again once the batch is done", async () => {
    const table = stores.tables['stock-ledger'];
    const ledger = new StockLedger({ documents: stores.documents, table, pause: noPause });
    await ledger.record({ event_id: 'evt-prefetch-held' });
    let reads = 0;
    const restore = injectFailures(stores.documents, (c) => {
      if (c instanceof BatchGetCommand) reads += 1;
      return false;
    });
    try {
      const end = await ledger.prefetch(['evt-prefetch-held', 'evt-prefetch-new', 'evt-prefetch-new']);
      expect(reads).toBe(1);
      expect(await ledger.has('evt-prefetch-held')).toBe(true);
      expect(await ledger.has('evt-prefetch-new')).toBe(false);
      await ledger.record({ event_id: 'evt-prefetch-new' });
      expect(await ledger.has('evt-prefetch-new')).toBe(true); // recorded by the batch itself
      expect(reads).toBe(1);
      end();
      expect(await ledger.has('evt-prefetch-new')).toBe(true); // from the table now
      expect(await ledger.has('evt-prefetch-other')).toBe(false);
      expect(reads).toBe(3);
    } finally {
      restore();
    }
  });

  test('sends unprocessed items and keys again until done', async () => {
    const writer = new StockLedger({
      documents: throttling(),
      table: stores.tables['stock-ledger'],
      pause: noPause,
    });
    const ids = Array.from({ length: 30 }, (_, i) => `evt-ledger-unprocessed-${i}`);

    await Promise.all(ids.slice(0, 20).map((event_id) => writer.record({ event_id, sku: 'S' })));
    const reader = new StockLedger({
      documents: throttling(),
      table: stores.tables['stock-ledger'],
      pause: noPause,
    });
    const seen = await Promise.all(ids.map((id) => reader.has(id)));

    expect(seen).toEqual(ids.map((_, i) => i < 20));
  });

  test('fails the movements whose keys stay unprocessed, and asks for a key listed twice once', async () => {
    const ledger = new StockLedger({
      documents: throttling(100),
      table: stores.tables['stock-ledger'],
      pause: noPause,
    });

    const results = await Promise.allSettled([ledger.has('evt-a'), ledger.has('evt-a'), ledger.has('evt-b')]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(results[2]).toMatchObject({
      reason: {
        name: 'LedgerUnprocessedError',
        message: expect.stringContaining('BatchGetItem left 1 ledger key(s) unprocessed'),
      },
    });
  });
});

describe('stockCrossings', () => {
  const d = (onHand: number, reserved: number) => ({ onHand, reserved, available: onHand - reserved });

  test.each([
    [
      'available falls from the reorder point to below it',
      { onHand: 9, available: 9, headroom: -1 },
      d(-1, 0),
      { lowStock: true, outOfStock: false, negativeStock: false },
    ],
    [
      'available stays below the reorder point',
      { onHand: 8, available: 8, headroom: -2 },
      d(-1, 0),
      { lowStock: false, outOfStock: false, negativeStock: false },
    ],
    [
      'a reservation takes the last units',
      { onHand: 5, available: 0, headroom: -10 },
      d(0, 5),
      { lowStock: false, outOfStock: true, negativeStock: false },
    ],
    [
      'one movement crosses the reorder point and zero',
      { onHand: 0, available: 0, headroom: -10 },
      d(-12, 0),
      { lowStock: true, outOfStock: true, negativeStock: false },
    ],
    [
      'a shipment before its receipt takes on_hand below zero',
      { onHand: -2, available: 0, headroom: -10 },
      d(-2, -2),
      { lowStock: false, outOfStock: false, negativeStock: true },
    ],
    [
      'on_hand already negative goes further down',
      { onHand: -5, available: -3, headroom: -13 },
      d(-3, 0),
      { lowStock: false, outOfStock: false, negativeStock: false },
    ],
    [
      'a receipt lifts stock: no crossing downward',
      { onHand: 30, available: 30, headroom: 20 },
      d(30, 0),
      { lowStock: false, outOfStock: false, negativeStock: false },
    ],
  ] as const)('%s', (_name, after, deltas, expected) => {
    expect(stockCrossings(after, deltas)).toEqual(expected);
  });
});

describe('business metrics: low, out-of and negative stock events', () => {
  test('each crossing counts once, on the movement that makes it; duplicates add nothing', async () => {
    const sku = 'SKU-BIZ-CROSSINGS';
    const moves = [
      movement('inventory.received', 20, { sku }), // available 20, headroom 10
      movement('inventory.reserved', 12, { sku }), // available 8: below the reorder point of 10
      movement('inventory.reserved', 5, { sku }), // available 3: still low, no new event
      movement('inventory.reserved', 3, { sku }), // available 0: out of stock
      movement('inventory.received', 40, { sku }), // available 40: back above both
      movement('inventory.adjusted', 45, { sku, direction: 'decrease' }), // on_hand 15, available -5: low and out
    ];
    const business = recorder();

    const outcomes = await applyAll([...moves, moves[1], moves[3], { ...moves[5] }], business);

    expect(outcomes).toEqual([...moves.map(() => 'applied'), 'duplicate', 'duplicate', 'duplicate']);
    expect(business.sums).toEqual({ low_stock_events: 2, out_of_stock_events: 2 });
    expect(counts(await stock(sku))).toEqual({ on_hand: 15, reserved: 20, available: -5, headroom: -15 });
  });

  test('a SKU whose on_hand would go negative keeps the fact and counts each fall below zero once', async () => {
    const sku = 'SKU-BIZ-NEGATIVE';
    const business = recorder();

    await applyAll(
      [
        movement('inventory.shipped', 2, { sku }), // shipped before its receipt: on_hand -2
        movement('inventory.shipped', 1, { sku }), // further below: not a new crossing
        movement('inventory.received', 10, { sku }), // on_hand 7
        movement('inventory.adjusted', 9, { sku, direction: 'decrease' }), // on_hand -2 again
      ],
      business,
    );

    expect(business.sums.negative_stock_events).toBe(2);
    expect((await stock(sku))?.on_hand).toBe(-2);
  });

  test('under crashes, retries and duplicates, the published events equal the crossings of one pass', async () => {
    // Prepare: a SKU that sinks below its reorder point and zero and is replenished, over and over.
    const sku = 'SKU-BIZ-HOT';
    const cycle: [InventoryMovement['event_type'], number, ('increase' | 'decrease')?][] = [
      // Net zero per cycle; available goes 25, 16, 7 (low), 7, -1 (out), 5, 5, 0 (out).
      ['inventory.received', 25],
      ['inventory.reserved', 9],
      ['inventory.reserved', 9],
      ['inventory.shipped', 12],
      ['inventory.reserved', 8],
      ['inventory.released', 6],
      ['inventory.shipped', 8],
      ['inventory.adjusted', 5, 'decrease'],
    ];
    const movements = Array.from({ length: 240 }, (_, i) => {
      const [type, quantity, direction] = cycle[i % cycle.length];
      return movement(type, quantity, {
        sku,
        event_id: `evt-biz-hot-${String(i).padStart(4, '0')}`,
        ...(direction ? { direction, reason: 'cycle count' } : {}),
      });
    });
    const sent = movements.flatMap((m, i) => (i % 7 === 0 ? [m, m] : [m]));
    // The crossings of one sequential pass, from the same arithmetic the stock table does.
    const expected = { low_stock_events: 0, out_of_stock_events: 0, negative_stock_events: 0 };
    let level = { onHand: 0, available: 0, headroom: -DEFAULT_REORDER_POINT };
    for (const m of movements) {
      const delta = stockDeltas(m);
      level = {
        onHand: level.onHand + delta.onHand,
        available: level.available + delta.available,
        headroom: level.headroom + delta.available,
      };
      const crossed = stockCrossings(level, delta);
      expected.low_stock_events += crossed.lowStock ? 1 : 0;
      expected.out_of_stock_events += crossed.outOfStock ? 1 : 0;
      expected.negative_stock_events += crossed.negativeStock ? 1 : 0;
    }
    const { outcomes, transform } = collectingTransformer();
    // Every 97th call fails (a movement makes 3 calls), so crashes hit each step in turn.
    const restore = injectFailures(stores.documents, (_c, call) => call % 97 === 0);

    // Act
    try {
      await deliver(
        transform,
        kinesisEvent(
          sent.map((m) => jsonRecord(m, { stream: 'inventory', partitionKey: `${sku}#WH-BER-1` })),
        ),
        50,
      );
    } finally {
      restore();
    }

    // Assess
    const published = { low_stock_events: 0, out_of_stock_events: 0, negative_stock_events: 0 };
    for (const o of outcomes) {
      for (const name of Object.keys(published) as (keyof typeof published)[]) {
        expect(o.business[name]).toBeDefined();
        published[name] += o.business[name] ?? 0;
      }
    }
    expect(expected).toMatchObject({ low_stock_events: 30, out_of_stock_events: 60 });
    expect(outcomes.some((o) => o.failed > 0)).toBe(true);
    expect(published).toEqual(expected);
  });
});
