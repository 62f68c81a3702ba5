/**
 * Third-party file drops: what the ad platforms and the payment provider deliver to the raw zone.
 *
 * - Campaign spend: one row per running campaign, channel, reporting platform (`source`) and day,
 *   delivered as CSV the day after (`third-party/campaign-spend/received_date=<D+1>/<source>-<D>.csv`).
 * - Payment settlements: from the order events the simulation streams (order.paid -> settled,
 *   order.returned -> refunded, a small share of paid orders -> chargeback), delivered as JSON Lines
 *   (or CSV) the day after they settle
 *   (`third-party/payment-settlements/received_date=<D+1>/settlements-<D>.jsonl`).
 *
 * Everything is a pure function of the shop's options and the events given: same inputs, same bytes.
 * Every row satisfies its contract (`campaign-spend`, `payment-settlement`). The Glue job
 * `third_party_files_to_curated` curates these files (docs/glue-jobs.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CampaignSpend, OrderEvent, PaymentSettlement } from '../contracts/generated/types';
import type { GeneratedItem, PlatformEvent } from './items';
import { Rng, deriveSeed } from './random';
import { Shop, ShopOptions } from './shop';
import { HOUR_SHARE, MS_PER_DAY, MS_PER_HOUR } from './volumes';

/** The raw-zone prefix of third-party drops (under the raw root). */
export const THIRD_PARTY_PREFIX = 'third-party';

/** The feeds, as named in the raw zone and in contracts/datasets.json `file_datasets[].feed`. */
export const FEEDS = {
  campaignSpend: 'campaign-spend',
  paymentSettlements: 'payment-settlements',
} as const;

export type Feed = (typeof FEEDS)[keyof typeof FEEDS];

/** The columns of each feed's CSV, in the order the writers put them (the header row). */
export const CAMPAIGN_SPEND_COLUMNS = [
  'spend_date',
  'campaign_id',
  'channel',
  'source',
  'impressions',
  'clicks',
  'conversions',
  'spend',
  'currency',
  'reported_at',
] as const satisfies readonly (keyof CampaignSpend)[];

export const PAYMENT_SETTLEMENT_COLUMNS = [
  'settlement_id',
  'order_id',
  'payment_reference',
  'status',
  'payment_method',
  'amount',
  'fee',
  'net',
  'currency',
  'settled_at',
  'provider',
] as const satisfies readonly (keyof PaymentSettlement)[];

type Channel = CampaignSpend['channel'];

/** The platforms that report spend for each channel (a search campaign runs on two). */
const SOURCES: Record<Channel, readonly string[]> = {
  search: ['google_ads', 'microsoft_ads'],
  social: ['meta_ads'],
  display: ['google_ads'],
  email: ['braze'],
  affiliate: ['awin'],
};

/** Cost per thousand impressions (EUR cents) and click-through rate by channel. */
const CHANNEL_ECONOMICS: Record<Channel, { cpmCents: number; ctr: number; cvr: number }> = {
  search: { cpmCents: 2_500, ctr: 0.04, cvr: 0.03 },
  social: { cpmCents: 700, ctr: 0.012, cvr: 0.015 },
  display: { cpmCents: 250, ctr: 0.004, cvr: 0.01 },
  email: { cpmCents: 40, ctr: 0.025, cvr: 0.02 },
  affiliate: { cpmCents: 400, ctr: 0.008, cvr: 0.04 },
};

/** The provider's fee by payment method: a percentage in basis points plus a fixed part in cents. */
const FEES: Record<NonNullable<PaymentSettlement['payment_method']>, { bps: number; fixedCents: number }> = {
  card: { bps: 140, fixedCents: 25 },
  paypal: { bps: 249, fixedCents: 35 },
  bank_transfer: { bps: 0, fixedCents: 20 },
  gift_card: { bps: 0, fixedCents: 0 },
  cash_on_delivery: { bps: 100, fixedCents: 50 },
};
/** What the provider charges for a chargeback, in cents. */
const CHARGEBACK_FEE_CENTS = 1_500;
const PROVIDER = 'payflow';

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function cents(amount: number | string): number {
  return Math.round(Number(amount) * 100);
}

function decimal(centsValue: number): string {
  return (centsValue / 100).toFixed(2);
}

// ---- campaign spend ------------------------------------------------------------------------------

/**
 * The share of a day's activity (orders, sessions: {@link HOUR_SHARE}) that the shop's simulated
 * window covers: 1 for a day inside it, less for the day it starts or ends in the middle of (the
 * demo simulates the last 24 hours), 0 outside it.
 */
export function simulatedShareOfDay(shop: Shop, dayMs: number): number {
  if (shop.startMs <= dayMs && dayMs + MS_PER_DAY <= shop.endMs) return 1;
  let share = 0;
  for (let h = 0; h < 24; h++) {
    const from = Math.max(dayMs + h * MS_PER_HOUR, shop.startMs);
    const until = Math.min(dayMs + (h + 1) * MS_PER_HOUR, shop.endMs);
    if (until > from) share += (HOUR_SHARE[h] * (until - from)) / MS_PER_HOUR;
  }
  return share;
}

/**
 * The campaign spend rows of one day (UTC, `YYYY-MM-DD`): one per campaign running that day and
 * platform reporting its channel. Spend is the campaign's budget spread over its days, with day to
 * day noise; impressions, clicks and conversions follow from the channel's economics. On a day the
 * simulation covers in part, the spend is that of the part ({@link simulatedShareOfDay}), so that it
 * buys the orders the simulation places; a day it does not cover at all keeps a whole day's spend.
 */
export function campaignSpendForDay(shop: Shop, day: string): CampaignSpend[] {
  const dayMs = Date.parse(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(dayMs)) {
    throw new Error(`campaignSpendForDay: day must be YYYY-MM-DD, got '${day}'`);
  }
  const rows: CampaignSpend[] = [];
  const covered = simulatedShareOfDay(shop, dayMs);
  const dayShare = covered > 0 ? covered : 1;
  for (const w of shop.activeCampaigns(dayMs + MS_PER_DAY / 2)) {
    const c = w.campaign;
    const days = Math.max(1, Math.round((w.untilMs - w.fromMs) / MS_PER_DAY));
    const budgetCents = cents(c.budget);
    for (const source of SOURCES[c.channel]) {
      const r = new Rng(
        deriveSeed(shop.seed, `campaign-spend:${c.campaign_id}:${source}`, dayMs / MS_PER_DAY),
      );
      const share = 1 / SOURCES[c.channel].length;
      const spendCents = Math.max(
        0,
        Math.round((budgetCents / days) * share * dayShare * r.between(0.6, 1.4)),
      );
      const econ = CHANNEL_ECONOMICS[c.channel];
      const impressions = Math.round((spendCents / econ.cpmCents) * 1000 * r.between(0.8, 1.2));
      const clicks = Math.round(impressions * econ.ctr * r.between(0.7, 1.3));
      const conversions = Math.round(clicks * econ.cvr * r.between(0.5, 1.5));
      rows.push({
        spend_date: day,
        campaign_id: c.campaign_id,
        channel: c.channel,
        source,
        impressions,
        clicks,
        conversions,
        spend: decimal(spendCents),
        currency: c.currency,
        reported_at: new Date(dayMs + MS_PER_DAY + r.int(2, 8) * 3_600_000).toISOString(),
      });
    }
  }
  return rows;
}

/** The campaign spend of every simulated day of the shop (`options.days` from `startDate`). */
export function campaignSpend(options: ShopOptions): CampaignSpend[] {
  const shop = new Shop(options);
  const rows: CampaignSpend[] = [];
  for (let d = 0; d < shop.days; d++)
    rows.push(...campaignSpendForDay(shop, isoDate(shop.startMs + d * MS_PER_DAY)));
  return rows;
}

// ---- payment settlements -------------------------------------------------------------------------

/** Options of {@link paymentSettlements}. */
export interface SettlementOptions {
  /** Seed of the settlement ids, fees and timings (use the run's seed). */
  readonly seed: number;
  /**
   * Share of paid orders later charged back, from 0 to 1.
   * @default 0.02
   */
  readonly chargebackShare?: number;
}

function isEvent(x: PlatformEvent | GeneratedItem): x is PlatformEvent {
  return 'event_type' in x;
}

/** The order events among events or generator items (valid events only; bad records are skipped). */
function orderEvents(input: Iterable<PlatformEvent | GeneratedItem>): OrderEvent[] {
  const out: OrderEvent[] = [];
  for (const x of input) {
    const ev = isEvent(x) ? x : x.payload.kind === 'event' && !x.bad ? x.payload.event : undefined;
    if (ev && ev.event_type.startsWith('order.')) out.push(ev as OrderEvent);
  }
  return out;
}

/**
 * The provider's settlement lines for the order events among `input` (events, or the generator's
 * items: only good events are used, duplicates of a paid event settle once): order.paid -> one
 * `settled` line the next morning; order.returned -> one `refunded` line for the returned units
 * (when the order's order.created is among the events); a share of paid orders -> a `chargeback`
 * 2 to 6 days after payment. Sorted by settled_at, then settlement_id.
 */
export function paymentSettlements(
  input: Iterable<PlatformEvent | GeneratedItem>,
  options: SettlementOptions,
): PaymentSettlement[] {
  const chargebackShare = options.chargebackShare ?? 0.02;
  if (!(chargebackShare >= 0 && chargebackShare <= 1)) {
    throw new Error(`chargebackShare must be from 0 to 1, got ${chargebackShare}`);
  }
  const events = orderEvents(input);
  const created = new Map<string, OrderEvent>();
  for (const e of events) if (e.event_type === 'order.created') created.set(e.order_id, e);
  const paid = new Map<string, OrderEvent>();
  const out: PaymentSettlement[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.event_id)) continue; // an exact duplicate of an event settles once
    seen.add(e.event_id);
    const r = new Rng(deriveSeed(options.seed, `settlement:${e.event_id}`));
    const id = (kind: string): string => `STL-${kind}-${r.base32(16)}`;
    const eventMs = Date.parse(e.event_time);
    if (e.event_type === 'order.paid' && e.payment) {
      paid.set(e.order_id, e);
      const method = e.payment.method;
      const amount = cents(e.payment.amount);
      const fee = Math.min(
        amount,
        Math.round((amount * FEES[method].bps) / 10_000) + FEES[method].fixedCents,
      );
      const nextMorning = Math.floor(eventMs / MS_PER_DAY) * MS_PER_DAY + MS_PER_DAY + 6 * 3_600_000;
      const base = {
        order_id: e.order_id,
        ...(e.payment.provider_reference ? { payment_reference: e.payment.provider_reference } : {}),
        payment_method: method,
        currency: e.currency ?? 'EUR',
        provider: PROVIDER,
      };
      out.push({
        settlement_id: id('S'),
        ...base,
        status: 'settled',
        amount: decimal(amount),
        fee: decimal(fee),
        net: decimal(amount - fee),
        settled_at: new Date(nextMorning + r.int(0, 3_599) * 1000).toISOString(),
      });
      if (r.chance(chargebackShare)) {
        out.push({
          settlement_id: id('C'),
          ...base,
          status: 'chargeback',
          amount: decimal(amount),
          fee: decimal(CHARGEBACK_FEE_CENTS),
          net: decimal(amount + CHARGEBACK_FEE_CENTS),
          settled_at: new Date(eventMs + r.int(2, 6) * MS_PER_DAY + r.int(0, 86_399) * 1000).toISOString(),
        });
      }
    } else if (e.event_type === 'order.returned' && e.returned_lines) {
      const order = created.get(e.order_id);
      const payment = paid.get(e.order_id)?.payment;
      if (!order?.lines) continue;
      let refund = 0;
      for (const rl of e.returned_lines) {
        const line = order.lines.find((l) => l.line_number === rl.line_number);
        if (!line) continue;
        const perUnitDiscount = line.discount === undefined ? 0 : cents(line.discount) / line.quantity;
        refund += Math.round((cents(line.unit_price) - perUnitDiscount) * rl.quantity);
      }
      if (refund <= 0) continue;
      out.push({
        settlement_id: id('R'),
        order_id: e.order_id,
        ...(payment?.provider_reference ? { payment_reference: payment.provider_reference } : {}),
        status: 'refunded',
        ...(payment ? { payment_method: payment.method } : {}),
        amount: decimal(refund),
        fee: decimal(0),
        net: decimal(refund),
        currency: order.currency ?? 'EUR',
        settled_at: new Date(eventMs + r.int(1, 24) * 3_600_000).toISOString(),
        provider: PROVIDER,
      });
    }
  }
  return out.sort((a, b) =>
    a.settled_at === b.settled_at
      ? a.settlement_id.localeCompare(b.settlement_id)
      : a.settled_at.localeCompare(b.settled_at),
  );
}

// ---- file formats --------------------------------------------------------------------------------

/** One CSV field by RFC 4180: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV file (RFC 4180: header row, CRLF line ends, quoted fields where needed) of `rows`. */
export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const lines = [columns.join(',')];
  for (const row of rows) {
    const rec = row as Record<string, unknown>;
    lines.push(columns.map((c) => csvField(rec[c])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** JSON Lines of `rows` (one compact object a line, a newline at the end; empty for no rows). */
export function toJsonLines(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r) + '\n').join('');
}

/** The raw-zone key of a drop: `third-party/<feed>/received_date=<date>/<file>`. */
export function dropKey(feed: Feed, receivedDate: string, file: string): string {
  return `${THIRD_PARTY_PREFIX}/${feed}/received_date=${receivedDate}/${file}`;
}

function writeKey(rawRoot: string, key: string, text: string, gzip: boolean): string {
  const finalKey = gzip ? `${key}.gz` : key;
  const full = path.join(rawRoot, ...finalKey.split('/'));
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, gzip ? gzipSync(Buffer.from(text, 'utf8'), { level: 6 }) : text);
  return finalKey;
}

function dayAfter(isoTime: string): string {
  return isoDate(Date.parse(`${isoTime.slice(0, 10)}T00:00:00Z`) + MS_PER_DAY);
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** What {@link writeThirdPartyDrops} writes. */
export interface ThirdPartyDrops {
  /** Campaign spend rows; one CSV per reporting platform and spend day, received the day after. */
  readonly campaignSpend?: readonly CampaignSpend[];
  /** Settlement lines; one file per settlement day, received the day after. */
  readonly settlements?: readonly PaymentSettlement[];
  /**
   * The settlements' file format.
   * @default 'jsonl'
   */
  readonly settlementFormat?: 'jsonl' | 'csv';
  /**
   * Gzip every file (`.gz` added to the name).
   * @default false
   */
  readonly gzip?: boolean;
}

/**
 * Writes the drops under `<rawRoot>/third-party/` as a partner would deliver them and returns the
 * keys written (relative to `rawRoot`, sorted). Campaign spend: CSV with a header row, one file per
 * platform and spend day (`<source>-<spend_date>.csv`). Settlements: JSON Lines (or CSV), one file
 * per settlement day (`settlements-<date>.jsonl`). Writing the same drops again rewrites the same
 * files with the same bytes.
 */
export function writeThirdPartyDrops(rawRoot: string, drops: ThirdPartyDrops): string[] {
  const gzip = drops.gzip ?? false;
  const keys: string[] = [];
  const spendFiles = groupBy(drops.campaignSpend ?? [], (r) => `${r.source}|${r.spend_date}`);
  for (const [k, rows] of spendFiles) {
    const [source, day] = k.split('|');
    const key = dropKey(FEEDS.campaignSpend, dayAfter(day), `${source}-${day}.csv`);
    keys.push(writeKey(rawRoot, key, toCsv(rows, CAMPAIGN_SPEND_COLUMNS), gzip));
  }
  const format = drops.settlementFormat ?? 'jsonl';
  for (const [day, rows] of groupBy(drops.settlements ?? [], (r) => r.settled_at.slice(0, 10))) {
    const key = dropKey(FEEDS.paymentSettlements, dayAfter(day), `settlements-${day}.${format}`);
    const text = format === 'csv' ? toCsv(rows, PAYMENT_SETTLEMENT_COLUMNS) : toJsonLines(rows);
    keys.push(writeKey(rawRoot, key, text, gzip));
  }
  return keys.sort();
}

// ---- bad inputs ----------------------------------------------------------------------------------

/** A bad third-party file written by {@link writeBadThirdPartyDrops}, with what the job must do. */
export interface BadDrop {
  readonly key: string;
  readonly kind:
    | 'missing_column'
    | 'wrong_type'
    | 'duplicate_across_files'
    | 'malformed_json'
    | 'truncated_gzip'
    | 'empty_file';
  /** The reason code the job quarantines with, or `DEDUPLICATED` for the duplicate copy. */
  readonly expect:
    'MISSING_COLUMN' | 'CONTRACT_VIOLATION' | 'DEDUPLICATED' | 'MALFORMED_JSON' | 'UNREADABLE_FILE' | 'NONE';
  /** Data rows in the file that the expectation applies to (a whole-file problem: every data row). */
  readonly rows: number;
}

/**
 * Writes one file of every bad input the curation job must handle, under `received_date=<receivedDate>`,
 * built from good rows (at least one of each): a spend CSV without the `clicks` column, a spend CSV
 * with `impressions` = `many` in its first row, the first spend row again in a second file (a
 * duplicate across files: the newer file wins and the older copy is deduplicated, or with equal
 * values, the copy changes nothing), a settlements file with one line cut short, a truncated gzip,
 * and an empty file. Returns what each file holds and what the job must do with it.
 */
export function writeBadThirdPartyDrops(
  rawRoot: string,
  receivedDate: string,
  good: {
    readonly campaignSpend: readonly CampaignSpend[];
    readonly settlements: readonly PaymentSettlement[];
  },
): BadDrop[] {
  const spend = good.campaignSpend.slice(0, 2);
  const settlements = good.settlements.slice(0, 2);
  if (spend.length === 0 || settlements.length === 0) {
    throw new Error('writeBadThirdPartyDrops needs at least one campaign spend row and one settlement');
  }
  const out: BadDrop[] = [];
  const write = (feed: Feed, file: string, text: string | Buffer): string => {
    const key = dropKey(feed, receivedDate, file);
    const full = path.join(rawRoot, ...key.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
    return key;
  };
  const noClicks = CAMPAIGN_SPEND_COLUMNS.filter((c) => c !== 'clicks');
  out.push({
    key: write(FEEDS.campaignSpend, 'bad-missing-column.csv', toCsv(spend, noClicks)),
    kind: 'missing_column',
    expect: 'MISSING_COLUMN',
    rows: spend.length,
  });
  const wrong = toCsv(spend.slice(0, 1), CAMPAIGN_SPEND_COLUMNS).replace(
    `,${spend[0].impressions},`,
    ',many,',
  );
  out.push({
    key: write(FEEDS.campaignSpend, 'bad-wrong-type.csv', wrong),
    kind: 'wrong_type',
    expect: 'CONTRACT_VIOLATION',
    rows: 1,
  });
  out.push({
    key: write(FEEDS.campaignSpend, 'dup-a.csv', toCsv(spend.slice(0, 1), CAMPAIGN_SPEND_COLUMNS)),
    kind: 'duplicate_across_files',
    expect: 'DEDUPLICATED',
    rows: 1,
  });
  out.push({
    key: write(FEEDS.campaignSpend, 'dup-b.csv', toCsv(spend.slice(0, 1), CAMPAIGN_SPEND_COLUMNS)),
    kind: 'duplicate_across_files',
    expect: 'NONE',
    rows: 1,
  });
  const jsonl = toJsonLines(settlements);
  const firstLine = jsonl.split('\n')[0];
  out.push({
    key: write(
      FEEDS.paymentSettlements,
      'bad-malformed.jsonl',
      `${firstLine.slice(0, Math.floor(firstLine.length / 2))}\n`,
    ),
    kind: 'malformed_json',
    expect: 'MALFORMED_JSON',
    rows: 1,
  });
  const gz = gzipSync(Buffer.from(jsonl.repeat(20), 'utf8'));
  out.push({
    key: write(
      FEEDS.paymentSettlements,
      'bad-truncated.jsonl.gz',
      gz.subarray(0, Math.min(40, gz.length - 8)),
    ),
    kind: 'truncated_gzip',
    expect: 'UNREADABLE_FILE',
    rows: 1,
  });
  out.push({
    key: write(FEEDS.paymentSettlements, 'empty.jsonl', ''),
    kind: 'empty_file',
    expect: 'NONE',
    rows: 0,
  });
  return out;
}
