/**
 * DataApiWarehouse with a fake Data API client: parameters are bound (never in the text), a quick
 * statement gives its rows (every page), a slow one is answered `running` with its id and then polled,
 * a failed one is a WarehouseQueryError, and a foreign or expired id is `unknown`.
 */
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
} from '@aws-sdk/client-redshift-data';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createApiHandler } from '../../lambdas/api/api-handler';
import { DataApiWarehouse } from '../../lambdas/api/data-api-warehouse';
import { PageTokens } from '../../lambdas/api/page-token';
import { queryNameOfSql, querySql } from '../../lambdas/api/queries/registry';
import { WarehouseQueryError } from '../../lambdas/api/warehouse';

const ID = '6a1f3c2e-1b2d-4c3e-9f00-0123456789ab';

interface Script {
  statuses: string[];
  error?: string;
  queryString?: string;
  parameters?: { name: string; value: string }[];
  notFound?: boolean;
}

function fakeClient(script: Script) {
  const sent: object[] = [];
  let describes = 0;
  const client = {
    send: async (command: object): Promise<unknown> => {
      sent.push(command);
      if (command instanceof ExecuteStatementCommand) return { Id: ID };
      if (command instanceof DescribeStatementCommand) {
        if (script.notFound)
          throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
        const status = script.statuses[Math.min(describes, script.statuses.length - 1)];
        describes += 1;
        return {
          Id: ID,
          Status: status,
          Error: script.error,
          HasResultSet: true,
          QueryString: script.queryString,
          QueryParameters: script.parameters,
        };
      }
      if (command instanceof GetStatementResultCommand) {
        const token = command.input.NextToken;
        return {
          ColumnMetadata: [{ name: 'segment' }, { name: 'customers' }, { name: 'revenue' }],
          Records: token
            ? [[{ stringValue: 'Lost' }, { longValue: 3 }, { isNull: true }]]
            : [[{ stringValue: 'Champions' }, { longValue: 12 }, { stringValue: '1234.5000' }]],
          NextToken: token ? undefined : 'page-2',
        };
      }
      throw new Error(`unexpected command ${command.constructor.name}`);
    },
  };
  return { client, sent };
}

function warehouse(client: { send(c: object): Promise<unknown> }, waitSeconds = 1): DataApiWarehouse {
  let now = 0;
  return new DataApiWarehouse({
    client,
    workgroupName: 'wg',
    database: 'dev',
    waitSeconds,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
}

describe('DataApiWarehouse', () => {
  it('binds the parameters and reads every page of a finished statement', async () => {
    const { client, sent } = fakeClient({ statuses: ['SUBMITTED', 'STARTED', 'FINISHED'] });
    const out = await warehouse(client).run('campaign_performance', { campaign_id: "x'; DROP TABLE t; --" });
    expect(out).toEqual({
      state: 'finished',
      rows: [
        { segment: 'Champions', customers: 12, revenue: '1234.5000' },
        { segment: 'Lost', customers: 3, revenue: null },
      ],
    });
    const execute = sent[0] as ExecuteStatementCommand;
    expect(execute.input).toMatchObject({
      WorkgroupName: 'wg',
      Database: 'dev',
      Sql: querySql('campaign_performance'),
      Parameters: [{ name: 'campaign_id', value: "x'; DROP TABLE t; --" }],
    });
    expect(execute.input.Sql).not.toContain('DROP');
    expect(execute.input).not.toHaveProperty('SecretArn');
  });

  it('answers running after the wait, then the poll finds the query by its text', async () => {
    const parameters = [{ name: 'campaign_id', value: 'CMP-1' }];
    const { client } = fakeClient({
      statuses: ['STARTED'],
      queryString: querySql('campaign_performance'),
      parameters,
    });
    const w = warehouse(client, 2);
    expect(await w.run('campaign_performance', { campaign_id: 'CMP-1' })).toEqual({
      state: 'running',
      queryId: ID,
    });
    expect(await w.poll(ID)).toEqual({ state: 'running' });
    const done = fakeClient({
      statuses: ['FINISHED'],
      queryString: querySql('campaign_performance'),
      parameters,
    });
    const polled = await warehouse(done.client).poll(ID);
    expect(polled).toMatchObject({
      state: 'finished',
      query: 'campaign_performance',
      parameters: { campaign_id: 'CMP-1' },
    });
  });

  it('turns a failed statement into a WarehouseQueryError', async () => {
    const { client } = fakeClient({ statuses: ['FAILED'], error: 'relation does not exist' });
    await expect(warehouse(client).run('freshness', {})).rejects.toThrow(WarehouseQueryError);
    const failed = fakeClient({ statuses: ['FAILED'], error: 'boom', queryString: querySql('freshness') });
    await expect(warehouse(failed.client).poll(ID)).rejects.toThrow(/boom/);
  });

  it('calls a foreign, malformed or expired id unknown', async () => {
    const foreign = fakeClient({ statuses: ['FINISHED'], queryString: 'SELECT secret FROM somewhere' });
    expect(await warehouse(foreign.client).poll(ID)).toEqual({ state: 'unknown' });
    const expired = fakeClient({ statuses: ['FINISHED'], notFound: true });
    expect(await warehouse(expired.client).poll(ID)).toEqual({ state: 'unknown' });
    expect(await warehouse(expired.client).poll('not-an-id')).toEqual({ state: 'unknown' });
    expect(expired.sent).toHaveLength(1);
  });

  it("refuses parameters that are not the query's", async () => {
    const { client, sent } = fakeClient({ statuses: ['FINISHED'] });
    await expect(
      warehouse(client).run('campaign_performance', { campaign_id: 'a', extra: 'b' }),
    ).rejects.toThrow(/parameters/);
    await expect(warehouse(client).run('customer_segment', { customer_id: '1 OR 1=1' })).rejects.toThrow(
      /integer/,
    );
    expect(sent).toHaveLength(0);
  });

  it('recognizes a named query by its text, reformatted or cut short, and nothing else', () => {
    const sql = querySql('sales_trend_filtered_week');
    expect(queryNameOfSql(sql)).toBe('sales_trend_filtered_week');
    expect(queryNameOfSql(`  ${sql.replace(/\n/g, '\n  ')}  `)).toBe('sales_trend_filtered_week');
    expect(queryNameOfSql(sql.slice(0, 400))).toBe('sales_trend_filtered_week');
    expect(queryNameOfSql(sql.slice(0, 20))).toBeUndefined();
    expect(queryNameOfSql(`${sql} OR 1=1`)).toBeUndefined();
    expect(queryNameOfSql('SELECT 1')).toBeUndefined();
  });

  it('through the handler: 202 with the statement id, the poll 202 then 200, a failure 502', async () => {
    const script: Script = {
      statuses: ['STARTED'],
      queryString: querySql('customer_segments'),
      parameters: [],
    };
    const { client } = fakeClient(script);
    const handler = createApiHandler({
      warehouse: warehouse(client, 1),
      documents: { send: async () => ({}) } as never,
      tables: { orders: 'o', stock: 's' },
      pageTokens: new PageTokens('p'.repeat(32)),
    });
    const event = (path: string): APIGatewayProxyEvent =>
      ({
        path,
        httpMethod: 'GET',
        headers: {},
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        requestContext: { path: `/prod${path}`, identity: { userArn: 'arn:aws:iam::1:user/a' } },
      }) as unknown as APIGatewayProxyEvent;
    const first = await handler(event('/v1/customers/segments'));
    expect(first.statusCode).toBe(202);
    expect(first.headers?.Location).toBe(`/prod/v1/queries/${ID}`);
    expect((await handler(event(`/v1/queries/${ID}`))).statusCode).toBe(202);
    script.statuses = ['FINISHED'];
    const done = await handler(event(`/v1/queries/${ID}`));
    expect(done.statusCode).toBe(200);
    expect(JSON.parse(done.body)).toMatchObject({
      query_id: ID,
      status: 'finished',
      operation_id: 'listCustomerSegments',
      result: { items: [{ segment: 'Champions', customers: 12, revenue: 1234.5 }, { segment: 'Lost' }] },
    });
    script.statuses = ['FAILED'];
    script.error = 'disk full';
    const failed = await handler(event(`/v1/queries/${ID}`));
    expect(failed.statusCode).toBe(502);
    expect(JSON.parse(failed.body).type).toMatch(/query-failed$/);
    expect(failed.body).not.toMatch(/disk full/);
  });
});
