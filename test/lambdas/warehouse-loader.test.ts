/**
 * The scheduled loads against fakes: the watermark, the partitions chosen, the batch submitted for
 * a partition, the refresh of the materialized views after the loads, and the failure texts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LoadFile, MATERIALIZED_VIEWS } from '../../sql/registry';
import {
  CellValue,
  StatementDescription,
  WarehouseDataApi,
} from '../../lambdas/warehouse-migrations/data-api';
import { handleLoaderEvent, listCurated } from '../../lambdas/warehouse-loader/handler';
import {
  LoaderDeps,
  WATERMARK_SQL,
  loadFailureMessage,
  parseWatermark,
  planLoad,
  pollPartition,
  pollRefresh,
  selectPartitions,
  submitPartition,
  submitRefresh,
} from '../../lambdas/warehouse-loader/loader';

const LOAD: LoadFile = {
  dataset: 'order_events',
  partitionKey: 'event_date',
  stagingTable: 'stage.order_events',
  file: 'loads/10_fact_order_line.sql',
};

const sqlRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'loads-'));
fs.mkdirSync(path.join(sqlRoot, 'loads'));
fs.writeFileSync(
  path.join(sqlRoot, LOAD.file),
  [
    "COPY stage.order_events FROM '{{source}}' IAM_ROLE '{{copy_role_arn}}' FORMAT AS PARQUET;",
    "DELETE FROM dw.fact_order_line WHERE event_date = '{{partition}}';",
    "INSERT INTO ops.load_audit (dataset, run_id, source_modified_at) VALUES ('order_events', '{{run_id}}', '{{source_modified_at}}');",
  ].join('\n'),
);

class FakeApi implements WarehouseDataApi {
  executed: { sql: string; parameters: readonly { name: string; value: string }[]; name: string }[] = [];
  batches: { sqls: readonly string[]; name: string }[] = [];
  watermark: CellValue = null;
  description: StatementDescription = { id: 'b1', status: 'FINISHED', subStatements: [] };
  describeCalls = 0;
  async batch(sqls: readonly string[], name: string) {
    this.batches.push({ sqls, name });
    return 'b1';
  }
  async execute(sql: string, parameters: readonly { name: string; value: string }[], name: string) {
    this.executed.push({ sql, parameters, name });
    return 'w1';
  }
  async describe(id: string): Promise<StatementDescription> {
    this.describeCalls += 1;
    if (id === 'w1')
      return { id, status: this.describeCalls < 2 ? 'STARTED' : 'FINISHED', subStatements: [] };
    return this.description;
  }
  async listByName() {
    return [];
  }
  async records() {
    return [[this.watermark]];
  }
}

function deps(
  api: FakeApi,
  objects: { key: string; lastModified: Date }[] = [],
  max = 200,
): LoaderDeps & { listed: string[] } {
  const listed: string[] = [];
  return {
    api,
    list: async (prefix) => (listed.push(prefix), objects),
    bucket: 'curated-bucket',
    copyRoleArn: 'arn:aws:iam::123456789012:role/copy',
    statementPrefix: 'ecom-dev-loads',
    sqlRoot,
    maxPartitionsPerRun: max,
    sleep: async () => undefined,
    loads: [LOAD],
    materializedViews: ['star.mv_sales_daily', 'star.mv_customer_sales'],
    listed,
  };
}

const at = (iso: string) => new Date(iso);

describe('parseWatermark', () => {
  test('reads Redshift TIMESTAMP text as UTC, TIMESTAMPTZ with its zone, and NULL as none', () => {
    expect(parseWatermark('2024-09-18 10:15:00')?.toISOString()).toBe('2024-09-18T10:15:00.000Z');
    expect(parseWatermark('2024-09-18 10:15:00.123456')?.toISOString()).toBe('2024-09-18T10:15:00.123Z');
    expect(parseWatermark('2024-09-18 12:15:00+02')?.toISOString()).toBe('2024-09-18T10:15:00.000Z');
    expect(parseWatermark(null)).toBeUndefined();
    expect(() => parseWatermark('yesterday')).toThrow(
      /source_modified_at returned 'yesterday', which is not a timestamp/,
    );
  });
});

describe('selectPartitions', () => {
  const p = (partition: string, iso: string) => ({ partition, modifiedAt: at(iso) });

  test('takes the oldest changes first (the order changedPartitions gives), at most max', () => {
    const r = selectPartitions(
      [
        p('2024-09-01', '2024-09-01T01:00:00Z'),
        p('2024-09-02', '2024-09-02T01:00:00Z'),
        p('2024-09-03', '2024-09-03T01:00:00Z'),
      ],
      2,
    );
    expect(r.take.map((x) => x.partition)).toEqual(['2024-09-01', '2024-09-02']);
    expect(r.deferred).toBe(1);
  });

  test('never cuts between partitions of the same modification time (the watermark would hide the rest)', () => {
    const same = '2024-09-05T00:00:00Z';
    const r = selectPartitions([p('a', '2024-09-01T00:00:00Z'), p('b', same), p('c', same)], 2);
    expect(r.take.map((x) => x.partition)).toEqual(['a']);
    const all = selectPartitions([p('b', same), p('c', same), p('d', same)], 2);
    expect(all.take.map((x) => x.partition)).toEqual(['b', 'c', 'd']);
    expect(all.deferred).toBe(0);
  });
});

describe('planLoad', () => {
  test('reads the watermark with a bound parameter and lists the partitions changed since', async () => {
    const api = new FakeApi();
    api.watermark = '2024-09-02 00:00:00';
    const d = deps(api, [
      { key: 'event_date=2024-09-01/part-0.parquet', lastModified: at('2024-09-01T03:00:00Z') },
      { key: 'event_date=2024-09-02/part-0.parquet', lastModified: at('2024-09-02T03:00:00Z') },
      { key: 'event_date=2024-09-02/_SUCCESS', lastModified: at('2024-09-03T03:00:00Z') },
      { key: 'event_date=2024-09-03/part-0.parquet', lastModified: at('2024-09-03T03:00:00Z') },
    ]);
    const plan = await planLoad({ dataset: 'order_events', runId: 'run-1' }, d);
    expect(api.executed).toEqual([
      {
        sql: WATERMARK_SQL,
        parameters: [{ name: 'dataset', value: 'order_events' }],
        name: 'ecom-dev-loads/run-1/order_events/watermark',
      },
    ]);
    expect(d.listed).toEqual(['curated/order_events/']);
    expect(plan).toEqual({
      dataset: 'order_events',
      watermark: '2024-09-02T00:00:00.000Z',
      partitions: [
        { partition: '2024-09-02', sourceModifiedAt: '2024-09-02T03:00:00.000Z' },
        { partition: '2024-09-03', sourceModifiedAt: '2024-09-03T03:00:00.000Z' },
      ],
      deferred: 0,
    });
  });

  test('loads everything when the dataset was never loaded', async () => {
    const api = new FakeApi();
    const plan = await planLoad(
      { dataset: 'order_events', runId: 'r' },
      deps(api, [{ key: 'event_date=2020-01-01/x.parquet', lastModified: at('2020-01-02T00:00:00Z') }]),
    );
    expect(plan.watermark).toBeNull();
    expect(plan.partitions.map((x) => x.partition)).toEqual(['2020-01-01']);
  });

  test('names an unknown dataset and the known ones', async () => {
    await expect(planLoad({ dataset: 'nope', runId: 'r' }, deps(new FakeApi()))).rejects.toThrow(
      /No load of dataset 'nope' in sql\/registry\.ts LOADS \(known: order_events\)/,
    );
  });
});

describe('submitPartition and pollPartition', () => {
  test('submit the rendered load of one partition as one named batch', async () => {
    const api = new FakeApi();
    const out = await submitPartition(
      {
        dataset: 'order_events',
        runId: 'run-1',
        partition: '2024-09-02',
        sourceModifiedAt: '2024-09-02T03:00:00.000Z',
      },
      deps(api),
    );
    expect(out).toEqual({ statementId: 'b1', statements: 3 });
    expect(api.batches).toEqual([
      {
        name: 'ecom-dev-loads/run-1/order_events/2024-09-02',
        sqls: [
          "COPY stage.order_events FROM 's3://curated-bucket/curated/order_events/event_date=2024-09-02/' IAM_ROLE 'arn:aws:iam::123456789012:role/copy' FORMAT AS PARQUET",
          "DELETE FROM dw.fact_order_line WHERE event_date = '2024-09-02'",
          "INSERT INTO ops.load_audit (dataset, run_id, source_modified_at) VALUES ('order_events', 'run-1', '2024-09-02T03:00:00.000')",
        ],
      },
    ]);
  });

  test('poll reports RUNNING and FINISHED, and throws the file, the statement and Redshift error', async () => {
    const api = new FakeApi();
    const d = deps(api);
    api.description = { id: 'b1', status: 'STARTED', subStatements: [] };
    expect(
      await pollPartition({ dataset: 'order_events', partition: '2024-09-02', statementId: 'b1' }, d),
    ).toEqual({ status: 'RUNNING' });
    api.description = { id: 'b1', status: 'FINISHED', subStatements: [] };
    expect(
      await pollPartition({ dataset: 'order_events', partition: '2024-09-02', statementId: 'b1' }, d),
    ).toEqual({ status: 'FINISHED' });
    api.description = {
      id: 'b1',
      status: 'FAILED',
      subStatements: [
        { index: 1, status: 'FAILED', error: 'ERROR: Spectrum Scan Error: S3 access denied' },
        { index: 2, status: 'ABORTED' },
        { index: 3, status: 'ABORTED' },
      ],
    };
    await expect(
      handleLoaderEvent(
        { action: 'poll', dataset: 'order_events', partition: '2024-09-02', statementId: 'b1' },
        d,
      ),
    ).rejects.toThrow(
      /Load of order_events partition event_date=2024-09-02 failed in sql\/loads\/10_fact_order_line\.sql, statement 1 of 3: ERROR: Spectrum Scan Error: S3 access denied\. The partition's transaction was rolled back/,
    );
  });

  test('the failure text falls back to the batch error', () => {
    expect(
      loadFailureMessage(LOAD, 'x', { id: 'b', status: 'ABORTED', error: 'cancelled', subStatements: [] }),
    ).toContain('sql/loads/10_fact_order_line.sql, the batch: cancelled');
  });
});

describe('submitRefresh and pollRefresh', () => {
  test('submit exactly REFRESH MATERIALIZED VIEW <name> as one named statement, not a batch', async () => {
    const api = new FakeApi();
    const out = await handleLoaderEvent(
      { action: 'refresh', materializedView: 'star.mv_customer_sales', runId: 'run-1' },
      deps(api),
    );
    expect(out).toEqual({ statementId: 'w1' });
    expect(api.executed).toEqual([
      {
        sql: 'REFRESH MATERIALIZED VIEW star.mv_customer_sales',
        parameters: [],
        name: 'ecom-dev-loads/run-1/refresh/star.mv_customer_sales',
      },
    ]);
    expect(api.batches).toEqual([]);
  });

  test("refreshes the registry's materialized views by default", async () => {
    const api = new FakeApi();
    const d: LoaderDeps = { ...deps(api), materializedViews: undefined };
    for (const mv of MATERIALIZED_VIEWS) await submitRefresh({ materializedView: mv, runId: 'r' }, d);
    expect(api.executed.map((e) => e.sql)).toEqual(
      MATERIALIZED_VIEWS.map((mv) => `REFRESH MATERIALIZED VIEW ${mv}`),
    );
  });

  test('rejects a materialized view the registry does not list, naming the known ones', async () => {
    const api = new FakeApi();
    await expect(
      submitRefresh({ materializedView: 'star.mv_nope; DROP TABLE x', runId: 'r' }, deps(api)),
    ).rejects.toThrow(
      /No materialized view 'star\.mv_nope; DROP TABLE x' in sql\/registry\.ts MATERIALIZED_VIEWS \(known: star\.mv_sales_daily, star\.mv_customer_sales\)/,
    );
    expect(api.executed).toEqual([]);
  });

  test('poll reports RUNNING and FINISHED, and throws the view, Redshift error and statement id', async () => {
    const api = new FakeApi();
    const d = deps(api);
    const input = { materializedView: 'star.mv_sales_daily', statementId: 'r1' };
    api.description = { id: 'r1', status: 'PICKED', subStatements: [] };
    expect(await pollRefresh(input, d)).toEqual({ status: 'RUNNING' });
    api.description = { id: 'r1', status: 'FINISHED', subStatements: [] };
    expect(await handleLoaderEvent({ action: 'pollRefresh', ...input }, d)).toEqual({ status: 'FINISHED' });
    api.description = {
      id: 'r1',
      status: 'FAILED',
      error: 'ERROR: permission denied for relation fact_sales',
      subStatements: [],
    };
    const failed = handleLoaderEvent({ action: 'pollRefresh', ...input }, d);
    await expect(failed).rejects.toThrow(
      /Refresh of materialized view star\.mv_sales_daily failed: ERROR: permission denied for relation fact_sales \(Data API statement r1\)/,
    );
    await expect(pollRefresh(input, d)).rejects.toThrow(
      /next run refreshes them all again; .*run REFRESH MATERIALIZED VIEW star\.mv_sales_daily as the warehouse admin user/,
    );
    api.description = { id: 'r1', status: 'ABORTED', subStatements: [] };
    await expect(pollRefresh(input, d)).rejects.toThrow(
      /Refresh of materialized view star\.mv_sales_daily aborted: no message \(Data API statement r1\)/,
    );
  });

  test('poll rejects a materialized view the registry does not list', async () => {
    await expect(
      pollRefresh({ materializedView: 'star.other', statementId: 'r1' }, deps(new FakeApi())),
    ).rejects.toThrow(/No materialized view 'star\.other'/);
  });
});

describe('listCurated', () => {
  test('pages through the listing and gives keys relative to the prefix', async () => {
    const pages = [
      {
        Contents: [
          {
            Key: 'curated/order_events/event_date=2024-09-01/a.parquet',
            LastModified: at('2024-09-01T00:00:00Z'),
          },
        ],
        IsTruncated: true,
        NextContinuationToken: 't',
      },
      {
        Contents: [
          {
            Key: 'curated/order_events/event_date=2024-09-02/b.parquet',
            LastModified: at('2024-09-02T00:00:00Z'),
          },
        ],
        IsTruncated: false,
      },
    ];
    const inputs: unknown[] = [];
    const s3 = { send: async (c: { input: unknown }) => (inputs.push(c.input), pages.shift()) } as never;
    const objects = await listCurated(s3, 'bucket', 'curated/order_events/');
    expect(objects.map((o) => o.key)).toEqual([
      'event_date=2024-09-01/a.parquet',
      'event_date=2024-09-02/b.parquet',
    ]);
    expect(inputs).toEqual([
      { Bucket: 'bucket', Prefix: 'curated/order_events/', ContinuationToken: undefined },
      { Bucket: 'bucket', Prefix: 'curated/order_events/', ContinuationToken: 't' },
    ]);
  });

  test('rejects an unknown action', async () => {
    await expect(handleLoaderEvent({ action: 'drop' } as never, deps(new FakeApi()))).rejects.toThrow(
      /unknown action 'drop' \(plan, submit, poll, refresh or pollRefresh\)/,
    );
  });
});
