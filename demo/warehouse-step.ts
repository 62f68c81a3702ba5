/**
 * The demo's warehouse step: the local warehouse (DuckDB running sql/ through the translator) gets
 * the migrations and views a deploy applies, then the scheduled load of every curated partition,
 * and the demo prints what an analyst would see first in the query editor.
 */
import { rm } from 'node:fs/promises';
import { relative } from 'node:path';
import { formatCount, formatTable } from '../generator/terminal';
import { LoadReport, LocalWarehouse, Row } from '../twin/warehouse/local-warehouse';

export interface WarehouseStepOptions {
  /** The folder standing in for the curated bucket. */
  readonly curatedRoot: string;
  /** The DuckDB file of the local warehouse (replaced, unless `warehouse` is given). */
  readonly databasePath: string;
  readonly runId: string;
  /** The warehouse already open at `databasePath` (the real-time step's); left open. */
  readonly warehouse?: LocalWarehouse;
}

/** One section of the analyst's report: a question and the rows of the view that answers it. */
export interface ReportSection {
  readonly title: string;
  readonly view: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

export interface WarehouseStepResult {
  readonly databasePath: string;
  readonly migrationsApplied: readonly string[];
  readonly views: number;
  readonly load: LoadReport;
  /** Rows and partitions loaded per dataset. */
  readonly byDataset: Readonly<Record<string, { partitions: number; staged: number; inTarget: number }>>;
  readonly report: readonly ReportSection[];
  readonly problems: readonly string[];
}

function text(v: Row[string]): string {
  if (v === null) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return String(v);
}

function money(v: Row[string]): string {
  return v === null
    ? ''
    : Number(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function ratio(v: Row[string], digits = 2): string {
  return v === null ? '' : Number(v).toFixed(digits);
}

function pct(v: Row[string]): string {
  return v === null ? '' : `${(Number(v) * 100).toFixed(1)}%`;
}

/** The analyst's first look, one query per question, on the views of sql/views. */
async function analystReport(wh: LocalWarehouse): Promise<ReportSection[]> {
  const sections: ReportSection[] = [];
  const daily = await wh.query(
    'SELECT order_date, orders, units, revenue, average_order_value, revenue_7d_avg FROM analytics.sales_daily ORDER BY order_date DESC LIMIT 7',
  );
  sections.push({
    title: 'Revenue trend (last days)',
    view: 'analytics.sales_daily',
    headers: ['day', 'orders', 'units', 'revenue', 'avg order', '7-day avg revenue'],
    rows: daily
      .reverse()
      .map((r) => [
        text(r.order_date),
        Number(r.orders),
        Number(r.units),
        money(r.revenue),
        money(r.average_order_value),
        money(r.revenue_7d_avg),
      ]),
  });
  const categories = await wh.query(
    `SELECT category, SUM(revenue) AS revenue, SUM(units) AS units FROM analytics.top_categories_monthly
     GROUP BY category ORDER BY revenue DESC, category LIMIT 5`,
  );
  sections.push({
    title: 'Top categories by revenue',
    view: 'analytics.top_categories_monthly',
    headers: ['category', 'units', 'revenue'],
    rows: categories.map((r) => [text(r.category), Number(r.units), money(r.revenue)]),
  });
  const segments = await wh.query(
    'SELECT segment, customers, revenue_share FROM analytics.customer_segments ORDER BY customers DESC, segment',
  );
  sections.push({
    title: 'Customer segments (RFM)',
    view: 'analytics.customer_segments',
    headers: ['segment', 'customers', 'revenue share'],
    rows: segments.map((r) => [text(r.segment), Number(r.customers), pct(r.revenue_share)]),
  });
  const campaigns = await wh.query(
    `SELECT campaign_name, channel, spend, attributed_revenue, roas, spend_reported_through
     FROM analytics.campaign_performance
     WHERE spend > 0 OR attributed_orders > 0 ORDER BY roas DESC NULLS LAST, campaign_name LIMIT 5`,
  );
  const through = campaigns[0]?.spend_reported_through;
  sections.push({
    // The partners report a day's spend the day after: the orders are those of the days reported.
    title: `Campaign return on ad spend${through ? ` (orders through ${text(through)}, the last day of spend reported)` : ''}`,
    view: 'analytics.campaign_performance',
    headers: ['campaign', 'channel', 'spend', 'revenue', 'ROAS'],
    rows: campaigns.map((r) => [
      text(r.campaign_name),
      text(r.channel),
      money(r.spend),
      money(r.attributed_revenue),
      ratio(r.roas),
    ]),
  });
  const outs = await wh.query(
    'SELECT sku, warehouse_id, on_hand, reserved, available FROM analytics.stock_outs ORDER BY available, sku, warehouse_id LIMIT 5',
  );
  const outCount = await wh.query('SELECT COUNT(*) AS n FROM analytics.stock_outs');
  sections.push({
    title: `Stock-outs (${formatCount(Number(outCount[0]?.n ?? 0))} positions; the 5 deepest)`,
    view: 'analytics.stock_outs',
    headers: ['sku', 'warehouse', 'on hand', 'reserved', 'available'],
    rows: outs.map((r) => [
      text(r.sku),
      text(r.warehouse_id),
      Number(r.on_hand),
      Number(r.reserved),
      Number(r.available),
    ]),
  });
  return sections;
}

/** Runs the warehouse step: migrations and views, the load of every curated partition, the report. */
export async function runWarehouseStep(o: WarehouseStepOptions): Promise<WarehouseStepResult> {
  if (!o.warehouse) await rm(o.databasePath, { force: true });
  const wh = o.warehouse ?? (await LocalWarehouse.open(o.databasePath));
  try {
    const migrated = await wh.migrate();
    console.log(
      `  migrations: ${migrated.applied.length} applied, ${migrated.views.length} views created (sql/ translated for DuckDB)`,
    );
    let partitions = 0;
    const load = await wh.load({
      curatedRoot: o.curatedRoot,
      runId: o.runId,
      onPartition: (dataset, partition) => {
        partitions += 1;
        process.stdout.write(`\r  loading ${dataset} ${partition} (partition ${partitions})…`.padEnd(72));
      },
    });
    process.stdout.write('\r'.padEnd(74) + '\r');
    const byDataset: Record<string, { partitions: number; staged: number; inTarget: number }> = {};
    for (const p of load.partitions) {
      const e = (byDataset[p.dataset] ??= { partitions: 0, staged: 0, inTarget: 0 });
      e.partitions += 1;
      e.staged += p.rowsStaged;
      e.inTarget += p.rowsInTarget;
    }
    const problems = load.partitions
      .filter((p) => p.rowsDistinct !== p.rowsInTarget)
      .map(
        (p) =>
          `warehouse load of ${p.dataset} ${p.partition}: ${p.rowsDistinct} distinct rows staged but ${p.rowsInTarget} in ${p.targetTable}`,
      );
    const report = await analystReport(wh);
    return {
      databasePath: o.databasePath,
      migrationsApplied: migrated.applied,
      views: migrated.views.length,
      load,
      byDataset,
      report,
      problems,
    };
  } finally {
    if (!o.warehouse) await wh.close();
  }
}

/** Prints the load per dataset and the analyst's report. */
export function printWarehouseStep(r: WarehouseStepResult): void {
  console.log(`\nWarehouse (local twin of Redshift: ${relative(process.cwd(), r.databasePath)})`);
  console.log(
    formatTable(
      ['dataset', 'partitions', 'rows staged', 'rows in star', 'target'],
      Object.entries(r.byDataset).map(([name, e]) => [
        name,
        e.partitions,
        e.staged,
        e.inTarget,
        r.load.partitions.find((p) => p.dataset === name)?.targetTable ?? '',
      ]),
    ),
  );
  console.log(
    `  load reconciliation (distinct staged keys = rows in the star): ${r.load.reconciled ? '✓' : '✗'}`,
  );
  console.log("\nAnalyst's report (the views of sql/views, as the Redshift query editor shows them)");
  for (const s of r.report) {
    console.log(`\n  ${s.title}  [${s.view}]`);
    console.log(s.rows.length === 0 ? '    (no rows)' : formatTable(s.headers, s.rows, [], 4));
  }
}
