/**
 * `make demo`: one simulated day of the shop through the local twin, end to end, and what an operator
 * wants to see afterwards.
 *
 *   npx tsx demo/run-demo.ts [--scale 0.001] [--seed 42] [--bad-share 0.02] [--days 1]
 *                            [--summary .twin/demo-summary.json] [--root .twin/demo]
 *
 * It starts the twin (kinesalite, dynalite, the real transformers behind a local event source mapping,
 * a lake folder), streams the generator's items onto the three Kinesis streams while the mappings
 * consume them, drains, then prints: records in, processed and rejected per stream (rejections by
 * reason, checked against what the generator injected), items per table, lake objects, orders by
 * status, SKUs below their reorder point, the lake step (the Glue workflow on local PySpark), the
 * warehouse step (sql/ on DuckDB: loads per dataset and an analyst's report), and the reconciliation
 * line. The same summary is written as
 * JSON. The exit code is 1 when reconciliation fails (a record unaccounted for) or a bad record was
 * not caught as expected.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { KinesisStreamRecord } from 'aws-lambda';
import { STREAM_IDS, StreamId } from '../lib/streams/stream-definitions';
import { TABLE_IDS } from '../lib/tables/table-definitions';
import { RawRecord, TwinSummary, startLocalTwin } from '../twin/local-twin';
import { BadRecordKind, GeneratedItem, Simulation, expectedItemsPerDay, itemBytes } from '../generator';
import { Progress, createProgress, formatCount, formatTable } from '../generator/terminal';
import { LakeStepResult, printLakeStep, runLakeStep } from './lake-step';
import { startLocalApi } from '../api/local-server';
import type { LocalTwin } from '../twin/local-twin';
import type { LocalWarehouse } from '../twin/warehouse/local-warehouse';
import { ApiStepResult, curlLine, runApiStep } from './api-step';
import { RealtimeStep, RealtimeStepResult, printRealtimeStep, sameTruth } from './realtime-step';
import { WarehouseStepResult, printWarehouseStep, runWarehouseStep } from './warehouse-step';

/** Options of the demo. */
export interface DemoOptions {
  /** Scale factor of the generator (1 = prod volumes). */
  readonly scale: number;
  readonly seed: number;
  /** Share of bad records, 0 to 0.5. */
  readonly badShare: number;
  readonly days: number;
  /**
   * First simulated instant (epoch ms). By default the simulated days end at the minute the demo
   * starts, so that the real-time views, which read the clock, see them as live.
   */
  readonly startMs: number;
  /** Where the JSON summary is written. */
  readonly summaryPath: string;
  /** The twin's folder (lake, dead letters); emptied at start. */
  readonly root: string;
  /** Run the lake workflow after ingestion (needs the .venv and PostgreSQL; make demo installs them). */
  readonly curate: boolean;
  /**
   * After the demo, keep the REST API running on this port over the demo's warehouse and live tables
   * until Ctrl-C (`make api`); undefined: stop at the end.
   */
  readonly servePort?: number;
}

const USAGE = `Usage: npx tsx demo/run-demo.ts [options]
  --scale <n>        generator scale, 1 = prod volumes (default 0.001: ~160 order lines, ~4k events)
  --seed <n>         integer seed (default 42)
  --bad-share <f>    share of bad records, 0 to 0.5 (default 0.02)
  --days <n>         days to simulate (default 1)
  --start <date>     first simulated day, YYYY-MM-DD (default: the days that end now, so the real-time
                     views, which read the clock, show them live)
  --summary <path>   JSON summary (default .twin/demo-summary.json)
  --root <dir>       the twin's folder, emptied first (default .twin/demo)
  --no-curation      skip the lake and warehouse steps (OLTP, documents and partner files, the Glue workflow on local
                     PySpark, then the local warehouse: sql/ on DuckDB)
  --serve <port>     then keep the REST API running on the port (default 8787) over the demo's warehouse and
                     live tables until Ctrl-C (make api)`;

/** Items put ahead of what the mappings have consumed before the demo waits for them. */
const MAX_LAG = 4000;
/** Items per put round (split per stream). */
const ROUND = 1000;

function num(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new Error(`--${name} must be a number, got '${raw}'\n\n${USAGE}`);
  return n;
}

function startOf(raw: string | undefined, days: number): number {
  if (raw === undefined) return Math.floor(Date.now() / 60_000) * 60_000 - days * 86_400_000;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(Date.parse(`${raw}T00:00:00Z`)))
    throw new Error(`--start must be a date YYYY-MM-DD, got '${raw}'\n\n${USAGE}`);
  return Date.parse(`${raw}T00:00:00Z`);
}

/** Parses the demo's arguments; throws with the usage on a bad value. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scale: { type: 'string' },
      seed: { type: 'string' },
      'bad-share': { type: 'string' },
      days: { type: 'string' },
      start: { type: 'string' },
      summary: { type: 'string' },
      root: { type: 'string' },
      'no-curation': { type: 'boolean' },
      serve: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    scale: num('scale', values.scale, 0.001),
    seed: num('seed', values.seed, 42),
    badShare: num('bad-share', values['bad-share'], 0.02),
    days: num('days', values.days, 1),
    startMs: startOf(values.start, num('days', values.days, 1)),
    summaryPath: resolve(values.summary ?? join('.twin', 'demo-summary.json')),
    root: resolve(values.root ?? join('.twin', 'demo')),
    curate: !values['no-curation'],
    servePort: values.serve === undefined ? undefined : num('serve', values.serve || '8787', 8787),
  };
}

/** What the generator sent, and what it expects the platform to do with it. */
interface Sent {
  readonly put: Record<StreamId, number>;
  readonly badKinds: Record<StreamId, Partial<Record<BadRecordKind, number>>>;
  /** Expected rejections by stream and reason. */
  readonly expectedRejections: Record<StreamId, Record<string, number>>;
  /** Exact duplicates sent (each must change nothing). */
  readonly duplicates: Record<StreamId, number>;
  /**
   * The order or stock item of each record sent as bytes that are not base64: a fault of the Lambda
   * delivery the twin simulates, which Redshift, reading the stream's bytes, does not have: the
   * real-time views count these records and the live tables do not.
   */
  readonly lambdaOnlyRejects: string[];
}

/** `order_id`, or `sku|warehouse_id`, of a record's JSON (empty when it has neither). */
function keyOfRecord(bytes: Uint8Array): string {
  try {
    const e = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    if (typeof e.order_id === 'string' && !String(e.event_type).startsWith('inventory.')) return e.order_id;
    if (typeof e.sku === 'string') return `${e.sku}|${String(e.warehouse_id)}`;
  } catch {
    // not JSON: no key
  }
  return '';
}

function perStream<T>(make: () => T): Record<StreamId, T> {
  return Object.fromEntries(STREAM_IDS.map((s) => [s, make()])) as Record<StreamId, T>;
}

/** Streams the generator into the twin while the mappings consume, with a progress display. */
async function streamDay(
  twin: Awaited<ReturnType<typeof startLocalTwin>>,
  sim: Simulation,
  rawData: Set<string>,
  expectedTotal: number,
  progress: Progress = createProgress({ label: 'ingest', total: expectedTotal, unit: 'records' }),
): Promise<Sent> {
  const sent: Sent = {
    put: perStream(() => 0),
    badKinds: perStream(() => ({})),
    expectedRejections: perStream(() => ({})),
    duplicates: perStream(() => 0),
    lambdaOnlyRejects: [],
  };
  const consumed = () =>
    STREAM_IDS.reduce((n, s) => {
      const p = twin.pollers[s].stats();
      return n + p.recordsSucceeded + p.recordsToOnFailure;
    }, 0);
  const ticker = setInterval(() => progress.update(consumed()), 250);
  let draining: Promise<void> | undefined;
  const kick = () => {
    draining ??= twin.drain().finally(() => {
      draining = undefined;
    });
  };
  let batch = perStream<GeneratedItem[]>(() => []);
  let inBatch = 0;
  let putTotal = 0;
  const flush = async () => {
    const current = batch;
    batch = perStream(() => []);
    inBatch = 0;
    await Promise.all(
      STREAM_IDS.filter((s) => current[s].length > 0).map((s) =>
        twin.putEvents(
          s,
          current[s].map((item) => new RawRecord(itemBytes(item), item.partitionKey)),
        ),
      ),
    );
    kick();
    while (putTotal - consumed() > MAX_LAG) await (draining ?? Promise.resolve());
  };
  try {
    for (const item of sim.run()) {
      const s = item.stream;
      sent.put[s]++;
      putTotal++;
      if (item.bad) {
        const b = sent.badKinds[s];
        b[item.bad.kind] = (b[item.bad.kind] ?? 0) + 1;
        const e = item.bad.expect;
        if (e.outcome === 'rejected')
          sent.expectedRejections[s][e.reason] = (sent.expectedRejections[s][e.reason] ?? 0) + 1;
        if (e.outcome === 'no_change') sent.duplicates[s]++;
      }
      if (item.payload.kind === 'raw') {
        rawData.add(Buffer.from(item.payload.bytes).toString('base64'));
        sent.lambdaOnlyRejects.push(keyOfRecord(item.payload.bytes));
      }
      batch[s].push(item);
      if (++inBatch >= ROUND) await flush();
    }
    await flush();
    await twin.drain();
    progress.update(consumed());
  } finally {
    clearInterval(ticker);
    progress.stop();
  }
  return sent;
}

const ORDER_STATUSES = ['created', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'];

/** The demo's summary, as printed and written to JSON. */
export interface DemoSummary {
  readonly options: Omit<DemoOptions, 'summaryPath' | 'root' | 'curate'>;
  readonly timings: {
    readonly startupSeconds: number;
    readonly ingestSeconds: number;
    readonly curationSeconds?: number;
    readonly warehouseSeconds?: number;
    readonly totalSeconds: number;
  };
  /** The lake step: its sources and the workflow's report (absent with --no-curation). */
  readonly lakeWorkflow?: LakeStepResult;
  /** The warehouse step (with the lake step): loads per dataset and the analyst's report. */
  readonly warehouse?: WarehouseStepResult;
  /** The API step: the calls made to the local REST API and what they answered. */
  readonly api: ApiStepResult;
  /** The real-time step: the monitoring views' final state, and their check against the live tables. */
  readonly realtime: RealtimeStepResult & { readonly problemsAfterWarehouseLoad?: readonly string[] };
  readonly streams: Record<
    StreamId,
    {
      readonly in: number;
      readonly applied: number;
      readonly noChange: number;
      readonly rejected: number;
      readonly rejectedByReason: Readonly<Record<string, number>>;
      readonly failedToDestination: number;
      readonly expectedRejectedByReason: Readonly<Record<string, number>>;
      readonly badRecordsSent: Readonly<Partial<Record<BadRecordKind, number>>>;
      readonly duplicatesSent: number;
    }
  >;
  readonly badRecordCheck: { readonly ok: boolean; readonly problems: readonly string[] };
  readonly tables: TwinSummary['tables'];
  readonly lake: TwinSummary['lake'] & { readonly deadLetterRecords: number; readonly root: string };
  readonly ordersByStatus: Readonly<Record<string, number>>;
  readonly stock: {
    readonly pairs: number;
    readonly belowReorderPoint: number;
    readonly mostUrgent: readonly {
      sku: string;
      warehouse_id: string;
      available: number;
      reorder_point: number;
    }[];
  };
  readonly reconciliation: {
    readonly ok: boolean;
    readonly in: number;
    readonly processed: number;
    readonly rejected: number;
    readonly difference: number;
  };
}

function checkBadRecords(sent: Sent, summary: TwinSummary): string[] {
  const problems: string[] = [];
  for (const s of STREAM_IDS) {
    const observed = summary.streams[s].rejectedByCode;
    const expected = sent.expectedRejections[s];
    for (const reason of new Set([...Object.keys(observed), ...Object.keys(expected)])) {
      const o = observed[reason] ?? 0;
      const e = expected[reason] ?? 0;
      if (o !== e) problems.push(`${s}: ${e} record(s) expected rejected as ${reason}, ${o} were`);
    }
    if (summary.streams[s].duplicates < sent.duplicates[s]) {
      problems.push(
        `${s}: ${sent.duplicates[s]} exact duplicate(s) sent but only ${summary.streams[s].duplicates} recognised as changing nothing`,
      );
    }
  }
  return problems;
}

/** Runs the demo; resolves to the summary (also written to `summaryPath`). */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const t0 = Date.now();
  const sim = new Simulation({
    startMs: options.startMs,
    scale: options.scale,
    seed: options.seed,
    days: options.days,
    badShare: options.badShare,
  });
  const v = sim.shop.volumes;
  const perDay = expectedItemsPerDay(v);
  const expectedTotal =
    (perDay.orders + perDay.inventory + perDay.clickstream) * options.days * (1 + options.badShare);
  console.log('E-commerce data platform: local demo');
  console.log(
    `  ${options.days} simulated day(s) from ${new Date(sim.shop.startMs).toISOString().slice(0, 10)} at scale ${options.scale} ` +
      `(seed ${options.seed}, bad records ${(options.badShare * 100).toFixed(1)}%): ${formatCount(v.customers)} customers, ` +
      `${formatCount(v.skus)} SKUs, ${v.warehouses} warehouses, ~${formatCount(v.orderLinesPerDay)} order lines a day\n`,
  );

  await rm(options.root, { recursive: true, force: true });
  const rawData = new Set<string>();
  const twin = await startLocalTwin({
    root: options.root,
    // Data that is not base64 cannot travel through Kinesis: put its bytes, then hand them to the
    // mapping as they are, which is what the transformer would see from a producer that skipped encoding.
    interceptRecord: (_stream: StreamId, record: KinesisStreamRecord) =>
      rawData.has(record.kinesis.data)
        ? {
            ...record,
            kinesis: {
              ...record.kinesis,
              data: Buffer.from(record.kinesis.data, 'base64').toString('latin1'),
            },
          }
        : record,
  });
  const startupSeconds = (Date.now() - t0) / 1000;
  console.log(
    `  twin started in ${startupSeconds.toFixed(1)} s (kinesalite, dynalite, 3 transformers, lake at ${relative(process.cwd(), twin.lakeRoot)})\n`,
  );
  const databasePath = join(options.root, 'warehouse.duckdb');
  const live = await RealtimeStep.start(twin, databasePath);
  try {
    const t1 = Date.now();
    live.startPanel();
    const sent = await streamDay(twin, sim, rawData, expectedTotal, live.progress('ingest', expectedTotal));
    const ingestSeconds = (Date.now() - t1) / 1000;
    const realtime = await live.finish(twin, sent.lambdaOnlyRejects);
    printRealtimeStep(realtime);
    const summary = await twin.summary();
    const [orders, stock] = await Promise.all([twin.scanTable('orders'), twin.scanTable('stock')]);

    const ordersByStatus: Record<string, number> = {};
    for (const o of orders) ordersByStatus[String(o.status)] = (ordersByStatus[String(o.status)] ?? 0) + 1;
    const low = stock
      .map((s) => ({
        sku: String(s.sku),
        warehouse_id: String(s.warehouse_id),
        available: Number(s.available),
        reorder_point: Number(s.reorder_point),
      }))
      .filter((s) => s.available < s.reorder_point)
      .sort(
        (a, b) =>
          a.available - a.reorder_point - (b.available - b.reorder_point) || a.sku.localeCompare(b.sku),
      );

    const streams = {} as DemoSummary['streams'];
    let inTotal = 0;
    let processed = 0;
    let rejected = 0;
    for (const s of STREAM_IDS) {
      const st = summary.streams[s];
      streams[s] = {
        in: st.put,
        applied: st.applied,
        noChange: st.duplicates,
        rejected: st.rejected,
        rejectedByReason: st.rejectedByCode,
        failedToDestination: st.failedBatchRecords,
        expectedRejectedByReason: sent.expectedRejections[s],
        badRecordsSent: sent.badKinds[s],
        duplicatesSent: sent.duplicates[s],
      };
      inTotal += st.put;
      processed += st.applied + st.duplicates;
      rejected += st.rejected;
    }
    const problems = checkBadRecords(sent, summary);
    let lakeWorkflow: LakeStepResult | undefined;
    let curationSeconds: number | undefined;
    let warehouse: WarehouseStepResult | undefined;
    let warehouseSeconds: number | undefined;
    let realtimeAfterLoad: string[] | undefined;
    problems.push(...realtime.problems);
    if (options.curate) {
      const t2 = Date.now();
      console.log('\nLake step: the other sources, then the Glue workflow (glue-scripts/workflow.json)…');
      lakeWorkflow = await runLakeStep({
        twin,
        shop: { scale: options.scale, seed: options.seed, days: options.days, startMs: options.startMs },
        badShare: options.badShare,
        curatedRoot: join(options.root, 'lake', 'curated'),
        runId: 'demo',
      });
      curationSeconds = (Date.now() - t2) / 1000;
      problems.push(...lakeWorkflow.problems);
      const t3 = Date.now();
      console.log('\nWarehouse step: migrations and views (sql/), then the load of every curated partition…');
      warehouse = await runWarehouseStep({
        curatedRoot: join(options.root, 'lake', 'curated'),
        databasePath,
        warehouse: live.warehouse,
        runId: 'demo',
      });
      warehouseSeconds = (Date.now() - t3) / 1000;
      problems.push(...warehouse.problems);
      // The batch load put the same movements in the star schema: the live picture must not change.
      const after = await sameTruth(live.warehouse, twin, sent.lambdaOnlyRejects);
      realtimeAfterLoad = after;
      console.log(
        after.length === 0
          ? "  real time after the load: unchanged, and still the live tables' picture (each movement counted once, by the stream or by the load) ✓"
          : `  real time after the load: ✗ ${after.join('; ')}`,
      );
      problems.push(...after.map((p) => `after the warehouse load: ${p}`));
    }
    console.log('\nAPI step: the REST API over the warehouse and the live tables…');
    let day: string | undefined;
    if (options.curate) {
      const [latest] = await live.warehouse.query('SELECT MAX(order_date) AS d FROM analytics.sales_daily');
      if (latest?.d) day = String(latest.d).slice(0, 10);
    }
    const apiStep: ApiStepResult = await runApiStep({
      twin,
      warehouse: live.warehouse,
      orderId: orders[0] ? String(orders[0].order_id) : undefined,
      sku: stock[0] ? String(stock[0].sku) : undefined,
      day,
    });
    problems.push(...apiStep.problems);
    const result: DemoSummary = {
      options: {
        scale: options.scale,
        seed: options.seed,
        badShare: options.badShare,
        days: options.days,
        startMs: options.startMs,
      },
      timings: {
        startupSeconds,
        ingestSeconds,
        curationSeconds,
        warehouseSeconds,
        totalSeconds: (Date.now() - t0) / 1000,
      },
      lakeWorkflow,
      warehouse,
      realtime: { ...realtime, problemsAfterWarehouseLoad: realtimeAfterLoad },
      api: apiStep,
      streams,
      badRecordCheck: { ok: problems.length === 0, problems },
      tables: summary.tables,
      lake: { ...summary.lake, deadLetterRecords: summary.deadLetterRecords, root: twin.lakeRoot },
      ordersByStatus,
      stock: { pairs: stock.length, belowReorderPoint: low.length, mostUrgent: low.slice(0, 5) },
      reconciliation: {
        ok: inTotal === processed + rejected,
        in: inTotal,
        processed,
        rejected,
        difference: inTotal - processed - rejected,
      },
    };
    printSummary(result);
    await mkdir(dirname(options.summaryPath), { recursive: true });
    await writeFile(options.summaryPath, JSON.stringify(result, null, 2) + '\n');
    console.log(`\nSummary written to ${relative(process.cwd(), options.summaryPath)}`);
    if (options.servePort !== undefined) await serveUntilStopped(twin, live.warehouse, options.servePort);
    return result;
  } finally {
    await live.warehouse.close();
    await twin.stop();
  }
}

/** Serves the REST API over the demo's warehouse and live tables until SIGINT or SIGTERM. */
async function serveUntilStopped(twin: LocalTwin, warehouse: LocalWarehouse, port: number): Promise<void> {
  const api = await startLocalApi({ warehouse, documents: twin.documents, tables: twin.tables, port });
  console.log(
    `\nThe REST API is serving this demo's warehouse and live tables on ${api.url} (Ctrl-C to stop), for example:`,
  );
  for (const path of ['/v1/freshness', '/v1/customers/segments', '/v1/campaigns/ranking?by=roas'])
    console.log(`  ${curlLine(api.url, path)}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await api.close();
}

function printSummary(r: DemoSummary): void {
  const streamRows = STREAM_IDS.map((s) => {
    const x = r.streams[s];
    return [s, x.in, x.applied + x.noChange, x.applied, x.noChange, x.rejected, x.failedToDestination];
  });
  const total = (i: number) => streamRows.reduce((n, row) => n + (row[i] as number), 0);
  const rows: (string | number)[][] = [
    ...streamRows,
    ['total', total(1), total(2), total(3), total(4), total(5), total(6)],
  ];
  console.log('\nRecords per stream');
  console.log(formatTable(['stream', 'in', 'processed', 'applied', 'no change', 'rejected', 'failed'], rows));

  const reasons = [
    ...new Set(
      STREAM_IDS.flatMap((s) => [
        ...Object.keys(r.streams[s].rejectedByReason),
        ...Object.keys(r.streams[s].expectedRejectedByReason),
      ]),
    ),
  ].sort();
  console.log('\nRejections by reason (dead-lettered with the reason; expected = injected by the generator)');
  if (reasons.length === 0) console.log('  none');
  else {
    const rows = reasons.map((reason) => {
      const per = STREAM_IDS.map((s) => r.streams[s].rejectedByReason[reason] ?? 0);
      const observed = per.reduce((a, b) => a + b, 0);
      const expected = STREAM_IDS.reduce(
        (n, s) => n + (r.streams[s].expectedRejectedByReason[reason] ?? 0),
        0,
      );
      return [reason, ...per, observed, expected, observed === expected ? '✓' : '✗'];
    });
    console.log(formatTable(['reason', ...STREAM_IDS, 'total', 'expected', ''], rows));
  }
  const dupSent = STREAM_IDS.reduce((n, s) => n + r.streams[s].duplicatesSent, 0);
  const noChange = STREAM_IDS.reduce((n, s) => n + r.streams[s].noChange, 0);
  const late = STREAM_IDS.reduce((n, s) => n + (r.streams[s].badRecordsSent.late ?? 0), 0);
  const burst = STREAM_IDS.reduce((n, s) => n + (r.streams[s].badRecordsSent.hot_sku_burst ?? 0), 0);
  console.log(
    `  exact duplicates sent ${formatCount(dupSent)}, records that changed nothing ${formatCount(noChange)} ` +
      `(duplicates plus stale late events) ${noChange >= dupSent ? '✓' : '✗'}; late events ${formatCount(late)}; hot-SKU burst orders ${formatCount(burst)}`,
  );
  console.log(`  bad records caught as expected: ${r.badRecordCheck.ok ? '✓' : '✗'}`);
  for (const p of r.badRecordCheck.problems) console.log(`    ✗ ${p}`);

  console.log('\nItems per table');
  console.log(
    formatTable(
      ['table', 'items'],
      TABLE_IDS.map((t) => [t, r.tables[t]]),
    ),
  );

  console.log('\nLake (raw zone)');
  console.log(
    formatTable(
      ['what', 'count'],
      [
        ['objects written', r.lake.objects],
        ['raw records', r.lake.records],
        ['unparsed records', r.lake.unparsedRecords],
        ['dead-lettered records', r.lake.deadLetterRecords],
      ],
    ),
  );

  console.log('\nOrders by status');
  const orderTotal = Object.values(r.ordersByStatus).reduce((a, b) => a + b, 0);
  const statuses = [
    ...ORDER_STATUSES,
    ...Object.keys(r.ordersByStatus).filter((s) => !ORDER_STATUSES.includes(s)),
  ];
  console.log(
    formatTable(
      ['status', 'orders', 'share'],
      [
        ...statuses.map((s) => [
          s,
          r.ordersByStatus[s] ?? 0,
          `${((100 * (r.ordersByStatus[s] ?? 0)) / Math.max(1, orderTotal)).toFixed(1)}%`,
        ]),
        ['total', orderTotal, '100.0%'],
      ],
      [undefined, undefined, 'right'],
    ),
  );

  console.log(
    `\nStock: ${formatCount(r.stock.pairs)} SKU-warehouse pairs tracked, ${formatCount(r.stock.belowReorderPoint)} below their reorder point` +
      (r.stock.mostUrgent.length > 0 ? '; most urgent:' : ''),
  );
  if (r.stock.mostUrgent.length > 0) {
    console.log(
      formatTable(
        ['sku', 'warehouse', 'available', 'reorder point', 'short by'],
        r.stock.mostUrgent.map((s) => [
          s.sku,
          s.warehouse_id,
          s.available,
          s.reorder_point,
          s.reorder_point - s.available,
        ]),
      ),
    );
  }

  if (r.lakeWorkflow) printLakeStep(r.lakeWorkflow);
  if (r.warehouse) printWarehouseStep(r.warehouse);

  const rec = r.reconciliation;
  console.log(
    `\nReconciliation: in ${formatCount(rec.in)} = processed ${formatCount(rec.processed)} + rejected ${formatCount(rec.rejected)} ` +
      (rec.ok ? '✓' : `✗ (difference ${formatCount(rec.difference)})`),
  );
  const t = r.timings;
  console.log(
    `Time: ${t.totalSeconds.toFixed(1)} s (startup ${t.startupSeconds.toFixed(1)} s, ingest ${t.ingestSeconds.toFixed(1)} s, ` +
      `${formatCount(rec.in / Math.max(0.001, t.ingestSeconds))} records/s end to end` +
      (t.curationSeconds !== undefined ? `, lake step ${t.curationSeconds.toFixed(1)} s` : '') +
      (t.warehouseSeconds !== undefined ? `, warehouse step ${t.warehouseSeconds.toFixed(1)} s)` : ')'),
  );
}

async function main(): Promise<void> {
  // The SDK's notice that Node 20 support ends in 2027 is noise in the demo's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let options: ReturnType<typeof parseDemoArgs>;
  try {
    options = parseDemoArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const summary = await runDemo(options);
  if (!summary.reconciliation.ok || !summary.badRecordCheck.ok) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
