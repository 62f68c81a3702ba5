/**
 * The loads and migrations of sql/ on the local warehouse (DuckDB, the same files translated), over
 * hand-made curated partitions: each bad input of the warehouse issue behaves as documented.
 *
 * - a partition loaded twice changes nothing;
 * - a fact whose customer, product or campaign is not yet in its dimension gets the unknown member
 *   and is re-pointed when the dimension row arrives;
 * - a dimension change that arrives after the facts re-points them to the version effective at
 *   their time, and the SCD invariants hold (one current row per key, contiguous windows);
 * - a migration that fails halfway leaves nothing behind, and the next run resumes at it;
 * - an empty partition loads nothing and is audited;
 * - a curated file whose columns drift from the staging table is refused with both column lists.
 */
import { mkdtemp, mkdir, rm, utimes, writeFile, readdir, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, SQL_ROOT, readSql, splitStatements } from '../../sql/registry';
import { LocalWarehouse, Row } from '../../twin/warehouse/local-warehouse';

type Value = string | number | boolean | null;

let dir: string;
let curatedRoot: string;
let wh: LocalWarehouse;
let run = 0;
/** Every partition written gets a newer mtime than the last one, so the watermark sees it. */
let clock = Date.parse('2026-01-01T00:00:00Z');

async function columnsOf(table: string): Promise<{ name: string; type: string }[]> {
  const [schema, name] = table.split('.');
  return (
    await wh.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${name}' ORDER BY ordinal_position`,
    )
  ).map((r) => ({ name: String(r.column_name), type: String(r.data_type) }));
}

/** Writes one curated partition in the staging table's column order (missing values are null). */
async function writePartition(
  dataset: string,
  partition: string,
  rows: readonly Record<string, Value>[],
  options: { columns?: { name: string; type: string }[]; file?: string } = {},
): Promise<void> {
  const columns = options.columns ?? (await columnsOf(`staging.${dataset}`));
  const folder = join(curatedRoot, 'curated', dataset, partition);
  await mkdir(folder, { recursive: true });
  const file = join(folder, options.file ?? `part-${clock}.parquet`);
  const json = join(dir, `rows-${clock}.json`);
  await writeFile(
    json,
    JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c) => [c.name, r[c.name] ?? null])))),
  );
  const select = columns.map((c) => `CAST(${c.name} AS ${c.type}) AS ${c.name}`).join(', ');
  const source =
    rows.length === 0
      ? `(SELECT ${columns.map((c) => `CAST(NULL AS VARCHAR) AS ${c.name}`).join(', ')} WHERE false)`
      : `read_json('${json}', format = 'array', columns = {${columns.map((c) => `${c.name}: 'VARCHAR'`).join(', ')}})`;
  await wh.run(`COPY (SELECT ${select} FROM ${source}) TO '${file}' (FORMAT PARQUET)`);
  clock += 60_000;
  await utimes(file, new Date(clock), new Date(clock));
}

async function load(datasets?: string[]) {
  run += 1;
  return wh.load({ curatedRoot, runId: `test-${run}`, datasets });
}

async function rows(sql: string): Promise<Row[]> {
  return wh.query(sql);
}

const customer = (id: number, country: string, validFrom: string, extra: Record<string, Value> = {}) => ({
  customer_id: id,
  email: `c${id}@example.com`,
  first_name: 'Ann',
  last_name: `Lee${id}`,
  country,
  city: 'City',
  loyalty_tier: 'silver',
  signup_date: '2023-01-01',
  updated_at: validFrom,
  valid_from: validFrom,
  row_hash: `${id}-${country}`,
  _source_file: 'oltp/customers/x',
  _curated_at: '2024-09-20 00:00:00',
  ...extra,
});

const product = (sku: string, category: string, validFrom: string) => ({
  sku,
  product_id: Number(sku.replace(/\D/g, '')),
  name: `Product ${sku}`,
  category,
  subcategory: 'sub',
  brand: 'Brand',
  list_price: '10.0000',
  currency: 'EUR',
  reorder_point: 5,
  active: true,
  updated_at: validFrom,
  valid_from: validFrom,
  row_hash: `${sku}-${category}`,
  _source_file: 'oltp/products/x',
  _curated_at: '2024-09-20 00:00:00',
});

const line = (
  orderId: string,
  lineNumber: number,
  customerId: number,
  sku: string,
  time: string,
  extra: Record<string, Value> = {},
) => ({
  event_id: `evt-${orderId}`,
  event_type: 'order.created',
  event_time: time,
  order_id: orderId,
  line_number: lineNumber,
  customer_id: customerId,
  channel: 'web',
  currency: 'EUR',
  campaign_id: null,
  sku,
  product_id: Number(sku.replace(/\D/g, '')),
  quantity: 2,
  unit_price: '12.5000',
  discount: '1.0000',
  _source_file: 'events/x',
  _curated_at: '2024-09-20 00:00:00',
  ...extra,
});

const statusChange = (orderId: string, type: string, time: string, extra: Record<string, Value> = {}) => ({
  event_id: `evt-${orderId}-${type}`,
  event_type: type,
  event_time: time,
  order_id: orderId,
  _source_file: 'events/x',
  _curated_at: '2024-09-20 00:00:00',
  ...extra,
});

async function snapshotOfStar(): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  for (const t of [
    'dim_customer',
    'dim_product',
    'dim_campaign',
    'dim_warehouse',
    'fact_sales',
    'fact_sales_return',
    'fact_order_lifecycle',
    'fact_inventory_movement',
    'fact_campaign_spend',
  ]) {
    out[t] = await rows(`SELECT * FROM star.${t} ORDER BY ALL`);
  }
  return out;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wh-loads-'));
  curatedRoot = join(dir, 'lake');
  wh = await LocalWarehouse.open();
  await wh.migrate(MIGRATIONS, []);
});

afterEach(async () => {
  wh.close();
  await rm(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('apply once: a second run applies nothing and the reserved members exist once', async () => {
    expect((await wh.migrate(MIGRATIONS, [])).applied).toEqual([]);
    expect(await rows('SELECT version FROM ops.schema_migrations ORDER BY version')).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version })),
    );
    expect(await rows('SELECT customer_key, customer_id FROM star.dim_customer')).toEqual([
      { customer_key: -1, customer_id: -1 },
    ]);
    expect(await rows('SELECT campaign_key FROM star.dim_campaign ORDER BY 1')).toEqual([
      { campaign_key: -1 },
      { campaign_key: 0 },
    ]);
    expect(await rows('SELECT count(*) AS n, min(full_date) AS first FROM star.dim_date')).toEqual([
      { n: 10000, first: '2020-01-01' },
    ]);
  });

  it('a migration that fails halfway leaves nothing behind and the next run resumes at it', async () => {
    const root = join(dir, 'sql');
    await mkdir(join(root, 'migrations'), { recursive: true });
    for (const f of await readdir(join(SQL_ROOT, 'migrations')))
      await copyFile(join(SQL_ROOT, 'migrations', f), join(root, 'migrations', f));
    const broken = {
      version: MIGRATIONS.length + 1,
      name: 'broken',
      file: `migrations/V${String(MIGRATIONS.length + 1).padStart(3, '0')}__broken.sql`,
    };
    await writeFile(
      join(root, broken.file),
      '-- adds a table, then fails\nCREATE TABLE IF NOT EXISTS star.half_done (x INTEGER);\nINSERT INTO star.no_such_table VALUES (1);\n',
    );
    const other = await LocalWarehouse.open(':memory:', root);
    try {
      await other.migrate(MIGRATIONS, []);
      await expect(other.migrate([...MIGRATIONS, broken], [])).rejects.toThrow(
        new RegExp(`sql/${broken.file}, statement 2 failed: .*no_such_table`, 's'),
      );
      expect(
        await other.query(
          "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'half_done'",
        ),
      ).toEqual([{ n: 0 }]);
      expect((await other.appliedMigrations()).map((m) => m.version)).toEqual(
        MIGRATIONS.map((m) => m.version),
      );

      await writeFile(
        join(root, broken.file),
        '-- adds a table\nCREATE TABLE IF NOT EXISTS star.half_done (x INTEGER);\n',
      );
      expect((await other.migrate([...MIGRATIONS, broken], [])).applied).toEqual([broken.file]);
      expect(
        await other.query(
          "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'half_done'",
        ),
      ).toEqual([{ n: 1 }]);
    } finally {
      other.close();
    }
  });
});

describe('loads', () => {
  it('keep the order counts by grain (V007) equal to distinct orders, also after a late product change', async () => {
    // o-1 has two lines of SKU-1 (Shoes) and one of SKU-2 (Hats); o-2 one line of SKU-2.
    await writePartition('customers', 'extract_date=2024-09-18', [customer(1, 'DE', '2024-09-01 00:00:00')]);
    await writePartition('products', 'extract_date=2024-09-18', [
      product('SKU-1', 'Shoes', '2024-09-01 00:00:00'),
      product('SKU-2', 'Hats', '2024-09-01 00:00:00'),
    ]);
    await writePartition('order_lines', 'event_date=2024-09-18', [
      line('o-1', 1, 1, 'SKU-1', '2024-09-18 10:00:00'),
      line('o-1', 2, 1, 'SKU-2', '2024-09-18 10:00:00'),
      line('o-1', 3, 1, 'SKU-1', '2024-09-18 10:00:00'),
      line('o-2', 1, 1, 'SKU-2', '2024-09-18 11:00:00'),
    ]);
    await load();
    const counts = () =>
      rows(
        'SELECT order_id, line_number, sku_order_count AS s, category_order_count AS c, segment_order_count AS g FROM star.fact_sales ORDER BY 1, 2',
      );
    // What the views count with them, against COUNT(DISTINCT order_id) over the same lines.
    const agree = async () =>
      rows(`SELECT category, SUM(category_order_count) = COUNT(DISTINCT order_id) AS ok
            FROM analytics.sales_lines GROUP BY category
            UNION ALL SELECT sku, SUM(sku_order_count) = COUNT(DISTINCT order_id) FROM analytics.sales_lines GROUP BY sku
            UNION ALL SELECT category || '/' || brand, SUM(segment_order_count) = COUNT(DISTINCT order_id)
            FROM analytics.sales_lines GROUP BY category, brand ORDER BY 1`);
    await wh.migrate(MIGRATIONS);
    const before = await counts();

    // A version of SKU-2 effective since before the orders moves it to Shoes: the load re-points the
    // lines, and o-1's SKU-2 line is no longer the first of its category in o-1.
    await writePartition('products', 'extract_date=2024-09-19', [
      product('SKU-2', 'Shoes', '2024-09-01 00:00:00'),
    ]);
    await load(['products']);
    const after = await counts();

    expect(before).toEqual([
      { order_id: 'o-1', line_number: 1, s: 1, c: 1, g: 1 },
      { order_id: 'o-1', line_number: 2, s: 1, c: 1, g: 1 },
      { order_id: 'o-1', line_number: 3, s: 0, c: 0, g: 0 },
      { order_id: 'o-2', line_number: 1, s: 1, c: 1, g: 1 },
    ]);
    expect(after).toEqual([
      { order_id: 'o-1', line_number: 1, s: 1, c: 1, g: 1 },
      { order_id: 'o-1', line_number: 2, s: 1, c: 0, g: 0 },
      { order_id: 'o-1', line_number: 3, s: 0, c: 0, g: 0 },
      { order_id: 'o-2', line_number: 1, s: 1, c: 1, g: 1 },
    ]);
    expect((await agree()).every((r) => r.ok === true)).toBe(true);
    expect(await rows('SELECT category, orders FROM analytics.top_categories_monthly ORDER BY 1')).toEqual([
      { category: 'Shoes', orders: 2 },
    ]);
  });

  it('the order counts by grain are computed by one statement, in V007 and in both loads that keep them', () => {
    // The same UPDATE in three files (SQL files have no includes); only the orders it covers differ.
    const recompute = (file: string): string => {
      const statement = splitStatements(readSql(file)).find((x) =>
        /^\s*(--[^\n]*\n\s*)*UPDATE star\.fact_sales\s+SET sku_order_count/.test(x),
      );
      if (!statement) throw new Error(`${file} has no UPDATE of the order counts by grain`);
      return statement
        .replace(/^(\s*--[^\n]*\n)*/, '')
        .replace(/(\n {2}FROM star\.fact_sales)[\s\S]*?(\n\) g\n)/, '$1$2');
    };
    const v007 = recompute('migrations/V007__sales_order_counts_by_grain.sql');

    expect(recompute('loads/06_order_lines.sql')).toBe(v007);
    expect(recompute('loads/02_products.sql')).toBe(v007);
  });

  it('V007 gives the lines loaded before it their order counts by grain', async () => {
    // A warehouse at V006 with lines, then V007.
    const at6 = await LocalWarehouse.open();
    try {
      await at6.migrate(
        MIGRATIONS.filter((m) => m.version <= 6),
        [],
      );
      await at6.run(`INSERT INTO star.fact_sales (order_id, line_number, order_count, order_event_id, order_time,
          date_key, customer_key, customer_id, product_key, sku, category, brand, campaign_key, channel, currency,
          quantity, unit_price, discount, gross_amount, net_amount, returned_quantity, status, loaded_at)
        SELECT 'o-' || (i // 3), i % 3, CASE WHEN i % 3 = 0 THEN 1 ELSE 0 END, 'e', TIMESTAMP '2024-09-18 10:00:00',
          20240918, -1, 1, -1, 'SKU-' || (i % 2), CASE WHEN i % 3 = 2 THEN NULL ELSE 'Shoes' END, 'B', 0, 'web', 'EUR',
          1, 1, 0, 1, 1, 0, 'created', TIMESTAMP '2024-09-18 10:00:00'
        FROM range(0, 6) t(i)`);
      await at6.migrate(MIGRATIONS, []);

      expect(
        await at6.query(
          'SELECT order_id, line_number, sku_order_count AS s, category_order_count AS c, segment_order_count AS g FROM star.fact_sales ORDER BY 1, 2',
        ),
      ).toEqual([
        { order_id: 'o-0', line_number: 0, s: 1, c: 1, g: 1 },
        { order_id: 'o-0', line_number: 1, s: 1, c: 0, g: 0 },
        { order_id: 'o-0', line_number: 2, s: 0, c: 1, g: 1 },
        { order_id: 'o-1', line_number: 0, s: 1, c: 1, g: 1 },
        { order_id: 'o-1', line_number: 1, s: 1, c: 0, g: 0 },
        { order_id: 'o-1', line_number: 2, s: 0, c: 1, g: 1 },
      ]);
    } finally {
      at6.close();
    }
  });

  it('load dimensions and facts, reconcile, and change nothing when the same partitions load again', async () => {
    await writePartition('customers', 'extract_date=2024-09-18', [
      customer(1, 'DE', '2024-09-01 00:00:00'),
      customer(2, 'FR', '2024-09-02 00:00:00'),
    ]);
    await writePartition('products', 'extract_date=2024-09-18', [
      product('SKU-1', 'Shoes', '2024-09-01 00:00:00'),
    ]);
    await writePartition('order_lines', 'event_date=2024-09-18', [
      line('o-1', 1, 1, 'SKU-1', '2024-09-18 10:00:00'),
      line('o-1', 2, 1, 'SKU-1', '2024-09-18 10:00:00', { discount: null, quantity: 1 }),
      line('o-2', 1, 2, 'SKU-1', '2024-09-18 11:00:00'),
    ]);
    await writePartition('order_status_changes', 'event_date=2024-09-18', [
      statusChange('o-1', 'order.created', '2024-09-18 10:00:00', { customer_id: 1, channel: 'web' }),
      statusChange('o-1', 'order.paid', '2024-09-18 10:05:00', {
        payment_method: 'card',
        payment_amount: '49.0000',
      }),
      statusChange('o-2', 'order.created', '2024-09-18 11:00:00', { customer_id: 2, channel: 'web' }),
    ]);
    const first = await load();
    expect(first.reconciled).toBe(true);
    expect(first.partitions.map((p) => [p.dataset, p.rowsStaged, p.rowsDistinct, p.rowsInTarget])).toEqual([
      ['customers', 2, 2, 2],
      ['products', 1, 1, 1],
      ['order_status_changes', 3, 2, 2],
      ['order_lines', 3, 3, 3],
    ]);
    expect(
      await rows(
        'SELECT order_id, line_number, order_count, quantity, unit_price, discount, gross_amount, net_amount, status, date_key, customer_key > 0 AS has_customer, product_key > 0 AS has_product, campaign_key FROM star.fact_sales ORDER BY 1, 2',
      ),
    ).toEqual([
      {
        order_id: 'o-1',
        line_number: 1,
        order_count: 1,
        quantity: 2,
        unit_price: 12.5,
        discount: 1,
        gross_amount: 25,
        net_amount: 24,
        status: 'paid',
        date_key: 20240918,
        has_customer: true,
        has_product: true,
        campaign_key: 0,
      },
      {
        order_id: 'o-1',
        line_number: 2,
        order_count: 0,
        quantity: 1,
        unit_price: 12.5,
        discount: 0,
        gross_amount: 12.5,
        net_amount: 12.5,
        status: 'paid',
        date_key: 20240918,
        has_customer: true,
        has_product: true,
        campaign_key: 0,
      },
      {
        order_id: 'o-2',
        line_number: 1,
        order_count: 1,
        quantity: 2,
        unit_price: 12.5,
        discount: 1,
        gross_amount: 25,
        net_amount: 24,
        status: 'created',
        date_key: 20240918,
        has_customer: true,
        has_product: true,
        campaign_key: 0,
      },
    ]);

    const before = await snapshotOfStar();
    // Nothing new: nothing to load.
    expect((await load()).partitions).toEqual([]);
    // The same partitions again (a replay: the files are rewritten, so they are newer than the watermark).
    await writePartition('customers', 'extract_date=2024-09-18', [
      customer(1, 'DE', '2024-09-01 00:00:00'),
      customer(2, 'FR', '2024-09-02 00:00:00'),
    ]);
    await writePartition('order_lines', 'event_date=2024-09-18', [
      line('o-1', 1, 1, 'SKU-1', '2024-09-18 10:00:00'),
    ]);
    const again = await load();
    expect(again.partitions.map((p) => p.dataset)).toEqual(['customers', 'order_lines']);
    expect(again.reconciled).toBe(true);
    expect(await snapshotOfStar()).toEqual(before);
    expect(await rows("SELECT count(*) AS n FROM ops.load_audit WHERE dataset = 'order_lines'")).toEqual([
      { n: 2 },
    ]);
  });

  it('give a fact the unknown members until its dimension rows arrive, then re-point it', async () => {
    await writePartition('order_lines', 'event_date=2024-09-18', [
      line('o-9', 1, 9, 'SKU-9', '2024-09-18 10:00:00', { campaign_id: 'CMP-1' }),
    ]);
    await load();
    expect(
      await rows(
        'SELECT customer_key, product_key, campaign_key, customer_id, sku, customer_country, category FROM star.fact_sales',
      ),
    ).toEqual([
      {
        customer_key: -1,
        product_key: -1,
        campaign_key: -1,
        customer_id: 9,
        sku: 'SKU-9',
        customer_country: null,
        category: null,
      },
    ]);
    await writePartition('customers', 'extract_date=2024-09-19', [customer(9, 'ES', '2024-09-19 08:00:00')]);
    await writePartition('products', 'extract_date=2024-09-19', [
      product('SKU-9', 'Bags', '2024-09-19 08:00:00'),
    ]);
    await writePartition('campaigns', 'extract_date=2024-09-19', [
      {
        campaign_id: 'CMP-1',
        name: 'Autumn',
        channel: 'email',
        start_date: '2024-09-01',
        end_date: '2024-09-30',
        budget: '1000.0000',
        currency: 'EUR',
        discount_pct: 10,
        updated_at: '2024-09-19 08:00:00',
        valid_from: '2024-09-19 08:00:00',
        row_hash: 'h',
        _source_file: 'x',
        _curated_at: '2024-09-20 00:00:00',
      },
    ]);
    expect((await load()).reconciled).toBe(true);
    // The customer's first version is effective from 1900, so the order placed before its first extraction finds it.
    expect(
      await rows(
        `SELECT c.country, p.category, m.name AS campaign FROM star.fact_sales f
         JOIN star.dim_customer c ON c.customer_key = f.customer_key
         JOIN star.dim_product p ON p.product_key = f.product_key
         JOIN star.dim_campaign m ON m.campaign_key = f.campaign_key`,
      ),
    ).toEqual([{ country: 'ES', category: 'Bags', campaign: 'Autumn' }]);
    // The attributes the sales views group by came along with the keys.
    expect(await rows('SELECT customer_country, category, subcategory, brand FROM star.fact_sales')).toEqual([
      { customer_country: 'ES', category: 'Bags', subcategory: 'sub', brand: 'Brand' },
    ]);
  });

  it('re-point facts when a dimension change arrives after them, keeping the SCD invariants', async () => {
    await writePartition('customers', 'extract_date=2024-09-01', [customer(5, 'DE', '2024-09-01 00:00:00')]);
    await writePartition('products', 'extract_date=2024-09-01', [
      product('SKU-1', 'Shoes', '2024-09-01 00:00:00'),
    ]);
    await writePartition('order_lines', 'event_date=2024-09-10', [
      line('o-a', 1, 5, 'SKU-1', '2024-09-10 10:00:00'),
    ]);
    await writePartition('order_lines', 'event_date=2024-09-20', [
      line('o-b', 1, 5, 'SKU-1', '2024-09-20 10:00:00'),
    ]);
    await load();
    // The customer moved to France on 2024-09-15; the extraction reports it after both orders loaded.
    await writePartition('customers', 'extract_date=2024-09-21', [customer(5, 'FR', '2024-09-15 00:00:00')]);
    await load();
    expect(
      await rows(
        `SELECT f.order_id, c.country FROM star.fact_sales f JOIN star.dim_customer c ON c.customer_key = f.customer_key ORDER BY 1`,
      ),
    ).toEqual([
      { order_id: 'o-a', country: 'DE' },
      { order_id: 'o-b', country: 'FR' },
    ]);
    // A version older than both (a late extraction of history) slots in first; windows stay contiguous.
    await writePartition('customers', 'extract_date=2024-09-22', [customer(5, 'IT', '2024-08-01 00:00:00')]);
    await load();
    expect(
      await rows(
        `SELECT country, valid_from, valid_to, is_current FROM star.dim_customer WHERE customer_id = 5 ORDER BY source_valid_from`,
      ),
    ).toEqual([
      {
        country: 'IT',
        valid_from: '1900-01-01 00:00:00',
        valid_to: '2024-09-01 00:00:00',
        is_current: false,
      },
      {
        country: 'DE',
        valid_from: '2024-09-01 00:00:00',
        valid_to: '2024-09-15 00:00:00',
        is_current: false,
      },
      { country: 'FR', valid_from: '2024-09-15 00:00:00', valid_to: '9999-12-31 00:00:00', is_current: true },
    ]);
    // The lines carry the country of the version their key points at.
    expect(await rows('SELECT order_id, customer_country FROM star.fact_sales ORDER BY 1')).toEqual([
      { order_id: 'o-a', customer_country: 'DE' },
      { order_id: 'o-b', customer_country: 'FR' },
    ]);
    expect(
      await rows(`SELECT count(*) AS n FROM star.fact_sales f
        JOIN star.dim_customer c ON c.customer_key = f.customer_key JOIN star.dim_product p ON p.product_key = f.product_key
        WHERE f.customer_country <> c.country OR f.category <> p.category OR f.brand <> p.brand`),
    ).toEqual([{ n: 0 }]);
    // Invariants over the whole dimension: one current row per key; each version ends where the next starts.
    expect(
      await rows(
        'SELECT customer_id FROM star.dim_customer GROUP BY customer_id HAVING sum(CASE WHEN is_current THEN 1 ELSE 0 END) <> 1',
      ),
    ).toEqual([]);
    expect(
      await rows(`SELECT count(*) AS gaps FROM (
        SELECT valid_to, LEAD(valid_from) OVER (PARTITION BY customer_id ORDER BY valid_from) AS next_from FROM star.dim_customer
      ) w WHERE next_from IS NOT NULL AND next_from <> valid_to`),
    ).toEqual([{ gaps: 0 }]);
  });

  it('keep order milestones and statuses right when events arrive out of order', async () => {
    await writePartition('order_status_changes', 'event_date=2024-09-20', [
      statusChange('o-7', 'order.delivered', '2024-09-20 09:00:00'),
    ]);
    await load();
    expect(await rows('SELECT status, created_at FROM star.fact_order_lifecycle')).toEqual([
      { status: 'delivered', created_at: null },
    ]);
    await writePartition('order_lines', 'event_date=2024-09-18', [
      line('o-7', 1, 1, 'SKU-1', '2024-09-18 10:00:00'),
    ]);
    await writePartition('order_status_changes', 'event_date=2024-09-18', [
      statusChange('o-7', 'order.created', '2024-09-18 10:00:00', { customer_id: 1, channel: 'web' }),
    ]);
    await load();
    expect(
      await rows('SELECT status, created_at, delivered_at, created_date_key FROM star.fact_order_lifecycle'),
    ).toEqual([
      {
        status: 'delivered',
        created_at: '2024-09-18 10:00:00',
        delivered_at: '2024-09-20 09:00:00',
        created_date_key: 20240918,
      },
    ]);
    expect(await rows('SELECT status FROM star.fact_sales')).toEqual([{ status: 'delivered' }]);
    // A return: quantities are recomputed from the returns, not added up, when a partition is reloaded.
    const ret = {
      ...line('o-7', 1, 1, 'SKU-1', '2024-09-25 10:00:00'),
      event_id: 'evt-o-7-ret',
      event_type: 'order.returned',
      quantity: 1,
      sku: null,
      unit_price: null,
      discount: null,
    };
    await writePartition('order_lines', 'event_date=2024-09-25', [ret]);
    await writePartition('order_status_changes', 'event_date=2024-09-25', [
      statusChange('o-7', 'order.returned', '2024-09-25 10:00:00', { returned_units: 1 }),
    ]);
    await load();
    await writePartition('order_lines', 'event_date=2024-09-25', [ret]);
    await load();
    expect(await rows('SELECT status, quantity, returned_quantity FROM star.fact_sales')).toEqual([
      { status: 'returned', quantity: 2, returned_quantity: 1 },
    ]);
    expect(await rows('SELECT count(*) AS n FROM star.fact_sales_return')).toEqual([{ n: 1 }]);
  });

  it('load stock movements with their effect on the counts, and spend per campaign and source', async () => {
    const mv = (id: string, type: string, q: number, extra: Record<string, Value> = {}) => ({
      event_id: id,
      event_type: type,
      event_time: '2024-09-18 08:00:00',
      schema_version: 1,
      sku: 'SKU-1',
      product_id: 1,
      warehouse_id: 'WH-1',
      quantity: q,
      direction: null,
      order_id: null,
      reorder_point: 5,
      reason: null,
      _source_file: 'x',
      _curated_at: '2024-09-20 00:00:00',
      ...extra,
    });
    await writePartition('inventory_movements', 'event_date=2024-09-18', [
      mv('m1', 'inventory.received', 10),
      mv('m2', 'inventory.reserved', 3),
      mv('m3', 'inventory.shipped', 2),
      mv('m4', 'inventory.released', 1),
      mv('m5', 'inventory.adjusted', 4, { direction: 'decrease' }),
    ]);
    const spend = (source: string, spendValue: string, reportedAt: string) => ({
      campaign_id: 'CMP-1',
      channel: 'email',
      source,
      impressions: 100,
      clicks: 10,
      conversions: 1,
      spend: spendValue,
      currency: 'EUR',
      reported_at: reportedAt,
      _source_file: 'x',
      _curated_at: '2024-09-20 00:00:00',
    });
    await writePartition('campaign_spend', 'spend_date=2024-09-18', [
      spend('ads-api', '10.0000', '2024-09-19 00:00:00'),
      spend('ads-api', '12.0000', '2024-09-19 06:00:00'),
      spend('csv', '5.0000', '2024-09-19 00:00:00'),
    ]);
    expect((await load()).reconciled).toBe(true);
    expect(
      await rows(
        'SELECT sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved, min(warehouse_key) AS wh FROM star.fact_inventory_movement',
      ),
    ).toEqual([{ on_hand: 10 - 2 - 4, reserved: 3 - 2 - 1, wh: -1 }]);
    // The position snapshot: the sums of the movements, recomputed (not incremented) when a partition reloads.
    const position = [
      { on_hand: 4, reserved: 0, movements: 5, reorder_point: 5, last_movement_at: '2024-09-18 08:00:00' },
    ];
    const positionSql =
      'SELECT on_hand, reserved, movements, reorder_point, last_movement_at FROM star.fact_inventory_position';
    expect(await rows(positionSql)).toEqual(position);
    await writePartition('inventory_movements', 'event_date=2024-09-18', [
      mv('m1', 'inventory.received', 10),
    ]);
    await load(['inventory_movements']);
    expect(await rows(positionSql)).toEqual(position);
    expect(
      await rows('SELECT source, spend, campaign_key, date_key FROM star.fact_campaign_spend ORDER BY 1'),
    ).toEqual([
      { source: 'ads-api', spend: 12, campaign_key: -1, date_key: 20240918 },
      { source: 'csv', spend: 5, campaign_key: -1, date_key: 20240918 },
    ]);
  });

  it('load an empty partition as nothing, and audit it', async () => {
    await writePartition('order_lines', 'event_date=2024-09-18', []);
    const report = await load();
    expect(report.partitions).toEqual([
      {
        dataset: 'order_lines',
        partition: '2024-09-18',
        targetTable: 'star.fact_sales',
        rowsStaged: 0,
        rowsDistinct: 0,
        rowsInTarget: 0,
      },
    ]);
    expect(await rows('SELECT count(*) AS n FROM star.fact_sales')).toEqual([{ n: 0 }]);
  });

  it('refuse a curated file whose columns drift from the staging table, naming both lists', async () => {
    const columns = await columnsOf('staging.warehouses');
    const swapped = [columns[1], columns[0], ...columns.slice(2)];
    await writePartition('warehouses', 'extract_date=2024-09-18', [{ warehouse_id: 'WH-1', name: 'Main' }], {
      columns: swapped,
    });
    await expect(load(['warehouses'])).rejects.toThrow(
      /COPY into staging\.warehouses maps Parquet columns by position.*table: warehouse_id, name.*files: name, warehouse_id/s,
    );
    expect(await rows('SELECT count(*) AS n FROM ops.load_audit')).toEqual([{ n: 0 }]);
  });
});
