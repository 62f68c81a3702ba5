/**
 * The OLTP extraction end to end, with no mocks: a real PostgreSQL (startPostgres) seeded from the
 * generator (seedOltp), the real Glue job (glue-scripts/jobs/oltp_to_curated.py) on local PySpark over
 * JDBC, the curated Parquet read back with DuckDB. A second run changes nothing; after a batch of
 * business changes (applyOltpChanges) a third run adds exactly the new versions, quarantines the row
 * the contract refuses, and reads but does not version the rows whose untracked columns changed.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { Client } from 'pg';
import { PostgresServer, startPostgres } from '../../twin/oltp/postgres-server';
import { OltpCounts, OLTP_TABLES, applyOltpChanges, seedOltp } from '../../twin/oltp/seed';
import { OltpRunReport, runOltpExtraction } from '../../twin/oltp/extraction-job';

jest.setTimeout(300_000);

const SHOP = { scale: 0.0001, seed: 11 };

let server: PostgresServer;
let root: string;
let seeded: OltpCounts;
let instance: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  [server, root, instance] = await Promise.all([
    startPostgres(),
    mkdtemp(join(tmpdir(), 'oltp-lake-')),
    DuckDBInstance.create(':memory:'),
  ]);
  duck = await instance.connect();
  seeded = await seedOltp(server.url, SHOP);
});

afterAll(async () => {
  duck?.closeSync();
  instance?.closeSync();
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

function extract(runId: string): Promise<OltpRunReport> {
  return runOltpExtraction({
    source: server,
    rawRoot: join(root, 'raw'),
    curatedRoot: join(root, 'curated'),
    runId,
    // small partitions so that the parallel reads (range on a numeric key, hash predicates) are exercised
    extraArgs: ['--rows-per-partition', '4', '--max-partitions', '3'],
  });
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await duck.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

function curated(dataset: string): string {
  return `read_parquet('${join(root, 'curated', 'curated', dataset)}/**/*.parquet', hive_partitioning = true)`;
}

async function versionCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of OLTP_TABLES) {
    const [r] = await rows(`select count(*) as n from ${curated(t)}`);
    out[t] = Number(r.n);
  }
  return out;
}

function counts(report: OltpRunReport, key: 'read' | 'written' | 'deduplicated'): Record<string, number> {
  return Object.fromEntries(OLTP_TABLES.map((t) => [t, report.datasets[t][key]]));
}

test('extracts every table, changes nothing on a rerun, and adds exactly the new versions after changes', async () => {
  expect(seeded.customers).toBe(1000);
  expect(seeded.products).toBe(2500);
  expect(seeded.order_headers).toBeGreaterThan(0);

  // 1. The first run reads every row and writes one version each.
  const first = await extract('run-1');
  expect(first.reconciled).toBe(true);
  expect(counts(first, 'read')).toEqual(seeded);
  expect(counts(first, 'written')).toEqual(seeded);
  expect(first.totals.quarantined).toBe(0);
  expect(first.datasets.customers.jdbc_partitions).toBe(3); // split on customer_id
  // split by hash predicates on order_id
  expect(first.datasets.order_headers.jdbc_partitions).toBe(Math.min(3, Math.ceil(seeded.order_headers / 4)));
  expect(await versionCounts()).toEqual(seeded);
  const [distinct] = await rows(`select count(distinct sku) as n from ${curated('products')}`);
  expect(Number(distinct.n)).toBe(seeded.products);
  for (const t of OLTP_TABLES) {
    expect(await readdir(join(root, 'raw', 'oltp', t, `extract_date=${first.extract_date}`))).toEqual([
      'run_id=run-1',
    ]);
  }

  // 2. Nothing changed in the source: nothing is read or written, the watermarks stay.
  const second = await extract('run-2');
  expect(second.totals).toEqual({ read: 0, written: 0, deduplicated: 0, quarantined: 0 });
  for (const t of OLTP_TABLES) {
    expect(second.datasets[t].watermark_after).toBe(first.datasets[t].watermark_after);
  }
  expect(await versionCounts()).toEqual(seeded);

  // 3. A batch of business changes, plus one row the contract refuses (a lower-case country code).
  const changes = await applyOltpChanges(server.url, { seed: SHOP.seed });
  const changed = new Set([...changes.customerTier, ...changes.customerCity, ...changes.customerTouched]);
  const refused = Array.from({ length: 10 }, (_, i) => i + 1).find((id) => !changed.has(id));
  const pg = new Client({ connectionString: server.url });
  await pg.connect();
  try {
    await pg.query(`update customers set country = 'nl', updated_at = $1 where customer_id = $2`, [
      changes.at,
      refused,
    ]);
  } finally {
    await pg.end();
  }
  const third = await extract('run-3');
  expect(third.reconciled).toBe(true);
  expect(counts(third, 'written')).toEqual(changes.newVersions);
  expect(counts(third, 'read')).toEqual({ ...changes.touched, customers: changes.touched.customers + 1 });
  expect(counts(third, 'deduplicated')).toEqual({
    warehouses: 0,
    campaigns: 0,
    customers: changes.customerTouched.length,
    products: changes.productReorderPoint.length,
    order_headers: 0,
  });
  expect(third.datasets.customers.quarantined).toEqual({ CONTRACT_VIOLATION: 1 });
  expect(third.datasets.customers.watermark_after).toBe(changes.at.replace('.000Z', '.000000Z'));
  expect(third.datasets.warehouses.watermark_after).toBe(first.datasets.warehouses.watermark_after);

  const after = await versionCounts();
  for (const t of OLTP_TABLES) expect(after[t]).toBe(seeded[t] + changes.newVersions[t]);

  // The history: a customer whose tier moved has two versions, newest with the change.
  const tiered = changes.customerTier[0];
  const history = await rows(
    `select loyalty_tier, strftime(valid_from, '%Y-%m-%dT%H:%M:%S') as vf from ${curated('customers')}
     where customer_id = ${tiered} order by valid_from`,
  );
  expect(history).toHaveLength(2);
  expect(history[1]).toEqual({ loyalty_tier: expect.any(String), vf: changes.at.slice(0, 19) });
  expect(history[1].loyalty_tier).not.toBe(history[0].loyalty_tier);
  const orders = await rows(
    `select order_id, count(*) as n, arg_max(status, valid_from) as status from ${curated('order_headers')}
     where order_id in (${changes.orderAdvanced.map((o) => `'${o}'`).join(', ')}) group by order_id`,
  );
  expect(orders.map((o) => Number(o.n))).toEqual(changes.orderAdvanced.map(() => 2));
  const quarantine = await rows(
    `select reason_code, reason, run_id from read_parquet('${join(root, 'curated', 'quarantine', 'customers')}/**/*.parquet', hive_partitioning = true)`,
  );
  expect(quarantine).toEqual([
    { reason_code: 'CONTRACT_VIOLATION', reason: 'country does not match ^[A-Z]{2}$', run_id: 'run-3' },
  ]);
});
