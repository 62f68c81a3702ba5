/**
 * End-to-end ingestion benchmark through the local twin: PutRecords into kinesalite, the local event
 * source mappings driving the real transformers (writing to dynalite and dead-lettering to the lake
 * folder), and the lake writer (the Firehose stand-in). Stages run one after the other so each gets
 * its own rate; the end-to-end rate is records over the sum of the stages.
 *
 *   npx tsx bench/ingest-e2e-bench.ts [--events 50000] [--bad-share 0] [--shards 2] [--seed 42]
 *
 * Everything runs in one Node process (emulators included), so the numbers measure the twin on this
 * machine, not AWS: see docs/benchmarks.md for what bounds them.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STREAM_IDS, StreamId } from '../lib/streams/stream-definitions';
import { RawRecord, startLocalTwin } from '../twin/local-twin';
import { GeneratedItem, expectedItemsPerDay, generateEvents, itemBytes, volumesAt } from '../generator';
import { formatCount, formatTable, numberOption } from '../generator/terminal';

/** Options of the benchmark. */
export interface IngestBenchOptions {
  readonly events: number;
  readonly badShare: number;
  readonly shards: number;
  readonly seed: number;
}

/** One stage's measurement. */
export interface StageMeasurement {
  readonly stage: string;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** DynamoDB calls per record, where the stage makes them. */
  readonly dynamoCallsPerRecord?: number;
}

/** The benchmark's result. */
export interface IngestBenchResult {
  readonly records: number;
  readonly perStream: Record<StreamId, number>;
  readonly startupSeconds: number;
  readonly stages: readonly StageMeasurement[];
  readonly endToEndRecordsPerSecond: number;
  readonly peakRssMiB: number;
  readonly reconciled: boolean;
}

function generate(options: IngestBenchOptions): Record<StreamId, GeneratedItem[]> {
  const perDay = expectedItemsPerDay(volumesAt(1));
  const scale = Math.min(1, (options.events / (perDay.orders + perDay.inventory + perDay.clickstream)) * 1.4);
  const out = Object.fromEntries(STREAM_IDS.map((s) => [s, [] as GeneratedItem[]])) as Record<
    StreamId,
    GeneratedItem[]
  >;
  let n = 0;
  for (const item of generateEvents({ scale, seed: options.seed, days: 1, badShare: options.badShare })) {
    out[item.stream].push(item);
    if (++n >= options.events) break;
  }
  return out;
}

/** Runs the benchmark. */
export async function runIngestBench(options: IngestBenchOptions, root: string): Promise<IngestBenchResult> {
  const items = generate(options);
  const records = STREAM_IDS.reduce((n, s) => n + items[s].length, 0);
  const rawData = new Set<string>();
  for (const s of STREAM_IDS) {
    for (const i of items[s])
      if (i.payload.kind === 'raw') rawData.add(Buffer.from(i.payload.bytes).toString('base64'));
  }
  let dynamoCalls = 0;
  const countCalls = (documents: DynamoDBDocumentClient): DynamoDBDocumentClient => {
    const send = documents.send.bind(documents) as (...args: unknown[]) => Promise<unknown>;
    (documents as unknown as { send: (...args: unknown[]) => Promise<unknown> }).send = (
      ...args: unknown[]
    ) => {
      dynamoCalls++;
      return send(...args);
    };
    return documents;
  };

  await rm(root, { recursive: true, force: true });
  const t0 = Date.now();
  const twin = await startLocalTwin({
    root,
    shardCount: options.shards,
    wrapDocuments: countCalls,
    interceptRecord: (_s: StreamId, r: KinesisStreamRecord) =>
      rawData.has(r.kinesis.data)
        ? { ...r, kinesis: { ...r.kinesis, data: Buffer.from(r.kinesis.data, 'base64').toString('latin1') } }
        : r,
  });
  const startupSeconds = (Date.now() - t0) / 1000;
  const stages: StageMeasurement[] = [];
  const measure = async (stage: string, n: number, work: () => Promise<void>, withCalls = false) => {
    const calls0 = dynamoCalls;
    const t = Date.now();
    await work();
    const seconds = (Date.now() - t) / 1000;
    stages.push({
      stage,
      records: n,
      seconds,
      recordsPerSecond: n / Math.max(seconds, 1e-3),
      ...(withCalls ? { dynamoCallsPerRecord: (dynamoCalls - calls0) / Math.max(1, n) } : {}),
    });
    console.error(`  ${stage}: ${formatCount(n)} records in ${seconds.toFixed(1)} s`);
  };
  try {
    await measure('put (PutRecords → kinesalite)', records, async () => {
      await Promise.all(
        STREAM_IDS.map((s) =>
          twin.putEvents(
            s,
            items[s].map((i) => new RawRecord(itemBytes(i), i.partitionKey)),
          ),
        ),
      );
    });
    for (const s of STREAM_IDS) {
      await measure(
        `${s} transformer (poller → handler → dynalite)`,
        items[s].length,
        () => twin.pollers[s].drain(),
        true,
      );
    }
    await measure('lake writer (kinesalite → lake folder)', records, () => twin.lakeWriter.drain());
    const summary = await twin.summary();
    const busy = stages.reduce((n, s) => n + s.seconds, 0);
    return {
      records,
      perStream: Object.fromEntries(STREAM_IDS.map((s) => [s, items[s].length])) as Record<StreamId, number>,
      startupSeconds,
      stages,
      endToEndRecordsPerSecond: records / busy,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      reconciled: STREAM_IDS.every((s) => summary.streams[s].reconciled),
    };
  } finally {
    await twin.stop({ removeRoot: true });
  }
}

function parse(argv: readonly string[]): IngestBenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      events: { type: 'string' },
      'bad-share': { type: 'string' },
      shards: { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  const n = numberOption;
  return {
    events: Math.max(100, Math.round(n('events', values.events, 50_000))),
    badShare: n('bad-share', values['bad-share'], 0),
    shards: Math.max(1, Math.round(n('shards', values.shards, 2))),
    seed: Math.round(n('seed', values.seed, 42)),
  };
}

async function main(): Promise<void> {
  // The SDK's notice that Node 20 support ends in 2027 is noise in a benchmark report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parse(process.argv.slice(2));
  console.error(
    `Ingest benchmark: ${formatCount(options.events)} records, ${options.shards} shard(s) per stream, bad share ${options.badShare}`,
  );
  const r = await runIngestBench(options, join('.twin', 'bench-ingest'));
  console.log(
    `\nEnd-to-end ingestion through the local twin: ${formatCount(r.records)} records (${STREAM_IDS.map((s) => `${s} ${formatCount(r.perStream[s])}`).join(', ')})\n`,
  );
  console.log(
    formatTable(
      ['stage', 'records', 'seconds', 'records/s', 'DynamoDB calls/record'],
      r.stages.map((s) => [
        s.stage,
        s.records,
        s.seconds.toFixed(1),
        Math.round(s.recordsPerSecond),
        s.dynamoCallsPerRecord === undefined ? '' : s.dynamoCallsPerRecord.toFixed(2),
      ]),
      [undefined, undefined, 'right', undefined, 'right'],
    ),
  );
  console.log(
    `\nend to end: ${formatCount(r.endToEndRecordsPerSecond)} records/s (startup ${r.startupSeconds.toFixed(1)} s not counted); ` +
      `peak RSS ${Math.round(r.peakRssMiB)} MiB; reconciled ${r.reconciled ? '✓' : '✗'}`,
  );
  if (!r.reconciled) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
