/**
 * The API end to end on the local twin: the real handler (createApiHandler) served over HTTP by
 * api/local-server.ts, SigV4-signed calls, the local warehouse loaded from a GENERATED curated zone
 * (test/warehouse/curated-fixture.ts) through the real migrations and loads, and live orders and
 * stock put on the twin's streams and applied by the real transformers. Every endpoint is called and
 * its answer compared with what this file computes from the generated rows (never with the same
 * SQL); every answer is checked against the contract (api/openapi.yaml). Then every kind of bad
 * input: unknown parameters, wrong types, reversed and out-of-range dates, tampered page tokens,
 * huge page sizes, SQL injection in every string parameter, unknown ids, unsigned and badly signed
 * calls: each a 4xx problem with a useful detail, never a 5xx, and the tables still there.
 */
import { LocalApi, startLocalApi } from '../../api/local-server';
import { LocalTwin } from '../../twin/local-twin';
import { LocalWarehouse } from '../../twin/warehouse/local-warehouse';
import { CuratedFixture, dateOf, epochMs } from '../warehouse/curated-fixture';
import {
  API_OTHER_WAREHOUSE as OTHER_WAREHOUSE,
  API_STOCK as STOCK,
  API_WAREHOUSE as WAREHOUSE,
  Answer,
  ApiOnTwin,
  call,
  expectConforms,
  expectProblem,
  startApiOnTwin,
} from './helpers';

jest.setTimeout(180_000);

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function expectClose(actual: unknown, expected: number, what: string, tolerance = 0.001): void {
  if (typeof actual !== 'number' || Math.abs(actual - expected) > tolerance)
    throw new Error(`${what}: expected ${expected}, got ${String(actual)}`);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function weekStart(date: string): string {
  return addDays(date, -((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7));
}

// ---- the independent model of the generated sales (the conventions of docs/analytics-guide.md) ----

interface Line {
  orderId: string;
  orderDate: string;
  customerId: number;
  sku: string;
  campaignId: string | null;
  channel: string;
  category: string;
  country: string;
  units: number;
  revenue: number;
}

function salesLines(fx: CuratedFixture): Line[] {
  const cancelled = new Set(
    fx.statusChanges.filter((s) => s.event_type === 'order.cancelled').map((s) => s.order_id),
  );
  const returnedOrders = new Set(
    fx.statusChanges.filter((s) => s.event_type === 'order.returned').map((s) => s.order_id),
  );
  const returnedQty = new Map<string, number>();
  for (const r of fx.orderLines.filter((l) => l.event_type === 'order.returned')) {
    const k = `${r.order_id}|${r.line_number}`;
    returnedQty.set(k, (returnedQty.get(k) ?? 0) + r.quantity);
  }
  const versions = new Map<number, { from: number; country: string }[]>();
  for (const c of fx.customers)
    versions.set(c.customer_id, [
      ...(versions.get(c.customer_id) ?? []),
      { from: epochMs(c.valid_from), country: c.country ?? '' },
    ]);
  for (const v of versions.values()) v.sort((a, b) => a.from - b.from);
  const countryAt = (customerId: number, at: number): string => {
    const v = versions.get(customerId);
    if (!v) return 'Unknown';
    let country = v[0].country;
    for (const x of v) if (x.from <= at) country = x.country;
    return country;
  };
  const products = new Map(fx.products.map((p) => [p.sku, p]));
  const out: Line[] = [];
  for (const l of fx.orderLines.filter((x) => x.event_type === 'order.created')) {
    if (cancelled.has(l.order_id) && !returnedOrders.has(l.order_id)) continue;
    const returned = returnedQty.get(`${l.order_id}|${l.line_number}`) ?? 0;
    const net = round4(l.quantity * l.unit_price! - (l.discount ?? 0));
    out.push({
      orderId: l.order_id,
      orderDate: dateOf(l.event_time),
      customerId: l.customer_id!,
      sku: l.sku!,
      campaignId: l.campaign_id,
      channel: l.channel!,
      category: products.get(l.sku!)?.category ?? 'Unknown',
      country: countryAt(l.customer_id!, epochMs(l.event_time)),
      units: l.quantity - returned,
      revenue: round4(net - round4((returned * net) / l.quantity)),
    });
  }
  return out;
}

function totals(ls: readonly Line[]): { orders: number; units: number; revenue: number } {
  return {
    orders: new Set(ls.map((l) => l.orderId)).size,
    units: ls.reduce((s, l) => s + l.units, 0),
    revenue: round4(ls.reduce((s, l) => s + l.revenue, 0)),
  };
}

// ---- the live workload -------------------------------------------------------------------------

function headroomOf(sku: string): number {
  const [received, shipped, rp] = STOCK[sku];
  return received - shipped - rp;
}

describe('the API on the local twin', () => {
  let setup: ApiOnTwin | undefined;
  let fx: CuratedFixture;
  let lines: Line[];
  let wh: LocalWarehouse;
  let twin: LocalTwin;
  let api: LocalApi;
  let orderIds: ApiOnTwin['orderIds'];
  const get = (path: string): Promise<Answer> => call(api.url, path);

  beforeAll(async () => {
    setup = await startApiOnTwin();
    ({ fx, wh, twin, api, orderIds } = setup);
    lines = salesLines(fx);
  });

  afterAll(async () => {
    await setup?.close();
  });

  // ---- every endpoint, against the generated data ------------------------------------------------

  describe('GET /v1/sales/trend', () => {
    it('gives each day of the range, unfiltered, as the generated orders say', async () => {
      const from = '2024-02-01';
      const to = '2024-02-29';
      const a = await get(`/v1/sales/trend?grain=day&from=${from}&to=${to}`);
      expect(a.status).toBe(200);
      await expectConforms('getSalesTrend', a);
      expect(a.body.items).toHaveLength(29);
      expect(a.body.next_page_token).toBeNull();
      for (const item of a.body.items) {
        const t = totals(lines.filter((l) => l.orderDate === item.period_start));
        expect({ d: item.period_start, orders: item.orders, units: item.units }).toEqual({
          d: item.period_start,
          orders: t.orders,
          units: t.units,
        });
        expectClose(item.revenue, t.revenue, `revenue of ${item.period_start}`);
        if (t.orders > 0) expectClose(item.average_order_value, t.revenue / t.orders, 'aov', 0.01);
      }
    });

    it('pages through weeks with signed page tokens', async () => {
      const from = '2024-01-01';
      const to = '2024-04-29';
      const seen: string[] = [];
      let token: string | null = null;
      let pages = 0;
      do {
        const a: Answer = await get(
          `/v1/sales/trend?grain=week&from=${from}&to=${to}&page_size=5${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
        );
        expect(a.status).toBe(200);
        await expectConforms('getSalesTrend', a);
        for (const item of a.body.items) {
          seen.push(item.period_start);
          const t = totals(lines.filter((l) => weekStart(l.orderDate) === item.period_start));
          expect(item.orders).toBe(t.orders);
          expectClose(item.revenue, t.revenue, `revenue of week ${item.period_start}`);
        }
        token = a.body.next_page_token;
        pages += 1;
      } while (token);
      const weeks: string[] = [];
      for (let w = weekStart(from); w <= to; w = addDays(w, 7)) weeks.push(w);
      expect(seen).toEqual(weeks);
      expect(pages).toBe(Math.ceil(weeks.length / 5));
    });

    it('filters by category, channel and region (aggregated from the sales lines)', async () => {
      const category = lines[0].category;
      const channel = 'web';
      const region = lines.find((l) => l.country !== 'Unknown' && l.country !== '')!.country;
      const a = await get(
        `/v1/sales/trend?grain=month&from=2024-01-01&to=2024-04-01&category=${encodeURIComponent(category)}&channel=${channel}&region=${region}`,
      );
      expect(a.status).toBe(200);
      await expectConforms('getSalesTrend', a);
      expect(a.body.filters).toEqual({ category, channel, region });
      expect(a.body.items.map((i: { period_start: string }) => i.period_start)).toEqual([
        '2024-01-01',
        '2024-02-01',
        '2024-03-01',
        '2024-04-01',
      ]);
      let any = 0;
      for (const item of a.body.items) {
        const t = totals(
          lines.filter(
            (l) =>
              `${l.orderDate.slice(0, 7)}-01` === item.period_start &&
              l.category === category &&
              l.channel === channel &&
              l.country === region,
          ),
        );
        any += t.orders;
        expect({ m: item.period_start, orders: item.orders, units: item.units }).toEqual({
          m: item.period_start,
          orders: t.orders,
          units: t.units,
        });
        expectClose(item.revenue, t.revenue, `filtered revenue of ${item.period_start}`);
      }
      expect(any).toBeGreaterThan(0);
    });
  });

  it('GET /v1/products/top and /v1/categories/top rank the month as the generated lines do', async () => {
    const month = '2024-03';
    const inMonth = lines.filter((l) => l.orderDate.startsWith(month));
    const bySku = new Map<string, Line[]>();
    for (const l of inMonth) bySku.set(l.sku, [...(bySku.get(l.sku) ?? []), l]);
    const expected = [...bySku.entries()]
      .map(([sku, ls]) => ({ sku, ...totals(ls) }))
      .sort((a, b) => b.revenue - a.revenue || b.units - a.units || (a.sku < b.sku ? -1 : 1))
      .slice(0, 5);
    const p = await get(`/v1/products/top?month=${month}&limit=5`);
    expect(p.status).toBe(200);
    await expectConforms('getTopProducts', p);
    expect(p.body.month).toBe(month);
    expect(p.body.items.map((i: { sku: string }) => i.sku)).toEqual(expected.map((e) => e.sku));
    p.body.items.forEach((i: { rank: number; revenue: number }, n: number) => {
      expect(i.rank).toBe(n + 1);
      expectClose(i.revenue, expected[n].revenue, `revenue of ${expected[n].sku}`);
    });
    const byCategory = new Map<string, Line[]>();
    for (const l of inMonth) byCategory.set(l.category, [...(byCategory.get(l.category) ?? []), l]);
    const c = await get(`/v1/categories/top?month=${month}`);
    expect(c.status).toBe(200);
    await expectConforms('getTopCategories', c);
    expect(c.body.items).toHaveLength(byCategory.size);
    for (const i of c.body.items)
      expectClose(i.revenue, totals(byCategory.get(i.category)!).revenue, i.category);
    const empty = await get('/v1/products/top?month=2030-01');
    expect(empty.status).toBe(200);
    expect(empty.body.items).toEqual([]);
  });

  it('GET /v1/customers/segments and /v1/customers/{id}/segment', async () => {
    const s = await get('/v1/customers/segments');
    expect(s.status).toBe(200);
    await expectConforms('listCustomerSegments', s);
    const customers = new Set(lines.map((l) => l.customerId));
    expect(s.body.items.reduce((n: number, i: { customers: number }) => n + i.customers, 0)).toBe(
      customers.size,
    );
    expectClose(
      s.body.items.reduce((n: number, i: { revenue: number }) => n + i.revenue, 0),
      totals(lines).revenue,
      'revenue of all segments',
      0.01,
    );
    const customerId = lines[0].customerId;
    const mine = lines.filter((l) => l.customerId === customerId);
    const c = await get(`/v1/customers/${customerId}/segment`);
    expect(c.status).toBe(200);
    await expectConforms('getCustomerSegment', c);
    expect(c.body.customer_id).toBe(customerId);
    expect(c.body.frequency).toBe(new Set(mine.map((l) => l.orderId)).size);
    expectClose(c.body.monetary, totals(mine).revenue, 'monetary');
    expect(c.body.first_order_date).toBe(mine.map((l) => l.orderDate).sort()[0]);
    expect(c.body.rfm_cell).toBe(c.body.r_score * 100 + c.body.f_score * 10 + c.body.m_score);
    expect(s.body.items.map((i: { segment: string }) => i.segment)).toContain(c.body.segment);
    const unknown = await get('/v1/customers/999999999/segment');
    expectProblem(unknown, 404, 'not-found');
    await expectConforms('getCustomerSegment', unknown);
  });

  it('GET /v1/campaigns/{id}/performance and the ranking, paged', async () => {
    // The orders of the days whose spend the partners have reported (they report a day after).
    const through = fx.campaignSpend.map((s) => s.spend_date).reduce((a, b) => (a > b ? a : b));
    const attributed = new Map<string, Line[]>();
    for (const l of lines)
      if (l.campaignId && l.orderDate <= through)
        attributed.set(l.campaignId, [...(attributed.get(l.campaignId) ?? []), l]);
    const [campaignId, ls] = [...attributed.entries()].sort((a, b) => b[1].length - a[1].length)[0];
    const spend = round4(
      fx.campaignSpend.filter((s) => s.campaign_id === campaignId).reduce((n, s) => n + s.spend, 0),
    );
    const a = await get(`/v1/campaigns/${campaignId}/performance`);
    expect(a.status).toBe(200);
    await expectConforms('getCampaignPerformance', a);
    expect(a.body.spend_reported_through).toBe(through);
    expect(a.body.attributed_orders).toBe(totals(ls).orders);
    expectClose(a.body.attributed_revenue, totals(ls).revenue, 'attributed revenue');
    expectClose(a.body.spend, spend, 'spend', 0.01);
    expectProblem(await get('/v1/campaigns/CMP-NOPE-0000/performance'), 404, 'not-found');

    const ranked: { rank: number; campaign_id: string; attributed_revenue: number | null }[] = [];
    let token: string | null = null;
    do {
      const r: Answer = await get(
        `/v1/campaigns/ranking?by=revenue&page_size=4${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
      );
      expect(r.status).toBe(200);
      await expectConforms('listCampaignRanking', r);
      ranked.push(...r.body.items);
      token = r.body.next_page_token;
    } while (token);
    expect(ranked.map((r) => r.rank)).toEqual(ranked.map((_, i) => i + 1));
    expect(ranked).toHaveLength(new Set(fx.campaigns.map((c) => c.campaign_id)).size);
    const revenues = ranked.map((r) => r.attributed_revenue ?? -Infinity);
    expect(revenues).toEqual([...revenues].sort((x, y) => y - x));
    expect(ranked.find((r) => r.campaign_id === campaignId)).toBeDefined();
  });

  it('GET /v1/stock/{sku} and /v1/stock/below-reorder-point read the live table', async () => {
    const a = await get('/v1/stock/SKU-API-0001');
    expect(a.status).toBe(200);
    await expectConforms('getSkuStock', a);
    const byWarehouse = Object.fromEntries(
      a.body.warehouses.map((w: { warehouse_id: string; available: number; headroom: number }) => [
        w.warehouse_id,
        [w.available, w.headroom],
      ]),
    );
    expect(byWarehouse).toEqual({ [WAREHOUSE]: [5, -15], [OTHER_WAREHOUSE]: [7, 2] });
    expect(a.body.totals).toEqual({ on_hand: 12, reserved: 0, available: 12 });
    expectProblem(await get('/v1/stock/SKU-NOT-THERE'), 404, 'not-found');

    const below = Object.keys(STOCK)
      .filter((s) => headroomOf(s) < 0)
      .sort((x, y) => headroomOf(x) - headroomOf(y));
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const r: Answer = await get(
        `/v1/stock/below-reorder-point?warehouse_id=${WAREHOUSE}&page_size=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
      );
      expect(r.status).toBe(200);
      await expectConforms('listSkusBelowReorderPoint', r);
      seen.push(...r.body.items.map((i: { sku: string }) => i.sku));
      token = r.body.next_page_token;
    } while (token);
    expect(seen).toEqual(below);
    const none = await get(`/v1/stock/below-reorder-point?warehouse_id=${OTHER_WAREHOUSE}`);
    expect(none.body).toEqual({ warehouse_id: OTHER_WAREHOUSE, items: [], next_page_token: null });
  });

  it('GET /v1/orders/{id} gives the live status', async () => {
    const paid = await get(`/v1/orders/${orderIds.paid}`);
    expect(paid.status).toBe(200);
    await expectConforms('getOrder', paid);
    expect(paid.body).toMatchObject({
      order_id: orderIds.paid,
      status: 'paid',
      channel: 'web',
      currency: 'EUR',
    });
    expect(paid.body.status_times).toEqual({
      created: '2024-09-18T12:00:00.000Z',
      paid: '2024-09-18T12:05:00.000Z',
    });
    expect(paid.body.lines).toHaveLength(2);
    const cancelled = await get(`/v1/orders/${orderIds.cancelled}`);
    expect(cancelled.body.status).toBe('cancelled');
    const unknown = await get('/v1/orders/ORD-NOPE-404');
    expectProblem(unknown, 404, 'not-found');
    await expectConforms('getOrder', unknown);
  });

  it('GET /v1/freshness gives every fact table and stream', async () => {
    const a = await get('/v1/freshness');
    expect(a.status).toBe(200);
    await expectConforms('getFreshness', a);
    const sales = a.body.datasets.find((d: { table_name: string }) => d.table_name === 'star.fact_sales');
    expect(sales.dataset).toBe('order_lines');
    expect(sales.row_count).toBe(fx.orderLines.filter((l) => l.event_type === 'order.created').length);
    const newest = fx.orderLines
      .filter((l) => l.event_type === 'order.created')
      .map((l) => l.event_time)
      .sort()
      .pop()!;
    expect(sales.latest_event_time).toBe(new Date(epochMs(newest)).toISOString());
    expect(a.body.streams.map((s: { stream: string }) => s.stream).sort()).toEqual(['inventory', 'orders']);
  });

  // ---- bad input ---------------------------------------------------------------------------------

  const INJECTIONS = ["' OR 1=1 --", "x'; DROP TABLE star.fact_sales; --", '1; SELECT pg_sleep(10)', '"; --'];

  it('refuses unknown parameters with 400 unknown-parameter', async () => {
    for (const path of [
      '/v1/sales/trend?grain=day&from=2024-01-01&to=2024-01-31&colour=red',
      '/v1/customers/segments?limit=5',
      '/v1/freshness?debug=1',
      '/v1/stock/below-reorder-point?warehouse_id=WH-API-1&sku=SKU-API-0001',
    ]) {
      const a = await get(path);
      expectProblem(a, 400, 'unknown-parameter');
      expect(a.body.invalid_params.length).toBeGreaterThan(0);
    }
    const a = await get('/v1/freshness?debug=1');
    expect(a.body.detail).toContain("'debug'");
    await expectConforms('getFreshness', a);
  });

  it('refuses wrong types, formats, missing and repeated parameters with 400 invalid-parameter', async () => {
    const cases: [string, string][] = [
      ['/v1/sales/trend?grain=year&from=2024-01-01&to=2024-01-31', 'grain'],
      ['/v1/sales/trend?grain=day&from=yesterday&to=2024-01-31', 'from'],
      ['/v1/sales/trend?grain=day&from=2024-02-30&to=2024-03-31', 'from'],
      ['/v1/sales/trend?grain=day&to=2024-01-31', 'from'],
      ['/v1/sales/trend?grain=day&from=2024-01-01&to=2024-01-31&page_size=ten', 'page_size'],
      ['/v1/sales/trend?grain=day&from=2024-01-01&to=2024-01-31&page_size=0', 'page_size'],
      ['/v1/sales/trend?grain=day&grain=week&from=2024-01-01&to=2024-01-31', 'grain'],
      ['/v1/products/top?month=2024-13', 'month'],
      ['/v1/products/top?month=2024-03&limit=1000', 'limit'],
      ['/v1/customers/abc/segment', 'customer_id'],
      ['/v1/customers/-4/segment', 'customer_id'],
      ['/v1/campaigns/ranking?by=price', 'by'],
      ['/v1/stock/below-reorder-point', 'warehouse_id'],
    ];
    for (const [path, name] of cases) {
      const a = await get(path);
      try {
        expectProblem(a, 400, 'invalid-parameter');
        expect(a.body.invalid_params.map((p: { name: string }) => p.name)).toContain(name);
        expect(a.body.detail).toContain(name);
      } catch (e) {
        throw new Error(`${path}: ${(e as Error).message}\n${JSON.stringify(a.body)}`, { cause: e });
      }
    }
  });

  it('refuses reversed, out-of-range and too long date ranges', async () => {
    const reversed = await get('/v1/sales/trend?grain=day&from=2024-03-01&to=2024-02-01');
    expectProblem(reversed, 400, 'invalid-parameter');
    expect(reversed.body.detail).toMatch(/reversed/);
    const early = await get('/v1/sales/trend?grain=day&from=1999-12-31&to=2024-02-01');
    expectProblem(early, 400, 'invalid-parameter');
    expect(early.body.detail).toMatch(/2000-01-01/);
    expectProblem(
      await get('/v1/sales/trend?grain=day&from=2024-01-01&to=2101-01-01'),
      400,
      'invalid-parameter',
    );
    const long = await get('/v1/sales/trend?grain=month&from=2000-01-01&to=2099-12-31');
    expectProblem(long, 400, 'invalid-parameter');
    expect(long.body.detail).toMatch(/3660/);
    await expectConforms('getSalesTrend', long);
  });

  it('refuses page sizes above the maximum, naming it', async () => {
    const a = await get('/v1/campaigns/ranking?page_size=100000');
    expectProblem(a, 400, 'invalid-parameter');
    expect(a.body.detail).toContain('500');
  });

  it('refuses tampered, foreign and malformed page tokens with 400 invalid-page-token', async () => {
    const first = await get('/v1/campaigns/ranking?by=roas&page_size=2');
    const token: string = first.body.next_page_token;
    expect(token).toEqual(expect.any(String));
    const [v, payload, sig] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), o: 0 }),
    ).toString('base64url');
    const flipped = `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'AB' : 'AA'}`;
    for (const bad of [
      `${v}.${forged}.${sig}`, // payload changed, old signature
      `${v}.${payload}.${flipped}`, // signature changed
      'not-a-token',
      `${v}.${payload}`,
      "' OR 1=1 --",
    ]) {
      const a = await get(`/v1/campaigns/ranking?by=roas&page_size=2&page_token=${encodeURIComponent(bad)}`);
      expectProblem(a, 400, 'invalid-page-token');
    }
    // The same token with other filters, or on another operation.
    expectProblem(
      await get(`/v1/campaigns/ranking?by=revenue&page_size=2&page_token=${encodeURIComponent(token)}`),
      400,
      'invalid-page-token',
    );
    expectProblem(
      await get(
        `/v1/stock/below-reorder-point?warehouse_id=${WAREHOUSE}&page_token=${encodeURIComponent(token)}`,
      ),
      400,
      'invalid-page-token',
    );
  });

  it('never runs SQL injection: every string parameter answers 400 or 404, and the tables are intact', async () => {
    const before = (await wh.query('SELECT COUNT(*) AS n FROM star.fact_sales'))[0].n;
    const paths = (x: string): string[] => {
      const e = encodeURIComponent(x);
      return [
        `/v1/sales/trend?grain=day&from=2024-01-01&to=2024-01-31&category=${e}`,
        `/v1/sales/trend?grain=day&from=2024-01-01&to=2024-01-31&channel=${e}`,
        `/v1/sales/trend?grain=day&from=2024-01-01&to=2024-01-31&region=${e}`,
        `/v1/sales/trend?grain=${e}&from=2024-01-01&to=2024-01-31`,
        `/v1/sales/trend?grain=day&from=${e}&to=2024-01-31`,
        `/v1/sales/trend?grain=day&from=2024-01-01&to=${e}`,
        `/v1/sales/trend?grain=day&from=2024-01-01&to=2024-01-31&page_size=${e}`,
        `/v1/sales/trend?grain=day&from=2024-01-01&to=2024-01-31&page_token=${e}`,
        `/v1/products/top?month=2024-03&limit=${e}`,
        `/v1/products/top?month=${e}`,
        `/v1/categories/top?month=${e}`,
        `/v1/customers/${e}/segment`,
        `/v1/campaigns/${e}/performance`,
        `/v1/campaigns/ranking?by=${e}`,
        `/v1/stock/${e}`,
        `/v1/stock/below-reorder-point?warehouse_id=${e}`,
        `/v1/orders/${e}`,
        `/v1/queries/${e}`,
      ];
    };
    for (const injection of INJECTIONS)
      for (const path of paths(injection)) {
        const a = await get(path);
        if (a.status !== 400 && a.status !== 404)
          throw new Error(`${path}: ${a.status} ${JSON.stringify(a.body)}`);
        expect(a.contentType).toBe('application/problem+json');
      }
    expect((await wh.query('SELECT COUNT(*) AS n FROM star.fact_sales'))[0].n).toBe(before);
    expect(before).toBeGreaterThan(0);
  });

  it('answers unknown ids and unknown paths with 404', async () => {
    expectProblem(await get('/v1/queries/00000000-0000-4000-8000-000000000000'), 404, 'not-found');
    expectProblem(await get('/v1/nothing-here'), 404, 'not-found');
  });

  it('refuses unsigned and badly signed calls with 403 unauthenticated', async () => {
    const path = '/v1/freshness';
    const unsigned = await call(api.url, path, { sign: false });
    expectProblem(unsigned, 403, 'unauthenticated');
    await expectConforms('getFreshness', unsigned);
    const wrongSecret = await call(api.url, path, {
      credentials: { accessKeyId: api.credentials.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    expectProblem(wrongSecret, 403, 'unauthenticated');
    const wrongKey = await call(api.url, path, {
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: api.credentials.secretAccessKey },
    });
    expectProblem(wrongKey, 403, 'unauthenticated');
    const old = await call(api.url, path, { signingDate: new Date(Date.now() - 3_600_000) });
    expectProblem(old, 403, 'unauthenticated');
    expect(old.body.detail).toMatch(/expired/);
    // A signature for one path replayed on another.
    const headers = await call(api.url, path, {
      afterSigning: (h) => ({
        ...h,
        'x-amz-date': h['x-amz-date'].replace(/\d(?=Z$)/, (d) => String((+d + 1) % 10)),
      }),
    });
    expectProblem(headers, 403, 'unauthenticated');
    const garbage = await call(api.url, path, {
      sign: false,
      afterSigning: () => ({ authorization: 'Bearer abc' }),
    });
    expectProblem(garbage, 403, 'unauthenticated');
    // Signed, but without the usage plan's key, or with another one.
    const noKey = await call(api.url, path, { apiKey: null });
    expectProblem(noKey, 403, 'unauthenticated');
    expect(noKey.body.detail).toMatch(/x-api-key/);
    expectProblem(await call(api.url, path, { apiKey: 'not-a-key-of-this-api' }), 403, 'unauthenticated');
  });

  it('answers a query that outlives the wait with 202 and a Location to poll', async () => {
    const slow = await startLocalApi({
      warehouse: wh,
      documents: twin.documents,
      tables: twin.tables,
      waitSeconds: 0.05,
      delayMs: 400,
    });
    try {
      const a = await call(slow.url, '/v1/customers/segments');
      expect(a.status).toBe(202);
      await expectConforms('listCustomerSegments', a);
      const location = a.headers.get('location')!;
      expect(location).toMatch(/^\/v1\/queries\/[0-9a-f-]{36}$/);
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
      let polled = await call(slow.url, location);
      if (polled.status === 202) await expectConforms('getQueryResult', polled);
      for (let i = 0; polled.status === 202 && i < 50; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        polled = await call(slow.url, location);
      }
      expect(polled.status).toBe(200);
      await expectConforms('getQueryResult', polled);
      expect(polled.body.operation_id).toBe('listCustomerSegments');
      const direct = await get('/v1/customers/segments');
      expect(polled.body.result).toEqual(direct.body);
    } finally {
      await slow.close();
    }
  });
});
