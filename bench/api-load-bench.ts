/**
 * The REST API's local twin under load (issue 6): point lookups and an analytics query through the
 * API over HTTP, with autocannon, beside the same lookups made directly against the table (and the
 * same named query made directly against the local warehouse) in the same run, so the API's own
 * overhead shows.
 *
 *   npx tsx bench/api-load-bench.ts                         # 20 s per load run, 10 connections, 1,000/s fixed-rate run
 *   npx tsx bench/api-load-bench.ts --seconds 5 --orders 500 --skus 500    # a quick run
 *   npx tsx bench/api-load-bench.ts --emulators in-process  # dynalite in this process, beside the API
 *   npx tsx bench/api-load-bench.ts --api-workers 1         # the API on this process's one event loop
 *
 * Setup: the twin (startLocalTwin, own temporary root and prefix; its kinesalite and dynalite in a
 * child process unless `--emulators in-process`), `--orders` order.created and `--skus` stock
 * receipts put on its streams and drained through the real transformers, a LocalWarehouse in memory
 * migrated and loaded with the generated curated fixture (test/warehouse/curated-fixture.ts, 120
 * days, as test/api/local-api.test.ts does), and startLocalApi on a free port, all in this process,
 * the API serving from `--api-workers` (2) worker processes (startLocalApi's `workers`: each its own
 * event loop and DynamoDB client, the warehouse answered by this process over IPC; 1: this process's
 * event loop, as before).
 *
 * Load: autocannon (its programmatic API) in a child process, so the load generator and the server
 * do not share an event loop. Every request is SigV4-signed (service execute-api) with `x-api-key`,
 * signed just before each load run (one signature per URL, replayed: the local server checks that a
 * signature is under 5 minutes old, not that it is fresh). The child records every 2xx response time
 * with sub-millisecond resolution (autocannon's own histogram keeps whole milliseconds; its
 * percentiles are kept in the result too).
 *
 * Measured, per lookup (`/v1/orders/{id}`: GetItem on orders; `/v1/stock/{sku}`: Query on stock):
 * direct (the handler's command, sent with the twin's document client from this process) and through
 * the API, at 1 and at `--connections` (10) in flight; through the API at a fixed `--rate` (1,000/s,
 * autocannon's overallRate, over `--rate-connections` (50), so that the rate and not the connections
 * limits it). The analytics query (`/v1/sales/trend?grain=week&...`) through the API and directly
 * (the same named query and parameters on the LocalWarehouseQueries the server uses).
 *
 * Targets (issue 6): the API adds under 3 ms at p50 to a point lookup; it sustains 1,000 point
 * lookups a second with p99 under 50 ms; no non-2xx answer. Printed, and written to
 * .bench/api-load/result.json. See docs/benchmarks.md, section 8.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { LatencyStats, MachineFacts, latencyStats as stats, machineFacts } from './bench-report';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { signedHeaders, startLocalApi } from '../api/local-server';
import { LocalWarehouseQueries } from '../api/local-warehouse-queries';
import type { InventoryMovement, OrderEvent } from '../contracts/generated/types';
import { Rng } from '../generator/random';
import { formatCount, formatTable, numberOption } from '../generator/terminal';
import type { QueryName } from '../lambdas/api/queries/registry';
import type { QueryOutcome, WarehouseQueries } from '../lambdas/api/warehouse';
import { startEmulatorsInChildProcess } from '../twin/emulators';
import { startLocalTwin } from '../twin/local-twin';
import { LocalWarehouse } from '../twin/warehouse/local-warehouse';
import { DEFAULT_FIXTURE_OPTIONS, buildCuratedFixture } from '../test/warehouse/curated-fixture';

/** Options of the benchmark. */
export interface ApiLoadOptions {
  /** Seconds of each load run at `connections` in flight. */
  readonly seconds: number;
  /** Seconds of each run with one request in flight. */
  readonly serialSeconds: number;
  /** Seconds of each fixed-rate run. */
  readonly rateSeconds: number;
  /** Requests in flight (autocannon connections; concurrent direct calls). */
  readonly connections: number;
  /** Requests per second of the fixed-rate runs (autocannon overallRate). */
  readonly rate: number;
  /** Connections of the fixed-rate runs (enough that the rate, not the connections, is the limit). */
  readonly rateConnections: number;
  /** Seconds of warm-up before each API lookup series and each direct series (not recorded). */
  readonly warmupSeconds: number;
  /** Seconds of the analytics runs, and their requests in flight. */
  readonly analyticsSeconds: number;
  readonly analyticsConnections: number;
  /** Orders and SKUs put on the streams and drained before the runs. */
  readonly orders: number;
  readonly skus: number;
  /** Where the emulators run. */
  readonly emulators: 'in-process' | 'child';
  /** Processes serving the API (startLocalApi's `workers`; 1: this process). */
  readonly apiWorkers: number;
  readonly seed: number;
}

/** One measured series. */
export interface Series {
  readonly name: string;
  readonly lookup: 'order' | 'stock' | 'analytics';
  readonly via: 'direct' | 'api';
  /** Requests in flight (or the fixed rate's connections). */
  readonly inFlight: number;
  /** Fixed rate asked, requests/s (API only). */
  readonly rate?: number;
  readonly seconds: number;
  /** Requests answered per second (2xx for the API, successful calls direct). */
  readonly throughput: number;
  readonly latency: LatencyStats;
  readonly non2xx: number;
  readonly errors: number;
  /** API only: 2xx answers left out of the latencies (queued before autocannon was ready; see CHILD_LOADGEN). */
  readonly untimed?: number;
  /** autocannon's own percentiles (whole ms; corrected for coordinated omission at a fixed rate). */
  readonly autocannon?: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
    /** Its duration (counting the building of its connections). */
    readonly seconds: number;
  };
}

/** The benchmark's result. */
export interface ApiLoadResult {
  readonly date: string;
  readonly options: ApiLoadOptions;
  readonly machine: MachineFacts;
  readonly setupSeconds: number;
  readonly analyticsQuery: { readonly path: string; readonly query: string; readonly rows: number };
  readonly series: readonly Series[];
  /** API p50 − direct p50, same lookup, same in-flight count (ms). */
  readonly overheadP50Ms: Readonly<Record<string, number>>;
  readonly targets: {
    readonly overheadP50Ms: number;
    readonly rate: number;
    readonly p99Ms: number;
    /** Overhead target, one request in flight (the API's own cost per lookup). */
    readonly overheadMet: boolean;
    /** The same with `connections` in flight (queueing for the two cores included). */
    readonly overheadMetUnderLoad: boolean;
    readonly rateMet: boolean;
    readonly no5xxOr4xx: boolean;
  };
}

const OVERHEAD_TARGET_MS = 3;
const RATE_TARGET = 1000;
const P99_TARGET_MS = 50;
const RESULT_DIR = join('.bench', 'api-load');
const WAREHOUSE_IDS = ['WH-BER-1', 'WH-PAR-2', 'WH-MAD-3'] as const;
const TREND_PATH = '/v1/sales/trend?grain=week&from=2024-01-01&to=2024-04-29';

// ---------------------------------------------------------------------------------------------
// Child processes: the emulators (as bench/realtime-freshness-bench.ts) and the load generator

/**
 * The load generator: autocannon's programmatic API in its own process (options from a JSON file),
 * every 2xx response time recorded from the `response` event (sub-millisecond), the result on stdout.
 *
 * autocannon builds every request of `requests` for each connection when it creates the connection
 * (3,000 URLs × 50 connections at the fixed rate: about 2 s of this process's CPU, before anything
 * is sent), and each connection queues its first request, with its clock started, before that
 * building is over; its `duration` also counts the building. So the child times the run from the
 * moment autocannon() returns (all connections built) and leaves out of the latencies the responses
 * to requests queued before it (one per connection, `untimed`): otherwise a 20 s run at 1,000/s
 * reads as about 900/s, and the first request of each connection as up to 2 s.
 */
const CHILD_LOADGEN = `
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const autocannon = require('autocannon');
const o = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
const lat = [];
let untimed = 0;
let ready = Infinity;
const instance = autocannon({
  url: o.url,
  connections: o.connections,
  duration: o.seconds,
  timeout: 10,
  requests: o.requests,
  ...(o.rate ? { overallRate: o.rate } : {}),
}, (err, result) => {
  if (err) { console.error(err); process.exit(1); }
  process.stdout.write(JSON.stringify({
    latencies: lat,
    untimed,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: (performance.now() - ready) / 1000,
    autocannonSeconds: result.duration,
    statusCodeStats: result.statusCodeStats,
    autocannon: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  }) + '\\n');
});
ready = performance.now();
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  if (statusCode < 200 || statusCode >= 300) return;
  if (performance.now() - responseTime < ready) untimed += 1;
  else lat.push(responseTime);
});
`;

interface LoadgenOutput {
  readonly latencies: number[];
  /** 2xx answers to requests queued before autocannon had built its connections (not timed). */
  readonly untimed: number;
  /** autocannon's own duration (it counts the building of the connections). */
  readonly autocannonSeconds: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly seconds: number;
  readonly statusCodeStats: Record<string, { count: number }>;
  readonly autocannon: { p50: number; p90: number; p99: number; max: number };
}

async function autocannonRun(
  dir: string,
  baseUrl: string,
  paths: readonly string[],
  connections: number,
  seconds: number,
  rate?: number,
): Promise<LoadgenOutput> {
  // Signed now: a signature is valid for 5 minutes, a run is shorter.
  const requests = await Promise.all(
    paths.map(async (path) => ({ method: 'GET', path, headers: await signedHeaders(`${baseUrl}${path}`) })),
  );
  const file = join(dir, `loadgen-${Date.now()}.json`);
  await writeFile(file, JSON.stringify({ url: baseUrl, connections, seconds, rate, requests }));
  const child = spawn(process.execPath, ['-e', CHILD_LOADGEN, file], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  await rm(file, { force: true });
  if (code !== 0) throw new Error(`the load generator exited with ${String(code)}`);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as LoadgenOutput;
}

function apiSeries(
  name: string,
  lookup: Series['lookup'],
  inFlight: number,
  out: LoadgenOutput,
  rate?: number,
): Series {
  const latency = stats(out.latencies);
  return {
    name,
    lookup,
    via: 'api',
    inFlight,
    ...(rate ? { rate } : {}),
    seconds: out.seconds,
    throughput: latency.count / out.seconds,
    latency,
    non2xx: out.non2xx,
    errors: out.errors + out.timeouts,
    untimed: out.untimed,
    autocannon: { ...out.autocannon, seconds: out.autocannonSeconds },
  };
}

/** Calls `call(i)` with `inFlight` calls in flight for `seconds`; the i-th call of each worker. */
async function directRun(
  name: string,
  lookup: Series['lookup'],
  inFlight: number,
  seconds: number,
  call: (i: number) => Promise<unknown>,
): Promise<Series> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        const i = next++;
        const t = performance.now();
        try {
          await call(i);
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const latency = stats(latencies);
  return {
    name,
    lookup,
    via: 'direct',
    inFlight,
    seconds: elapsed,
    throughput: latency.count / elapsed,
    latency,
    non2xx: 0,
    errors,
  };
}

// ---------------------------------------------------------------------------------------------
// The live data

function orderEvent(rng: Rng, orderId: string, n: number, skus: number): OrderEvent {
  const a = rng.int(1, skus);
  const b = rng.int(1, skus);
  return {
    event_id: `al-o-${orderId}`,
    event_type: 'order.created',
    event_time: new Date(Date.UTC(2024, 8, 18, 8) + n * 1000).toISOString(),
    schema_version: 1,
    order_id: orderId,
    customer_id: rng.int(1, 100_000),
    channel: rng.pick(['web', 'mobile_app', 'marketplace', 'store'] as const),
    currency: 'EUR',
    lines: [
      {
        line_number: 1,
        sku: skuOf(a),
        product_id: a,
        quantity: rng.int(1, 3),
        unit_price: `${rng.int(5, 199)}.${rng.int(10, 99)}`,
      },
      { line_number: 2, sku: skuOf(b), product_id: b, quantity: rng.int(1, 2), unit_price: '19.90' },
    ],
    shipping_amount: rng.pick(['0.00', '4.99', '9.90']),
  };
}

const skuOf = (n: number): string => `SKU-AL-${String(n).padStart(6, '0')}`;

function receipt(rng: Rng, n: number): InventoryMovement {
  return {
    event_id: `al-i-${String(n).padStart(7, '0')}`,
    event_type: 'inventory.received',
    event_time: new Date(Date.UTC(2024, 8, 18, 6) + n * 1000).toISOString(),
    schema_version: 1,
    sku: skuOf(n),
    product_id: n,
    warehouse_id: WAREHOUSE_IDS[n % WAREHOUSE_IDS.length],
    quantity: rng.int(10, 60),
    reorder_point: rng.int(5, 25),
  };
}

// ---------------------------------------------------------------------------------------------
// The run

/** Runs the benchmark. */
export async function runApiLoadBench(
  options: ApiLoadOptions,
  log: (line: string) => void = () => undefined,
): Promise<ApiLoadResult> {
  const loadAverageBefore = loadavg();
  const t0 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'api-load-bench-'));
  const tag = (options.seed >>> 0).toString(36);
  const rng = new Rng(options.seed);
  const emulators = options.emulators === 'child' ? await startEmulatorsInChildProcess() : undefined;
  const twin = await startLocalTwin({
    root: join(dir, 'twin'),
    prefix: `apiload-${tag}`,
    ...(emulators ? { emulators } : {}),
  });
  let wh: LocalWarehouse | undefined;
  let api: Awaited<ReturnType<typeof startLocalApi>> | undefined;
  try {
    // Live tables: the orders and stock positions the lookups read.
    const orderIds = Array.from(
      { length: options.orders },
      (_, i) => `AL-${tag}-${String(i + 1).padStart(7, '0')}`,
    );
    const skus = Array.from({ length: options.skus }, (_, i) => skuOf(i + 1));
    log(`putting ${options.orders} orders and ${options.skus} stock receipts, draining…`);
    await twin.putEvents(
      'orders',
      orderIds.map((id, i) => orderEvent(rng, id, i, options.skus)),
    );
    await twin.putEvents(
      'inventory',
      skus.map((_, i) => receipt(rng, i + 1)),
    );
    log('building the curated fixture (120 days) and loading the warehouse…');
    const [fixture] = await Promise.all([
      buildCuratedFixture(join(dir, 'lake'), { ...DEFAULT_FIXTURE_OPTIONS, days: 120 }),
      twin.drain(),
    ]);
    wh = await LocalWarehouse.open();
    await wh.migrate();
    const report = await wh.load({ curatedRoot: fixture.root, runId: 'api-load-bench' });
    if (!report.reconciled) throw new Error('the warehouse load did not reconcile');

    // The server's warehouse, wrapped to learn the named query and parameters of the analytics path.
    const queries = await LocalWarehouseQueries.create(wh);
    let seen: { query: QueryName; values: Readonly<Record<string, string | number>> } | undefined;
    const warehouse: WarehouseQueries = {
      run: (query, values) => {
        seen ??= { query, values };
        return queries.run(query, values);
      },
      poll: (id) => queries.poll(id),
    };
    api = await startLocalApi({
      warehouse,
      documents: twin.documents,
      tables: twin.tables,
      workers: options.apiWorkers,
    });
    const baseUrl = api.url;

    // Every lookup answers 200 before the runs (the data is there, the signatures are accepted).
    for (const path of [`/v1/orders/${orderIds[0]}`, `/v1/stock/${skus[0]}`, TREND_PATH]) {
      const res = await fetch(`${baseUrl}${path}`, { headers: await signedHeaders(`${baseUrl}${path}`) });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
    if (!seen) throw new Error('the analytics path ran no warehouse query');
    const analytics = seen;
    const rows = (
      (await queries.run(analytics.query, analytics.values)) as QueryOutcome & { rows?: unknown[] }
    ).rows?.length;
    const setupSeconds = (performance.now() - t0) / 1000;
    log(`setup ${setupSeconds.toFixed(1)} s; API on ${baseUrl}`);

    const documents = twin.documents;
    const direct = {
      order: (i: number) =>
        documents.send(
          new GetCommand({ TableName: twin.tables.orders, Key: { order_id: orderIds[i % orderIds.length] } }),
        ),
      stock: (i: number) =>
        documents.send(
          new QueryCommand({
            TableName: twin.tables.stock,
            KeyConditionExpression: '#sku = :sku',
            ExpressionAttributeNames: { '#sku': 'sku' },
            ExpressionAttributeValues: { ':sku': skus[i % skus.length] },
          }),
        ),
      analytics: () => queries.run(analytics.query, analytics.values),
    };
    const paths = {
      order: orderIds.map((id) => `/v1/orders/${id}`),
      stock: skus.map((s) => `/v1/stock/${s}`),
      analytics: [TREND_PATH],
    };

    const series: Series[] = [];
    const c = options.connections;
    for (const lookup of ['order', 'stock'] as const) {
      const label = lookup === 'order' ? 'GET /v1/orders/{id}' : 'GET /v1/stock/{sku}';
      const what = lookup === 'order' ? 'GetItem orders' : 'Query stock';
      log(`${label}: warm-up`);
      await directRun('warm-up', lookup, c, options.warmupSeconds, direct[lookup]);
      await autocannonRun(dir, baseUrl, paths[lookup], c, options.warmupSeconds);
      for (const inFlight of [1, c]) {
        const secs = inFlight === 1 ? options.serialSeconds : options.seconds;
        log(`${label}: direct and API, ${inFlight} in flight, ${secs} s each`);
        series.push(await directRun(`${what}, direct`, lookup, inFlight, secs, direct[lookup]));
        series.push(
          apiSeries(
            `${label}, API`,
            lookup,
            inFlight,
            await autocannonRun(dir, baseUrl, paths[lookup], inFlight, secs),
          ),
        );
      }
      log(`${label}: API at ${options.rate}/s for ${options.rateSeconds} s`);
      series.push(
        apiSeries(
          `${label}, API, fixed rate`,
          lookup,
          options.rateConnections,
          await autocannonRun(
            dir,
            baseUrl,
            paths[lookup],
            options.rateConnections,
            options.rateSeconds,
            options.rate,
          ),
          options.rate,
        ),
      );
    }
    const ac = options.analyticsConnections;
    log(`analytics: direct and API, ${ac} in flight, ${options.analyticsSeconds} s each`);
    await directRun('warm-up', 'analytics', ac, Math.min(2, options.warmupSeconds), direct.analytics);
    series.push(
      await directRun(
        `${analytics.query}, direct`,
        'analytics',
        ac,
        options.analyticsSeconds,
        direct.analytics,
      ),
    );
    series.push(
      apiSeries(
        'GET /v1/sales/trend, API',
        'analytics',
        ac,
        await autocannonRun(dir, baseUrl, paths.analytics, ac, options.analyticsSeconds),
      ),
    );

    const overheadP50Ms: Record<string, number> = {};
    for (const s of series.filter((x) => x.via === 'api' && x.rate === undefined)) {
      const d = series.find((x) => x.via === 'direct' && x.lookup === s.lookup && x.inFlight === s.inFlight);
      if (d) overheadP50Ms[`${s.lookup}, ${s.inFlight} in flight`] = s.latency.p50 - d.latency.p50;
    }
    const lookupOverheads = (inFlight: number): number[] =>
      Object.entries(overheadP50Ms)
        .filter(([k]) => !k.startsWith('analytics') && k.endsWith(`, ${inFlight} in flight`))
        .map(([, v]) => v);
    const rated = series.filter((s) => s.rate !== undefined);
    return {
      date: new Date().toISOString(),
      options,
      machine: machineFacts(loadAverageBefore),
      setupSeconds,
      analyticsQuery: { path: TREND_PATH, query: analytics.query, rows: rows ?? 0 },
      series,
      overheadP50Ms,
      targets: {
        overheadP50Ms: OVERHEAD_TARGET_MS,
        rate: RATE_TARGET,
        p99Ms: P99_TARGET_MS,
        overheadMet: lookupOverheads(1).every((v) => v < OVERHEAD_TARGET_MS),
        overheadMetUnderLoad: lookupOverheads(c).every((v) => v < OVERHEAD_TARGET_MS),
        rateMet: rated.every(
          (s) => s.throughput >= Math.min(RATE_TARGET, s.rate ?? 0) * 0.98 && s.latency.p99 < P99_TARGET_MS,
        ),
        no5xxOr4xx: series.every((s) => s.non2xx === 0 && s.errors === 0),
      },
    };
  } finally {
    await api?.close();
    await twin.stop();
    await emulators?.stop();
    wh?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Command line

function parse(argv: readonly string[]): ApiLoadOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seconds: { type: 'string' },
      'serial-seconds': { type: 'string' },
      'rate-seconds': { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      'rate-connections': { type: 'string' },
      warmup: { type: 'string' },
      'analytics-seconds': { type: 'string' },
      'analytics-connections': { type: 'string' },
      orders: { type: 'string' },
      skus: { type: 'string' },
      emulators: { type: 'string' },
      'api-workers': { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  const n = numberOption;
  const emulators = values.emulators ?? 'child';
  if (emulators !== 'in-process' && emulators !== 'child')
    throw new Error(`--emulators must be in-process or child, got '${emulators}'`);
  const seconds = Math.max(1, n('seconds', values.seconds, 20));
  return {
    seconds,
    serialSeconds: Math.max(1, n('serial-seconds', values['serial-seconds'], Math.min(10, seconds))),
    rateSeconds: Math.max(1, n('rate-seconds', values['rate-seconds'], seconds)),
    connections: Math.max(1, Math.round(n('connections', values.connections, 10))),
    rate: Math.max(1, n('rate', values.rate, RATE_TARGET)),
    rateConnections: Math.max(1, Math.round(n('rate-connections', values['rate-connections'], 50))),
    warmupSeconds: Math.max(1, n('warmup', values.warmup, 3)),
    analyticsSeconds: Math.max(1, n('analytics-seconds', values['analytics-seconds'], 10)),
    analyticsConnections: Math.max(
      1,
      Math.round(n('analytics-connections', values['analytics-connections'], 4)),
    ),
    orders: Math.max(1, Math.round(n('orders', values.orders, 3000))),
    skus: Math.max(1, Math.round(n('skus', values.skus, 3000))),
    emulators,
    apiWorkers: Math.max(1, Math.round(n('api-workers', values['api-workers'], 2))),
    seed: Math.round(n('seed', values.seed, 42)),
  };
}

const ms = (x: number): string => (Number.isNaN(x) ? '—' : x < 100 ? x.toFixed(2) : formatCount(x));

function print(r: ApiLoadResult): void {
  const o = r.options;
  console.log(
    `\nThe REST API's local twin under load: ${formatCount(o.orders)} orders, ${formatCount(o.skus)} stock positions, ` +
      `emulators ${o.emulators}, API workers ${o.apiWorkers}; ${r.machine.cpus} CPUs, Node.js ${r.machine.node}; ` +
      `load average ${r.machine.loadAverageBefore.join(' ')} before, ${r.machine.loadAverageAfter.join(' ')} after; setup ${r.setupSeconds.toFixed(0)} s\n`,
  );
  console.log(
    formatTable(
      [
        'series',
        'in flight',
        'rate asked',
        'requests',
        'req/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'non-2xx',
        'errors',
        'autocannon p50/p99',
      ],
      r.series.map((s) => [
        s.name,
        s.inFlight,
        s.rate === undefined ? '' : formatCount(s.rate),
        s.latency.count,
        formatCount(s.throughput),
        ms(s.latency.p50),
        ms(s.latency.p90),
        ms(s.latency.p99),
        ms(s.latency.max),
        s.via === 'api' ? s.non2xx : '',
        s.errors,
        s.autocannon ? `${s.autocannon.p50} / ${s.autocannon.p99}` : '',
      ]),
      [
        undefined,
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
      ],
    ),
  );
  console.log(
    `\n  API overhead at p50 (API p50 − direct p50, same run): ${Object.entries(r.overheadP50Ms)
      .map(([k, v]) => `${k} ${ms(v)} ms`)
      .join('; ')}`,
  );
  console.log(
    `  analytics: ${r.analyticsQuery.path} → named query ${r.analyticsQuery.query} (${r.analyticsQuery.rows} rows)`,
  );
  const t = r.targets;
  console.log(
    `\n  targets: API adds < ${t.overheadP50Ms} ms at p50 to a point lookup ${t.overheadMet ? 'met' : 'NOT MET'} ` +
      `(one in flight; with ${o.connections} in flight ${t.overheadMetUnderLoad ? 'met' : 'not met'}); ` +
      `${formatCount(t.rate)} lookups/s with p99 < ${t.p99Ms} ms ${t.rateMet ? 'met' : 'NOT MET'}; ` +
      `no non-2xx or error ${t.no5xxOr4xx ? 'met' : 'NOT MET'}`,
  );
}

async function main(): Promise<void> {
  // The SDK's notice that Node 20 support ends in 2027 is noise in a benchmark report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parse(process.argv.slice(2));
  console.error(
    `API load benchmark: ${options.connections} connections × ${options.seconds} s, ${formatCount(options.rate)}/s fixed rate, ${options.apiWorkers} API worker(s); load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const r = await runApiLoadBench(options, (line) => process.stderr.write(`  ${line}\n`));
  print(r);
  await mkdir(RESULT_DIR, { recursive: true });
  const file = join(RESULT_DIR, 'result.json');
  await writeFile(file, `${JSON.stringify(r, null, 1)}\n`);
  console.log(`\n  result: ${file}`);
  if (!r.targets.no5xxOr4xx) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
