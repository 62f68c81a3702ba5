/**
 * The local API with worker processes (startLocalApi's `workers`, api/local-server.ts): two workers
 * answer exactly as one process does. Both servers run side by side on the same twin and warehouse
 * (test/api/helpers.ts) with the same page-token key, and every answer is compared, status, media type
 * and body (a problem's request_id aside, a UUID per request): point lookups (each worker's own
 * DynamoDB client), an analytics endpoint (the warehouse lives in the primary: answered over IPC), a
 * page token issued by one worker and followed on the other, a query that outlives the wait (202, then
 * polled over IPC), a warehouse failure (502, the error crossing IPC), a bad signature (403) and bad
 * input (400 problem+json). Connections are handed to the workers in turn, so two requests on two new
 * connections reach two workers; the workers' log lines (forwarded to the primary's logger with their
 * index) show which.
 */
import { request } from 'node:http';
import { LocalApi, signedHeaders, startLocalApi } from '../../api/local-server';
import { LocalWarehouseQueries } from '../../api/local-warehouse-queries';
import { WarehouseQueries, WarehouseQueryError } from '../../lambdas/api/warehouse';
import { API_WAREHOUSE, Answer, ApiOnTwin, call, expectProblem, startApiOnTwin } from './helpers';

jest.setTimeout(120_000);

const PAGE_TOKEN_KEY = 'the-page-token-key-of-both-servers-under-test';
const TREND = '/v1/sales/trend?grain=week&from=2024-01-01&to=2024-03-31';

/** A GET on a new connection (round robin: the next worker), signed like `call`. */
async function callOnNewConnection(base: string, path: string): Promise<Answer> {
  const headers = await signedHeaders(`${base}${path}`);
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          headers: new Headers(res.headers as Record<string, string>),
          body: JSON.parse(text),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** What must be equal between the two servers' answers. */
function comparable(a: Answer): unknown {
  const body = typeof a.body === 'object' && a.body !== null ? { ...a.body } : a.body;
  if (typeof body === 'object' && body !== null) delete (body as Record<string, unknown>).request_id;
  return { status: a.status, contentType: a.contentType, body };
}

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe('the local API with two worker processes', () => {
  let setup: ApiOnTwin | undefined;
  let one: LocalApi | undefined;
  let two: LocalApi | undefined;
  const logs: { message: string; extra: Record<string, unknown> }[] = [];
  /** The workers that logged a request for `path`. */
  const workersOf = (path: string): unknown[] =>
    logs.filter((l) => l.message === 'request' && l.extra.path === path).map((l) => l.extra.worker);

  beforeAll(async () => {
    setup = await startApiOnTwin();
    const queries = await LocalWarehouseQueries.create(setup.wh);
    const base = {
      warehouse: queries,
      documents: setup.twin.documents,
      tables: setup.twin.tables,
      pageTokenKey: PAGE_TOKEN_KEY,
    };
    [one, two] = await Promise.all([
      startLocalApi(base),
      startLocalApi({
        ...base,
        workers: 2,
        logger: {
          info: (message, extra) => logs.push({ message, extra: extra ?? {} }),
          error: (message, extra) => logs.push({ message, extra: extra ?? {} }),
        },
      }),
    ]);
  });

  afterAll(async () => {
    await two?.close();
    await one?.close();
    await setup?.close();
  });

  /** Calls both servers; expects the same answer; returns the two-worker one. */
  async function same(path: string, options: Parameters<typeof call>[2] = {}): Promise<Answer> {
    const [a, b] = await Promise.all([call(one!.url, path, options), call(two!.url, path, options)]);
    expect(comparable(b)).toEqual(comparable(a));
    return b;
  }

  it('serves from two workers, each answering lookups as one process does', async () => {
    expect(two!.workers).toBe(2);
    expect(one!.workers).toBe(1);
    const order = `/v1/orders/${setup!.orderIds.paid}`;
    const first = await callOnNewConnection(two!.url, order);
    const second = await callOnNewConnection(two!.url, order);
    const direct = await call(one!.url, order);
    expect(first.status).toBe(200);
    expect(first.body).toEqual(direct.body);
    expect(second.body).toEqual(direct.body);
    await waitFor(() => workersOf(order).length === 2);
    expect(new Set(workersOf(order))).toEqual(new Set([0, 1]));

    expect((await same('/v1/stock/SKU-API-0001')).status).toBe(200);
    expect((await same(`/v1/orders/${setup!.orderIds.cancelled}`)).body.status).toBe('cancelled');
    expectProblem(await same('/v1/orders/ORD-NOT-THERE-0001'), 404, 'not-found');
    expectProblem(await same('/v1/stock/SKU-NOT-THERE'), 404, 'not-found');
  });

  it('answers the analytics endpoints through the primary’s warehouse (IPC)', async () => {
    const trend = await same(TREND);
    expect(trend.status).toBe(200);
    expect(trend.body.items.length).toBeGreaterThan(5);
    expect((await same('/v1/freshness')).status).toBe(200);
    expect((await same('/v1/customers/segments')).status).toBe(200);
  });

  it('accepts a page token issued by one worker on the other', async () => {
    const trend = `${TREND}&page_size=3`;
    const page1 = await callOnNewConnection(two!.url, trend);
    expect(page1.status).toBe(200);
    const token: string = page1.body.next_page_token;
    expect(typeof token).toBe('string');
    expect(page1.body).toEqual((await call(one!.url, trend)).body);
    const next = `${trend}&page_token=${encodeURIComponent(token)}`;
    const page2 = await callOnNewConnection(two!.url, next);
    expect(page2.status).toBe(200);
    expect(page2.body).toEqual((await call(one!.url, next)).body);
    await waitFor(() => workersOf('/v1/sales/trend').length >= 2);
    const [w1, w2] = workersOf('/v1/sales/trend').slice(-2);
    expect(w1).not.toBe(w2);

    // DynamoDB's key as a token (the stock list), issued and followed on different connections.
    const below = `/v1/stock/below-reorder-point?warehouse_id=${API_WAREHOUSE}&page_size=2`;
    const s1 = await callOnNewConnection(two!.url, below);
    expect(s1.body).toEqual((await call(one!.url, below)).body);
    const s2path = `${below}&page_token=${encodeURIComponent(s1.body.next_page_token)}`;
    const s2 = await callOnNewConnection(two!.url, s2path);
    expect(s2.status).toBe(200);
    expect(s2.body).toEqual((await call(one!.url, s2path)).body);
    // A tampered token: refused the same way.
    expectProblem(
      await same(`${trend}&page_token=${encodeURIComponent(`${token}x`)}`),
      400,
      'invalid-page-token',
    );
  });

  it('refuses a bad signature with 403 and bad input with a 4xx problem, as one process does', async () => {
    const path = '/v1/freshness';
    expectProblem(
      await same(path, {
        credentials: { accessKeyId: one!.credentials.accessKeyId, secretAccessKey: 'nope' },
      }),
      403,
      'unauthenticated',
    );
    expectProblem(await same(path, { sign: false }), 403, 'unauthenticated');
    expectProblem(await same(path, { apiKey: null }), 403, 'unauthenticated');
    expectProblem(
      await same('/v1/sales/trend?grain=week&from=2024-03-01&to=2024-01-01'),
      400,
      'invalid-parameter',
    );
    expectProblem(await same('/v1/sales/trend?grain=fortnight'), 400, 'invalid-parameter');
    expectProblem(await same(`${TREND}&colour=blue`), 400, 'unknown-parameter');
    expectProblem(await same('/v1/nothing-here'), 404, 'not-found');
  });

  it('answers 202 and then the polled result, and a failed query with 502, over IPC', async () => {
    const slowQueries = await LocalWarehouseQueries.create(setup!.wh, { waitSeconds: 0.05, delayMs: 400 });
    const failing: WarehouseQueries = {
      run: () => Promise.reject(new WarehouseQueryError('the warehouse is down', 'q-1')),
      poll: () => Promise.reject(new Error('not expected')),
    };
    const live = { documents: setup!.twin.documents, tables: setup!.twin.tables };
    const started = await Promise.allSettled([
      startLocalApi({ ...live, warehouse: slowQueries, workers: 2 }),
      startLocalApi({ ...live, warehouse: failing }),
      startLocalApi({ ...live, warehouse: failing, workers: 2 }),
    ]);
    const apis = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (apis.length < started.length) {
      await Promise.all(apis.map((x) => x.close()));
      throw (started.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
    }
    const [slow, failingOne, failingTwo] = apis;
    try {
      const a = await call(slow.url, '/v1/customers/segments');
      expect(a.status).toBe(202);
      const location = a.headers.get('location')!;
      expect(location).toMatch(/^\/v1\/queries\/[0-9a-f-]{36}$/);
      let polled = await call(slow.url, location);
      for (let i = 0; polled.status === 202 && i < 50; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        polled = await call(slow.url, location);
      }
      expect(polled.status).toBe(200);
      expect(polled.body.result).toEqual((await call(one!.url, '/v1/customers/segments')).body);

      const [f1, f2] = await Promise.all([call(failingOne.url, TREND), call(failingTwo.url, TREND)]);
      expectProblem(f2, 502, 'query-failed');
      expect(comparable(f2)).toEqual(comparable(f1));
    } finally {
      await Promise.all(apis.map((x) => x.close()));
    }
  });
});
