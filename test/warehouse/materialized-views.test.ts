/**
 * The materialized views over the star (V008, sql/registry.ts MATERIALIZED_VIEWS): the registry lists
 * exactly the MVs the migrations create, in an order where each comes after the MVs it reads, and none
 * reads what a Redshift MV may not (a standard view); the twin materializes an MV over tables and
 * refreshes it only when asked, in one transaction; the benchmark's PostgreSQL keeps it an MV.
 *
 * That the analytics views answer right from them after a load run is test/warehouse/views.test.ts.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MATERIALIZED_VIEWS,
  MIGRATIONS,
  SQL_ROOT,
  VIEWS,
  readSql,
  refreshStatement,
  splitStatements,
  stripComments,
} from '../../sql/registry';
import { LocalWarehouse } from '../../twin/warehouse/local-warehouse';
import { translateStatements } from '../../twin/warehouse/translator';

jest.setTimeout(120_000);

/** Every CREATE MATERIALIZED VIEW over the star in the migrations: its name and its text. */
function starMaterializedViews(): { name: string; sql: string }[] {
  return MIGRATIONS.flatMap((m) => splitStatements(readSql(m.file)))
    .map((s) => stripComments(s))
    .map((sql) => ({ sql, m: /CREATE\s+MATERIALIZED\s+VIEW\s+(star\.[a-z0-9_]+)/i.exec(sql) }))
    .filter((x) => x.m)
    .map((x) => ({ name: x.m![1], sql: x.sql }));
}

describe('the registry of materialized views', () => {
  const created = starMaterializedViews();

  it('lists exactly the MVs over the star the migrations create', () => {
    expect(created.length).toBeGreaterThan(0);
    expect([...MATERIALIZED_VIEWS].sort()).toEqual(created.map((c) => c.name).sort());
  });

  it('puts each MV after the MVs it reads, so one pass in order refreshes them all', () => {
    for (const { name, sql } of created) {
      const reads = MATERIALIZED_VIEWS.filter((mv) => mv !== name && new RegExp(`\\b${mv}\\b`).test(sql));
      for (const mv of reads)
        expect(MATERIALIZED_VIEWS.indexOf(mv)).toBeLessThan(MATERIALIZED_VIEWS.indexOf(name));
    }
    // mv_customer_sales reads mv_customer_month_sales: the check above has something to check.
    expect(created.find((c) => c.name === 'star.mv_customer_sales')?.sql).toMatch(
      /star\.mv_customer_month_sales/,
    );
  });

  it('reads tables and MVs only (a Redshift MV cannot read a standard view), with AUTO REFRESH off', () => {
    const views = VIEWS.map((v) => v.name);
    for (const { name, sql } of created) {
      for (const v of views)
        expect({ name, reads: new RegExp(`\\b${v}\\b`).test(sql) }).toEqual({ name, reads: false });
      expect(sql).toMatch(/AUTO\s+REFRESH\s+NO/i);
    }
  });

  it('builds the refresh statement, and refuses a name that could carry more', () => {
    expect(refreshStatement('star.mv_customer_sales')).toBe(
      'REFRESH MATERIALIZED VIEW star.mv_customer_sales',
    );
    expect(() => refreshStatement('star.mv_x; DROP TABLE star.fact_sales')).toThrow(/not a schema-qualified/);
    expect(() => refreshStatement('mv_x')).toThrow(/not a schema-qualified/);
  });
});

describe('an MV over tables in the twin', () => {
  let dir: string;
  let wh: LocalWarehouse;
  const probe = 'ops.mv_probe';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'table-mv-'));
    const root = join(dir, 'sql');
    for (const folder of ['migrations', 'loads']) {
      await mkdir(join(root, folder), { recursive: true });
      for (const f of await readdir(join(SQL_ROOT, folder)))
        await copyFile(join(SQL_ROOT, folder, f), join(root, folder, f));
    }
    const extra = {
      version: MIGRATIONS.length + 1,
      name: 'probe',
      file: `migrations/V${String(MIGRATIONS.length + 1).padStart(3, '0')}__probe.sql`,
    };
    await writeFile(
      join(root, extra.file),
      `-- A table and an MV over it that sums a SMALLINT (so that a large value makes its refresh fail).
CREATE TABLE ops.mv_probe_base (k INTEGER NOT NULL, v INTEGER NOT NULL);

INSERT INTO ops.mv_probe_base VALUES (1, 10), (1, 5), (2, 7);

CREATE MATERIALIZED VIEW ${probe}
SORTKEY (k)
AUTO REFRESH NO
AS
SELECT k, CAST(SUM(v) AS SMALLINT) AS v, COUNT(*) AS n
FROM ops.mv_probe_base
GROUP BY k;
`,
    );
    wh = await LocalWarehouse.open(':memory:', root);
    await wh.migrate([...MIGRATIONS, extra], []);
  });

  afterAll(async () => {
    wh?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const rows = async () =>
    (await wh.query(`SELECT k, v, n FROM ${probe} ORDER BY k`)).map((r) => [r.k, r.v, r.n].map(Number));

  it('is filled at creation, and keeps its rows until it is refreshed', async () => {
    expect(await rows()).toEqual([
      [1, 15, 2],
      [2, 7, 1],
    ]);
    await wh.run('INSERT INTO ops.mv_probe_base VALUES (2, 1), (3, 4)');
    expect(await rows()).toEqual([
      [1, 15, 2],
      [2, 7, 1],
    ]);
    const took = await wh.refreshMaterializedViews([probe]);
    expect(Object.keys(took)).toEqual([probe]);
    expect(await rows()).toEqual([
      [1, 15, 2],
      [2, 8, 2],
      [3, 4, 1],
    ]);
    await wh.refreshMaterializedViews([probe]); // again: the same rows, none twice
    expect(await rows()).toHaveLength(3);
  });

  it('keeps its old rows when a refresh fails, and the error names the statement', async () => {
    const before = await rows();
    await wh.run('INSERT INTO ops.mv_probe_base VALUES (1, 100000)'); // SUM overflows SMALLINT
    await expect(wh.refreshMaterializedViews([probe])).rejects.toThrow(
      /MATERIALIZED_VIEWS\), statement 1 failed[\s\S]*REFRESH MATERIALIZED VIEW ops\.mv_probe/,
    );
    expect(await rows()).toEqual(before);
    await wh.run('DELETE FROM ops.mv_probe_base WHERE v = 100000');
  });

  it('is left alone by a load run that loaded nothing (one that loaded refreshes every MV: views.test.ts)', async () => {
    const empty = join(dir, 'curated-empty');
    await mkdir(join(empty, 'curated'), { recursive: true });
    const report = await wh.load({ curatedRoot: empty, runId: 'mv-test' });
    expect(report.partitions).toEqual([]);
    expect(report.refreshed).toEqual([]);
  });
});

describe('the translation of MVs over tables', () => {
  const create = `CREATE MATERIALIZED VIEW star.mv_x DISTKEY (k) SORTKEY (k) AUTO REFRESH NO AS
SELECT k, SUM(v) AS v FROM star.t GROUP BY k`;

  it('gives DuckDB a definition view and a table, and a refresh that replaces the rows from it', async () => {
    const [c, r] = await translateStatements([
      { file: 'test', index: 1, sql: create },
      { file: 'test', index: 2, sql: 'REFRESH MATERIALIZED VIEW star.mv_x' },
    ]);
    expect(c.translated).toContain(
      'CREATE VIEW twin_mv."definition__star__mv_x" AS SELECT k, SUM(v) AS v FROM star.t',
    );
    expect(c.translated).toContain(
      'CREATE TABLE star.mv_x AS SELECT * FROM twin_mv."definition__star__mv_x"',
    );
    expect(r.translated).toBe(
      'DELETE FROM "star"."mv_x";\nINSERT INTO "star"."mv_x" SELECT * FROM twin_mv."definition__star__mv_x"',
    );
  });

  it('gives PostgreSQL its own MATERIALIZED VIEW (no Redshift clauses) and REFRESH', async () => {
    const [c, r] = await translateStatements(
      [
        { file: 'test', index: 1, sql: create },
        { file: 'test', index: 2, sql: 'REFRESH MATERIALIZED VIEW star.mv_x' },
      ],
      'postgres',
    );
    expect(c.translated).toBe(
      'CREATE MATERIALIZED VIEW star.mv_x AS SELECT k, SUM(v) AS v FROM star.t GROUP BY k',
    );
    expect(r.translated).toBe('REFRESH MATERIALIZED VIEW star.mv_x');
  });

  it('refuses a REFRESH that carries another statement', async () => {
    await expect(
      translateStatements([
        { file: 'test', index: 1, sql: 'REFRESH MATERIALIZED VIEW star.mv_x; DROP TABLE t' },
      ]),
    ).rejects.toThrow(/not parsed as Redshift SQL/);
  });
});
