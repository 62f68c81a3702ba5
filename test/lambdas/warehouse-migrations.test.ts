/**
 * The schema migration run against a fake Data API: what it submits, in what order, how it resumes
 * from the statements' names alone, and the errors it throws.
 */
import { MigrationFile, ViewFile } from '../../sql/registry';
import {
  CellValue,
  MAX_BATCH_STATEMENTS,
  RedshiftDataApi,
  StatementDescription,
  StatementStatus,
  StatementSummary,
  WarehouseDataApi,
} from '../../lambdas/warehouse-migrations/data-api';
import { handleIsComplete, handleOnEvent, runName } from '../../lambdas/warehouse-migrations/handler';
import {
  SELECT_APPLIED,
  advance,
  checkBatch,
  failureMessage,
  planAfterBootstrap,
} from '../../lambdas/warehouse-migrations/runner';

interface FakeStatement {
  id: string;
  name: string;
  sqls: readonly string[];
  status: StatementStatus;
  failAt?: { index: number; error: string };
}

/** A Data API whose statements finish when the test says so. */
class FakeDataApi implements WarehouseDataApi {
  readonly statements: FakeStatement[] = [];
  applied: CellValue[][] = [];

  async batch(sqls: readonly string[], name: string): Promise<string> {
    const id = `stmt-${this.statements.length + 1}`;
    this.statements.push({ id, name, sqls, status: 'SUBMITTED' });
    return id;
  }
  async execute(): Promise<string> {
    throw new Error('not used by migrations');
  }
  async describe(id: string): Promise<StatementDescription> {
    const s = this.find(id);
    return {
      id,
      status: s.status,
      error: s.failAt?.error,
      subStatements: s.sqls.map((_, i) => ({
        index: i + 1,
        status:
          s.failAt === undefined
            ? s.status
            : i + 1 < s.failAt.index
              ? 'FINISHED'
              : i + 1 === s.failAt.index
                ? 'FAILED'
                : 'ABORTED',
        error: s.failAt?.index === i + 1 ? s.failAt.error : undefined,
      })),
    };
  }
  async listByName(prefix: string): Promise<StatementSummary[]> {
    return this.statements
      .filter((s) => s.name.startsWith(prefix))
      .map((s) => ({ id: s.id, name: s.name, status: s.status }));
  }
  async records(id: string): Promise<CellValue[][]> {
    const [batch, n] = id.split(':');
    const s = this.find(batch);
    if (s.sqls[Number(n) - 1] !== SELECT_APPLIED) throw new Error(`no result for ${id}`);
    return this.applied;
  }
  find(id: string): FakeStatement {
    const s = this.statements.find((x) => x.id === id);
    if (!s) throw new Error(`unknown statement ${id}`);
    return s;
  }
  finishAll(): void {
    for (const s of this.statements)
      if (['SUBMITTED', 'PICKED', 'STARTED'].includes(s.status)) s.status = 'FINISHED';
  }
}

const FILES: Record<string, string> = {
  'migrations/V001__schemas.sql': 'CREATE SCHEMA IF NOT EXISTS dw;\nCREATE SCHEMA IF NOT EXISTS stage;',
  'migrations/V002__dim_customer.sql':
    '-- customers\nCREATE TABLE IF NOT EXISTS dw.dim_customer (customer_key BIGINT);',
  'views/dw.v_sales.sql': 'CREATE OR REPLACE VIEW dw.v_sales AS SELECT 1 AS one',
  'views/dw.v_two.sql': 'CREATE OR REPLACE VIEW dw.v_two AS SELECT 2 AS two;',
};
const MIGRATIONS: MigrationFile[] = [
  { version: 1, name: 'schemas', file: 'migrations/V001__schemas.sql' },
  { version: 2, name: 'dim_customer', file: 'migrations/V002__dim_customer.sql' },
];
const VIEWS: ViewFile[] = [
  { name: 'dw.v_sales', file: 'views/dw.v_sales.sql' },
  { name: 'dw.v_two', file: 'views/dw.v_two.sql' },
];
const read = (files: Record<string, string>) => (file: string) => {
  const text = files[file];
  if (text === undefined) throw new Error(`no file ${file}`);
  return text;
};
const sources = {
  read: read(FILES),
  migrations: MIGRATIONS,
  views: VIEWS,
  now: () => new Date('2024-09-18T10:00:00Z'),
};
const RUN = 'ecom-dev-migrations/req-1';

/** Calls advance until it is done, finishing whatever it submitted in between. */
async function runToEnd(api: FakeDataApi, run = RUN, s = sources) {
  for (let i = 0; i < 20; i++) {
    const p = await advance(api, run, s, true);
    if (p.done) return p;
    api.finishAll();
  }
  throw new Error('did not finish');
}

describe('a migration run', () => {
  test('bootstraps, applies each pending migration as one batch with its record, then the views', async () => {
    const api = new FakeDataApi();
    const progress = await runToEnd(api);
    expect(progress).toEqual({ done: true, applied: [1, 2], views: 2 });
    expect(api.statements.map((s) => s.name)).toEqual([
      `${RUN}/0-bootstrap`,
      `${RUN}/1-migration-V001`,
      `${RUN}/1-migration-V002`,
      `${RUN}/2-views-1`,
    ]);
    const [boot, v1, , views] = api.statements;
    expect(boot.sqls[0]).toBe('CREATE SCHEMA IF NOT EXISTS ops');
    expect(boot.sqls[boot.sqls.length - 1]).toBe(SELECT_APPLIED);
    expect(v1.sqls).toHaveLength(3);
    expect(v1.sqls.slice(0, 2)).toEqual([
      'CREATE SCHEMA IF NOT EXISTS dw',
      'CREATE SCHEMA IF NOT EXISTS stage',
    ]);
    expect(v1.sqls[2]).toMatch(
      /^INSERT INTO ops\.schema_migrations \(version, name, checksum, applied_at\) VALUES \(1, 'schemas', '[0-9a-f]{64}', TIMESTAMP '2024-09-18 10:00:00\.000'\)$/,
    );
    // Dropped dependents first, then created in order (a replaced view may change its columns).
    expect(views.sqls).toEqual([
      'DROP VIEW IF EXISTS dw.v_two',
      'DROP VIEW IF EXISTS dw.v_sales',
      'CREATE OR REPLACE VIEW dw.v_sales AS SELECT 1 AS one',
      'CREATE OR REPLACE VIEW dw.v_two AS SELECT 2 AS two',
    ]);
  });

  test('submits one step per call and waits while it runs, resuming from the statement names alone', async () => {
    const api = new FakeDataApi();
    expect(await advance(api, RUN, sources)).toEqual({
      done: false,
      waitingFor: `${RUN}/0-bootstrap`,
      submitted: true,
    });
    expect(await advance(api, RUN, sources)).toEqual({
      done: false,
      waitingFor: `${RUN}/0-bootstrap`,
      submitted: false,
    });
    expect(api.statements).toHaveLength(1);
    api.statements[0].status = 'STARTED';
    expect((await advance(api, RUN, sources)).done).toBe(false);
    api.finishAll();
    expect(await advance(api, RUN, sources)).toEqual({
      done: false,
      waitingFor: `${RUN}/1-migration-V001`,
      submitted: true,
    });
    expect(api.statements).toHaveLength(2);
  });

  test('skips the migrations already applied (checksums match) and re-creates the views', async () => {
    const api = new FakeDataApi();
    await runToEnd(api, 'first');
    const done = api.statements
      .filter((s) => s.name.startsWith('first/1-'))
      .map((s) => {
        const m = /VALUES \((\d+), '[a-z_]+', '([0-9a-f]{64})'/.exec(s.sqls[s.sqls.length - 1]);
        return [Number(m?.[1]), m?.[2]] as CellValue[];
      });
    api.applied = done;
    const second = await runToEnd(api, 'second');
    expect(second).toEqual({ done: true, applied: [], views: 2 });
    expect(api.statements.filter((s) => s.name.startsWith('second/')).map((s) => s.name)).toEqual([
      'second/0-bootstrap',
      'second/2-views-1',
    ]);
  });

  test('fails naming the file, the statement in it and Redshift message; the next run resumes at that file', async () => {
    const api = new FakeDataApi();
    await advance(api, RUN, sources);
    api.finishAll();
    await advance(api, RUN, sources); // submits V001
    const v1 = api.statements[1];
    v1.status = 'FAILED';
    v1.failAt = { index: 2, error: 'ERROR: permission denied for database analytics' };
    await expect(advance(api, RUN, sources)).rejects.toThrow(
      /sql\/migrations\/V001__schemas\.sql, statement 2 of 2: ERROR: permission denied for database analytics\. The file ran in one transaction: nothing of it was applied/,
    );
    // A new deploy is a new run: it bootstraps again and starts at V001.
    const next = new FakeDataApi();
    next.statements.push(...api.statements);
    const p = await runToEnd(next, 'ecom-dev-migrations/req-2');
    expect(p.done && p.applied).toEqual([1, 2]);
  });

  test('names the view file when a view fails', async () => {
    const api = new FakeDataApi();
    const steps = planAfterBootstrap(RUN, [], sources);
    const views = steps[steps.length - 1];
    const message = failureMessage(views, {
      id: 'x',
      status: 'FAILED',
      subStatements: [
        { index: 1, status: 'FINISHED' },
        { index: 2, status: 'FINISHED' },
        { index: 3, status: 'FINISHED' },
        { index: 4, status: 'FAILED', error: 'ERROR: column "two" does not exist' },
      ],
    });
    expect(message).toContain('sql/views/dw.v_two.sql, statement 1 of 1: ERROR: column "two" does not exist');
    void api;
  });

  test('names the recording statement when the INSERT into ops.schema_migrations fails', () => {
    const [v1] = planAfterBootstrap(RUN, [], sources);
    const message = failureMessage(v1, {
      id: 'x',
      status: 'FAILED',
      subStatements: [{ index: 3, status: 'FAILED', error: 'boom' }],
    });
    expect(message).toContain(
      'sql/migrations/V001__schemas.sql, recording it in ops.schema_migrations (after its 2 statements): boom',
    );
  });

  test(`refuses a migration above ${MAX_BATCH_STATEMENTS} statements instead of splitting its transaction`, () => {
    const big = Array.from(
      { length: MAX_BATCH_STATEMENTS },
      (_, i) => `CREATE TABLE IF NOT EXISTS t${i} (a INT);`,
    ).join('\n');
    const s = { ...sources, read: read({ ...FILES, 'migrations/V001__schemas.sql': big }) };
    expect(() => planAfterBootstrap(RUN, [], s)).toThrow(
      /sql\/migrations\/V001__schemas\.sql has 40 statements, plus the row that records it: 41, above the 40 a Data API batch \(one transaction\) takes\. Split it into two migrations\./,
    );
  });

  test('refuses a view file with more than one statement', () => {
    const s = {
      ...sources,
      read: read({ ...FILES, 'views/dw.v_two.sql': 'CREATE VIEW a AS SELECT 1; CREATE VIEW b AS SELECT 2;' }),
    };
    expect(() => planAfterBootstrap(RUN, [], s)).toThrow(
      /sql\/views\/dw\.v_two\.sql has 2 statements; a view file holds exactly one/,
    );
  });

  test("fills a migration's placeholders from the stack's parameters, and stops on one it lacks", () => {
    const files = {
      ...FILES,
      'migrations/V003__streams.sql': `CREATE EXTERNAL SCHEMA IF NOT EXISTS k FROM KINESIS IAM_ROLE '{{streaming_role_arn}}';`,
    };
    const migrations = [...MIGRATIONS, { version: 3, name: 'streams', file: 'migrations/V003__streams.sql' }];
    const at = (parameters?: Record<string, string>) =>
      planAfterBootstrap(RUN, [], { ...sources, read: read(files), migrations, parameters });
    const v3 = at({ streaming_role_arn: 'arn:aws:iam::123456789012:role/s' }).find((s) =>
      s.name.endsWith('V003'),
    )!;
    expect(v3.sqls[0]).toBe(
      "CREATE EXTERNAL SCHEMA IF NOT EXISTS k FROM KINESIS IAM_ROLE 'arn:aws:iam::123456789012:role/s'",
    );
    expect(() => at()).toThrow(
      /migrations\/V003__streams\.sql: SQL placeholder \{\{streaming_role_arn\}\} has no value/,
    );
  });

  test("replaces each schema's views in its own batch (one transaction each)", () => {
    const files: Record<string, string> = {
      'views/a.v1.sql': 'CREATE OR REPLACE VIEW a.v1 AS SELECT 1',
      'views/b.v1.sql': 'CREATE OR REPLACE VIEW b.v1 AS SELECT 1',
      'views/a.v2.sql': 'CREATE OR REPLACE VIEW a.v2 AS SELECT * FROM a.v1',
    };
    const views: ViewFile[] = Object.keys(files).map((f) => ({ name: f.slice(6, -4), file: f }));
    const steps = planAfterBootstrap(RUN, [], { read: read(files), migrations: [], views });
    expect(steps.map((s) => [s.name, s.sqls])).toEqual([
      [
        `${RUN}/2-views-1`,
        [
          'DROP VIEW IF EXISTS a.v2',
          'DROP VIEW IF EXISTS a.v1',
          files['views/a.v1.sql'],
          files['views/a.v2.sql'],
        ],
      ],
      [`${RUN}/2-views-2`, ['DROP VIEW IF EXISTS b.v1', files['views/b.v1.sql']]],
    ]);
  });

  test('batches more than 40 view statements (drops, then creates) in several batches, in order', () => {
    const files: Record<string, string> = {};
    const views: ViewFile[] = [];
    for (let i = 0; i < 45; i++) {
      files[`views/dw.v${i}.sql`] = `CREATE OR REPLACE VIEW dw.v${i} AS SELECT ${i}`;
      views.push({ name: `dw.v${i}`, file: `views/dw.v${i}.sql` });
    }
    const steps = planAfterBootstrap(RUN, [], { read: read(files), migrations: [], views });
    expect(steps.map((s) => [s.name, s.sqls.length])).toEqual([
      [`${RUN}/2-views-1`, 40],
      [`${RUN}/2-views-2`, 40],
      [`${RUN}/2-views-3`, 10],
    ]);
    expect(steps[0].sqls[0]).toBe('DROP VIEW IF EXISTS dw.v44');
    expect(steps[2].sqls[9]).toBe('CREATE OR REPLACE VIEW dw.v44 AS SELECT 44');
    expect(() => steps.forEach(checkBatch)).not.toThrow();
  });

  test('refuses a database ahead of the code on Create, and applies nothing on Update (a rollback)', async () => {
    const api = new FakeDataApi();
    api.applied = [[7, 'f'.repeat(64)]];
    await advance(api, RUN, sources, true);
    api.finishAll();
    await expect(advance(api, RUN, sources, true)).rejects.toThrow(
      /records version\(s\) 7, which this code's sql\/registry\.ts does not list/,
    );
    const p = await advance(api, RUN, sources, false);
    expect(p).toEqual(
      expect.objectContaining({ done: true, applied: [], skipped: expect.stringMatching(/rollback/) }),
    );
  });
});

describe('the custom resource handlers', () => {
  const base = {
    ServiceToken: 'x',
    ResponseURL: 'https://example.com',
    StackId: 'stack',
    RequestId: 'req-1',
    LogicalResourceId: 'SchemaMigrations',
    ResourceType: 'Custom::WarehouseSchemaMigrations',
    ResourceProperties: { ServiceToken: 'x' },
  };

  test('onEvent submits the bootstrap and hands the run to isComplete, which drives it to the end', async () => {
    const api = new FakeDataApi();
    const deps = { api, sources, statementPrefix: 'ecom-dev-migrations' };
    const started = await handleOnEvent({ ...base, RequestType: 'Create' }, deps);
    expect(started).toEqual({
      PhysicalResourceId: 'ecom-dev-migrations-schema',
      Data: { Run: runName('ecom-dev-migrations', 'req-1') },
    });
    expect(api.statements.map((s) => s.name)).toEqual(['ecom-dev-migrations/req-1/0-bootstrap']);
    const event = { ...base, RequestType: 'Create' as const, ...started };
    let answer = await handleIsComplete(event, deps);
    for (let i = 0; i < 10 && !answer.IsComplete; i++) {
      api.finishAll();
      answer = await handleIsComplete(event, deps);
    }
    expect(answer).toEqual({ IsComplete: true, Data: { Applied: '1,2', Views: '2' } });
  });

  test('Delete does nothing: the schema stays with the retained namespace', async () => {
    const api = new FakeDataApi();
    const deps = { api, sources, statementPrefix: 'p' };
    const event = { ...base, RequestType: 'Delete' as const, PhysicalResourceId: 'p-schema' };
    expect(await handleOnEvent(event, deps)).toEqual({ PhysicalResourceId: 'p-schema' });
    expect(await handleIsComplete(event, deps)).toEqual({ IsComplete: true });
    expect(api.statements).toHaveLength(0);
  });
});

describe('the Data API adapter', () => {
  const target = { workgroupName: 'ecom-dev-warehouse', database: 'analytics', secretArn: 'arn:secret' };

  test('submits a named batch to the workgroup with the secret', async () => {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    const api = new RedshiftDataApi(
      {
        send: async (c: object) => (
          sent.push({ name: c.constructor.name, input: (c as { input: Record<string, unknown> }).input }),
          { Id: 'abc' }
        ),
      },
      target,
    );
    expect(await api.batch(['SELECT 1', 'SELECT 2'], 'run/0-bootstrap')).toBe('abc');
    expect(sent).toEqual([
      {
        name: 'BatchExecuteStatementCommand',
        input: {
          WorkgroupName: 'ecom-dev-warehouse',
          Database: 'analytics',
          SecretArn: 'arn:secret',
          Sqls: ['SELECT 1', 'SELECT 2'],
          StatementName: 'run/0-bootstrap',
        },
      },
    ]);
  });

  test('reads sub-statement outcomes with their 1-based index, and pages statements and records', async () => {
    const responses: Record<string, unknown[]> = {
      DescribeStatementCommand: [
        {
          Id: 'b',
          Status: 'FAILED',
          Error: 'top',
          SubStatements: [
            { Id: 'b:1', Status: 'FINISHED' },
            { Id: 'b:2', Status: 'FAILED', Error: 'bad' },
          ],
        },
      ],
      ListStatementsCommand: [
        { Statements: [{ Id: '1', StatementName: 'run/a', Status: 'FINISHED' }], NextToken: 't' },
        {
          Statements: [
            { Id: '2', StatementName: 'run/b', Status: 'STARTED' },
            { Id: '3', StatementName: 'other', Status: 'FINISHED' },
          ],
        },
      ],
      GetStatementResultCommand: [
        { Records: [[{ longValue: 1 }, { stringValue: 'abc' }]], NextToken: 'n' },
        { Records: [[{ isNull: true }, { booleanValue: true }]] },
      ],
    };
    const api = new RedshiftDataApi(
      { send: async (c: object) => responses[c.constructor.name].shift() },
      target,
    );
    const d = await api.describe('b');
    expect(d.subStatements).toEqual([
      { index: 1, status: 'FINISHED', error: undefined },
      { index: 2, status: 'FAILED', error: 'bad' },
    ]);
    expect((await api.listByName('run/')).map((s) => s.id)).toEqual(['1', '2']);
    expect(await api.records('b:2')).toEqual([
      [1, 'abc'],
      [null, true],
    ]);
  });
});
