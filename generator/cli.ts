/**
 * The generator's command line: writes a simulated period of the shop as JSON Lines, one file per
 * stream, plus the entity files, with a progress display and a closing count per stream and kind.
 *
 *   npx tsx generator/cli.ts --scale 0.001 --days 1 --seed 42 --bad-share 0.02 --out .twin/gen
 *
 * Output:
 *   <out>/streams/<stream>.jsonl   one record per line: partition_key, sent_at, bad (if any), and
 *                                  event (JSON payloads), text (malformed or oversized) or
 *                                  raw_base64 (bytes to place in kinesis.data as they are)
 *   <out>/entities/<entity>.jsonl  customers, products (SKUs), campaigns, warehouses
 *   <out>/manifest.json            the options and the counts
 */
import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { STREAM_IDS, StreamId } from '../lib/streams/stream-definitions';
import { BAD_RECORD_KINDS, BadRecordKind, EXPECTED_OUTCOME, GeneratedItem, itemJsonLine } from './items';
import { Shop, campaigns, customers, products, warehouses } from './shop';
import { GeneratorOptions, Simulation, expectedItemsPerDay } from './simulation';
import { createProgress, formatTable } from './terminal';
import { DEFAULT_START_DATE } from './shop';

/** Parsed command line of the generator. */
export interface GeneratorCliOptions extends GeneratorOptions {
  readonly out: string;
  /** Write the entity files too. */
  readonly entities: boolean;
}

const USAGE = `Usage: npx tsx generator/cli.ts [options]
  --scale <n>        scale factor, 1 = prod volumes (default 0.001)
  --days <n>         days to simulate (default 1)
  --seed <n>         integer seed (default 42)
  --bad-share <f>    share of bad records, 0 to 0.5 (default 0)
  --start-date <d>   first day, YYYY-MM-DD (default ${DEFAULT_START_DATE})
  --out <dir>        output folder (default .twin/generated)
  --no-entities      do not write the entity files
  --help             show this help`;

function numberOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new Error(`--${name} must be a number, got '${raw}'\n\n${USAGE}`);
  return n;
}

/** Parses the generator's arguments; throws with the usage on a bad value. */
export function parseGeneratorArgs(argv: readonly string[]): GeneratorCliOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scale: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      'bad-share': { type: 'string' },
      'start-date': { type: 'string' },
      out: { type: 'string' },
      'no-entities': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    scale: numberOption('scale', values.scale, 0.001),
    days: numberOption('days', values.days, 1),
    seed: numberOption('seed', values.seed, 42),
    badShare: numberOption('bad-share', values['bad-share'], 0),
    startDate: values['start-date'] ?? DEFAULT_START_DATE,
    out: resolve(values.out ?? join('.twin', 'generated')),
    entities: !values['no-entities'],
  };
}

/** Writes a line, waiting when the file's buffer is full so memory stays flat. */
async function writeLine(out: WriteStream, line: string): Promise<void> {
  if (!out.write(line + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
}

function close(out: WriteStream): Promise<void> {
  return new Promise((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
}

async function writeEntities(
  dir: string,
  name: string,
  records: Iterable<object>,
  total: number,
): Promise<number> {
  const out = createWriteStream(join(dir, `${name}.jsonl`));
  const progress = createProgress({ label: name, total, unit: 'records' });
  let n = 0;
  for (const r of records) {
    await writeLine(out, JSON.stringify(r));
    if (++n % 1000 === 0) progress.update(n);
  }
  progress.update(n);
  progress.stop();
  await close(out);
  return n;
}

/** Counts of a generator run, by stream. */
export interface GenerationCounts {
  readonly items: Record<StreamId, number>;
  readonly byEventType: Record<string, number>;
  readonly bad: Record<StreamId, Partial<Record<BadRecordKind, number>>>;
}

/** Runs the generator with the CLI's options and writes the files. */
export async function runGeneratorCli(options: GeneratorCliOptions): Promise<GenerationCounts> {
  const streamsDir = join(options.out, 'streams');
  const entitiesDir = join(options.out, 'entities');
  const sim = new Simulation(options); // validates the options before anything is written
  mkdirSync(streamsDir, { recursive: true });
  const v = sim.shop.volumes;
  const perDay = expectedItemsPerDay(v);
  const expected =
    (perDay.orders + perDay.inventory + perDay.clickstream) *
    (options.days ?? 1) *
    (1 + (options.badShare ?? 0));
  process.stderr.write(
    `Generating ${options.days} day(s) from ${options.startDate} at scale ${options.scale} (seed ${options.seed}, bad share ${options.badShare}): ` +
      `${v.customers.toLocaleString('en-US')} customers, ${v.skus.toLocaleString('en-US')} SKUs, ${v.warehouses} warehouses, ` +
      `~${Math.round(v.orderLinesPerDay).toLocaleString('en-US')} order lines a day\n`,
  );

  const files = Object.fromEntries(
    STREAM_IDS.map((s) => [s, createWriteStream(join(streamsDir, `${s}.jsonl`))]),
  ) as Record<StreamId, WriteStream>;
  const counts: GenerationCounts = {
    items: Object.fromEntries(STREAM_IDS.map((s) => [s, 0])) as Record<StreamId, number>,
    byEventType: {},
    bad: Object.fromEntries(STREAM_IDS.map((s) => [s, {}])) as GenerationCounts['bad'],
  };
  const progress = createProgress({ label: 'generate', total: expected, unit: 'items' });
  let n = 0;
  const count = (item: GeneratedItem) => {
    counts.items[item.stream]++;
    if (item.bad) {
      const b = counts.bad[item.stream];
      b[item.bad.kind] = (b[item.bad.kind] ?? 0) + 1;
    }
    if (item.payload.kind === 'event' && !item.bad) {
      const key = `${item.stream} ${item.payload.event.event_type}`;
      counts.byEventType[key] = (counts.byEventType[key] ?? 0) + 1;
    }
  };
  for (const item of sim.run()) {
    count(item);
    await writeLine(files[item.stream], itemJsonLine(item));
    if (++n % 2000 === 0) progress.update(n);
  }
  progress.update(n);
  progress.stop();
  await Promise.all(STREAM_IDS.map((s) => close(files[s])));

  let entityCounts: Record<string, number> = {};
  if (options.entities) {
    mkdirSync(entitiesDir, { recursive: true });
    const shop: Shop = sim.shop;
    entityCounts = {
      warehouses: await writeEntities(entitiesDir, 'warehouses', warehouses(options), shop.warehouses.length),
      campaigns: await writeEntities(entitiesDir, 'campaigns', campaigns(options), shop.campaigns.length),
      customers: await writeEntities(entitiesDir, 'customers', customers(options), v.customers),
      products: await writeEntities(entitiesDir, 'products', products(options), v.skus),
    };
  }
  await writeFile(
    join(options.out, 'manifest.json'),
    JSON.stringify({ options, volumes: v, counts, entities: entityCounts }, null, 2) + '\n',
  );
  printCounts(counts, entityCounts, options.out);
  return counts;
}

function printCounts(counts: GenerationCounts, entities: Record<string, number>, out: string): void {
  const eventRows = Object.entries(counts.byEventType)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => [...key.split(' '), n] as [string, string, number]);
  console.log('\nGood events by stream and type');
  console.log(formatTable(['stream', 'event type', 'events'], eventRows));
  const badRows = BAD_RECORD_KINDS.map((kind) => {
    const per = STREAM_IDS.map((s) => counts.bad[s][kind] ?? 0);
    const e = EXPECTED_OUTCOME[kind];
    return [
      kind,
      ...per,
      per.reduce((a, b) => a + b, 0),
      e.outcome === 'rejected' ? `rejected ${e.reason}` : e.outcome,
    ];
  });
  console.log('\nBad records by kind (expected outcome)');
  console.log(formatTable(['kind', ...STREAM_IDS, 'total', 'expected'], badRows));
  const total = STREAM_IDS.reduce((a, s) => a + counts.items[s], 0);
  const bad = STREAM_IDS.reduce(
    (a, s) => a + Object.values(counts.bad[s]).reduce((x, y) => x + (y ?? 0), 0),
    0,
  );
  console.log('\nItems per stream');
  console.log(
    formatTable(
      ['stream', 'items', 'bad', 'bad %'],
      [
        ...STREAM_IDS.map((s) => {
          const b = Object.values(counts.bad[s]).reduce((x, y) => x + (y ?? 0), 0);
          return [s, counts.items[s], b, counts.items[s] ? ((100 * b) / counts.items[s]).toFixed(2) : '0.00'];
        }),
        ['total', total, bad, total ? ((100 * bad) / total).toFixed(2) : '0.00'],
      ],
      [undefined, undefined, undefined, 'right'],
    ),
  );
  if (Object.keys(entities).length > 0) {
    console.log('\nEntities');
    console.log(formatTable(['entity', 'records'], Object.entries(entities)));
  }
  console.log(`\nWritten to ${out}`);
}

async function main(): Promise<void> {
  const parsed = parseGeneratorArgs(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }
  await runGeneratorCli(parsed);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
