/**
 * The handler as API Gateway invokes it (proxy events, no HTTP): the identity check, backend failures
 * (502 query-failed, 500 internal without details), the 202 Location under a stage prefix, and the
 * Lambda's environment parsing.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createApiHandler } from '../../lambdas/api/api-handler';
import { pageTokenKeyOf, queryWaitSeconds } from '../../lambdas/api/handler';
import type { ApiDeps } from '../../lambdas/api/operations';
import { PageTokens } from '../../lambdas/api/page-token';
import { WarehouseQueries, WarehouseQueryError } from '../../lambdas/api/warehouse';

function event(path: string, query: Record<string, string> = {}, signedIn = true): APIGatewayProxyEvent {
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: path,
    path,
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      path: `/prod${path}`,
      requestId: 'req-1',
      identity: signedIn ? { userArn: 'arn:aws:iam::123456789012:user/analyst' } : {},
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

function deps(warehouse: Partial<WarehouseQueries>, documents?: ApiDeps['documents']): ApiDeps {
  return {
    warehouse: warehouse as WarehouseQueries,
    documents: documents ?? { send: async () => ({}) },
    tables: { orders: 'orders', stock: 'stock' },
    pageTokens: new PageTokens('k'.repeat(32)),
  };
}

describe('createApiHandler', () => {
  it('refuses an event without a caller identity (403 unauthenticated)', async () => {
    const handler = createApiHandler(deps({}));
    const r = await handler(event('/v1/freshness', {}, false));
    expect(r.statusCode).toBe(403);
    expect(r.headers?.['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(r.body).type).toMatch(/unauthenticated$/);
  });

  it('answers a failed warehouse query 502 query-failed', async () => {
    const handler = createApiHandler(
      deps({
        run: async () => {
          throw new WarehouseQueryError('relation analytics.x does not exist', 'id-1');
        },
      }),
    );
    const r = await handler(event('/v1/freshness'));
    expect(r.statusCode).toBe(502);
    const body = JSON.parse(r.body);
    expect(body.type).toMatch(/query-failed$/);
    expect(body.detail).not.toMatch(/relation/);
  });

  it('answers an unexpected error 500 internal, without its message or stack, and logs it', async () => {
    const logged: unknown[] = [];
    const handler = createApiHandler(
      deps({
        run: async () => {
          throw new Error('secret internals at /var/task/index.js:1');
        },
      }),
      { logger: { info: () => undefined, error: (m, x) => logged.push([m, x]) } },
    );
    const r = await handler(event('/v1/customers/segments'));
    expect(r.statusCode).toBe(500);
    expect(r.body).not.toMatch(/secret|index\.js/);
    expect(JSON.parse(r.body)).toMatchObject({
      status: 500,
      request_id: 'req-1',
      instance: '/v1/customers/segments',
    });
    expect(JSON.stringify(logged)).toMatch(/secret internals/);
  });

  it('answers a DynamoDB failure 502 query-failed', async () => {
    const handler = createApiHandler(
      deps({}, {
        send: async () => {
          throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
        },
      } as unknown as ApiDeps['documents']),
    );
    const r = await handler(event('/v1/orders/ORD-0001'));
    expect(r.statusCode).toBe(502);
  });

  it("prefers API Gateway's decoded pathParameters to the raw path", async () => {
    const seen: unknown[] = [];
    const handler = createApiHandler(
      deps({
        run: async (_q, parameters) => {
          seen.push(parameters);
          return { state: 'finished', rows: [] };
        },
      }),
    );
    const e = { ...event('/v1/campaigns/CMP%2D1/performance'), pathParameters: { campaign_id: 'CMP-1' } };
    const r = await handler(e);
    expect(r.statusCode).toBe(404);
    expect(seen).toEqual([{ campaign_id: 'CMP-1' }]);
    const bad = await handler({ ...e, pathParameters: { campaign_id: "x' OR 1=1" } });
    expect(bad.statusCode).toBe(400);
  });

  it('gives a 202 a Location under the stage the caller used', async () => {
    const id = '6a1f3c2e-1b2d-4c3e-9f00-0123456789ab';
    const handler = createApiHandler(deps({ run: async () => ({ state: 'running', queryId: id }) }));
    const r = await handler(event('/v1/customers/segments'));
    expect(r.statusCode).toBe(202);
    expect(r.headers?.Location).toBe(`/prod/v1/queries/${id}`);
    expect(r.headers?.['Retry-After']).toBe('2');
  });
});

describe('the Lambda environment', () => {
  it('reads QUERY_WAIT_SECONDS (default 20, below the gateway limit)', () => {
    expect(queryWaitSeconds({})).toBe(20);
    expect(queryWaitSeconds({ QUERY_WAIT_SECONDS: '5' })).toBe(5);
    expect(() => queryWaitSeconds({ QUERY_WAIT_SECONDS: '29' })).toThrow(/between 1 and 28/);
    expect(() => queryWaitSeconds({ QUERY_WAIT_SECONDS: 'soon' })).toThrow(/QUERY_WAIT_SECONDS/);
  });

  it('takes the page token key from the secret string or its JSON `key`', () => {
    const key = 'z'.repeat(40);
    expect(pageTokenKeyOf(key)).toBe(key);
    expect(pageTokenKeyOf(JSON.stringify({ key }))).toBe(key);
    expect(() => pageTokenKeyOf('short')).toThrow(/32/);
    expect(() => pageTokenKeyOf(undefined)).toThrow(/SecretString/);
  });
});
