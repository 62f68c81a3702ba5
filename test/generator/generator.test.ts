/**
 * The synthetic data generator: determinism, contracts, bad records, streaming, distributions.
 */
import { checkContract, checkEvent } from '../../contracts/validate';
import { STREAMS } from '../../lib/streams/stream-definitions';
import { prepareRecord } from '../../lambdas/shared/prepare-record';
import { partitionKeyOf as twinPartitionKeyOf } from '../../twin/local-twin';
import {
  BAD_RECORD_KINDS,
  BadRecordKind,
  GeneratedItem,
  Shop,
  Simulation,
  campaigns,
  customers,
  generateEvents,
  itemJsonLine,
  products,
  toKinesisRecord,
  warehouses,
} from '../../generator';
import { contractOfEventType } from '../../contracts/registry';

const DAY = { scale: 0.001, seed: 7, days: 1 } as const;

function take<T>(it: Iterator<T>, n: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const r = it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

function lines(items: readonly GeneratedItem[]): string[] {
  return items.map(itemJsonLine);
}

describe('determinism', () => {
  test('the same seed gives byte-identical items', () => {
    const a = lines(take(generateEvents({ ...DAY, badShare: 0.05 }), 2000));
    const b = lines(take(generateEvents({ ...DAY, badShare: 0.05 }), 2000));
    expect(a).toHaveLength(2000);
    expect(b).toEqual(a);
  });

  test('a different seed gives different items', () => {
    const a = lines(take(generateEvents({ ...DAY, seed: 1 }), 200));
    const b = lines(take(generateEvents({ ...DAY, seed: 2 }), 200));
    expect(b).not.toEqual(a);
  });

  test('entities are a function of the seed', () => {
    const a = take(customers({ scale: 0.0001, seed: 3 }), 50);
    expect(take(customers({ scale: 0.0001, seed: 3 }), 50)).toEqual(a);
    expect(take(customers({ scale: 0.0001, seed: 4 }), 50)).not.toEqual(a);
  });
});

describe('a generated day at small scale', () => {
  const items = [...generateEvents({ ...DAY, badShare: 0 })];

  test('every event validates against its contract and sits on the stream that carries it', () => {
    expect(items.length).toBeGreaterThan(1000);
    const failures: string[] = [];
    for (const item of items) {
      expect(item.payload.kind).toBe('event');
      if (item.payload.kind !== 'event') continue;
      const check = checkEvent(item.payload.event);
      if (!check.ok) failures.push(`${item.payload.event.event_type}: ${check.message}`);
      else expect(STREAMS[item.stream].contracts).toContain(check.contract);
    }
    expect(failures).toEqual([]);
  });

  test('partition keys follow the stream rules (as the twin derives them)', () => {
    const wrong = items.filter(
      (item) =>
        item.payload.kind === 'event' &&
        item.partitionKey !== twinPartitionKeyOf(item.stream, item.payload.event),
    );
    expect(wrong).toEqual([]);
  });

  test('items come in the order they are sent', () => {
    const backwards = items.filter((item, i) => i > 0 && item.sentAt < items[i - 1].sentAt);
    expect(backwards).toEqual([]);
  });

  test('every event type of the order, inventory and clickstream flows appears', () => {
    const types = new Set(items.map((i) => (i.payload.kind === 'event' ? i.payload.event.event_type : '')));
    for (const t of [
      'order.created',
      'order.paid',
      'order.shipped',
      'inventory.received',
      'inventory.reserved',
      'inventory.shipped',
      'clickstream.interaction',
      'app.log',
      'review.submitted',
      'product.metadata_updated',
    ]) {
      expect(types).toContain(t);
    }
  });

  test('the transformers pipeline accepts every good event', () => {
    items.forEach((item, i) => {
      const prepared = prepareRecord(toKinesisRecord(item, i), {
        streamId: item.stream,
        maxRecordBytes: 256 * 1024,
      });
      if (!prepared.ok) throw new Error(`${prepared.rejection.code}: ${prepared.rejection.message}`);
    });
  });
});

describe('entities', () => {
  const options = { scale: 0.0002, seed: 11 };

  test.each([
    ['customer', () => customers(options)],
    ['product', () => products(options)],
    ['campaign', () => campaigns(options)],
    ['warehouse', () => warehouses(options)],
  ] as const)('every %s record validates', (contract, records) => {
    let n = 0;
    for (const record of records()) {
      const check = checkContract(contract, record);
      if (!check.ok) throw new Error(`${contract} ${JSON.stringify(record)}: ${check.message}`);
      n++;
    }
    expect(n).toBeGreaterThan(0);
  });

  test('entity counts follow the scale factor', () => {
    const shop = new Shop({ scale: 0.001, seed: 1 });
    expect(shop.volumes.customers).toBe(10_000);
    expect(shop.volumes.skus).toBe(25_000);
    expect(shop.warehouses.length).toBeGreaterThanOrEqual(3);
    const tiny = new Shop({ scale: 1e-9, seed: 1 });
    expect(tiny.volumes.customers).toBeGreaterThanOrEqual(5);
    expect(tiny.volumes.skus).toBeGreaterThanOrEqual(5);
  });

  test('invalid options are refused with the bad value named', () => {
    expect(() => new Shop({ scale: 0, seed: 1 })).toThrow(/scale must be .* got 0/);
    expect(() => new Shop({ scale: 0.001, seed: 1.5 })).toThrow(/seed must be an integer, got 1.5/);
    expect(() => new Shop({ scale: 0.001, seed: 1, startDate: '2024-02-30' })).toThrow(/2024-02-30/);
    expect(() => new Simulation({ scale: 0.001, seed: 1, badShare: 0.9 })).toThrow(/badShare .* got 0.9/);
  });
});

describe('bad records', () => {
  const badShare = 0.05;
  const items = [...generateEvents({ scale: 0.001, seed: 5, days: 2, badShare })];
  const bad = items.filter((i) => i.bad);

  test('make up about the requested share', () => {
    const share = bad.length / items.length;
    expect(share).toBeGreaterThan(badShare * 0.75);
    expect(share).toBeLessThan(badShare * 1.25);
  });

  test('come in every kind', () => {
    const kinds = new Set(bad.map((i) => i.bad?.kind));
    for (const kind of BAD_RECORD_KINDS) expect(kinds).toContain(kind);
  });

  test('meet the outcome they are labelled with in the transformers pipeline', () => {
    const mismatches: string[] = [];
    items.forEach((item, i) => {
      const prepared = prepareRecord(toKinesisRecord(item, i), {
        streamId: item.stream,
        maxRecordBytes: 256 * 1024,
      });
      const expected = item.bad?.expect ?? { outcome: 'processed' };
      if (expected.outcome === 'rejected') {
        if (prepared.ok) mismatches.push(`${item.bad?.kind} was accepted`);
        else if (prepared.rejection.code !== expected.reason) {
          mismatches.push(`${item.bad?.kind}: expected ${expected.reason}, got ${prepared.rejection.code}`);
        }
      } else if (!prepared.ok) {
        mismatches.push(`${item.bad?.kind ?? 'good'} was rejected: ${prepared.rejection.message}`);
      }
    });
    expect(mismatches).toEqual([]);
  });

  test('JSON-level kinds fail the contract check with the labelled code', () => {
    const jsonKinds: BadRecordKind[] = [
      'wrong_type',
      'missing_key',
      'unknown_event_type',
      'future_schema_version',
      'negative_value',
    ];
    for (const item of bad.filter((i) => jsonKinds.includes(i.bad!.kind))) {
      expect(item.payload.kind).toBe('json');
      if (item.payload.kind !== 'json') continue;
      const check = checkEvent(item.payload.value);
      expect(check.ok).toBe(false);
      if (!check.ok && item.bad?.expect.outcome === 'rejected')
        expect(check.code).toBe(item.bad.expect.reason);
    }
  });

  test('duplicates repeat an earlier event exactly; late events arrive after their event time', () => {
    const seen = new Map<string, string>();
    for (const item of items) {
      if (item.payload.kind !== 'event') continue;
      const body = JSON.stringify(item.payload.event);
      if (item.bad?.kind === 'duplicate') expect(seen.get(item.payload.event.event_id)).toBe(body);
      else seen.set(item.payload.event.event_id, body);
      if (item.bad?.kind === 'late')
        expect(item.sentAt).toBeGreaterThan(Date.parse(item.payload.event.event_time));
    }
  });

  test('the hot-SKU burst concentrates orders on one SKU and warehouse', () => {
    const burst = bad.filter((i) => i.bad?.kind === 'hot_sku_burst');
    expect(burst.length).toBeGreaterThanOrEqual(5);
    const skus = new Set(
      burst.map((i) =>
        i.payload.kind === 'event' && i.payload.event.event_type === 'order.created'
          ? i.payload.event.lines?.[0].sku
          : '',
      ),
    );
    expect(skus.size).toBeLessThanOrEqual(2); // one per simulated day
  });

  test('oversized records exceed the 256 KiB limit and stay under the 1 MiB Kinesis limit', () => {
    for (const item of bad.filter((i) => i.bad?.kind === 'oversized')) {
      expect(item.payload.kind).toBe('text');
      if (item.payload.kind !== 'text') continue;
      const size = Buffer.byteLength(item.payload.text);
      expect(size).toBeGreaterThan(256 * 1024);
      expect(size).toBeLessThan(1024 * 1024);
    }
  });
});

describe('streaming', () => {
  test('the generator is a lazy iterator: the first items of a prod-scale day come without building the day', () => {
    const it = generateEvents({ scale: 1, seed: 1, days: 1 });
    expect(typeof it.next).toBe('function');
    const first = take(it, 1000);
    expect(first).toHaveLength(1000);
    it.return(undefined);
  });
});

describe('distributions over a simulated month', () => {
  const sim = new Simulation({ scale: 0.0005, seed: 21, days: 30 });
  const items = [...sim.run()];
  const events = items.flatMap((i) => (i.payload.kind === 'event' ? [i.payload.event] : []));
  const count = (type: string) => events.filter((e) => e.event_type === type).length;

  test('the top 1% of SKUs take a large share of order lines', () => {
    const perSku = new Map<string, number>();
    let total = 0;
    for (const e of events) {
      if (e.event_type !== 'order.created') continue;
      for (const l of e.lines ?? []) {
        perSku.set(l.sku, (perSku.get(l.sku) ?? 0) + 1);
        total++;
      }
    }
    const top = [...perSku.values()].sort((a, b) => b - a).slice(0, Math.ceil(sim.shop.volumes.skus / 100));
    expect(top.reduce((a, b) => a + b, 0) / total).toBeGreaterThan(0.3);
  });

  test('a minority of customers place most orders', () => {
    const perCustomer = new Map<number, number>();
    let total = 0;
    for (const e of events) {
      if (e.event_type !== 'order.created' || e.customer_id === undefined) continue;
      perCustomer.set(e.customer_id, (perCustomer.get(e.customer_id) ?? 0) + 1);
      total++;
    }
    const sorted = [...perCustomer.values()].sort((a, b) => b - a);
    const topFifth = sorted.slice(0, Math.ceil(sorted.length / 5)).reduce((a, b) => a + b, 0);
    expect(topFifth / total).toBeGreaterThan(0.35);
    expect(sorted[0]).toBeGreaterThan(1);
  });

  test('cancellations and returns are a few percent of orders', () => {
    const created = count('order.created');
    expect(count('order.cancelled') / created).toBeGreaterThan(0.01);
    expect(count('order.cancelled') / created).toBeLessThan(0.06);
    expect(count('order.returned') / count('order.delivered')).toBeGreaterThan(0.01);
    expect(count('order.returned') / count('order.delivered')).toBeLessThan(0.08);
  });

  test('orders follow the daily curve: evenings are busier than nights', () => {
    const byHour = new Array<number>(24).fill(0);
    for (const e of events)
      if (e.event_type === 'order.created') byHour[new Date(e.event_time).getUTCHours()]++;
    const evening = byHour[18] + byHour[19] + byHour[20] + byHour[21];
    const night = byHour[2] + byHour[3] + byHour[4] + byHour[5];
    expect(evening).toBeGreaterThan(night * 4);
  });

  test('orders are attributed only to campaigns running at order time', () => {
    const windows = new Map(sim.shop.campaigns.map((c) => [c.campaign.campaign_id, c]));
    let attributed = 0;
    for (const e of events) {
      if (e.event_type !== 'order.created' || !e.campaign_id) continue;
      const w = windows.get(e.campaign_id);
      const t = Date.parse(e.event_time);
      expect(w).toBeDefined();
      expect(t >= w!.fromMs && t < w!.untilMs).toBe(true);
      attributed++;
    }
    expect(attributed).toBeGreaterThan(0);
  });

  test('order lifecycles run created, paid, shipped, delivered in time order', () => {
    const rank: Record<string, number> = {
      'order.created': 0,
      'order.paid': 1,
      'order.shipped': 2,
      'order.delivered': 3,
    };
    const last = new Map<string, number>();
    const outOfOrder: string[] = [];
    for (const e of events) {
      if (!(e.event_type in rank)) continue;
      const orderId = (e as { order_id: string }).order_id;
      const r = rank[e.event_type];
      const prev = last.get(orderId) ?? -1;
      if (r !== prev + 1) outOfOrder.push(`${orderId}: ${e.event_type} after step ${prev}`);
      last.set(orderId, r);
    }
    expect(outOfOrder).toEqual([]);
    expect(last.size).toBeGreaterThan(100);
  });

  test('some SKUs run below their reorder point, and stock is never oversold', () => {
    const stock = sim.stockSnapshot();
    const low = stock.filter((s) => s.onHand - s.reserved < s.reorderPoint);
    expect(low.length).toBeGreaterThan(0);
    expect(low.length).toBeLessThan(stock.length);
    expect(stock.filter((s) => s.onHand - s.reserved < 0)).toEqual([]);
  });

  test('sessions lead to orders, and every event type belongs to a contract', () => {
    expect(count('clickstream.interaction') / count('order.created')).toBeGreaterThan(20);
    expect(
      events.filter((e) => e.event_type === 'clickstream.interaction' && e.interaction_type === 'purchase')
        .length,
    ).toBeGreaterThan(0);
    expect(events.filter((e) => contractOfEventType(e.event_type) === undefined)).toEqual([]);
  });
});
