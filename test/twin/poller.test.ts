/**
 * The local event source mapping, driven with a toy handler against kinesalite: batch size, the shape of
 * events and contexts, partial batch responses, bisection, the retry cap, the on-failure destination and
 * the maximum record age.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { Emulators, startEmulators } from '../../twin/emulators';
import {
  EventSourceSettings,
  FolderOnFailureDestination,
  KinesisHandler,
  KinesisPoller,
  MemoryOnFailureDestination,
  OnFailureDestination,
  eventSourceSettingsOf,
} from '../../twin/poller';
import { ENVIRONMENTS } from '../../lib/config/environments';

let emulators: Emulators;
let streamCounter = 0;

beforeAll(async () => {
  emulators = await startEmulators();
});

afterAll(async () => {
  await emulators.stop();
});

/** Creates a fresh stream and returns its name. */
async function newStream(shards = 1): Promise<string> {
  streamCounter += 1;
  const name = `poller-test-${streamCounter}`;
  await emulators.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (;;) {
    const d = await emulators.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return name;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Puts toy records `{ n }` for each n, all with one partition key (so one shard, in order). */
async function putToy(stream: string, ns: number[], partitionKey = 'toy'): Promise<string[]> {
  const out = await emulators.kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: ns.map((n) => ({ Data: Buffer.from(JSON.stringify({ n })), PartitionKey: `${partitionKey}` })),
    }),
  );
  expect(out.FailedRecordCount ?? 0).toBe(0);
  return (out.Records ?? []).map((r) => r.SequenceNumber!);
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const decode = (data: string) =>
  (JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { n: number }).n;

/** A handler that records what it sees and answers with `answer` (throw to fail). */
function toyHandler(answer: (ns: number[], event: KinesisStreamEvent) => KinesisStreamBatchResponse | void) {
  const batches: number[][] = [];
  const handler: KinesisHandler = async (event) => {
    const ns = event.Records.map((r) => decode(r.kinesis.data));
    batches.push(ns);
    return answer(ns, event);
  };
  return { batches, handler };
}

const BASE: EventSourceSettings = {
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 3600,
  timeoutSeconds: 30,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
};

function poller(
  stream: string,
  handler: KinesisHandler,
  settings: Partial<EventSourceSettings> = {},
  extra: { now?: () => number; onFailure?: OnFailureDestination } = {},
) {
  const onFailure = new MemoryOnFailureDestination();
  const p = new KinesisPoller({
    kinesis: emulators.kinesis,
    streamName: stream,
    handler,
    settings: { ...BASE, ...settings },
    onFailure: extra.onFailure ?? onFailure,
    now: extra.now,
  });
  return { p, onFailure };
}

describe('batching and event shape', () => {
  test('batches hold at most batchSize records, in sequence order', async () => {
    // Prepare
    const stream = await newStream();
    await putToy(stream, range(0, 25));
    const { batches, handler } = toyHandler(() => undefined);
    const { p } = poller(stream, handler, { batchSize: 10 });
    // Act
    await p.drain();
    // Assess
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(range(0, 25));
    expect(p.stats()).toMatchObject({
      batches: 3,
      invocations: 3,
      retries: 0,
      recordsRead: 25,
      recordsSucceeded: 25,
    });
  });

  test('events and contexts have the shape Lambda gives them', async () => {
    // Prepare
    const stream = await newStream();
    const [seq] = await putToy(stream, [7], 'pk-7');
    let seen: { event: KinesisStreamEvent; context: Context; remaining: number } | undefined;
    const handler: KinesisHandler = async (event, context) => {
      seen = { event, context, remaining: context.getRemainingTimeInMillis() };
    };
    const { p } = poller(stream, handler, { timeoutSeconds: 60 });
    // Act
    await p.drain();
    // Assess
    const r = seen!.event.Records[0];
    expect(r).toMatchObject({
      eventSource: 'aws:kinesis',
      eventName: 'aws:kinesis:record',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${seq}`,
      eventSourceARN: expect.stringMatching(new RegExp(`^arn:aws:kinesis:[a-z0-9-]+:\\d+:stream/${stream}$`)),
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'pk-7', sequenceNumber: seq },
    });
    expect(decode(r.kinesis.data)).toBe(7);
    expect(Math.abs(r.kinesis.approximateArrivalTimestamp * 1000 - Date.now())).toBeLessThan(60_000);
    expect(seen!.context.functionName).toBe(`${stream}-transformer`);
    expect(seen!.context.invokedFunctionArn).toMatch(/^arn:aws:lambda:.+:function:/);
    expect(seen!.context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen!.remaining).toBeGreaterThan(50_000);
    expect(seen!.remaining).toBeLessThanOrEqual(60_000);
  });

  test('the settings of the deployed mapping are those of the environment config', () => {
    // Prepare
    const t = ENVIRONMENTS.dev.transformer;
    // Act
    const s = eventSourceSettingsOf(t);
    // Assess
    expect(s).toMatchObject({
      batchSize: t.batchSize,
      retryAttempts: t.retryAttempts,
      maxRecordAgeSeconds: t.maxRecordAgeSeconds,
      parallelizationFactor: t.parallelizationFactor,
      timeoutSeconds: t.timeoutSeconds,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
    });
  });

  test('every shard is drained, each in its own order', async () => {
    // Prepare
    const stream = await newStream(2);
    for (const key of ['a', 'b', 'c', 'd']) await putToy(stream, range(0, 5), key);
    const seenByShard = new Map<string, string[]>();
    const handler: KinesisHandler = async (event) => {
      for (const r of event.Records) {
        const shard = r.eventID.split(':')[0];
        seenByShard.set(shard, [...(seenByShard.get(shard) ?? []), r.kinesis.sequenceNumber]);
      }
    };
    const { p } = poller(stream, handler);
    // Act
    await p.drain();
    // Assess
    const all = [...seenByShard.values()].flat();
    expect(all).toHaveLength(20);
    for (const seqs of seenByShard.values()) {
      expect([...seqs].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1))).toEqual(seqs);
    }
  });
});

describe('polling modes', () => {
  test('a drain requested while a pass runs still catches what was put after that pass began', async () => {
    // Prepare
    const stream = await newStream();
    await putToy(stream, range(0, 3));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    const handler: KinesisHandler = async (event) => {
      await gate;
      seen.push(...event.Records.map((r) => decode(r.kinesis.data)));
    };
    const { p } = poller(stream, handler);
    // Act
    const first = p.drain();
    await new Promise((r) => setTimeout(r, 50));
    await putToy(stream, range(3, 6));
    const second = p.drain();
    release();
    await Promise.all([first, second]);
    // Assess
    expect(seen).toEqual(range(0, 6));
  });

  test('start() polls in the background until stop()', async () => {
    // Prepare
    const stream = await newStream();
    const { batches, handler } = toyHandler(() => undefined);
    const { p } = poller(stream, handler);
    p.start(5);
    // Act
    await putToy(stream, range(0, 4));
    for (let i = 0; i < 200 && p.stats().recordsSucceeded < 4; i++)
      await new Promise((r) => setTimeout(r, 10));
    await p.stop();
    // Assess
    expect(batches.flat()).toEqual(range(0, 4));
  });
});

describe('partial batch response', () => {
  test('the checkpoint moves to just before the lowest failed record, and the rest is redelivered', async () => {
    // Prepare
    const stream = await newStream();
    const seqs = await putToy(stream, range(0, 10));
    let first = true;
    const { batches, handler } = toyHandler(() => {
      if (!first) return { batchItemFailures: [] };
      first = false;
      // Two failures: the lowest (n=3) wins.
      return { batchItemFailures: [{ itemIdentifier: seqs[6] }, { itemIdentifier: seqs[3] }] };
    });
    const { p, onFailure } = poller(stream, handler);
    // Act
    await p.drain();
    // Assess
    expect(batches).toEqual([range(0, 10), range(3, 10)]);
    expect(onFailure.records).toHaveLength(0);
    expect(p.stats()).toMatchObject({ invocations: 2, retries: 1, partialFailures: 1, recordsSucceeded: 10 });
  });

  test.each([
    ['an empty itemIdentifier', ''],
    ['an itemIdentifier not in the batch', '12345'],
  ])('%s fails the whole batch', async (_label, itemIdentifier) => {
    // Prepare
    const stream = await newStream();
    await putToy(stream, range(0, 4));
    let first = true;
    const { batches, handler } = toyHandler(() => {
      if (!first) return undefined;
      first = false;
      return { batchItemFailures: [{ itemIdentifier }] };
    });
    const { p } = poller(stream, handler, { bisectBatchOnError: false });
    // Act
    await p.drain();
    // Assess
    expect(batches).toEqual([range(0, 4), range(0, 4)]);
    expect(p.stats()).toMatchObject({ functionErrors: 1, retries: 1, recordsSucceeded: 4 });
  });

  test('an empty or absent batchItemFailures is success', async () => {
    // Prepare
    const stream = await newStream();
    await putToy(stream, range(0, 6));
    let calls = 0;
    const { batches, handler } = toyHandler(() => {
      calls += 1;
      return calls === 1 ? { batchItemFailures: [] } : ({} as KinesisStreamBatchResponse);
    });
    const { p } = poller(stream, handler, { batchSize: 3 });
    // Act
    await p.drain();
    // Assess
    expect(batches).toEqual([range(0, 3), range(3, 6)]);
    expect(p.stats().retries).toBe(0);
  });

  test('a record that keeps failing is retried up to the cap, then discarded; the shard moves on', async () => {
    // Prepare
    const stream = await newStream();
    const seqs = await putToy(stream, range(0, 10));
    const { batches, handler } = toyHandler((ns, event) => {
      const bad = event.Records.find((r) => decode(r.kinesis.data) === 4);
      return bad && ns.includes(4)
        ? { batchItemFailures: [{ itemIdentifier: bad.kinesis.sequenceNumber }] }
        : undefined;
    });
    const { p, onFailure } = poller(stream, handler, { retryAttempts: 2 });
    // Act
    await p.drain();
    // Assess
    expect(batches).toEqual([range(0, 10), range(4, 10), range(4, 10)]);
    expect(onFailure.records).toHaveLength(1);
    expect(onFailure.records[0].requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
    expect(onFailure.records[0].KinesisBatchInfo).toMatchObject({
      startSequenceNumber: seqs[4],
      endSequenceNumber: seqs[9],
      batchSize: 6,
    });
    expect(p.stats()).toMatchObject({ recordsSucceeded: 4, recordsToOnFailure: 6 });
  });
});

describe('function errors', () => {
  test('bisection isolates one poison record; every other record is processed once', async () => {
    // Prepare
    const stream = await newStream();
    const seqs = await putToy(stream, range(0, 16));
    const processed: number[] = [];
    const { handler } = toyHandler((ns) => {
      if (ns.includes(5)) throw new Error('poison record 5');
      processed.push(...ns);
    });
    const { p, onFailure } = poller(stream, handler, { batchSize: 16, retryAttempts: 2 });
    // Act
    await p.drain();
    // Assess
    expect(processed.sort((a, b) => a - b)).toEqual(range(0, 16).filter((n) => n !== 5));
    expect(onFailure.records).toHaveLength(1);
    expect(onFailure.records[0].KinesisBatchInfo).toMatchObject({
      startSequenceNumber: seqs[5],
      endSequenceNumber: seqs[5],
      batchSize: 1,
    });
    expect(onFailure.records[0].requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(onFailure.records[0].lastError).toContain('poison record 5');
    // 16 -> 8 -> 4 -> 2 -> 1: four splits, none of which consumes the retry quota.
    expect(p.stats()).toMatchObject({
      bisections: 4,
      retries: 2,
      recordsSucceeded: 15,
      recordsToOnFailure: 1,
    });
  });

  test('without bisection, a failing batch is retried retryAttempts times, then goes to the folder destination', async () => {
    // Prepare
    const stream = await newStream();
    const seqs = await putToy(stream, range(0, 5));
    const root = await mkdtemp(join(tmpdir(), 'poller-'));
    const destination = new FolderOnFailureDestination(root, 'toy');
    const { batches, handler } = toyHandler(() => {
      throw new Error('downstream unavailable');
    });
    const { p } = poller(
      stream,
      handler,
      { retryAttempts: 3, bisectBatchOnError: false },
      { onFailure: destination },
    );
    try {
      // Act
      await p.drain();
      // Assess
      expect(batches).toHaveLength(4);
      const files = await readdir(join(root, 'stream=toy'));
      expect(files).toEqual([`shardId-000000000000-${seqs[0]}-RetryAttemptsExhausted.json`]);
      const record = JSON.parse(await readFile(join(root, 'stream=toy', files[0]), 'utf8'));
      expect(record).toMatchObject({
        version: '1.0',
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
        responseContext: { functionError: 'Unhandled' },
        KinesisBatchInfo: {
          shardId: 'shardId-000000000000',
          startSequenceNumber: seqs[0],
          endSequenceNumber: seqs[4],
          batchSize: 5,
          streamArn: expect.stringContaining(`stream/${stream}`),
        },
      });
      expect(record.payload.Records).toHaveLength(5);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('a discarded batch does not block the records after it', async () => {
    // Prepare
    const stream = await newStream();
    await putToy(stream, range(0, 3));
    const { handler } = toyHandler((ns) => {
      if (ns.includes(1)) throw new Error('bad');
    });
    const { p } = poller(stream, handler, { retryAttempts: 0, bisectBatchOnError: false, batchSize: 3 });
    await p.drain();
    await putToy(stream, range(3, 6));
    // Act
    await p.drain();
    // Assess
    expect(p.stats()).toMatchObject({ recordsToOnFailure: 3, recordsSucceeded: 3, recordsRead: 6 });
  });

  test('an invocation that outlives the timeout is a function error', async () => {
    // Prepare
    const stream = await newStream();
    await putToy(stream, [1]);
    let calls = 0;
    const handler: KinesisHandler = async () => {
      calls += 1;
      if (calls === 1) await new Promise((r) => setTimeout(r, 300));
    };
    const { p } = poller(stream, handler, { timeoutSeconds: 0.05 });
    // Act
    await p.drain();
    // Assess
    expect(calls).toBe(2);
    expect(p.stats()).toMatchObject({ functionErrors: 1, retries: 1, recordsSucceeded: 1 });
  });
});

describe('maximum record age', () => {
  test('records older than maxRecordAgeSeconds are not delivered but sent to the on-failure destination', async () => {
    // Prepare
    const stream = await newStream();
    const oldSeqs = await putToy(stream, range(0, 3));
    await new Promise((r) => setTimeout(r, 300));
    const putNewAt = Date.now();
    await putToy(stream, range(3, 6));
    const maxAge = 60;
    // A clock at which the new records are just young enough and the old ones too old.
    const now = () => putNewAt + maxAge * 1000 - 100;
    const { batches, handler } = toyHandler(() => undefined);
    const { p, onFailure } = poller(stream, handler, { maxRecordAgeSeconds: maxAge }, { now });
    // Act
    await p.drain();
    // Assess
    expect(batches).toEqual([range(3, 6)]);
    expect(onFailure.records).toHaveLength(1);
    expect(onFailure.records[0].requestContext).toMatchObject({
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 0,
    });
    expect(onFailure.records[0].KinesisBatchInfo).toMatchObject({
      startSequenceNumber: oldSeqs[0],
      endSequenceNumber: oldSeqs[2],
      batchSize: 3,
    });
    expect(p.stats()).toMatchObject({ recordsToOnFailure: 3, recordsSucceeded: 3 });
  });
});
