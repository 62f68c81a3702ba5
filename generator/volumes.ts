/**
 * How much the generator produces at a scale factor, and when during a day. Scale 1 is the prod
 * volumes of lib/config/environments.ts (5M sales records a month, 10M customers, 25M SKUs); every
 * count here is derived from those numbers so the generator and the sizing arithmetic agree.
 */
import { ENVIRONMENTS } from '../lib/config/environments';
import type { Rng } from './random';

const PROD = ENVIRONMENTS.prod.volumes;
const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

/** Mean order lines per order (1 + a geometric number of extra lines, see the order model). */
export const MEAN_LINES_PER_ORDER = 1.8;
/** Share of sessions arriving through an active campaign (the campaign an order is attributed to). */
export const P_CAMPAIGN_SESSION = 0.3;

/** Units of an order line: 1 in {@link P_ONE_UNIT} of lines; of the rest, 2 in {@link P_TWO_UNITS}, else 3 to 5. */
const P_ONE_UNIT = 0.82;
const P_TWO_UNITS = 0.7;
const MORE_UNITS: readonly [number, number] = [3, 5];

/** Draws the units of an order line. */
export function drawLineQuantity(r: Rng): number {
  return r.chance(P_ONE_UNIT) ? 1 : r.chance(P_TWO_UNITS) ? 2 : r.int(MORE_UNITS[0], MORE_UNITS[1]);
}

/** The mean of {@link drawLineQuantity}. */
export const MEAN_LINE_QUANTITY =
  P_ONE_UNIT +
  (1 - P_ONE_UNIT) * (P_TWO_UNITS * 2 + (1 - P_TWO_UNITS) * ((MORE_UNITS[0] + MORE_UNITS[1]) / 2));

/** Share of orders placed in a tracked web or app session (the rest come from marketplaces and stores). */
export const SESSION_ORDER_SHARE = 0.8;
/** Mean pages browsed (beyond the entry page) in a session that buys, and in one that does not. */
export const BROWSE_STEPS_CONVERTING = 2.4;
export const BROWSE_STEPS_BROWSING = 1.9;
/** In a session that does not buy: chance of an add to cart, then of an abandoned checkout; else of a wishlist. */
export const P_BROWSER_ADDS_TO_CART = 0.2;
export const P_BROWSER_ABANDONS_CHECKOUT = 0.4;
export const P_BROWSER_WISHLISTS = 0.06;
/** Chance that a buying session adds and then removes an extra item. */
export const P_BUYER_REMOVES = 0.1;
/**
 * Mean interactions of a session that ends in a purchase: entry page, browsing, a product page and
 * an add to cart per line, an add and remove now and then, checkout and purchase.
 */
export const MEAN_INTERACTIONS_CONVERTING =
  1 + BROWSE_STEPS_CONVERTING + 2 * MEAN_LINES_PER_ORDER + 2 * P_BUYER_REMOVES + 2;
/** Mean interactions of a session that does not buy. */
export const MEAN_INTERACTIONS_BROWSING =
  1 +
  BROWSE_STEPS_BROWSING +
  P_BROWSER_ADDS_TO_CART * (1 + P_BROWSER_ABANDONS_CHECKOUT) +
  (1 - P_BROWSER_ADDS_TO_CART) * P_BROWSER_WISHLISTS;

/** The sizes of the shop at one scale factor. */
export interface ShopVolumes {
  readonly scale: number;
  readonly customers: number;
  readonly skus: number;
  /** Products (each has one or more SKU variants; 2.5 SKUs per product on average). */
  readonly products: number;
  readonly warehouses: number;
  readonly campaigns: number;
  /** Average order lines (sales records) per day over a year. */
  readonly orderLinesPerDay: number;
  readonly ordersPerDay: number;
  /** Sessions per day that end in an order, and that do not. */
  readonly convertingSessionsPerDay: number;
  readonly browsingSessionsPerDay: number;
  /** Orders per day from marketplaces and physical stores (no clickstream session). */
  readonly directOrdersPerDay: number;
  readonly reviewsPerDay: number;
  readonly metadataUpdatesPerDay: number;
  /** Background application log entries per day (order and stock logs come on top). */
  readonly backgroundLogsPerDay: number;
  /** Ad-hoc stock adjustments (damage, cycle counts) per day. */
  readonly adjustmentsPerDay: number;
}

/** The number of SKUs at a scale factor (at least 20). */
export function skuCount(scale: number): number {
  return Math.max(20, Math.round(PROD.skus * scale));
}

/** The number of products for a number of SKUs: SKU i belongs to product floor(2i/5). */
export function productCount(skus: number): number {
  return Math.floor(((skus - 1) * 2) / 5) + 1;
}

/**
 * The volumes of the shop at a scale factor. Entity counts scale linearly (with a floor of a
 * handful); warehouses and campaigns grow sub-linearly, as a real shop's do.
 */
export function volumesAt(scale: number): ShopVolumes {
  if (!Number.isFinite(scale) || scale <= 0 || scale > 100) {
    throw new Error(
      `scale must be a number in (0, 100], got ${scale}; 1 is the prod volumes, 0.001 a small demo`,
    );
  }
  const skus = skuCount(scale);
  const orderLinesPerDay = (PROD.salesRecordsPerMonth * 12 * scale) / 365;
  const ordersPerDay = orderLinesPerDay / MEAN_LINES_PER_ORDER;
  const sessionOrders = ordersPerDay * SESSION_ORDER_SHARE;
  const interactions = ordersPerDay * PROD.interactionsPerOrder;
  const browsing = Math.max(
    0,
    (interactions - sessionOrders * MEAN_INTERACTIONS_CONVERTING) / MEAN_INTERACTIONS_BROWSING,
  );
  return {
    scale,
    customers: Math.max(20, Math.round(PROD.customers * scale)),
    skus,
    products: productCount(skus),
    warehouses: Math.min(PROD.warehouses, Math.max(3, Math.round(PROD.warehouses * scale ** 0.25))),
    campaigns: Math.max(6, Math.round(24 + 216 * Math.sqrt(scale))),
    orderLinesPerDay,
    ordersPerDay,
    convertingSessionsPerDay: sessionOrders,
    browsingSessionsPerDay: browsing,
    directOrdersPerDay: ordersPerDay - sessionOrders,
    reviewsPerDay: Math.max(3, orderLinesPerDay * 0.03),
    metadataUpdatesPerDay: Math.max(4, orderLinesPerDay * 0.01),
    backgroundLogsPerDay: interactions * 0.04,
    adjustmentsPerDay: Math.max(2, orderLinesPerDay * 0.01),
  };
}

/**
 * Share of a day's activity in each UTC hour (a European shop): quiet nights, a lunch bump and
 * the evening peak. Sums to 1.
 */
export const HOUR_SHARE: readonly number[] = normalize([
  12, 8, 5, 4, 4, 7, 15, 28, 40, 50, 55, 58, 62, 60, 55, 53, 54, 58, 65, 75, 80, 72, 50, 29,
]);

/** Relative activity by day of week, Sunday first (Sunday evening is the busiest time online). */
const DAY_OF_WEEK = [1.12, 1.05, 1.0, 0.98, 0.97, 0.92, 0.9];

function normalize(xs: number[]): number[] {
  const sum = xs.reduce((a, b) => a + b, 0);
  return xs.map((x) => x / sum);
}

/** The fourth Friday of November (Black Friday) of a year, as day-of-month. */
function blackFriday(year: number): number {
  const firstDow = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  const firstFriday = 1 + ((5 - firstDow + 7) % 7);
  return firstFriday + 21;
}

/**
 * The holiday and payday multiplier of a date: Black Friday to Cyber Monday, the Christmas run-up
 * and lull, January sales, Singles' Day, Valentine's week, and the month-end payday bump.
 */
export function holidayFactor(date: Date): number {
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  let f = 1;
  if (m === 10) {
    const bf = blackFriday(date.getUTCFullYear());
    if (d === bf) f = 3.2;
    else if (d === bf + 1 || d === bf + 2) f = 2.0;
    else if (d === bf + 3) f = 2.6;
    else if (d >= bf - 7 && d < bf) f = 1.3;
    else if (d === 11) f = 1.5;
  } else if (m === 11) {
    if (d <= 20) f = 1.45;
    else if (d <= 23) f = 1.1;
    else if (d <= 26) f = 0.6;
    else f = 1.2;
  } else if (m === 0) {
    if (d === 1) f = 0.7;
    else if (d <= 15) f = 1.2;
  } else if (m === 1 && d >= 7 && d <= 13) {
    f = 1.1;
  }
  if (d >= 25 && !(m === 11 && d <= 26)) f *= 1.08;
  return f;
}

/** The raw activity multiplier of a date (day of week times holidays), before normalization. */
function rawDayFactor(date: Date): number {
  return DAY_OF_WEEK[date.getUTCDay()] * holidayFactor(date);
}

const yearMeanCache = new Map<number, number>();
function yearMean(year: number): number {
  let mean = yearMeanCache.get(year);
  if (mean === undefined) {
    let sum = 0;
    let n = 0;
    for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += MS_PER_DAY) {
      sum += rawDayFactor(new Date(t));
      n++;
    }
    mean = sum / n;
    yearMeanCache.set(year, mean);
  }
  return mean;
}

/**
 * How busy a date is relative to the average day of its year (the yearly mean is 1), so that the
 * average month carries the configured volume and seasonal days carry more or less.
 */
export function dayFactor(date: Date): number {
  return rawDayFactor(date) / yearMean(date.getUTCFullYear());
}

let cachedDay = NaN;
let cachedFactor = 1;
/** {@link dayFactor} of the UTC day starting at `dayStartMs`, memoized for the last day asked. */
function dayFactorAt(dayStartMs: number): number {
  if (dayStartMs !== cachedDay) {
    cachedFactor = dayFactor(new Date(dayStartMs));
    cachedDay = dayStartMs;
  }
  return cachedFactor;
}

/**
 * The next arrival time of a non-homogeneous Poisson process whose rate is `perDay` events on an
 * average day, shaped by {@link dayFactor} and {@link HOUR_SHARE}. Within an hour the rate is
 * constant; at an hour boundary the draw restarts with the next hour's rate (memorylessness makes
 * that exact).
 *
 * @param fromMs - current time (epoch ms)
 * @param perDay - events on an average day
 * @param draw - a source of uniform floats in [0, 1)
 * @param untilMs - stop searching at this time
 * @returns the arrival time, or undefined when it would be at or after `untilMs`
 */
export function nextArrival(
  fromMs: number,
  perDay: number,
  draw: () => number,
  untilMs: number,
): number | undefined {
  if (perDay <= 0) return undefined;
  let t = fromMs;
  while (t < untilMs) {
    const dayStart = t - (t % MS_PER_DAY);
    const hour = Math.floor((t - dayStart) / MS_PER_HOUR);
    const hourEnd = dayStart + (hour + 1) * MS_PER_HOUR;
    const perHour = perDay * dayFactorAt(dayStart) * HOUR_SHARE[hour];
    const gap = (-Math.log(1 - draw()) / perHour) * MS_PER_HOUR;
    if (t + gap < hourEnd) {
      const at = Math.floor(t + gap);
      return at < untilMs ? at : undefined;
    }
    t = hourEnd;
  }
  return undefined;
}

/** Parses a YYYY-MM-DD date as UTC midnight epoch ms, with a message naming the bad value. */
export function parseDay(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day) {
    throw new Error(`startDate must be a calendar date YYYY-MM-DD, got '${day}'`);
  }
  return t;
}

export { MS_PER_DAY, MS_PER_HOUR };
