/**
 * The lake's Glue workflow end to end in the twin, with no mocks: the ingestion path writes the raw
 * events and the DynamoDB documents (through the real transformers), the document tables are
 * exported in AWS's export layout, a real PostgreSQL seeded by the generator is the OLTP source, the
 * generator drops the partners' files (with the bad ones). Then every job of glue-scripts/workflow.json
 * runs through its real main() in dependency order (glue-scripts/run_workflow.py, one local
 * SparkSession), the curated Parquet is read back with DuckDB and checked against the catalog's
 * columns, the local warehouse loads it through sql/ (COPY by position: the twin refuses a column
 * drift between the Glue jobs' Parquet and the staging tables), and a second run of the whole workflow
 * changes nothing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { generateEvents } from '../../generator';
import {
  campaignSpend,
  paymentSettlements,
  writeBadThirdPartyDrops,
  writeThirdPartyDrops,
} from '../../generator/third-party';
import {
  DERIVED_DATASETS,
  EVENT_DATASETS,
  PARTITION_KEYS,
  SOURCE_DATASETS,
  curatedColumns,
  derivedColumns,
  sourceColumns,
} from '../../lib/lake/lake-datasets';
import { WORKFLOW_JOBS } from '../../lib/lake/lake-workflow';
import { DOCUMENT_TABLE_IDS, DocumentTableId } from '../../lib/tables/table-definitions';
import { exportDocumentTables } from '../../twin/dynamodb-export';
import { Emulators, startEmulators } from '../../twin/emulators';
import { WorkflowReport, runLakeWorkflow } from '../../twin/lake-workflow';
import type { LocalTwin } from '../../twin/local-twin';
import { oltpSourceArgs } from '../../twin/oltp/extraction-job';
import { PostgresServer, startPostgres } from '../../twin/oltp/postgres-server';
import { OltpCounts, seedOltp } from '../../twin/oltp/seed';
import { LocalWarehouse } from '../../twin/warehouse/local-warehouse';
import { LOADS } from '../../sql/registry';
import { mixedWorkload, newOrderId, orderCreated, putWorkload, twinOn } from './fixtures';

jest.setTimeout(420_000);

const SHOP = { scale: 0.0001, seed: 23 };
const RECEIVED = '2024-09-19';

let emulators: Emulators;
let twin: LocalTwin;
let pg: PostgresServer;
let instance: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  [emulators, pg, instance] = await Promise.all([
    startEmulators(),
    startPostgres(),
    DuckDBInstance.create(':memory:'),
  ]);
  twin = await twinOn(emulators);
  duck = await instance.connect();
});

afterAll(async () => {
  duck?.closeSync();
  instance?.closeSync();
  await twin?.stop({ removeRoot: true });
  await emulators?.stop();
  await pg?.stop();
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

function parquet(curatedRoot: string, dataset: string): string {
  return `read_parquet('${join(curatedRoot, 'curated', dataset)}/**/*.parquet', hive_partitioning = true, union_by_name = true)`;
}

function curatedFiles(curatedRoot: string): string[] {
  return readdirSync(join(curatedRoot, 'curated'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet'))
    .sort();
}

type Report = Record<string, unknown> & {
  reconciled: boolean;
  derived?: Record<string, { from: string; written: number; partitions_written: string[] }>;
  datasets: Record<
    string,
    Record<string, unknown> & { read: number; written: number; quarantined: Record<string, number> }
  >;
  totals: Record<string, number>;
};

function jobReport(workflow: WorkflowReport, job: string): Report {
  const outcome = workflow.jobs[job];
  expect({ job, state: outcome?.state, error: outcome?.error }).toEqual({
    job,
    state: 'SUCCEEDED',
    error: undefined,
  });
  return outcome.report as Report;
}

test('every job curates its source, the catalog matches the Parquet, and a second run changes nothing', async () => {
  // Prepare: the ingestion path writes the raw events and the documents (an exact duplicate and an
  // order the contract refuses among them).
  const workload = mixedWorkload();
  const duplicate = workload.orders[0];
  const bad = orderCreated(newOrderId(), {
    lines: [{ line_number: 1, sku: 'SKU-00000001', product_id: 1, quantity: -2, unit_price: '1.00' }],
  });
  workload.orders.push(duplicate, bad);
  await putWorkload(twin, workload);
  await twin.drain();
  // The OLTP source, seeded by the generator; the document tables exported; the partners' drops.
  const seeded: OltpCounts = await seedOltp(pg.url, SHOP);
  const exports = await exportDocumentTables(twin.dynamo, twin.prefix, twin.lakeRoot);
  const spend = campaignSpend(SHOP);
  const settlements = paymentSettlements(generateEvents({ ...SHOP, badShare: 0 }), { seed: SHOP.seed });
  writeThirdPartyDrops(twin.lakeRoot, { campaignSpend: spend, settlements });
  const badDrops = writeBadThirdPartyDrops(twin.lakeRoot, RECEIVED, { campaignSpend: spend, settlements });
  expect(badDrops.map((d) => d.expect)).toContain('MISSING_COLUMN');
  const curatedRoot = join(twin.root, 'lake', 'curated');
  const run = (runId: string) =>
    runLakeWorkflow({
      rawRoot: twin.lakeRoot,
      curatedRoot,
      runId,
      jobArgs: { oltp_to_curated: oltpSourceArgs(pg).args },
      env: oltpSourceArgs(pg).env,
      maxRetries: 0,
    });

  // Act: the whole workflow.
  const first = await run('first');

  // Assess: every job ran and reconciled (the order is the runner's, tested in test_run_workflow.py).
  expect(Object.keys(first.jobs).sort()).toEqual(WORKFLOW_JOBS.map((j) => j.name).sort());
  const reports = Object.fromEntries(WORKFLOW_JOBS.map((j) => [j.name, jobReport(first, j.name)]));
  expect(first.succeeded).toBe(true);
  for (const [job, report] of Object.entries(reports))
    expect({ job, reconciled: report.reconciled }).toEqual({ job, reconciled: true });

  // The events: the good ones once each, the duplicate dropped, the bad one quarantined with its reason.
  const events = reports.raw_events_to_curated;
  expect(events.datasets.order_events).toMatchObject({
    read: 5,
    written: 3,
    deduplicated: 1,
    quarantined: { CONTRACT_VIOLATION: 1 },
  });
  for (const [name, n] of Object.entries({
    inventory_movements: 5,
    clickstream_interactions: 3,
    review_events: 1,
    application_log_events: 1,
  })) {
    expect({ name, written: events.datasets[name].written }).toEqual({ name, written: n });
  }
  const goodIds = (workload.orders.slice(0, 3) as { event_id: string }[]).map((e) => e.event_id).sort();
  const orderIds = await rows(
    `select event_id from ${parquet(curatedRoot, 'order_events')} order by event_id`,
  );
  expect(orderIds.map((r) => r.event_id)).toEqual(goodIds);

  // The flat datasets derived from the published order events: a status change per published order
  // event, a line per line of its order.created event (the duplicate and the refused order give none).
  const good = workload.orders.slice(0, 3) as {
    event_type: string;
    lines?: unknown[];
    returned_lines?: unknown[];
  }[];
  const lineCount = good.reduce(
    (n, e) =>
      n +
      (e.event_type === 'order.created' ? (e.lines?.length ?? 0) : 0) +
      (e.event_type === 'order.returned' ? (e.returned_lines?.length ?? 0) : 0),
    0,
  );
  expect(lineCount).toBeGreaterThan(0);
  expect(events.derived).toMatchObject({
    order_status_changes: { from: 'order_events', written: events.datasets.order_events.written },
    order_lines: { from: 'order_events', written: lineCount },
  });
  for (const d of DERIVED_DATASETS) {
    const [c] = await rows(`select count(*) as n from ${parquet(curatedRoot, d.name)}`);
    expect({ dataset: d.name, rows: Number(c.n) }).toEqual({
      dataset: d.name,
      rows: events.derived?.[d.name].written,
    });
    // A derived table is loaded by position (COPY): its Parquet columns are the declared ones, in
    // order, with the declared types.
    const described = await rows(`describe select * from ${parquet(curatedRoot, d.name)}`);
    const duckType: Record<string, RegExp> = {
      string: /^VARCHAR$/,
      bigint: /^BIGINT$/,
      timestamp: /^TIMESTAMP/,
      'decimal(18,4)': /^DECIMAL\(18,4\)$/,
    };
    const declared = [...derivedColumns(d), ...PARTITION_KEYS];
    expect(described.map((r) => String(r.column_name))).toEqual(declared.map((c) => c.name));
    for (const [i, c] of derivedColumns(d).entries())
      expect({ column: c.name, type: String(described[i].column_type) }).toEqual({
        column: c.name,
        type: expect.stringMatching(duckType[c.type]),
      });
  }
  const [dupLines] = await rows(
    `select count(*) - count(distinct (event_id, line_number)) as n from ${parquet(curatedRoot, 'order_lines')}`,
  );
  expect(Number(dupLines.n)).toBe(0);

  // The OLTP tables: one version per seeded row.
  const oltp = reports.oltp_to_curated;
  for (const [table, n] of Object.entries(seeded)) {
    expect({ table, written: oltp.datasets[table].written }).toEqual({ table, written: n });
    const [c] = await rows(`select count(*) as n from ${parquet(curatedRoot, table)}`);
    expect({ table, rows: Number(c.n) }).toEqual({ table, rows: n });
  }

  // The documents: each table's export curated whole, as many rows as the table has items.
  const docs = reports.dynamodb_documents_to_curated;
  for (const d of SOURCE_DATASETS.filter((s) => s.source === 'documents')) {
    const tableId = d.origin as DocumentTableId;
    expect(DOCUMENT_TABLE_IDS).toContain(tableId);
    const items = (await twin.scanTable(tableId)).length;
    expect({
      dataset: d.name,
      read: docs.datasets[d.name].read,
      written: docs.datasets[d.name].written,
    }).toEqual({
      dataset: d.name,
      read: items,
      written: items,
    });
    expect(docs.datasets[d.name].export_id).toBe(exports[tableId].exportId);
  }
  const [sessions] = await rows(`select count(*) as n from ${parquet(curatedRoot, 'session_documents')}`);
  expect(Number(sessions.n)).toBe(1);

  // The partners' files: the good rows published, the bad files and rows quarantined with their reasons.
  const files = reports.third_party_files_to_curated;
  expect(files.datasets.campaign_spend.quarantined).toMatchObject({ MISSING_COLUMN: expect.any(Number) });
  expect(files.datasets.payment_settlements.written).toBeGreaterThan(0);
  const [spendRows] = await rows(`select count(*) as n from ${parquet(curatedRoot, 'campaign_spend')}`);
  expect(Number(spendRows.n)).toBe(
    files.datasets.campaign_spend.written - Number(files.datasets.campaign_spend.corrected ?? 0),
  );
  // The campaigns the spend refers to were curated first by the OLTP job: the reference gate passed.
  expect(JSON.stringify(files.datasets.campaign_spend.gates ?? {})).not.toMatch(/UNKNOWN|failed":\{"/);

  // The catalog (lib/lake) and the Parquet the jobs write have the same columns, for every dataset with rows.
  const catalog: [string, string[]][] = [
    ...EVENT_DATASETS.map((d): [string, string[]] => [
      d.name,
      [...curatedColumns(d), ...PARTITION_KEYS].map((c) => c.name),
    ]),
    ...SOURCE_DATASETS.map((d): [string, string[]] => [
      d.name,
      [...sourceColumns(d), ...d.partitionKeys].map((c) => c.name),
    ]),
    ...DERIVED_DATASETS.map((d): [string, string[]] => [
      d.name,
      [...derivedColumns(d), ...PARTITION_KEYS].map((c) => c.name),
    ]),
  ];
  for (const [dataset, columns] of catalog) {
    const described = await rows(`describe select * from ${parquet(curatedRoot, dataset)}`);
    expect({ dataset, columns: described.map((r) => String(r.column_name)).sort() }).toEqual({
      dataset,
      columns: [...columns].sort(),
    });
  }
  const filesAfterFirst = curatedFiles(curatedRoot);

  // The warehouse: every load of sql/ reads what the Glue jobs wrote, and the star holds every key staged.
  const wh = await LocalWarehouse.open();
  try {
    await wh.migrate();
    const loaded = await wh.load({ curatedRoot, runId: 'warehouse-1' });
    expect(loaded.reconciled).toBe(true);
    expect([...new Set(loaded.partitions.map((p) => p.dataset))].sort()).toEqual(
      LOADS.map((l) => l.dataset).sort(),
    );
    const count = async (table: string) =>
      Number((await wh.query(`select count(*) as n from ${table}`))[0].n);
    expect(await count('star.fact_sales')).toBe(lineCount);
    expect(await count('star.fact_order_lifecycle')).toBe(
      new Set(good.map((e) => (e as { order_id?: string }).order_id)).size,
    );
    expect(await count('star.fact_inventory_movement')).toBe(5);
    expect(await count('star.dim_customer')).toBe(seeded.customers + 1);
    expect(await count('star.dim_product')).toBe(seeded.products + 1);
    // A line waits on the unknown member only when its customer or SKU is not in the dimension.
    expect(
      await count(`star.fact_sales f where (f.customer_key < 0 and exists (select 1 from star.dim_customer d where d.customer_id = f.customer_id))
        or (f.product_key < 0 and exists (select 1 from star.dim_product d where d.sku = f.sku))`),
    ).toBe(0);
    expect(
      await count(
        'star.fact_sales f join star.dim_customer d on d.customer_key = f.customer_key where d.customer_id <> f.customer_id and f.customer_key > 0',
      ),
    ).toBe(0);
    expect((await wh.load({ curatedRoot, runId: 'warehouse-2' })).partitions).toEqual([]);
  } finally {
    wh.close();
  }

  // Act: the same workflow again, nothing new in any source.
  const second = await run('second');

  // Assess: every job succeeded and wrote nothing; the curated zone is byte for byte the same files.
  expect(second.succeeded).toBe(true);
  for (const job of WORKFLOW_JOBS) {
    const report = jobReport(second, job.name);
    expect({ job: job.name, written: report.totals.written }).toEqual({ job: job.name, written: 0 });
  }
  for (const [name, d] of Object.entries(jobReport(second, 'raw_events_to_curated').derived ?? {}))
    expect({ name, written: d.written }).toEqual({ name, written: 0 });
  expect(curatedFiles(curatedRoot)).toEqual(filesAfterFirst);
});
