/**
 * Warehouse benchmark: the analytics views of sql/views over a year of the shop at scale 1 (about 60M
 * order lines, 33M orders, 10M customers, 25M SKUs), on the local warehouse (DuckDB, columnar) and, in
 * the same run, on PostgreSQL (the row store a team might pick instead), from the same rows.
 *
 *   npx tsx bench/warehouse-bench.ts                     # scale 1 (builds .bench/warehouse once, ~10 GB)
 *   npx tsx bench/warehouse-bench.ts --scale 0.01 --runs 3 --pg-runs 1    # a quick run
 *   npx tsx bench/warehouse-bench.ts --views sales_daily,customer_rfm --no-postgres
 *
 * Steps: (1) the star schema through the real migrations and views (LocalWarehouse.migrate), and the
 * star's rows synthesized in DuckDB by SQL (the generator would need hours for a year at scale 1;
 * distributions follow it: skewed products and customers, 1.8 lines an order, 5% of customers with a
 * second SCD version mid-year, 30% of orders on a campaign, 3% cancelled, 2% returned, one stock
 * movement per order line, and the position snapshot the inventory load keeps); (2) PostgreSQL: a
 * throwaway server (twin/oltp/postgres-server.ts), the
 * same migrations and views translated to PostgreSQL by the same translator, the same rows copied in
 * (CSV from DuckDB, COPY), primary keys plus indexes on the join and filter columns, ANALYZE, and the
 * materialized views of sql/registry.ts MATERIALIZED_VIEWS refreshed (PostgreSQL's own MVs; on DuckDB
 * the twin's, refreshed in full before the timing: each engine's refresh time is what a load run adds
 * after its loads, printed per MV); (3) each
 * view materialized in full on each engine (`CREATE TEMP TABLE AS SELECT * FROM view`, so neither can
 * skip columns), `--runs` times on DuckDB and `--pg-runs` times on PostgreSQL, median kept; a view
 * slower than `--pg-timeout` seconds on PostgreSQL is recorded as at least that. Prints the table that
 * docs/benchmarks.md records, and writes .bench/warehouse/result.json.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { formatTable } from '../generator/terminal';
import {
  MATERIALIZED_VIEWS,
  MIGRATIONS,
  MIGRATIONS_BOOTSTRAP,
  VIEWS,
  readSql,
  refreshStatement,
  splitStatements,
  viewStatements,
} from '../sql/registry';
import { startPostgres } from '../twin/oltp/postgres-server';
import { LocalWarehouse } from '../twin/warehouse/local-warehouse';
import { translateStatements } from '../twin/warehouse/translator';

const REPO = resolve(__dirname, '..');

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    'pg-runs': { type: 'string', default: '1' },
    'pg-timeout': { type: 'string', default: '900' },
    views: { type: 'string' },
    'no-postgres': { type: 'boolean', default: false },
    rebuild: { type: 'boolean', default: false },
    root: { type: 'string', default: join(REPO, '.bench', 'warehouse') },
  },
});

const scale = Number(values.scale);
const runs = Number(values.runs);
const pgRuns = Number(values['pg-runs']);
const pgTimeoutSeconds = Number(values['pg-timeout']);
if (!(scale > 0) || !(runs >= 1) || !(pgRuns >= 1) || !(pgTimeoutSeconds > 0)) {
  throw new Error('--scale must be > 0, --runs and --pg-runs >= 1, --pg-timeout > 0');
}
const root = resolve(values.root);
const tag = `scale-${scale}`;
const duckPath = join(root, `${tag}.duckdb`);
const csvDir = join(root, `${tag}-csv`);

/** Sizes at this scale (scale 1 = the platform's expected volumes, a year of sales). */
const sizes = {
  lines: Math.round(60_000_000 * scale),
  customers: Math.max(100, Math.round(10_000_000 * scale)),
  products: Math.max(100, Math.round(25_000_000 * scale)),
  campaigns: 200,
  warehouses: 12,
};
const orders = Math.floor(sizes.lines / 1.8);
/** DuckDB's memory budget while timing the views. */
const DUCKDB_MEMORY = '10GB';
const movements = sizes.lines;

/** Tables the benchmark fills, in load order, with the SQL (DuckDB) that synthesizes their rows. */
const TABLES: { table: string; rows: string; sql: string }[] = [
  {
    table: 'star.dim_customer',
    rows: `${sizes.customers} + 5%`,
    sql: `
      INSERT INTO star.dim_customer
      SELECT i, i, 'c' || i || '@example.com', 'First' || (i % 997), 'Last' || (i % 9973),
        ['DE','FR','GB','ES','IT','NL','PL','SE','AT','BE'][1 + (hash(i, 1) % 10)::INT],
        'City' || (hash(i, 2) % 500), ['bronze','silver','gold','platinum'][1 + (hash(i, 3) % 4)::INT],
        DATE '2020-01-01' + (hash(i, 4) % 1800)::INT, md5(i::VARCHAR), TIMESTAMP '2024-12-01',
        TIMESTAMP '1900-01-01', CASE WHEN i % 20 = 0 THEN TIMESTAMP '2025-07-01' ELSE TIMESTAMP '9999-12-31' END,
        i % 20 <> 0, now()
      FROM range(1, ${sizes.customers} + 1) t(i);
      INSERT INTO star.dim_customer
      SELECT ${sizes.customers} + i // 20, i, 'c' || i || '@example.com', 'First' || (i % 997), 'Last' || (i % 9973),
        ['DE','FR','GB','ES','IT','NL','PL','SE','AT','BE'][1 + ((hash(i, 1) + 1) % 10)::INT],
        'City' || (hash(i, 2) % 500), ['bronze','silver','gold','platinum'][1 + (hash(i, 3) % 4)::INT],
        DATE '2020-01-01' + (hash(i, 4) % 1800)::INT, md5(i::VARCHAR || 'v2'), TIMESTAMP '2025-07-01',
        TIMESTAMP '2025-07-01', TIMESTAMP '9999-12-31', TRUE, now()
      FROM range(20, ${sizes.customers} + 1, 20) t(i);`,
  },
  {
    table: 'star.dim_product',
    rows: `${sizes.products}`,
    sql: `
      INSERT INTO star.dim_product
      SELECT i, 'SKU-' || lpad(i::VARCHAR, 8, '0'), i, 'Product ' || i,
        ['Electronics','Apparel','Home','Garden','Sports','Beauty','Toys','Books','Grocery','Automotive','Health','Office'][1 + (hash(i, 5) % 12)::INT],
        'Sub' || (hash(i, 6) % 60), 'Brand' || (hash(i, 7) % 400), (5 + (i % 200) + 0.99)::DECIMAL(18,4), 'EUR',
        10, TRUE, md5(i::VARCHAR), TIMESTAMP '2024-12-01', TIMESTAMP '1900-01-01', TIMESTAMP '9999-12-31', TRUE, now()
      FROM range(1, ${sizes.products} + 1) t(i);`,
  },
  {
    table: 'star.dim_campaign',
    rows: `${sizes.campaigns}`,
    sql: `
      INSERT INTO star.dim_campaign
      SELECT i, 'CMP-' || lpad(i::VARCHAR, 4, '0'), 'Campaign ' || i, ['search','social','email','affiliate','display'][1 + (i % 5)],
        DATE '2025-01-01' + ((i * 37) % 330)::INT, DATE '2025-01-01' + ((i * 37) % 330)::INT + 28,
        (1000 + i * 10)::DECIMAL(18,4), 'EUR', 10.0, TIMESTAMP '2024-12-01', now()
      FROM range(1, ${sizes.campaigns} + 1) t(i);`,
  },
  {
    table: 'star.dim_warehouse',
    rows: `${sizes.warehouses}`,
    sql: `
      INSERT INTO star.dim_warehouse
      SELECT i, 'WH-' || lpad(i::VARCHAR, 2, '0'), 'Warehouse ' || i, ['DE','FR','GB','ES','IT','NL'][1 + (i % 6)],
        'City' || i, 100000, TIMESTAMP '2024-12-01', now()
      FROM range(1, ${sizes.warehouses} + 1) t(i);`,
  },
  {
    table: 'star.fact_sales',
    rows: `${sizes.lines}`,
    sql: `
      INSERT INTO star.fact_sales BY NAME
      WITH l AS (
        SELECT i, (i * 5) // 9 AS o FROM range(0, ${sizes.lines}) t(i)
      ), k AS (
        SELECT i, o,
          i - ((o * 9 + 4) // 5) + 1 AS line_number,
          TIMESTAMP '2025-01-01' + to_seconds((o * (365.0 * 86400 / ${orders}))::BIGINT + (hash(o, 8) % 600)::BIGINT) AS order_time,
          1 + floor(${sizes.customers} * pow((hash(o, 9) % 1000000) / 1000000.0, 1.6))::BIGINT AS customer_id,
          1 + floor(${sizes.products} * pow((hash(i, 10) % 1000000) / 1000000.0, 3))::BIGINT AS product_id,
          CASE WHEN hash(o, 11) % 10 < 3 THEN 1 + (hash(o, 12) % ${sizes.campaigns})::BIGINT ELSE 0 END AS campaign_key,
          1 + (hash(i, 13) % 3)::INT AS quantity,
          hash(o, 14) % 100 AS fate
        FROM l
      ), s AS (
      SELECT 'o' || o AS order_id, line_number, CASE WHEN line_number = 1 THEN 1 ELSE 0 END AS order_count,
        'e' || o AS order_event_id, order_time,
        (year(order_time) * 10000 + month(order_time) * 100 + day(order_time))::INT AS date_key,
        CASE WHEN customer_id % 20 = 0 AND order_time >= TIMESTAMP '2025-07-01' THEN ${sizes.customers} + customer_id // 20 ELSE customer_id END AS customer_key,
        customer_id,
        ['DE','FR','GB','ES','IT','NL','PL','SE','AT','BE'][1 + ((hash(customer_id, 1) + CASE WHEN customer_id % 20 = 0 AND order_time >= TIMESTAMP '2025-07-01' THEN 1 ELSE 0 END) % 10)::INT] AS customer_country,
        product_id AS product_key, 'SKU-' || lpad(product_id::VARCHAR, 8, '0') AS sku, product_id,
        ['Electronics','Apparel','Home','Garden','Sports','Beauty','Toys','Books','Grocery','Automotive','Health','Office'][1 + (hash(product_id, 5) % 12)::INT] AS category,
        'Sub' || (hash(product_id, 6) % 60) AS subcategory, 'Brand' || (hash(product_id, 7) % 400) AS brand,
        campaign_key, CASE WHEN campaign_key = 0 THEN NULL ELSE 'CMP-' || lpad(campaign_key::VARCHAR, 4, '0') END AS campaign_id,
        ['web','mobile_app','marketplace','store'][1 + (hash(o, 15) % 4)::INT] AS channel, 'EUR' AS currency, quantity,
        (5 + (product_id % 200) + 0.99)::DECIMAL(18,4) AS unit_price,
        CASE WHEN hash(i, 16) % 5 = 0 THEN (quantity * (5 + (product_id % 200) + 0.99) * 0.1)::DECIMAL(18,4) ELSE 0 END AS discount,
        (quantity * (5 + (product_id % 200) + 0.99))::DECIMAL(18,4) AS gross_amount,
        (quantity * (5 + (product_id % 200) + 0.99) * CASE WHEN hash(i, 16) % 5 = 0 THEN 0.9 ELSE 1 END)::DECIMAL(18,4) AS net_amount,
        CASE WHEN fate < 2 THEN 1 ELSE 0 END AS returned_quantity,
        CASE WHEN fate < 2 THEN 'returned' WHEN fate < 5 THEN 'cancelled' ELSE 'delivered' END AS status,
        now() AS loaded_at
      FROM k
      )
      -- The order counts by grain (migration V007), as the order-lines load sets them.
      SELECT s.*,
        CASE WHEN row_number() OVER (PARTITION BY order_id, sku ORDER BY line_number) = 1 THEN 1 ELSE 0 END AS sku_order_count,
        CASE WHEN row_number() OVER (PARTITION BY order_id, category ORDER BY line_number) = 1 THEN 1 ELSE 0 END AS category_order_count,
        CASE WHEN row_number() OVER (PARTITION BY order_id, category, brand ORDER BY line_number) = 1 THEN 1 ELSE 0 END AS segment_order_count
      FROM s;`,
  },
  {
    table: 'star.fact_sales_return',
    rows: '2% of lines',
    sql: `
      INSERT INTO star.fact_sales_return
      SELECT 'r' || order_id, order_id, line_number, order_time + INTERVAL 10 DAY,
        (year(order_time + INTERVAL 10 DAY) * 10000 + month(order_time + INTERVAL 10 DAY) * 100 + day(order_time + INTERVAL 10 DAY))::INT,
        returned_quantity, now()
      FROM star.fact_sales WHERE returned_quantity > 0;`,
  },
  {
    table: 'star.fact_order_lifecycle',
    rows: `${orders}`,
    sql: `
      INSERT INTO star.fact_order_lifecycle
      SELECT order_id, any_value(customer_id), any_value(channel), min(order_time), min(order_time) + INTERVAL 5 MINUTE,
        min(order_time) + INTERVAL 1 DAY, min(order_time) + INTERVAL 3 DAY,
        CASE WHEN any_value(status) = 'cancelled' THEN min(order_time) + INTERVAL 1 HOUR END,
        CASE WHEN any_value(status) = 'returned' THEN min(order_time) + INTERVAL 10 DAY END,
        min(date_key), 'card', sum(net_amount), 4.99, 'WH-01', 'DHL', any_value(status),
        min(order_time) + INTERVAL 3 DAY, now()
      FROM star.fact_sales GROUP BY order_id;`,
  },
  {
    table: 'star.fact_inventory_movement',
    rows: `${movements}`,
    sql: `
      INSERT INTO star.fact_inventory_movement
      WITH m AS (
        SELECT i,
          1 + floor(${sizes.products} * pow((hash(i, 20) % 1000000) / 1000000.0, 3))::BIGINT AS product_id,
          1 + (hash(i, 21) % ${sizes.warehouses})::BIGINT AS warehouse_key,
          hash(i, 22) % 100 AS kind,
          1 + (hash(i, 23) % 5)::INT AS quantity,
          TIMESTAMP '2025-01-01' + to_seconds((i * (365.0 * 86400 / ${movements}))::BIGINT) AS event_time
        FROM range(0, ${movements}) t(i)
      )
      SELECT 'm' || i,
        CASE WHEN kind < 55 THEN 'inventory.shipped' WHEN kind < 80 THEN 'inventory.received' WHEN kind < 90 THEN 'inventory.reserved'
             WHEN kind < 97 THEN 'inventory.released' ELSE 'inventory.adjusted' END,
        event_time, (year(event_time) * 10000 + month(event_time) * 100 + day(event_time))::INT,
        product_id, 'SKU-' || lpad(product_id::VARCHAR, 8, '0'), warehouse_key, 'WH-' || lpad(warehouse_key::VARCHAR, 2, '0'),
        CASE WHEN kind >= 55 AND kind < 80 THEN quantity * 3 ELSE quantity END,
        CASE WHEN kind < 55 THEN -quantity WHEN kind < 80 THEN quantity * 3 WHEN kind < 97 THEN 0 ELSE -1 END,
        CASE WHEN kind < 55 THEN -quantity WHEN kind < 90 AND kind >= 80 THEN quantity WHEN kind < 97 AND kind >= 90 THEN -quantity ELSE 0 END,
        10, NULL, NULL, now()
      FROM m;`,
  },
  {
    table: 'star.fact_inventory_position',
    rows: 'one per SKU x warehouse moved',
    sql: `
      INSERT INTO star.fact_inventory_position
      SELECT sku, warehouse_id, SUM(on_hand_delta), SUM(reserved_delta), COUNT(*), MAX(event_time), 10, now()
      FROM star.fact_inventory_movement GROUP BY sku, warehouse_id;`,
  },
  {
    table: 'star.fact_campaign_spend',
    rows: `${sizes.campaigns} x 365 x 2`,
    sql: `
      INSERT INTO star.fact_campaign_spend
      SELECT d.full_date, d.date_key, c.campaign_key, c.campaign_id, c.channel, s.source,
        1000 + hash(c.campaign_key, d.date_key, s.source) % 5000, 20 + hash(c.campaign_key, d.date_key) % 200,
        hash(c.campaign_key, d.date_key) % 20, (20 + hash(c.campaign_key, d.date_key, s.source) % 300)::DECIMAL(18,4),
        'EUR', d.full_date + INTERVAL 1 DAY, now()
      FROM star.dim_date d CROSS JOIN star.dim_campaign c CROSS JOIN (SELECT unnest(['ads-api','csv']) AS source) s
      WHERE d.full_date BETWEEN DATE '2025-01-01' AND DATE '2025-12-31' AND c.campaign_key > 0;`,
  },
  {
    table: 'ops.load_audit',
    rows: 'one per table',
    sql: `
      INSERT INTO ops.load_audit
      SELECT 'bench', d, '2025-12-31', 'star.' || d, 0, 0, 0, TIMESTAMP '2026-01-01', now()
      FROM (SELECT unnest(['customers','products','campaigns','warehouses','order_status_changes','order_lines','inventory_movements','campaign_spend']) AS d);`,
  },
];

/** Indexes a PostgreSQL team would add for these views (the primary keys come with the tables). */
const PG_INDEXES = [
  'CREATE INDEX ON star.fact_sales (date_key)',
  'CREATE INDEX ON star.fact_sales (customer_id)',
  'CREATE INDEX ON star.fact_sales (product_key)',
  'CREATE INDEX ON star.fact_sales (campaign_id)',
  'CREATE INDEX ON star.fact_inventory_movement (sku, warehouse_id)',
  'CREATE INDEX ON star.fact_inventory_movement (date_key)',
  'CREATE INDEX ON star.dim_customer (customer_id, valid_from)',
  'CREATE INDEX ON star.dim_product (sku, valid_from)',
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 3 : 1);
}

async function buildDuckDb(): Promise<void> {
  if (existsSync(duckPath) && !values.rebuild) {
    console.log(`Using the star built before: ${duckPath} (--rebuild to build it again)`);
    return;
  }
  rmSync(duckPath, { force: true });
  mkdirSync(root, { recursive: true });
  const wh = await LocalWarehouse.open(duckPath);
  try {
    await wh.migrate(MIGRATIONS, []);
    await wh.run(
      'DELETE FROM star.dim_customer; DELETE FROM star.dim_product; DELETE FROM star.dim_campaign; DELETE FROM star.dim_warehouse;',
    );
    for (const t of TABLES) {
      const t0 = Date.now();
      process.stdout.write(`  DuckDB: ${t.table} (${t.rows} rows)…`);
      await wh.run(t.sql);
      const [n] = await wh.query(`SELECT count(*) AS n FROM ${t.table}`);
      console.log(` ${Number(n.n).toLocaleString('en-US')} rows in ${seconds(Date.now() - t0)} s`);
    }
    // The migrations made the materialized views over the empty star: fill them, as a load run does.
    const t0 = Date.now();
    await wh.refreshMaterializedViews();
    console.log(`  DuckDB: materialized views refreshed in ${seconds(Date.now() - t0)} s`);
    await wh.run('CHECKPOINT');
  } finally {
    wh.close();
  }
}

/** Each materialized view's refresh time, ms: what a load run adds after its loads. */
function logRefresh(engine: string, took: Record<string, number>): void {
  const total = Object.values(took).reduce((a, b) => a + b, 0);
  console.log(
    `  ${engine}: refresh of the ${Object.keys(took).length} materialized views ${seconds(total)} s (` +
      Object.entries(took)
        .map(([mv, ms]) => `${mv.replace(/^star\./, '')} ${seconds(ms)}`)
        .join(', ') +
      ')',
  );
}

/**
 * Analysts' queries over the line-level view, timed like the views on both engines and reported apart
 * from the suite: materializing `analytics.sales_lines` in full (its row in the suite) is an export of
 * the fact table; these are what the API's filtered sales trend and an analyst's slicing ask of it.
 */
const LINE_QUERIES: Record<string, string> = {
  // As lambdas/api/queries/sales_trend_filtered_month.sql counts orders: distinct ids of the lines kept.
  'sales_lines: one category by month (the API filtered trend)': `SELECT month_start, COUNT(DISTINCT order_id) AS orders, SUM(units) AS units, SUM(revenue) AS revenue
     FROM analytics.sales_lines WHERE category = 'Electronics' GROUP BY month_start`,
  'sales_lines: one channel and country by week': `SELECT week_start, COUNT(DISTINCT order_id) AS orders, SUM(revenue) AS revenue
     FROM analytics.sales_lines WHERE channel = 'mobile_app' AND customer_country = 'FR' GROUP BY week_start`,
  'sales_lines: one brand, its lines of a month': `SELECT order_id, line_number, order_date, customer_id, sku, units, revenue
     FROM analytics.sales_lines WHERE brand = 'Brand7' AND month_start = DATE '2025-06-01'`,
};

/** The statement a view or a line query is timed with. */
function timedSql(name: string): string {
  return LINE_QUERIES[name] !== undefined
    ? `SELECT * FROM (${LINE_QUERIES[name]}) q`
    : `SELECT * FROM ${name}`;
}

/** Each view's median time on DuckDB, ms, and each materialized view's refresh time, ms. */
async function timeDuckDb(
  views: string[],
): Promise<{ times: Record<string, number[]>; refresh: Record<string, number> }> {
  const wh = await LocalWarehouse.open(duckPath);
  const out: Record<string, number[]> = {};
  let refresh: Record<string, number>;
  try {
    // A fixed budget (DuckDB's default is 80% of RAM): a materialized view spills to disk beyond it
    // instead of pushing the machine into reclaim.
    await wh.run(`SET memory_limit = '${DUCKDB_MEMORY}'`);
    await wh.migrate(MIGRATIONS, VIEWS);
    // The refresh a load run makes after its loads (a full one in the twin).
    refresh = await wh.refreshMaterializedViews();
    logRefresh('DuckDB', refresh);
    for (const v of views) {
      out[v] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        await wh.run(`CREATE OR REPLACE TEMP TABLE bench_out AS ${timedSql(v)}`);
        out[v].push(performance.now() - t0);
        await wh.run('DROP TABLE bench_out');
      }
      console.log(`  DuckDB ${v}: median ${seconds(median(out[v]))} s (${out[v].map(seconds).join(', ')})`);
    }
  } finally {
    wh.close();
  }
  return { times: out, refresh };
}

async function exportCsv(): Promise<void> {
  const wh = await LocalWarehouse.open(duckPath);
  try {
    // The export is a copy of the star's tables: kept while their columns are the same (the 'done'
    // file records them), exported again when a migration has changed them since.
    const tables = [...TABLES.map((x) => x.table), 'star.dim_date'];
    const columns = JSON.stringify(
      await wh.query(
        `SELECT table_schema || '.' || table_name AS t, string_agg(column_name, ',' ORDER BY ordinal_position) AS c
         FROM information_schema.columns WHERE table_schema = 'star' AND NOT starts_with(table_name, 'mv_')
         GROUP BY 1 ORDER BY 1`,
      ),
    );
    const done = join(csvDir, 'done');
    if (existsSync(done) && readFileSync(done, 'utf8') === columns && !values.rebuild) return;
    rmSync(csvDir, { recursive: true, force: true });
    mkdirSync(csvDir, { recursive: true });
    for (const t of tables) {
      await wh.run(`COPY (SELECT * FROM ${t}) TO '${join(csvDir, `${t}.csv`)}' (FORMAT CSV, HEADER false)`);
    }
    writeFileSync(done, columns);
  } finally {
    wh.close();
  }
}

async function timePostgres(
  views: string[],
): Promise<{ times: Record<string, number[] | 'timeout' | 'error'>; refresh: Record<string, number> }> {
  const pg = await startPostgres({
    baseDir: root,
    settings: [
      'shared_buffers=4GB',
      'work_mem=512MB',
      'maintenance_work_mem=2GB',
      'effective_cache_size=16GB',
      'max_parallel_workers_per_gather=2',
      'max_wal_size=16GB',
      'checkpoint_timeout=30min',
    ],
  });
  const client = new Client({ connectionString: pg.url });
  await client.connect();
  const out: Record<string, number[] | 'timeout' | 'error'> = {};
  const refresh: Record<string, number> = {};
  try {
    const ddl = [
      ...MIGRATIONS_BOOTSTRAP.map((sql, i) => ({ file: 'registry.ts (bootstrap)', index: i + 1, sql })),
      ...MIGRATIONS.flatMap((m) =>
        splitStatements(readSql(m.file)).map((sql, i) => ({ file: m.file, index: i + 1, sql })),
      ),
    ];
    // The schema only: the rows come from DuckDB, so the inserts of the migrations are skipped. The
    // row store is compared on the analytics views: the realtime schema's streaming views read Kinesis
    // relations through Redshift's VARBYTE functions, which have no PostgreSQL translation.
    const streaming = /\b(realtime|kinesis_streams)\b|\bFROM\s+KINESIS\b/i;
    for (const t of await translateStatements(
      ddl.filter((d) => !streaming.test(d.sql)),
      'postgres',
    )) {
      if (/^\s*(CREATE|ALTER)\b/i.test(t.translated.replace(/\/\*[\s\S]*?\*\//g, '')))
        await client.query(t.translated);
    }
    for (const t of [...TABLES.map((x) => x.table), 'star.dim_date']) {
      const t0 = Date.now();
      process.stdout.write(`  PostgreSQL: COPY ${t}…`);
      const stream = client.query(copyFrom(`COPY ${t} FROM STDIN WITH (FORMAT csv)`));
      await pipeline(createReadStream(join(csvDir, `${t}.csv`)), stream);
      console.log(` ${seconds(Date.now() - t0)} s`);
    }
    const t1 = Date.now();
    for (const ix of PG_INDEXES) await client.query(ix);
    await client.query('VACUUM ANALYZE');
    console.log(`  PostgreSQL: indexes and ANALYZE in ${seconds(Date.now() - t1)} s`);
    // The materialized views (PostgreSQL's own) were created empty, before the COPY: a load run's refresh.
    for (const [i, mv] of MATERIALIZED_VIEWS.entries()) {
      const [t] = await translateStatements(
        [{ file: 'registry.ts (MATERIALIZED_VIEWS)', index: i + 1, sql: refreshStatement(mv) }],
        'postgres',
      );
      const t0 = performance.now();
      await client.query(t.translated);
      refresh[mv] = performance.now() - t0;
    }
    logRefresh('PostgreSQL', refresh);
    await client.query('ANALYZE');
    for (const v of viewStatements().filter((x) => !streaming.test(x.file))) {
      const [t] = await translateStatements([{ file: v.file, index: 1, sql: v.sql }], 'postgres');
      await client.query(t.translated);
    }
    await client.query(`SET statement_timeout = '${pgTimeoutSeconds}s'`);
    for (const v of views.filter((x) => !streaming.test(x))) {
      const times: number[] = [];
      try {
        for (let r = 0; r < pgRuns; r++) {
          const t0 = performance.now();
          await client.query(`CREATE TEMP TABLE bench_out AS ${timedSql(v)}`);
          times.push(performance.now() - t0);
          await client.query('DROP TABLE bench_out');
        }
        out[v] = times;
        console.log(`  PostgreSQL ${v}: median ${seconds(median(times))} s`);
      } catch (e) {
        const timeout = /statement timeout/.test((e as Error).message);
        out[v] = timeout ? 'timeout' : 'error';
        console.log(
          `  PostgreSQL ${v}: ${timeout ? `over ${pgTimeoutSeconds} s (timeout)` : (e as Error).message}`,
        );
      }
    }
  } finally {
    await client.end();
    await pg.stop();
  }
  return { times: out, refresh };
}

async function main(): Promise<void> {
  const views = values.views
    ? values.views.split(',').map((v) => (v.includes('.') ? v : `analytics.${v}`))
    : VIEWS.map((v) => v.name);
  console.log(
    `Warehouse benchmark at scale ${scale}: ${sizes.lines.toLocaleString('en-US')} order lines, ${orders.toLocaleString('en-US')} orders, ` +
      `${sizes.customers.toLocaleString('en-US')} customers, ${sizes.products.toLocaleString('en-US')} SKUs, ${movements.toLocaleString('en-US')} stock movements`,
  );
  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg()[0].toFixed(2)}`,
  );
  const t0 = Date.now();
  await buildDuckDb();
  console.log(`Star built in ${seconds(Date.now() - t0)} s`);
  const lineQueries = views.includes('analytics.sales_lines') ? Object.keys(LINE_QUERIES) : [];
  const { times: duck, refresh: duckRefresh } = await timeDuckDb([...views, ...lineQueries]);
  let pg: Record<string, number[] | 'timeout' | 'error'> = {};
  let pgRefresh: Record<string, number> = {};
  if (!values['no-postgres']) {
    const t1 = Date.now();
    await exportCsv();
    console.log(`CSV for PostgreSQL in ${seconds(Date.now() - t1)} s`);
    ({ times: pg, refresh: pgRefresh } = await timePostgres([...views, ...lineQueries]));
  }
  const rowOf = (v: string) => {
    const d = median(duck[v]);
    const p = pg[v];
    const pMs = Array.isArray(p) ? median(p) : p === 'timeout' ? pgTimeoutSeconds * 1000 : NaN;
    const ratio = Number.isFinite(pMs) ? `${p === 'timeout' ? '≥ ' : ''}${(pMs / d).toFixed(1)}×` : '';
    return { view: v, duckMs: d, pgMs: pMs, pg: p, ratio };
  };
  const rows = views.map(rowOf);
  const lineRows = lineQueries.map(rowOf);
  const linesView = lineRows.length ? rowOf('analytics.sales_lines') : { duckMs: 0, pgMs: 0 };
  const cells = (r: ReturnType<typeof rowOf>): string[] => [
    r.view,
    seconds(r.duckMs),
    Array.isArray(r.pg)
      ? seconds(r.pgMs)
      : r.pg === 'timeout'
        ? `> ${pgTimeoutSeconds}`
        : r.pg === 'error'
          ? 'error'
          : '',
    r.ratio,
  ];
  const duckTotal = rows.reduce((n, r) => n + r.duckMs, 0);
  const pgTotal = rows.reduce((n, r) => n + (Number.isFinite(r.pgMs) ? r.pgMs : 0), 0);
  // The ratio compares the views timed on both engines (PostgreSQL times the analytics views only).
  const duckCompared = rows.reduce((n, r) => n + (Number.isFinite(r.pgMs) ? r.duckMs : 0), 0);
  console.log(
    '\n' +
      formatTable(
        ['view', 'DuckDB median s', 'PostgreSQL median s', 'PostgreSQL / DuckDB'],
        [
          ...rows.map(cells),
          ['suite (sum of medians)', seconds(duckTotal), '', ''],
          ...(pgTotal
            ? [
                [
                  'suite of the views timed on both',
                  seconds(duckCompared),
                  seconds(pgTotal),
                  `${(pgTotal / duckCompared).toFixed(1)}×`,
                ],
              ]
            : []),
          ...(pgTotal && lineRows.length
            ? [
                [
                  'the same without sales_lines',
                  seconds(duckCompared - linesView.duckMs),
                  seconds(pgTotal - linesView.pgMs),
                  `${((pgTotal - linesView.pgMs) / (duckCompared - linesView.duckMs)).toFixed(1)}×`,
                ],
              ]
            : []),
          ...lineRows.map(cells),
        ],
      ),
  );
  const over = rows.filter((r) => r.duckMs >= 2000).map((r) => r.view);
  console.log(`\nViews at or over 2 s on DuckDB: ${over.length ? over.join(', ') : 'none'}`);
  writeFileSync(
    join(root, 'result.json'),
    JSON.stringify(
      {
        scale,
        sizes: { ...sizes, orders, movements },
        runs,
        pgRuns,
        rows,
        lineRows,
        duckTotal,
        duckCompared,
        pgTotal,
        refresh: { duckdb: duckRefresh, postgres: pgRefresh },
        at: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
