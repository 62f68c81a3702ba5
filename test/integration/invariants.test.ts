/**
 * The three invariants of the ingestion path, each proven end to end through the twin:
 *
 * 1. A replayed batch (the same events put again) changes nothing in any table.
 * 2. A failure between any two DynamoDB calls, followed by the mapping's retry, loses nothing and
 *    counts nothing twice: for every N, the Nth call of a mixed batch fails once (either before it
 *    reaches DynamoDB, or after DynamoDB applied it but before the answer came back), and the final
 *    tables equal those of a clean run.
 * 3. A bad record never blocks its shard, and is dead-lettered with a reason.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { STREAM_IDS, StreamId } from '../../lib/streams/stream-definitions';
import { Emulators, startEmulators } from '../../twin/emulators';
import { LocalTwin, rawRecord } from '../../twin/local-twin';
import {
  FIXED_CLOCK,
  Workload,
  interaction,
  mixedWorkload,
  movement,
  newOrderId,
  newSku,
  orderCreated,
  putWorkload,
  snapshotTables,
  twinOn,
} from './fixtures';

let emulators: Emulators;

beforeAll(async () => {
  emulators = await startEmulators();
});

afterAll(async () => {
  await emulators.stop();
});

describe('invariant 1: a replayed batch changes nothing in any table', () => {
  test('putting the same events again leaves every table as it was', async () => {
    // Prepare: the real clock, so that a replay that rewrote even a timestamp would show.
    const twin = await twinOn(emulators);
    try {
      const workload = mixedWorkload();
      const valid = STREAM_IDS.reduce((n, s) => n + workload[s].length, 0);
      await putWorkload(twin, workload);
      await twin.putEvents('orders', [rawRecord('{"not": "closed"')]);
      await twin.drain();
      const first = await snapshotTables(twin);
      const before = await twin.summary();
      // Act
      await putWorkload(twin, workload);
      await twin.drain();
      // Assess
      expect(await snapshotTables(twin)).toEqual(first);
      const after = await twin.summary();
      const processed = (s: typeof after) =>
        STREAM_IDS.reduce((n, id) => n + s.streams[id].applied + s.streams[id].duplicates, 0);
      expect(processed(after) - processed(before)).toBe(valid);
      for (const id of STREAM_IDS) expect(after.streams[id].reconciled).toBe(true);
    } finally {
      await twin.stop({ removeRoot: true });
    }
  });
});

type FaultMode = 'before' | 'after';

/** Counts the DynamoDB calls of a document client and fails the Nth one once. */
/** The DynamoDB commands that only read. */
const READS = new Set(['GetCommand', 'BatchGetCommand', 'QueryCommand']);

class FaultInjector {
  calls = 0;
  /** The fault was thrown. */
  injected = false;
  /** In 'after' mode, the Nth call failed by itself (a failed condition): it never landed, nothing to inject. */
  failedByItself = false;
  /**
   * The fault hit a read made before the batch's first write: the inventory transformer's ledger
   * prefetch, which is advisory (each movement then reads for itself), so the batch needs no retry.
   */
  advisoryRead = false;
  private writes = 0;

  constructor(
    private readonly failAt: number,
    private readonly mode: FaultMode,
  ) {}

  wrap = (documents: DynamoDBDocumentClient): DynamoDBDocumentClient => {
    const send = documents.send.bind(documents) as (command: unknown) => Promise<unknown>;
    const faulty = async (command: unknown): Promise<unknown> => {
      this.calls += 1;
      const n = this.calls;
      if (n === this.failAt && this.mode === 'before') throw this.fault(n, command);
      if (!READS.has((command as { constructor: { name: string } }).constructor.name)) this.writes += 1;
      let out: unknown;
      try {
        out = await send(command);
      } catch (err) {
        if (n === this.failAt) this.failedByItself = true;
        throw err;
      }
      if (n === this.failAt && this.mode === 'after') throw this.fault(n, command);
      return out;
    };
    (documents as unknown as { send: typeof faulty }).send = faulty;
    return documents;
  };

  private fault(n: number, command: unknown): Error {
    this.injected = true;
    const name = (command as { constructor: { name: string } }).constructor.name;
    this.advisoryRead = name === 'BatchGetCommand' && this.writes === 0;
    const e = new Error(`injected fault on DynamoDB call ${n} (${name}, ${this.mode} it reached DynamoDB)`);
    e.name = 'InjectedFault';
    return e;
  }
}

/** One stream's part of a mixed workload, with one bad record in the middle. */
function streamBatch(stream: StreamId, workload: Workload): object[] {
  const events = workload[stream];
  const middle = Math.floor(events.length / 2);
  return [...events.slice(0, middle), rawRecord(`{"bad record on ${stream}"`), ...events.slice(middle)];
}

async function runStream(stream: StreamId, batch: object[], injector?: FaultInjector) {
  const twin = await twinOn(emulators, {
    shardCount: 1,
    clock: FIXED_CLOCK,
    ...(injector ? { wrapDocuments: injector.wrap } : {}),
  });
  try {
    await twin.putEvents(stream, batch);
    await twin.drain();
    return {
      tables: await snapshotTables(twin),
      summary: await twin.summary(),
      deadLetters: await twin.deadLetters(stream),
    };
  } finally {
    await twin.stop({ removeRoot: true });
  }
}

describe('invariant 2: a failure between any two writes, then the retry, loses nothing and counts nothing twice', () => {
  const workload = mixedWorkload();

  test.each(STREAM_IDS)(
    '%s: every DynamoDB call of the batch, failing once, before or after it lands',
    async (stream) => {
      // Prepare: a clean run, counting the calls.
      const batch = streamBatch(stream, workload);
      const counter = new FaultInjector(0, 'before');
      const clean = await runStream(stream, batch, counter);
      const calls = counter.calls;
      expect(calls).toBeGreaterThan(workload[stream].length);
      expect(clean.summary.streams[stream]).toMatchObject({
        rejected: 1,
        failedBatchRecords: 0,
        reconciled: true,
      });
      for (const mode of ['before', 'after'] as const) {
        for (let n = 1; n <= calls; n++) {
          // Act
          const injector = new FaultInjector(n, mode);
          const run = await runStream(stream, batch, injector);
          // Assess
          const where = `${stream}: call ${n} of ${calls} failing ${mode} it lands`;
          expect({ where, exercised: injector.injected || injector.failedByItself }).toEqual({
            where,
            exercised: true,
          });
          expect({ where, tables: run.tables }).toEqual({ where, tables: clean.tables });
          const s = run.summary.streams[stream];
          expect({
            where,
            retried: s.poller.retries > 0,
            reconciled: s.reconciled,
            failedBatches: s.failedBatchRecords,
          }).toEqual({
            where,
            retried: injector.injected && !injector.advisoryRead,
            reconciled: true,
            failedBatches: 0,
          });
          expect({ where, rejected: s.rejected, deadLetters: run.deadLetters.length }).toEqual({
            where,
            rejected: 1,
            deadLetters: 1,
          });
        }
      }
    },
  );
});

describe('invariant 3: a bad record never blocks its shard and is dead-lettered with a reason', () => {
  test('bad records interleaved with good ones on one partition key: every good one applied, no retry', async () => {
    // Prepare
    const twin: LocalTwin = await twinOn(emulators, { shardCount: 1 });
    try {
      const sku = newSku();
      const goods = [1, 2, 3, 4, 5].map((q) => movement('inventory.received', sku, q));
      const bads = [
        rawRecord('{"event_type": "inventory.received", "sku": '),
        movement('inventory.received', sku, -1),
        movement('inventory.received', sku, 1, { schema_version: 9 }),
        orderCreated(newOrderId()),
        interaction('sess-wrong-stream'),
      ];
      const interleaved = goods.flatMap((g, i) => [bads[i], g]);
      // Act
      await twin.putEvents('inventory', interleaved, { partitionKey: `${sku}#WH-BER-1` });
      await twin.drain();
      // Assess
      const stock = await twin.documents.send(
        new GetCommand({ TableName: twin.tables.stock, Key: { sku, warehouse_id: 'WH-BER-1' } }),
      );
      expect(stock.Item).toMatchObject({ on_hand: 15 });
      const rejected = await twin.deadLetters('inventory');
      expect(rejected.map((r) => r.code).sort()).toEqual(
        [
          'CONTRACT_VIOLATION',
          'MALFORMED_JSON',
          'UNSUPPORTED_SCHEMA_VERSION',
          'WRONG_STREAM',
          'WRONG_STREAM',
        ].sort(),
      );
      for (const r of rejected) expect(r.message).toMatch(/\S.{15,}/);
      expect(twin.pollers.inventory.stats()).toMatchObject({
        retries: 0,
        recordsToOnFailure: 0,
        recordsSucceeded: 10,
      });
    } finally {
      await twin.stop({ removeRoot: true });
    }
  });
});
