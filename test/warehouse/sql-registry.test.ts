/**
 * The registry of sql/ is in step with the folder, every statement parses as Redshift SQL, and the
 * pure helpers every runner shares (splitter, placeholders, migration plan, changed partitions) do
 * what the runners rely on.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  LOADS,
  MIGRATIONS,
  SQL_ROOT,
  VIEWS,
  changedPartitions,
  checksum,
  loadStatements,
  migrationPlaceholders,
  pendingMigrations,
  placeholders,
  readSql,
  renderSql,
  splitStatements,
  stripComments,
} from '../../sql/registry';
import { StatementSource, redshiftParseErrors } from '../../twin/warehouse/translator';

const LOAD_PLACEHOLDERS = ['copy_role_arn', 'partition', 'run_id', 'source', 'source_modified_at'];

function filesIn(folder: string): string[] {
  return readdirSync(join(SQL_ROOT, folder))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => `${folder}/${f}`)
    .sort();
}

describe('the registry', () => {
  it('lists every migration, view and load file of sql/, and nothing else', () => {
    expect(MIGRATIONS.map((m) => m.file).sort()).toEqual(filesIn('migrations'));
    expect(VIEWS.map((v) => v.file).sort()).toEqual(filesIn('views'));
    expect(LOADS.map((l) => l.file).sort()).toEqual(filesIn('loads'));
  });

  it('numbers migrations 1, 2, 3... with no gap or reuse, and names files V<NNN>__<name>.sql', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_m, i) => i + 1));
    for (const m of MIGRATIONS) expect(m.file).toMatch(/^migrations\/V\d{3}__[a-z0-9_]+\.sql$/);
  });

  it('keeps each view in a file named after it, creating exactly that view', () => {
    for (const v of VIEWS) {
      expect(v.file).toBe(`views/${v.name}.sql`);
      const statements = splitStatements(readSql(v.file));
      expect(statements).toHaveLength(1);
      expect(stripComments(statements[0])).toMatch(
        new RegExp(`CREATE OR REPLACE VIEW ${v.name.replace('.', '\\.')}\\s`, 'i'),
      );
      expect(readSql(v.file).trimStart().startsWith('--')).toBe(true);
    }
  });

  it('starts every file with a header comment that says what it does', () => {
    for (const f of [...MIGRATIONS, ...VIEWS, ...LOADS].map((x) => x.file)) {
      expect(readSql(f).trimStart().slice(0, 3)).toBe('-- ');
    }
  });

  it('gives every load a COPY into its staging table, an audit row, and only the known placeholders, inside quotes', () => {
    for (const l of LOADS) {
      const text = readSql(l.file);
      expect(placeholders(text)).toEqual(LOAD_PLACEHOLDERS.filter((p) => text.includes(`{{${p}}}`)));
      expect(placeholders(text)).toEqual(
        expect.arrayContaining(['copy_role_arn', 'partition', 'run_id', 'source']),
      );
      // A placeholder is always a whole string literal or inside one, so a value can never become SQL.
      for (const m of stripComments(text).matchAll(/\{\{[a-z_]+\}\}/g)) {
        const before = stripComments(text).slice(0, m.index);
        expect((before.match(/'/g) ?? []).length % 2).toBe(1);
      }
      const statements = splitStatements(text).map(stripComments);
      expect(statements.some((s) => new RegExp(`^\\s*COPY ${l.stagingTable}\\s`, 'i').test(s))).toBe(true);
      expect(statements.some((s) => /INSERT INTO ops\.load_audit/i.test(s))).toBe(true);
      expect(statements.some((s) => new RegExp(`'${l.dataset}'`).test(s))).toBe(true);
    }
  });

  it("has no view that reads another schema's views (the deploy replaces each schema's views in one batch)", () => {
    const schemas = [...new Set(VIEWS.map((v) => v.name.split('.')[0]))];
    expect(schemas).toEqual(['analytics', 'realtime']);
    for (const v of VIEWS) {
      const own = v.name.split('.')[0];
      const text = stripComments(readSql(v.file));
      for (const other of schemas.filter((x) => x !== own))
        expect([v.file, new RegExp(`\\b${other}\\.`).test(text)]).toEqual([v.file, false]);
    }
  });

  it('has no placeholders in views, and in migrations only those the runners fill', () => {
    for (const f of VIEWS.map((x) => x.file)) expect(placeholders(readSql(f))).toEqual([]);
    const filled = Object.keys(
      migrationPlaceholders({ streamingRoleArn: 'r', ordersStream: 'o', inventoryStream: 'i' }),
    );
    for (const f of MIGRATIONS.map((x) => x.file)) {
      for (const p of placeholders(readSql(f))) expect([f, filled.includes(p)]).toEqual([f, true]);
    }
    expect(placeholders(readSql('migrations/V005__realtime_streams.sql'))).toEqual([
      'inventory_stream',
      'orders_stream',
      'streaming_role_arn',
    ]);
  });

  it('fills the migrations placeholders, and names the file when one has no value', () => {
    const params = migrationPlaceholders({
      streamingRoleArn: 'arn:aws:iam::123456789012:role/streaming',
      ordersStream: 'ecom-dev-orders',
      inventoryStream: 'ecom-dev-inventory',
    });
    const v005 = pendingMigrations([], MIGRATIONS, undefined, undefined, params).find(
      (p) => p.migration.version === 5,
    )!;
    const text = v005.statements.join('\n');
    expect(text).toContain(`IAM_ROLE 'arn:aws:iam::123456789012:role/streaming'`);
    expect(text).toContain('kinesis_streams."ecom-dev-orders"');
    expect(text).toContain('kinesis_streams."ecom-dev-inventory"');
    expect(text).not.toContain('{{');
    expect(() => pendingMigrations([], MIGRATIONS)).toThrow(
      /sql\/migrations\/V005__realtime_streams\.sql: SQL placeholder \{\{streaming_role_arn\}\} has no value/,
    );
  });
});

describe('every statement of sql/', () => {
  it('parses as Redshift SQL', async () => {
    const sources: StatementSource[] = [...MIGRATIONS, ...VIEWS, ...LOADS].flatMap((x) =>
      splitStatements(readSql(x.file)).map((sql, i) => ({ file: x.file, index: i + 1, sql })),
    );
    expect(sources.length).toBeGreaterThan(40);
    expect(await redshiftParseErrors(sources)).toEqual([]);
  });

  it('reports a statement that is not Redshift SQL, with its file and position', async () => {
    const errors = await redshiftParseErrors([
      { file: 'views/broken.sql', index: 2, sql: 'SELECT FROM WHERE (' },
      { file: 'views/fine.sql', index: 1, sql: 'SELECT 1' },
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^sql\/views\/broken\.sql, statement 2: does not parse as Redshift SQL/);
  });

  it("gives the API's database role read access to the analytics and realtime views only", () => {
    const statements = splitStatements(readSql('migrations/V006__api_reader_role.sql')).map((x) =>
      stripComments(x).replace(/\s+/g, ' ').trim(),
    );
    expect(statements[0]).toBe('CREATE ROLE api_reader');
    const grants = statements.slice(1);
    expect(grants.length).toBeGreaterThan(0);
    for (const g of grants) {
      expect(g).toMatch(
        /^(GRANT (USAGE ON SCHEMA|SELECT ON ALL TABLES IN SCHEMA) (analytics|realtime)|ALTER DEFAULT PRIVILEGES IN SCHEMA (analytics|realtime) GRANT SELECT ON TABLES) TO ROLE api_reader$/,
      );
    }
  });

  it('accepts access control only in its strict forms', async () => {
    const errors = await redshiftParseErrors([
      { file: 'migrations/a.sql', index: 1, sql: 'GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO ROLE r' },
      { file: 'migrations/b.sql', index: 1, sql: 'GRANT ALL ON ALL TABLES IN SCHEMA star TO ROLE r' },
      { file: 'migrations/c.sql', index: 1, sql: 'CREATE ROLE r WITH EXTERNALID x' },
    ]);
    expect(errors.map((e) => e.split(':')[0])).toEqual([
      'sql/migrations/b.sql, statement 1',
      'sql/migrations/c.sql, statement 1',
    ]);
  });

  it('refuses a statement sqlglot only keeps as an opaque command, except an external schema FROM KINESIS', async () => {
    const errors = await redshiftParseErrors([
      {
        file: 'migrations/a.sql',
        index: 1,
        sql: "CREATE EXTERNAL SCHEMA k FROM KINESIS IAM_ROLE 'arn:aws:iam::1:role/r'",
      },
      {
        file: 'migrations/b.sql',
        index: 1,
        sql: "CREATE EXTERNAL SCHEMA k FROM KINESIS IAM_ROLE 'r' EXTRA 'x'",
      },
      { file: 'migrations/c.sql', index: 1, sql: 'VACUUM DELETE ONLY star.fact_sales TO 75 PERCENT BOOST' },
    ]);
    expect(errors.map((e) => e.split(':')[0])).toEqual([
      'sql/migrations/b.sql, statement 1',
      'sql/migrations/c.sql, statement 1',
    ]);
    expect(errors[0]).toMatch(/opaque command/);
  });
});

describe('splitStatements', () => {
  it('splits on semicolons outside quotes, quoted identifiers, comments and $$ bodies', () => {
    const text = `-- a header; with a semicolon
CREATE TABLE a (x VARCHAR(3)); /* block; comment */ INSERT INTO a VALUES ('x;y'), ('it''s');
SELECT "odd;name" FROM a;
CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
-- trailing comment only`;
    const s = splitStatements(text);
    expect(s).toHaveLength(4);
    expect(s[0]).toMatch(/^-- a header; with a semicolon\nCREATE TABLE a/);
    expect(s[1]).toBe("/* block; comment */ INSERT INTO a VALUES ('x;y'), ('it''s')");
    expect(s[2]).toBe('SELECT "odd;name" FROM a');
    expect(s[3]).toBe('CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql');
  });

  it('refuses an unclosed quote or comment', () => {
    expect(() => splitStatements("SELECT 'open")).toThrow(/quote is not closed/);
    expect(() => splitStatements('SELECT 1 /* open')).toThrow(/comment is not closed/);
  });
});

describe('renderSql', () => {
  it('fills placeholders with plain tokens', () => {
    expect(
      renderSql("COPY t FROM '{{source}}' IAM_ROLE '{{ role }}'", {
        source: 's3://b/curated/x/event_date=2024-01-01/',
        role: 'arn:aws:iam::1:role/r',
      }),
    ).toBe("COPY t FROM 's3://b/curated/x/event_date=2024-01-01/' IAM_ROLE 'arn:aws:iam::1:role/r'");
  });

  it('refuses a value that could close the quote or add a statement, and a missing value', () => {
    expect(() => renderSql("SELECT '{{run_id}}'", { run_id: "x'; DROP TABLE star.fact_sales; --" })).toThrow(
      /\{\{run_id\}\}: value .* has a character that is not allowed/,
    );
    expect(() => renderSql("SELECT '{{run_id}}'", { run_id: 'a b' })).toThrow(/not allowed/);
    expect(() => renderSql("SELECT '{{run_id}}'", {})).toThrow(/\{\{run_id\}\} has no value/);
  });

  it('renders every load with the runner parameters, leaving no placeholder', () => {
    for (const l of LOADS) {
      const statements = loadStatements(l, {
        source: `s3://bucket/curated/${l.dataset}/${l.partitionKey}=2024-09-18/`,
        partition: '2024-09-18',
        copyRoleArn: 'arn:aws:iam::123456789012:role/copy',
        runId: 'run-1',
        sourceModifiedAt: '2024-09-19T01:02:03.456',
      });
      expect(statements.join('\n')).not.toMatch(/\{\{/);
      expect(statements.join('\n')).toContain(
        `s3://bucket/curated/${l.dataset}/${l.partitionKey}=2024-09-18/`,
      );
    }
  });
});

describe('pendingMigrations', () => {
  const files: Record<string, string> = {
    'migrations/V001__a.sql': '-- a\nCREATE TABLE x (a INT);\nCREATE TABLE y (b INT);',
    'migrations/V002__b.sql': '-- b\nCREATE TABLE z (c INT);',
  };
  const list = [
    { version: 1, name: 'a', file: 'migrations/V001__a.sql' },
    { version: 2, name: 'b', file: 'migrations/V002__b.sql' },
  ];
  const read = (f: string) => files[f];
  const now = () => new Date('2026-11-27T10:00:00Z');

  it('returns the unapplied migrations in order, each ending with the statement that records it', () => {
    const pending = pendingMigrations(
      [{ version: 1, checksum: checksum(files['migrations/V001__a.sql']) }],
      list,
      read,
      now,
    );
    expect(pending.map((p) => p.migration.version)).toEqual([2]);
    expect(pending[0].statements).toEqual([
      '-- b\nCREATE TABLE z (c INT)',
      `INSERT INTO ops.schema_migrations (version, name, checksum, applied_at) VALUES (2, 'b', '${checksum(files['migrations/V002__b.sql'])}', TIMESTAMP '2026-11-27 10:00:00.000')`,
    ]);
  });

  it('refuses an applied migration whose file changed, and a version the code does not know', () => {
    expect(() => pendingMigrations([{ version: 1, checksum: 'f'.repeat(64) }], list, read, now)).toThrow(
      /V001__a\.sql changed after it was applied .* add a new one/,
    );
    expect(() => pendingMigrations([{ version: 9, checksum: 'x' }], list, read, now)).toThrow(
      /version 9, which sql\/registry\.ts does not list/,
    );
  });
});

describe('changedPartitions', () => {
  const at = (s: string) => new Date(s);
  const objects = [
    { key: 'event_date=2024-09-18/part-0.parquet', lastModified: at('2024-09-19T01:00:00Z') },
    { key: 'event_date=2024-09-18/part-1.parquet', lastModified: at('2024-09-20T01:00:00Z') },
    { key: 'event_date=2024-09-19/part-0.parquet', lastModified: at('2024-09-19T02:00:00Z') },
    { key: 'event_date=2024-09-19/_SUCCESS', lastModified: at('2024-09-21T00:00:00Z') },
    { key: '_SUCCESS', lastModified: at('2024-09-21T00:00:00Z') },
    { key: 'other=1/part-0.parquet', lastModified: at('2024-09-21T00:00:00Z') },
  ];

  it('lists every partition with its newest Parquet file, oldest change first, when nothing was loaded yet', () => {
    expect(changedPartitions(objects, 'event_date')).toEqual([
      { partition: '2024-09-19', modifiedAt: at('2024-09-19T02:00:00Z') },
      { partition: '2024-09-18', modifiedAt: at('2024-09-20T01:00:00Z') },
    ]);
  });

  it('lists only partitions with a file newer than the watermark (a late event rewrites an old partition)', () => {
    expect(
      changedPartitions(objects, 'event_date', at('2024-09-19T12:00:00Z')).map((p) => p.partition),
    ).toEqual(['2024-09-18']);
    expect(changedPartitions(objects, 'event_date', at('2024-09-20T01:00:00Z'))).toEqual([]);
  });
});
