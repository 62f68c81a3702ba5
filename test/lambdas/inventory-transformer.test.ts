import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { KinesisStreamEvent } from 'aws-lambda';
import type { InventoryMovement } from '../../contracts/generated/types';
import {
  createInventoryTransformer,
  inventoryApplier,
} from '../../lambdas/inventory-transformer/transformer';
import { DEFAULT_REORDER_POINT, stockDeltas } from '../../lambdas/inventory-transformer/stock-deltas';
import type { BatchOutcome, KinesisTransformer } from '../../lambdas/shared/kinesis-transformer';
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

async function applyAll(events: InventoryMovement[]): Promise<string[]> {
  const apply = inventoryApplier({ settings: settings(), documents: stores.documents });
  const outcomes: string[] = [];
  for (const e of events) {
    const prepared = prepareRecord(jsonRecord(e, { stream: 'inventory' }), settings());
    if (!prepared.ok) throw new Error(prepared.rejection.message);
    outcomes.push(await apply(prepared.normalized));
  }
  return outcomes;
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

  test('takes the reorder point from the first movement and finds SKUs below it', async () => {
    const warehouse = 'WH-HEADROOM';
    await applyAll([
      movement('inventory.received', 50, { sku: 'SKU-PLENTY', warehouse_id: warehouse, reorder_point: 20 }),
      movement('inventory.received', 15, { sku: 'SKU-LOW', warehouse_id: warehouse, reorder_point: 20 }),
      movement('inventory.received', 5, { sku: 'SKU-LOWER', warehouse_id: warehouse }),
      movement('inventory.received', 1, { sku: 'SKU-LOW', warehouse_id: warehouse, reorder_point: 99 }),
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
      ['SKU-LOWER', -5, 10],
      ['SKU-LOW', -4, 20],
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
          c instanceof PutCommand &&
          c.input.TableName === stores.tables['stock-ledger'] &&
          (c.input.Item as { event_type?: string }).event_type === 'inventory.reserved',
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
