/**
 * Benchmark of the transformers' pure per-record pipeline (decode base64 → UTF-8 → JSON, contract
 * check, stream check, normalize: `prepareRecord` in lambdas/shared/prepare-record.ts) on one core,
 * without I/O. Mixed events from the generator are encoded as Lambda Kinesis records before timing;
 * then a warm-up, then timed runs. Also times the stages alone (decode; decode + contract check) to
 * show where the time goes.
 *
 *   npx tsx bench/transformer-bench.ts [--events 100000] [--runs 5] [--bad-share 0.02] [--seed 42]
 *
 * Target: at least 100,000 events/s. The output starts with the machine (CPUs, model, Node.js version,
 * load average), since the figures depend on it and on what else runs there.
 */
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import type { KinesisStreamRecord } from 'aws-lambda';
import { checkEvent } from '../contracts/validate';
import { ENVIRONMENTS } from '../lib/config/environments';
import type { StreamId } from '../lib/streams/stream-definitions';
import { decodeRecordData } from '../lambdas/shared/decode';
import { prepareRecord } from '../lambdas/shared/prepare-record';
import { expectedItemsPerDay, generateEvents, toKinesisRecord, volumesAt } from '../generator';
import { formatCount, formatTable, numberOption } from '../generator/terminal';

/** The throughput target of the pipeline, events per second on one core. */
export const TARGET_EVENTS_PER_SECOND = 100_000;

/** Options of the benchmark. */
export interface TransformerBenchOptions {
  /** Records to time (at least this many; the generator's day is cut there). */
  readonly events: number;
  /** Timed passes over all records. */
  readonly runs: number;
  readonly badShare: number;
  readonly seed: number;
}

/** Timings of one stage. */
export interface StageResult {
  readonly stage: string;
  /** Best pass. */
  readonly eventsPerSecond: number;
  readonly nsPerEvent: number;
  /** Median pass. */
  readonly medianEventsPerSecond: number;
}

interface Encoded {
  readonly record: KinesisStreamRecord;
  readonly streamId: StreamId;
}

/** Generates and encodes the records: mixed streams and event types, as one day of the shop sends them. */
export function encodeRecords(
  options: Pick<TransformerBenchOptions, 'events' | 'badShare' | 'seed'>,
): Encoded[] {
  // Pick the scale whose day holds the requested count, with a margin.
  const perDay = expectedItemsPerDay(volumesAt(1));
  const scale = Math.min(1, (options.events / (perDay.orders + perDay.inventory + perDay.clickstream)) * 1.4);
  const out: Encoded[] = [];
  for (const item of generateEvents({ scale, seed: options.seed, days: 1, badShare: options.badShare })) {
    out.push({ record: toKinesisRecord(item, out.length), streamId: item.stream });
    if (out.length >= options.events) break;
  }
  if (out.length < options.events) {
    throw new Error(
      `the generator produced ${out.length} records, fewer than the ${options.events} asked for`,
    );
  }
  return out;
}

function timePasses(
  name: string,
  records: readonly Encoded[],
  runs: number,
  pass: (e: Encoded) => unknown,
): StageResult {
  const rates: number[] = [];
  let sink = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < records.length; i++) if (pass(records[i])) sink++;
    const ns = Number(process.hrtime.bigint() - t0);
    rates.push((records.length * 1e9) / ns);
  }
  if (sink < 0) console.log(sink); // keeps the work observable to the optimizer
  const sorted = [...rates].sort((a, b) => b - a);
  return {
    stage: name,
    eventsPerSecond: sorted[0],
    nsPerEvent: 1e9 / sorted[0],
    medianEventsPerSecond: sorted[Math.floor(sorted.length / 2)],
  };
}

/** Runs the benchmark; returns the full pipeline's result and the stage results. */
export function runTransformerBench(options: TransformerBenchOptions): {
  full: StageResult;
  stages: StageResult[];
  mix: Record<string, number>;
} {
  const maxRecordBytes = ENVIRONMENTS.prod.transformer.maxRecordBytes;
  const records = encodeRecords(options);
  const mix: Record<string, number> = {};
  for (const r of records) mix[r.streamId] = (mix[r.streamId] ?? 0) + 1;
  const fixedClock = () => new Date(0);
  const full = (e: Encoded) =>
    prepareRecord(e.record, { streamId: e.streamId, maxRecordBytes }, fixedClock).ok;
  const decodeOnly = (e: Encoded) => decodeRecordData(e.record.kinesis.data, maxRecordBytes).ok;
  const decodeAndCheck = (e: Encoded) => {
    const d = decodeRecordData(e.record.kinesis.data, maxRecordBytes);
    return d.ok && checkEvent(d.value).ok;
  };
  // Warm-up: let V8 optimize every path (each stage twice over the records).
  for (const fn of [decodeOnly, decodeAndCheck, full]) timePasses('warm-up', records, 2, fn);
  const stages = [
    timePasses('decode (base64, UTF-8, JSON.parse)', records, options.runs, decodeOnly),
    timePasses('decode + contract check (Ajv)', records, options.runs, decodeAndCheck),
  ];
  const fullResult = timePasses('prepareRecord (decode + check + normalize)', records, options.runs, full);
  return { full: fullResult, stages: [...stages, fullResult], mix };
}

function parse(argv: readonly string[]): TransformerBenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      events: { type: 'string' },
      runs: { type: 'string' },
      'bad-share': { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  const n = numberOption;
  return {
    events: Math.max(1000, Math.round(n('events', values.events, 100_000))),
    runs: Math.max(1, Math.round(n('runs', values.runs, 5))),
    badShare: n('bad-share', values['bad-share'], 0.02),
    seed: Math.round(n('seed', values.seed, 42)),
  };
}

/** The machine the figures were taken on: CPUs, model, Node.js version and load average. */
export function describeMachine(): string {
  const model = os.cpus()[0]?.model?.trim() || 'unknown CPU';
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${os.availableParallelism()} CPUs (${model}), Node.js ${process.version}, load average ${load}`;
}

function main(): void {
  const options = parse(process.argv.slice(2));
  console.log(`Machine: ${describeMachine()}`);
  const t0 = Date.now();
  const { full, stages, mix } = runTransformerBench(options);
  console.log(
    `Transformer pipeline benchmark: ${formatCount(options.events)} records (${Object.entries(mix)
      .map(([s, n]) => `${s} ${formatCount(n)}`)
      .join(', ')}; bad share ${options.badShare}), ${options.runs} timed passes after warm-up, one core\n`,
  );
  console.log(
    formatTable(
      ['stage', 'events/s (best)', 'ns/event', 'events/s (median)'],
      stages.map((s) => [
        s.stage,
        Math.round(s.eventsPerSecond),
        Math.round(s.nsPerEvent),
        Math.round(s.medianEventsPerSecond),
      ]),
    ),
  );
  const ok = full.eventsPerSecond >= TARGET_EVENTS_PER_SECOND;
  console.log(
    `\nprepareRecord: ${formatCount(full.eventsPerSecond)} events/s, ${Math.round(full.nsPerEvent)} ns/event; ` +
      `target ${formatCount(TARGET_EVENTS_PER_SECOND)} events/s ${ok ? '✓' : '✗'} (total ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  if (!ok) process.exitCode = 1;
}

if (require.main === module) main();
