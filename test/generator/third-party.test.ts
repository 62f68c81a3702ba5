/**
 * Third-party drops: campaign spend and payment settlements are valid to their contracts,
 * deterministic, and written in the layout and formats the curation job reads.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { checkContract } from '../../contracts/validate';
import type { OrderEvent } from '../../contracts/generated/types';
import { GeneratedItem, Shop, generateEvents } from '../../generator';
import {
  CAMPAIGN_SPEND_COLUMNS,
  campaignSpend,
  campaignSpendForDay,
  csvField,
  paymentSettlements,
  simulatedShareOfDay,
  toCsv,
  writeBadThirdPartyDrops,
  writeThirdPartyDrops,
} from '../../generator/third-party';

const OPTIONS = { scale: 0.001, seed: 7, days: 2, startDate: '2024-11-28' } as const;

let items: GeneratedItem[];
let tmp: string;

beforeAll(() => {
  items = [...generateEvents({ ...OPTIONS, badShare: 0.02 })];
});

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'third-party-'));
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function readTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (fs.statSync(full).isDirectory()) walk(full);
      else out[path.relative(root, full).split(path.sep).join('/')] = fs.readFileSync(full, 'latin1');
    }
  };
  walk(root);
  return out;
}

describe('campaign spend', () => {
  test('one valid row per running campaign, platform and day', () => {
    const rows = campaignSpend(OPTIONS);
    const shop = new Shop(OPTIONS);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(checkContract('campaign-spend', row)).toEqual({ ok: true });
    const keys = rows.map((r) => `${r.spend_date}|${r.campaign_id}|${r.channel}|${r.source}`);
    expect(new Set(keys).size).toBe(keys.length);
    const firstDay = rows.filter((r) => r.spend_date === '2024-11-28');
    const running = shop
      .activeCampaigns(Date.parse('2024-11-28T12:00:00Z'))
      .map((c) => c.campaign.campaign_id);
    expect(new Set(firstDay.map((r) => r.campaign_id))).toEqual(new Set(running));
    expect(new Set(rows.map((r) => r.spend_date))).toEqual(new Set(['2024-11-28', '2024-11-29']));
  });

  test('a day the simulation covers in part gets the spend of that part, by the hours of activity it covers', () => {
    // 18:00 to 18:00 the next day: 06:00 of day one's activity (the evening peak) and 18:00 of day two's.
    const shop = new Shop({ scale: 0.001, seed: 7, days: 1, startMs: Date.parse('2024-11-28T18:00:00Z') });
    const whole = new Shop({ scale: 0.001, seed: 7, days: 1, startDate: '2024-11-28' });
    const evening = simulatedShareOfDay(shop, Date.parse('2024-11-28T00:00:00Z'));
    const daytime = simulatedShareOfDay(shop, Date.parse('2024-11-29T00:00:00Z'));
    expect(evening).toBeGreaterThan(0.25); // 6 of 24 hours, but the busiest ones
    expect(evening).toBeLessThan(0.5);
    expect(evening + daytime).toBeCloseTo(1, 10);
    expect(simulatedShareOfDay(shop, Date.parse('2024-11-30T00:00:00Z'))).toBe(0);
    const partial = campaignSpendForDay(shop, '2024-11-28');
    const full = campaignSpendForDay(whole, '2024-11-28');
    expect(partial.map((r) => r.campaign_id)).toEqual(full.map((r) => r.campaign_id));
    partial.forEach((r, i) => expect(Number(r.spend)).toBeCloseTo(Number(full[i].spend) * evening, 1));
    // A day outside the window keeps a whole day's spend (a caller asked for it).
    expect(campaignSpendForDay(whole, '2024-12-05').length).toBeGreaterThan(0);
  });

  test('is deterministic, and a different seed changes it', () => {
    expect(campaignSpend(OPTIONS)).toEqual(campaignSpend(OPTIONS));
    expect(campaignSpend({ ...OPTIONS, seed: 8 })).not.toEqual(campaignSpend(OPTIONS));
  });

  test('refuses a day that is not YYYY-MM-DD', () => {
    expect(() => campaignSpendForDay(new Shop(OPTIONS), '28/11/2024')).toThrow(/YYYY-MM-DD.*28\/11\/2024/);
  });

  // Budgets are planned from the orders a campaign brings (Shop.buildCampaigns), so the return on ad
  // spend an analyst sees is that of a real shop at any scale. Budgets that did not follow the
  // volumes once gave returns of 20 to 700 in the demo.
  test.each([
    { scale: 0.001, days: 14, seed: 7, startDate: '2024-11-28' },
    { scale: 0.01, days: 3, seed: 3, startDate: '2025-06-02' },
  ])('returns on ad spend are realistic at scale $scale over $days days', (options) => {
    const revenue = new Map<string, number>();
    for (const item of generateEvents(options)) {
      if (item.payload.kind !== 'event') continue;
      const e = item.payload.event as OrderEvent;
      if (e.event_type !== 'order.created' || !e.campaign_id) continue;
      const value = (e.lines ?? []).reduce(
        (sum, l) => sum + Number(l.unit_price) * l.quantity - Number(l.discount ?? 0),
        0,
      );
      revenue.set(e.campaign_id, (revenue.get(e.campaign_id) ?? 0) + value);
    }
    const spend = new Map<string, number>();
    for (const row of campaignSpend(options))
      spend.set(row.campaign_id, (spend.get(row.campaign_id) ?? 0) + Number(row.spend));
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const shopWide = total(revenue) / total(spend);
    expect(shopWide).toBeGreaterThan(1.5);
    expect(shopWide).toBeLessThan(6);
    // Campaigns differ: some pay back several times, some barely.
    const perCampaign = [...spend].map(([id, s]) => (revenue.get(id) ?? 0) / s);
    expect(Math.max(...perCampaign)).toBeGreaterThan(2 * Math.min(...perCampaign));
  });
});

describe('payment settlements', () => {
  test('paid orders settle, returns are refunded, a few are charged back; all valid', () => {
    const rows = paymentSettlements(items, { seed: OPTIONS.seed, chargebackShare: 0.2 });
    for (const row of rows) expect(checkContract('payment-settlement', row)).toEqual({ ok: true });
    const good = items.filter((i) => i.payload.kind === 'event' && !i.bad).map((i) => i.payload);
    const events = good.flatMap((p) => (p.kind === 'event' ? [p.event] : []));
    const paid = new Set(
      events.filter((e) => e.event_type === 'order.paid').map((e) => (e as OrderEvent).order_id),
    );
    const settled = rows.filter((r) => r.status === 'settled');
    expect(new Set(settled.map((r) => r.order_id))).toEqual(paid);
    expect(rows.some((r) => r.status === 'chargeback')).toBe(true);
    expect(new Set(rows.map((r) => r.settlement_id)).size).toBe(rows.length);
    for (const r of settled) {
      expect(Math.round(Number(r.net) * 100)).toBe(
        Math.round(Number(r.amount) * 100) - Math.round(Number(r.fee) * 100),
      );
    }
  });

  test('refunds the returned units of an order', () => {
    const created: OrderEvent = {
      event_id: 'evt-created-0001',
      event_type: 'order.created',
      event_time: '2024-11-28T10:00:00.000Z',
      schema_version: 1,
      order_id: 'ORD-0001',
      customer_id: 1,
      channel: 'web',
      currency: 'EUR',
      lines: [
        { line_number: 1, sku: 'SKU-00000001', product_id: 1, quantity: 2, unit_price: 10, discount: 2 },
      ],
    };
    const paid: OrderEvent = {
      event_id: 'evt-paid-00001',
      event_type: 'order.paid',
      event_time: '2024-11-28T10:00:05.000Z',
      schema_version: 1,
      order_id: 'ORD-0001',
      currency: 'EUR',
      payment: { method: 'card', amount: '18.00', provider_reference: 'CARD-1' },
    };
    const returned: OrderEvent = {
      event_id: 'evt-return-0001',
      event_type: 'order.returned',
      event_time: '2024-12-05T09:00:00.000Z',
      schema_version: 1,
      order_id: 'ORD-0001',
      returned_lines: [{ line_number: 1, quantity: 1 }],
    };
    const rows = paymentSettlements([created, paid, paid, returned], { seed: 1, chargebackShare: 0 });
    expect(rows.map((r) => [r.status, r.amount, r.fee, r.net, r.payment_reference])).toEqual([
      ['settled', '18.00', '0.50', '17.50', 'CARD-1'],
      ['refunded', '9.00', '0.00', '9.00', 'CARD-1'],
    ]);
    expect(rows[0].settled_at.slice(0, 13)).toBe('2024-11-29T06');
  });

  test('is deterministic', () => {
    expect(paymentSettlements(items, { seed: 7 })).toEqual(paymentSettlements(items, { seed: 7 }));
  });

  test('refuses a chargeback share outside 0 to 1', () => {
    expect(() => paymentSettlements([], { seed: 1, chargebackShare: 2 })).toThrow(/chargebackShare.*2/);
  });
});

describe('file formats and drops', () => {
  test('CSV quotes by RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(undefined)).toBe('');
    expect(toCsv([{ a: 1, b: 'x,y' }], ['a', 'b'])).toBe('a,b\r\n1,"x,y"\r\n');
  });

  test('writes the raw layout, byte-identical on a second run', () => {
    const spend = campaignSpend(OPTIONS);
    const settlements = paymentSettlements(items, { seed: 7 });
    const keys = writeThirdPartyDrops(tmp, { campaignSpend: spend, settlements });
    expect(keys.length).toBeGreaterThan(2);
    for (const k of keys) {
      expect(k).toMatch(
        /^third-party\/(campaign-spend|payment-settlements)\/received_date=\d{4}-\d{2}-\d{2}\/[^/]+\.(csv|jsonl)$/,
      );
    }
    const first = readTree(tmp);
    const spendFile = keys.find((k) => k.includes('campaign-spend'));
    expect(first[spendFile!].split('\r\n')[0]).toBe(CAMPAIGN_SPEND_COLUMNS.join(','));
    const settlementFile = keys.find((k) => k.includes('payment-settlements'))!;
    for (const line of first[settlementFile].trim().split('\n')) {
      expect(checkContract('payment-settlement', JSON.parse(line))).toEqual({ ok: true });
    }
    const dataRows = keys
      .filter((k) => k.includes('campaign-spend'))
      .reduce((n, k) => n + first[k].trim().split('\r\n').length - 1, 0);
    expect(dataRows).toBe(spend.length);
    expect(writeThirdPartyDrops(tmp, { campaignSpend: spend, settlements })).toEqual(keys);
    expect(readTree(tmp)).toEqual(first);
  });

  test('writes settlements as gzip CSV when asked', () => {
    const settlements = paymentSettlements(items, { seed: 7 }).slice(0, 3);
    const keys = writeThirdPartyDrops(tmp, { settlements, settlementFormat: 'csv', gzip: true });
    expect(keys.every((k) => k.endsWith('.csv.gz'))).toBe(true);
    const text = gunzipSync(fs.readFileSync(path.join(tmp, keys[0]))).toString('utf8');
    expect(text.startsWith('settlement_id,order_id,payment_reference,status,')).toBe(true);
  });

  test('writes one file of every bad input, saying what the job must do', () => {
    const bad = writeBadThirdPartyDrops(tmp, '2024-11-30', {
      campaignSpend: campaignSpend(OPTIONS),
      settlements: paymentSettlements(items, { seed: 7 }),
    });
    expect(bad.map((b) => [b.kind, b.expect])).toEqual([
      ['missing_column', 'MISSING_COLUMN'],
      ['wrong_type', 'CONTRACT_VIOLATION'],
      ['duplicate_across_files', 'DEDUPLICATED'],
      ['duplicate_across_files', 'NONE'],
      ['malformed_json', 'MALFORMED_JSON'],
      ['truncated_gzip', 'UNREADABLE_FILE'],
      ['empty_file', 'NONE'],
    ]);
    const tree = readTree(tmp);
    const missing = tree[bad[0].key].split('\r\n')[0].split(',');
    expect(missing).not.toContain('clicks');
    expect(tree[bad[1].key]).toContain(',many,');
    expect(tree[bad[2].key]).toBe(tree[bad[3].key]);
    expect(() => JSON.parse(tree[bad[4].key])).toThrow();
    expect(() => gunzipSync(fs.readFileSync(path.join(tmp, bad[5].key)))).toThrow();
    expect(tree[bad[6].key]).toBe('');
  });
});
