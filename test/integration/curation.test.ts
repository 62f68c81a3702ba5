/**
 * The Glue job end to end in the twin: the ingestion path writes the raw zone (the Firehose stand-in),
 * the real job (glue-scripts/jobs/raw_events_to_curated.py) runs on local PySpark over it, the
 * curated Parquet is read back, and a second run changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Emulators, startEmulators } from '../../twin/emulators';
import type { LocalTwin } from '../../twin/local-twin';
import { runCurationStep } from '../../demo/curation-step';
import { mixedWorkload, newOrderId, orderCreated, putWorkload, twinOn } from './fixtures';

const REPO = resolve(__dirname, '..', '..');
const PYTHON = join(REPO, '.venv', 'bin', 'python');

/** Reads a curated dataset back with Spark: its event ids and row count. */
function readCurated(curatedRoot: string, dataset: string): { ids: string[]; rows: number } {
  const probe = [
    'import json, sys',
    'from pyspark.sql import SparkSession',
    "s = SparkSession.builder.master('local[1]').config('spark.ui.enabled', 'false').getOrCreate()",
    'df = s.read.parquet(sys.argv[1])',
    "print(json.dumps({'ids': sorted(r.event_id for r in df.select('event_id').collect()), 'rows': df.count()}))",
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', probe, join(curatedRoot, 'curated', dataset)], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`reading ${dataset} back failed:\n${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() as string);
}

function parquetFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet'));
}

let emulators: Emulators;
let twin: LocalTwin;

beforeAll(async () => {
  emulators = await startEmulators();
  twin = await twinOn(emulators);
});

afterAll(async () => {
  await twin.stop({ removeRoot: true });
  await emulators.stop();
});

test('the job curates what the ingestion path wrote, quarantines with reasons, and a second run changes nothing', async () => {
  // Prepare: a mixed day, an exact duplicate, and an order the contract refuses (negative quantity).
  const workload = mixedWorkload();
  const duplicate = workload.orders[0];
  const bad = orderCreated(newOrderId(), {
    lines: [{ line_number: 1, sku: 'SKU-00000001', product_id: 1, quantity: -2, unit_price: '1.00' }],
  });
  workload.orders.push(duplicate, bad);
  await putWorkload(twin, workload);
  await twin.drain();
  const curatedRoot = join(twin.root, 'lake', 'curated');

  // Act: the first run.
  const first = await runCurationStep({ rawRoot: twin.lakeRoot, curatedRoot, runId: 'first' });

  // Assess: per dataset, and the reconciliation.
  expect(first.reconciled).toBe(true);
  expect(first.datasets.order_events).toMatchObject({
    read: 5,
    written: 3,
    deduplicated: 1,
    quarantined: { CONTRACT_VIOLATION: 1 },
  });
  expect(first.datasets.product_metadata_events).toMatchObject({ read: 1, written: 1 });
  expect(first.datasets.inventory_movements).toMatchObject({ read: 5, written: 5 });
  expect(first.datasets.clickstream_interactions).toMatchObject({ read: 3, written: 3 });
  expect(first.datasets.review_events).toMatchObject({ read: 1, written: 1 });
  expect(first.datasets.application_log_events).toMatchObject({ read: 1, written: 1 });
  const t = first.totals;
  expect(t.read).toBe(t.written + t.quarantined + t.deduplicated);

  // Assess: the curated Parquet holds exactly the good order events, once each.
  const orders = readCurated(curatedRoot, 'order_events');
  const goodIds = (workload.orders.slice(0, 3) as { event_id: string }[]).map((e) => e.event_id).sort();
  expect(orders).toEqual({ ids: goodIds, rows: 3 });
  const filesAfterFirst = parquetFiles(join(curatedRoot, 'curated'));

  // Act: the same job again over the same raw zone.
  const second = await runCurationStep({ rawRoot: twin.lakeRoot, curatedRoot, runId: 'second' });

  // Assess: nothing new read or written.
  expect(second.totals).toEqual({ read: 0, written: 0, quarantined: 0, deduplicated: 0 });
  expect(parquetFiles(join(curatedRoot, 'curated'))).toEqual(filesAfterFirst);
}, 300_000);
