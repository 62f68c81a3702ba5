/**
 * The shop the generator simulates: its customers, SKUs, warehouses and campaigns at a scale factor.
 * Customers and SKUs are computed on demand from their index (each with its own seeded random
 * stream), so scale 1 (10M customers, 25M SKUs) needs no memory for them; warehouses and campaigns
 * are few and kept in arrays. The entity iterators at the bottom stream them for loading into the
 * OLTP source; every record satisfies its contract (customer, product, warehouse, campaign).
 */
import type { Campaign, Customer, Product, Warehouse } from '../contracts/generated/types';
import { Permutation, ZipfSampler } from './popularity';
import { Rng, deriveSeed } from './random';
import {
  CAMPAIGN_THEMES,
  CATEGORIES,
  COUNTRIES,
  COUNTRY_TO_WAREHOUSE_COUNTRY,
  CategorySpec,
  FIRST_NAMES,
  LAST_NAMES,
  WAREHOUSES,
} from './vocabulary';
import {
  MEAN_LINES_PER_ORDER,
  MEAN_LINE_QUANTITY,
  MS_PER_DAY,
  P_CAMPAIGN_SESSION,
  SESSION_ORDER_SHARE,
  ShopVolumes,
  parseDay,
  volumesAt,
} from './volumes';

/** What identifies a simulated shop: same options, same shop. */
export interface ShopOptions {
  /** Scale factor; 1 is the prod volumes (10M customers, 25M SKUs, 5M order lines a month). */
  readonly scale: number;
  /** Seed of every random choice. */
  readonly seed: number;
  /**
   * First simulated day (UTC), YYYY-MM-DD. Entities are dated before it; campaigns run around it.
   * @default '2024-09-18'
   */
  readonly startDate?: string;
  /**
   * First simulated instant (UTC, epoch milliseconds), overriding `startDate` when given: the demo
   * simulates the day that ends when it runs, so that the real-time views, which read the clock,
   * see it as live. Output depends on it as it does on `startDate`.
   */
  readonly startMs?: number;
  /**
   * Days the event stream covers (campaigns are laid out to cover them).
   * @default 1
   */
  readonly days?: number;
}

/** The default first day, a Wednesday in September (the seed documents' date). */
export const DEFAULT_START_DATE = '2024-09-18';

/** A SKU as the simulation needs it (the Product entity plus popularity and pricing numbers). */
export interface SkuInfo {
  readonly index: number;
  readonly sku: string;
  readonly productId: number;
  readonly category: CategorySpec;
  /** List price in EUR, 2 decimals. */
  readonly price: number;
  /** Default reorder point per warehouse, from expected demand. */
  readonly reorderPoint: number;
  /** Expected units sold per day across all warehouses. */
  readonly dailyDemand: number;
}

/** A campaign with its active window in epoch ms. */
export interface CampaignWindow {
  readonly campaign: Campaign;
  readonly fromMs: number;
  /** Exclusive: the end date's midnight plus one day. */
  readonly untilMs: number;
  readonly discountPct: number;
}

const CATEGORY_WEIGHTS = CATEGORIES.map((c) => c.weight);
const COUNTRY_WEIGHTS = COUNTRIES.map((c) => c.weight);
const CAMPAIGN_CHANNELS = ['email', 'social', 'search', 'display', 'affiliate'] as const;
/** The return on ad spend a campaign's budget is planned for (the median over campaigns). */
export const PLANNED_ROAS = 4;
/** The spread of campaign budgets around plan: log-normal sigma (about 95% within x0.37 to x2.7). */
const CAMPAIGN_BUDGET_SIGMA = 0.5;
/** The smallest campaign budget, EUR. */
const MIN_CAMPAIGN_BUDGET = 100;
/** Lines drawn to estimate the mean order value. */
const ORDER_VALUE_SAMPLE = 4000;
/** Campaign length range in days, by channel. */
const CAMPAIGN_DAYS: Record<(typeof CAMPAIGN_CHANNELS)[number], [number, number]> = {
  email: [3, 10],
  social: [7, 30],
  search: [30, 90],
  display: [14, 45],
  affiliate: [30, 120],
};
/** Share of customers who are regulars, and the share of orders and sessions they account for. */
const REGULAR_CUSTOMER_SHARE = 0.15;
const REGULAR_ACTIVITY_SHARE = 0.65;

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The simulated shop. Construct once per run; all lookups are deterministic functions of the options. */
export class Shop {
  readonly volumes: ShopVolumes;
  readonly seed: number;
  readonly startMs: number;
  readonly days: number;
  readonly warehouses: readonly Warehouse[];
  readonly campaigns: readonly CampaignWindow[];
  /** Draws SKU popularity ranks. */
  readonly skuPopularity: ZipfSampler;
  private readonly skuByRank: Permutation;
  private readonly rankBySku: Permutation;
  private readonly customerByRank: Permutation;
  private readonly regulars: number;
  private readonly warehouseByCountry: ReadonlyMap<string, number>;

  constructor(options: ShopOptions) {
    this.volumes = volumesAt(options.scale);
    if (!Number.isInteger(options.seed)) throw new Error(`seed must be an integer, got ${options.seed}`);
    this.seed = options.seed;
    if (options.startMs !== undefined && !Number.isInteger(options.startMs)) {
      throw new Error(`startMs must be an integer (epoch milliseconds), got ${options.startMs}`);
    }
    this.startMs = options.startMs ?? parseDay(options.startDate ?? DEFAULT_START_DATE);
    this.days = options.days ?? 1;
    if (!Number.isInteger(this.days) || this.days < 1 || this.days > 3660) {
      throw new Error(`days must be an integer from 1 to 3660, got ${options.days}`);
    }
    const v = this.volumes;
    this.skuPopularity = new ZipfSampler(v.skus, 1);
    this.skuByRank = Permutation.seeded(v.skus, deriveSeed(this.seed, 'sku-rank'));
    this.rankBySku = this.skuByRank.inverse();
    this.customerByRank = Permutation.seeded(v.customers, deriveSeed(this.seed, 'customer-rank'));
    this.regulars = Math.max(1, Math.round(v.customers * REGULAR_CUSTOMER_SHARE));
    this.warehouses = WAREHOUSES.slice(0, v.warehouses).map((w) => ({
      warehouse_id: w.id,
      name: w.name,
      country: w.country,
      city: w.city,
      capacity_units: Math.round(w.capacity * Math.max(0.001, Math.min(1, v.scale))),
      updated_at: new Date(this.startMs - 400 * MS_PER_DAY).toISOString(),
    }));
    const byCountry = new Map<string, number>();
    this.warehouses.forEach((w, i) => {
      if (!byCountry.has(w.country)) byCountry.set(w.country, i);
    });
    this.warehouseByCountry = byCountry;
    this.campaigns = this.buildCampaigns();
  }

  /** The end of the simulated window (exclusive), epoch ms. */
  get endMs(): number {
    return this.startMs + this.days * MS_PER_DAY;
  }

  // ---- SKUs -------------------------------------------------------------------------------------

  /** The SKU code of a SKU index. */
  skuCode(index: number): string {
    return `SKU-${String(index + 1).padStart(8, '0')}`;
  }

  /** The product id of a SKU index (2.5 SKUs per product on average). */
  productIdOf(skuIndex: number): number {
    return Math.floor((skuIndex * 2) / 5) + 1;
  }

  /** A SKU index drawn by popularity (Zipf over a seeded permutation of the catalogue). */
  drawSku(rng: Rng): number {
    return this.skuByRank.at(this.skuPopularity.sample(rng));
  }

  /** The SKU index of a popularity rank (0 is the best seller). */
  skuAtRank(rank: number): number {
    return this.skuByRank.at(rank);
  }

  /** The popularity rank of a SKU index. */
  rankOf(skuIndex: number): number {
    return this.rankBySku.at(skuIndex);
  }

  /** Everything the simulation needs about a SKU; a pure function of the index. */
  skuInfo(index: number): SkuInfo {
    const productId = this.productIdOf(index);
    const prng = new Rng(deriveSeed(this.seed, 'product', productId));
    const category = CATEGORIES[prng.weightedIndex(CATEGORY_WEIGHTS)];
    const base = prng.logNormal(Math.log(category.medianPrice), category.priceSigma);
    const vrng = new Rng(deriveSeed(this.seed, 'sku', index));
    const price = Math.max(1.99, Math.round(base * vrng.between(0.95, 1.1)) - 0.01);
    const rank = this.rankOf(index);
    const dailyDemand = this.volumes.orderLinesPerDay * 1.3 * this.skuPopularity.probability(rank);
    const perWarehouse = dailyDemand / this.volumes.warehouses;
    // Cover about three days of demand (the restock lead time), never fewer than 3 units.
    const reorderPoint = Math.max(3, Math.ceil(perWarehouse * 3));
    return {
      index,
      sku: this.skuCode(index),
      productId,
      category,
      price: round2(price),
      reorderPoint,
      dailyDemand,
    };
  }

  /** The Product entity (contract `product`) of a SKU index. */
  product(index: number): Product {
    const info = this.skuInfo(index);
    const prng = new Rng(deriveSeed(this.seed, 'product-name', info.productId));
    const c = info.category;
    const brand = prng.pick(c.brands);
    const noun = prng.pick(c.nouns);
    const sub = c.subcategories[c.nouns.indexOf(noun) % c.subcategories.length];
    const variantIndex = index - Math.ceil(((info.productId - 1) * 5) / 2);
    const variant = c.variants[(variantIndex + prng.int(0, c.variants.length - 1)) % c.variants.length];
    const vrng = new Rng(deriveSeed(this.seed, 'sku-meta', index));
    return {
      sku: info.sku,
      product_id: info.productId,
      name: `${brand} ${noun} ${variant}`,
      category: c.name,
      subcategory: sub,
      brand,
      list_price: info.price,
      currency: 'EUR',
      reorder_point: info.reorderPoint,
      active: !vrng.chance(0.03),
      updated_at: new Date(
        this.startMs - vrng.int(1, 700) * MS_PER_DAY - vrng.int(0, 86_399) * 1000,
      ).toISOString(),
    };
  }

  // ---- customers --------------------------------------------------------------------------------

  /**
   * A customer index drawn so that a minority of regulars (15% of customers) make about 65% of the
   * sessions and orders; the rest spread over everyone.
   */
  drawCustomer(rng: Rng): number {
    const rank = rng.chance(REGULAR_ACTIVITY_SHARE)
      ? rng.int(0, this.regulars - 1)
      : rng.int(0, this.volumes.customers - 1);
    return this.customerByRank.at(rank);
  }

  /** The Customer entity (contract `customer`) of a customer index; customer_id is index + 1. */
  customer(index: number): Customer {
    const r = new Rng(deriveSeed(this.seed, 'customer', index));
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    const country = COUNTRIES[r.weightedIndex(COUNTRY_WEIGHTS)];
    const id = index + 1;
    const signupDaysBefore = r.int(1, 6 * 365);
    const tierRoll = r.float();
    return {
      customer_id: id,
      email: `${asciiSlug(first)}.${asciiSlug(last)}.${id}@example.com`,
      first_name: first,
      last_name: last,
      country: country.code,
      city: r.pick(country.cities),
      loyalty_tier:
        tierRoll < 0.7 ? 'none' : tierRoll < 0.88 ? 'silver' : tierRoll < 0.97 ? 'gold' : 'platinum',
      signup_date: isoDate(this.startMs - signupDaysBefore * MS_PER_DAY),
      updated_at: new Date(
        this.startMs - r.int(0, signupDaysBefore) * MS_PER_DAY - r.int(1, 86_399) * 1000,
      ).toISOString(),
    };
  }

  /** The warehouse index that serves a customer (same country if the shop has one there). */
  homeWarehouse(customerIndex: number): number {
    const r = new Rng(deriveSeed(this.seed, 'customer', customerIndex));
    r.pick(FIRST_NAMES);
    r.pick(LAST_NAMES);
    const country = COUNTRIES[r.weightedIndex(COUNTRY_WEIGHTS)].code;
    const wc = COUNTRY_TO_WAREHOUSE_COUNTRY[country] ?? country;
    return this.warehouseByCountry.get(wc) ?? customerIndex % this.warehouses.length;
  }

  // ---- campaigns --------------------------------------------------------------------------------

  /**
   * The campaigns of the whole span around the simulated window. A campaign's budget is what its
   * attributed orders are expected to bring, divided by {@link PLANNED_ROAS}, with log-normal spread
   * between campaigns. The expected revenue follows from the volumes: the orders placed in sessions,
   * the share of sessions that arrive through a campaign (shared among the campaigns running), and the
   * mean order value of the shop's price model. So the return on ad spend is realistic at every
   * scale, not only at one.
   */
  private buildCampaigns(): CampaignWindow[] {
    const r = new Rng(deriveSeed(this.seed, 'campaigns'));
    const spanStart = this.startMs - 120 * MS_PER_DAY;
    const spanEnd = this.endMs + 30 * MS_PER_DAY;
    const n = this.volumes.campaigns;
    const step = (spanEnd - spanStart) / n;
    const year = new Date(this.startMs).getUTCFullYear();
    const drawn = [];
    for (let k = 0; k < n; k++) {
      const channel = CAMPAIGN_CHANNELS[r.weightedIndex([3, 3, 2, 1.5, 1])];
      const [minDays, maxDays] = CAMPAIGN_DAYS[channel];
      const startDay = Math.floor((spanStart + (k + r.float()) * step) / MS_PER_DAY) * MS_PER_DAY;
      const lengthDays = r.int(minDays, maxDays);
      const discountPct = r.chance(0.6) ? r.pick([5, 10, 15, 20, 25, 30]) : 0;
      const theme = r.pick(CAMPAIGN_THEMES);
      const budgetSpread = r.logNormal(0, CAMPAIGN_BUDGET_SIGMA);
      const updatedDaysBefore = r.int(1, 14);
      const window = { fromMs: startDay, untilMs: startDay + lengthDays * MS_PER_DAY };
      drawn.push({ channel, window, lengthDays, discountPct, theme, budgetSpread, updatedDaysBefore });
    }
    // A session picks one of the campaigns running at its start, so a campaign's share of the
    // attributed orders is one over the number running. That number is taken on average over the
    // simulated days: near the span's end no new campaign starts, and a per-day share there would
    // plan the budgets of the long campaigns for orders that never come.
    let runningDays = 0;
    for (let day = this.startMs; day < this.endMs; day += MS_PER_DAY) {
      runningDays += drawn.filter((d) => runsAt(d.window, day)).length;
    }
    const meanRunning = Math.max(1, runningDays / this.days);
    const v = this.volumes;
    const perCampaignDay =
      (v.ordersPerDay * SESSION_ORDER_SHARE * P_CAMPAIGN_SESSION * this.meanOrderValue()) / meanRunning;
    return drawn.map((d, k) => {
      const budget = Math.max(
        MIN_CAMPAIGN_BUDGET,
        Math.round(((perCampaignDay * d.lengthDays) / PLANNED_ROAS) * d.budgetSpread),
      );
      const { fromMs, untilMs } = d.window;
      const campaign: Campaign = {
        campaign_id: `CMP-${year}-${String(k + 1).padStart(4, '0')}`,
        name: `${d.theme} ${new Date(fromMs).getUTCFullYear()} (${d.channel})`,
        channel: d.channel,
        start_date: isoDate(fromMs),
        end_date: isoDate(untilMs - MS_PER_DAY),
        budget,
        currency: 'EUR',
        ...(d.discountPct > 0 ? { discount_pct: d.discountPct } : {}),
        updated_at: new Date(fromMs - d.updatedDaysBefore * MS_PER_DAY).toISOString(),
      };
      return { campaign, fromMs, untilMs, discountPct: d.discountPct };
    });
  }

  /**
   * The mean value of an order in EUR before discounts: the mean list price of lines drawn as the
   * simulation draws them (by popularity, from a fixed sample), times the mean units of a line and
   * the mean lines of an order.
   */
  private meanOrderValue(): number {
    const r = new Rng(deriveSeed(this.seed, 'campaign-economics'));
    let sum = 0;
    for (let i = 0; i < ORDER_VALUE_SAMPLE; i++) sum += this.skuInfo(this.drawSku(r)).price;
    return (sum / ORDER_VALUE_SAMPLE) * MEAN_LINE_QUANTITY * MEAN_LINES_PER_ORDER;
  }

  /** The campaigns running at a time (start date to end date inclusive, UTC). */
  activeCampaigns(atMs: number): CampaignWindow[] {
    return this.campaigns.filter((c) => runsAt(c, atMs));
  }
}

/** Whether a campaign window runs at a time (its start date's midnight included, its end excluded). */
function runsAt(w: { readonly fromMs: number; readonly untilMs: number }, atMs: number): boolean {
  return w.fromMs <= atMs && atMs < w.untilMs;
}

function asciiSlug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

// ---- entity iterators -----------------------------------------------------------------------------

/** The warehouses of the shop (contract `warehouse`). */
export function* warehouses(options: ShopOptions): Generator<Warehouse> {
  yield* new Shop(options).warehouses;
}

/** Every customer of the shop (contract `customer`), streamed in id order: 10M x scale records. */
export function* customers(options: ShopOptions): Generator<Customer> {
  const shop = new Shop(options);
  for (let i = 0; i < shop.volumes.customers; i++) yield shop.customer(i);
}

/** Every SKU of the shop (contract `product`), streamed in SKU order: 25M x scale records. */
export function* products(options: ShopOptions): Generator<Product> {
  const shop = new Shop(options);
  for (let i = 0; i < shop.volumes.skus; i++) yield shop.product(i);
}

/** The campaigns around the simulated window (contract `campaign`). */
export function* campaigns(options: ShopOptions): Generator<Campaign> {
  for (const c of new Shop(options).campaigns) yield c.campaign;
}
