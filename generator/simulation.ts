/**
 * The discrete-event simulation behind {@link generateEvents}. Arrivals (sessions, marketplace and
 * store orders, reviews, catalogue updates, background logs, stock adjustments) are non-homogeneous
 * Poisson processes shaped by the daily curve; each session and order is a small state machine that
 * schedules its next step. A min-heap of pending tasks keyed by time makes the output come out in
 * time order while memory holds only what is in flight (open sessions, orders not yet delivered,
 * stock of the SKUs touched so far), never a whole day.
 */
import type {
  ApplicationLogEvent,
  ClickstreamEvent,
  InventoryMovement,
  OrderEvent,
  OrderLine,
  ProductMetadataEvent,
  ReviewEvent,
} from '../contracts/generated/types';
import { INJECTED_KINDS, LATE_ELIGIBLE, makeBadRecord } from './bad-records';
import { backgroundLog, productMetadata, reviewContent, reviewRating } from './documents';
import { TaskHeap } from './heap';
import {
  BadRecordInfo,
  EXPECTED_OUTCOME,
  GeneratedItem,
  PlatformEvent,
  partitionKeyOf,
  streamOf,
} from './items';
import { Rng, deriveSeed } from './random';
import { CampaignWindow, Shop, ShopOptions } from './shop';
import { CARRIERS, SEARCH_TERMS } from './vocabulary';
import {
  BROWSE_STEPS_BROWSING,
  BROWSE_STEPS_CONVERTING,
  MEAN_LINES_PER_ORDER,
  MS_PER_DAY,
  MS_PER_HOUR,
  P_BROWSER_ABANDONS_CHECKOUT,
  P_BROWSER_ADDS_TO_CART,
  P_BROWSER_WISHLISTS,
  P_BUYER_REMOVES,
  P_CAMPAIGN_SESSION,
  ShopVolumes,
  drawLineQuantity,
  nextArrival,
} from './volumes';

/** Options of the event generator. */
export interface GeneratorOptions extends ShopOptions {
  /**
   * Share of bad records among all items, from 0 to 0.5, spread over every kind of
   * {@link BAD_RECORD_KINDS}.
   * @default 0 - only good events
   */
  readonly badShare?: number;
}

const MINUTE = 60_000;
const SECOND = 1_000;

/** Order lifecycle probabilities (see docs/DESIGN.md). */
const P_PAYMENT_FAILS = 0.012;
const P_CUSTOMER_CANCELS = 0.018;
const P_RETURNED = 0.045;
const SCHEMA_VERSION = 1;

type InteractionType = ClickstreamEvent['interaction_type'];
type Device = NonNullable<ClickstreamEvent['interaction_details']['device']>;
type Channel = NonNullable<OrderEvent['channel']>;
type PaymentMethod = NonNullable<OrderEvent['payment']>['method'];

interface Step {
  readonly type: InteractionType;
  readonly page: string;
  readonly action: string;
  readonly skuIndex?: number;
  readonly search?: string;
  readonly clicked?: string;
  readonly status?: string;
}

interface Session {
  readonly id: string;
  readonly customerIndex: number;
  readonly device: Device;
  readonly campaign?: CampaignWindow;
  readonly referrer?: string;
  readonly steps: Step[];
  /** The cart of a session that buys: SKU indexes and quantities. */
  readonly cart: { skuIndex: number; quantity: number }[];
  next: number;
}

interface Line {
  readonly lineNumber: number;
  readonly skuIndex: number;
  readonly sku: string;
  readonly productId: number;
  readonly quantity: number;
  readonly priceCents: number;
  readonly discountCents: number;
}

type OrderStepType = 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'returned' | 'return_received';

interface Order {
  readonly id: string;
  readonly customerIndex: number;
  readonly channel: Channel;
  readonly campaignId: string | null;
  readonly warehouse: number;
  readonly lines: Line[];
  readonly shippingCents: number;
  readonly method: PaymentMethod;
  /** Minutes east of UTC the producer writes timestamps in (store tills send local time). */
  readonly offsetMinutes: number;
  /** Money as decimal strings (the marketplace connector sends them so). */
  readonly moneyAsString: boolean;
  readonly steps: { readonly at: number; readonly type: OrderStepType }[];
  next: number;
  /** A label for the order.created event (the hot-SKU burst). */
  readonly createdLabel?: BadRecordInfo;
  returned?: { line_number: number; quantity: number }[];
}

interface StockPair {
  readonly key: string;
  readonly skuIndex: number;
  readonly warehouse: number;
  readonly reorderPoint: number;
  readonly weeklyDemand: number;
  onHand: number;
  reserved: number;
  /** The opening balance was emitted (it precedes the first movement). */
  opened: boolean;
  restockPending: boolean;
}

type SourceName = 'session' | 'direct_order' | 'review' | 'metadata' | 'log' | 'adjustment';

type Task =
  | { t: number; seq: number; kind: 'emit'; item: GeneratedItem }
  | { t: number; seq: number; kind: 'source'; source: SourceName }
  | { t: number; seq: number; kind: 'session'; session: Session }
  | { t: number; seq: number; kind: 'order'; order: Order }
  | { t: number; seq: number; kind: 'restock'; pair: StockPair }
  | { t: number; seq: number; kind: 'burst'; skuIndex: number; warehouse: number; orders: number };

/** A task before the heap gives it its sequence number. */
type NewTask = Task extends infer U ? (U extends Task ? Omit<U, 'seq'> : never) : never;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** An RFC 3339 timestamp in a fixed offset, as a producer in that time zone writes it. */
function isoWithOffset(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return iso(ms);
  const local = new Date(ms + offsetMinutes * MINUTE).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Central European offset at a time: +02:00 from the last Sunday of March to the last Sunday of October. */
function cetOffset(ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  const lastSunday = (month: number): number => {
    const d = new Date(Date.UTC(year, month + 1, 0, 1));
    return d.getTime() - d.getUTCDay() * MS_PER_DAY;
  };
  return ms >= lastSunday(2) && ms < lastSunday(9) ? 120 : 60;
}

function money(cents: number, asString: boolean): number | string {
  return asString ? (cents / 100).toFixed(2) : cents / 100;
}

/**
 * The expected number of items of an average simulated day once orders are in steady state (good
 * events only), per stream; measured over two weeks at scale 0.01. The first day has fewer (orders
 * placed before it are not simulated, so none of their shipments or deliveries). Used for progress
 * totals and to size the hot-SKU burst.
 */
export function expectedItemsPerDay(v: ShopVolumes): {
  orders: number;
  inventory: number;
  clickstream: number;
} {
  return {
    // created, paid, shipped, delivered, and a few cancellations and returns per order
    orders: v.ordersPerDay * 3.6 + v.metadataUpdatesPerDay,
    // reserved and shipped per line, opening balances, restocks, releases and returns
    inventory: v.orderLinesPerDay * 2.5 + v.adjustmentsPerDay,
    // interactions (interactionsPerOrder, less sessions cut at the window's end), logs, reviews
    clickstream: v.ordersPerDay * 38.5 + v.backgroundLogsPerDay + v.ordersPerDay * 1.1 + v.reviewsPerDay,
  };
}

/** The running simulation. Use through {@link generateEvents}. */
export class Simulation {
  readonly shop: Shop;
  private readonly v: ShopVolumes;
  private readonly rng: Rng;
  private readonly ids: Rng;
  private readonly badRng: Rng;
  private readonly badIds: Rng;
  private readonly injectP: number;
  private readonly heap = new TaskHeap<Task>();
  private readonly stock = new Map<string, StockPair>();
  private readonly recentReviews: ReviewEvent[] = [];
  private readonly endMs: number;
  private seq = 0;
  private logSeq = 0;
  private reviewSeq = 0;
  private readonly idBase: number;
  private readonly sessionConversion: number;
  private activeCache = { hour: -1, list: [] as CampaignWindow[] };

  constructor(options: GeneratorOptions) {
    const badShare = options.badShare ?? 0;
    if (!Number.isFinite(badShare) || badShare < 0 || badShare > 0.5) {
      throw new Error(`badShare must be a number from 0 to 0.5 (e.g. 0.02 for 2%), got ${options.badShare}`);
    }
    this.shop = new Shop(options);
    this.v = this.shop.volumes;
    this.endMs = this.shop.endMs;
    this.rng = new Rng(deriveSeed(options.seed, 'simulation'));
    this.ids = new Rng(deriveSeed(options.seed, 'ids'));
    this.badRng = new Rng(deriveSeed(options.seed, 'bad'));
    this.badIds = new Rng(deriveSeed(options.seed, 'bad-ids'));
    // Injection probability per good event so that bad items make up `badShare` of all items:
    // 10 of the 11 kinds are injected (9 of them add an item, `late` re-times one), the burst is 1/11.
    const k = ((10 / 11) * badShare) / (1 - badShare / 11);
    this.injectP = badShare > 0 ? k / (1 - 0.9 * k) : 0;
    this.idBase = Math.floor(this.shop.startMs / MS_PER_DAY) * 100_000_000;
    const sessions = this.v.convertingSessionsPerDay + this.v.browsingSessionsPerDay;
    this.sessionConversion = sessions > 0 ? this.v.convertingSessionsPerDay / sessions : 0;

    const start = this.shop.startMs;
    for (const source of ['session', 'direct_order', 'review', 'metadata', 'log', 'adjustment'] as const) {
      this.scheduleSource(source, start);
    }
    if (badShare > 0) this.scheduleBurst(badShare);
  }

  /** Runs the simulation, yielding items in the order they are sent. */
  *run(): Generator<GeneratedItem> {
    for (;;) {
      const task = this.heap.pop();
      if (!task || task.t >= this.endMs) return;
      switch (task.kind) {
        case 'emit':
          yield task.item;
          break;
        case 'source':
          this.runSource(task.source, task.t);
          break;
        case 'session':
          this.sessionStep(task.session, task.t);
          break;
        case 'order':
          this.orderStep(task.order, task.t);
          break;
        case 'restock':
          this.restock(task.pair, task.t);
          break;
        case 'burst':
          this.burst(task.skuIndex, task.warehouse, task.orders, task.t);
          break;
      }
    }
  }

  // ---- scheduling -------------------------------------------------------------------------------

  private push(task: NewTask): void {
    if (task.t >= this.endMs) return;
    this.heap.push({ ...task, seq: this.seq++ } as Task);
  }

  private perDay(source: SourceName): number {
    const v = this.v;
    switch (source) {
      case 'session':
        return v.convertingSessionsPerDay + v.browsingSessionsPerDay;
      case 'direct_order':
        return v.directOrdersPerDay;
      case 'review':
        return v.reviewsPerDay;
      case 'metadata':
        return v.metadataUpdatesPerDay;
      case 'log':
        return v.backgroundLogsPerDay;
      case 'adjustment':
        return v.adjustmentsPerDay;
    }
  }

  private scheduleSource(source: SourceName, from: number): void {
    const at = nextArrival(from, this.perDay(source), () => this.rng.float(), this.endMs);
    if (at !== undefined) this.push({ t: at, kind: 'source', source });
  }

  private runSource(source: SourceName, t: number): void {
    switch (source) {
      case 'session':
        this.startSession(t);
        break;
      case 'direct_order':
        this.directOrder(t);
        break;
      case 'review':
        this.review(t);
        break;
      case 'metadata':
        this.metadataUpdate(t);
        break;
      case 'log':
        this.backgroundLog(t);
        break;
      case 'adjustment':
        this.adjustment(t);
        break;
    }
    this.scheduleSource(source, t);
  }

  // ---- emission and bad records -----------------------------------------------------------------

  private envelope<T extends PlatformEvent['event_type']>(type: T, at: number, offsetMinutes = 0) {
    return {
      event_id: this.ids.uuid(),
      event_type: type,
      event_time: isoWithOffset(at, offsetMinutes),
      schema_version: SCHEMA_VERSION,
    };
  }

  /**
   * Schedules a good event to be sent at its time and, with the injection probability, a bad record
   * derived from it (or re-times it as a late event).
   *
   * @param nextChangeAt - when the same key changes next, so that a late copy can arrive after it.
   * @param label - a label that marks the event itself as a bad-record kind (the burst); such events
   *   are not used for injection.
   */
  private emit(event: PlatformEvent, at: number, nextChangeAt?: number, label?: BadRecordInfo): void {
    const stream = streamOf(event);
    const partitionKey = partitionKeyOf(event);
    let sentAt = at;
    let bad = label;
    if (!label && this.injectP > 0 && this.badRng.chance(this.injectP)) {
      let kind = this.badRng.pick(INJECTED_KINDS);
      if (kind === 'late' && !LATE_ELIGIBLE.has(event.event_type)) kind = 'duplicate';
      if (kind === 'late') {
        // Arrive after the next change of the same key when there is one soon, else some minutes late.
        sentAt =
          nextChangeAt !== undefined && nextChangeAt - at < 6 * MS_PER_HOUR
            ? nextChangeAt + this.badRng.int(1 * SECOND, 120 * SECOND)
            : at + this.badRng.int(2 * MINUTE, 60 * MINUTE);
        sentAt = Math.min(sentAt, this.endMs - 1);
        bad = { kind: 'late', expect: EXPECTED_OUTCOME.late };
      } else {
        const delay =
          kind === 'duplicate' ? this.badRng.int(500, 10 * MINUTE) : this.badRng.int(0, 2 * SECOND);
        const copy = makeBadRecord(
          kind,
          event,
          this.badIds.uuid(),
          Math.min(at + delay, this.endMs - 1),
          this.badRng,
        );
        if (copy) this.push({ t: copy.sentAt, kind: 'emit', item: copy });
      }
    }
    this.push({
      t: sentAt,
      kind: 'emit',
      item: { stream, partitionKey, sentAt, payload: { kind: 'event', event }, ...(bad ? { bad } : {}) },
    });
  }

  private log(
    at: number,
    fields: Omit<
      ApplicationLogEvent,
      'event_id' | 'event_type' | 'event_time' | 'schema_version' | 'log_id' | 'timestamp'
    >,
  ): void {
    const env = this.envelope('app.log', at);
    const event: ApplicationLogEvent = {
      ...env,
      log_id: this.idBase + ++this.logSeq,
      timestamp: env.event_time,
      ...fields,
    };
    this.emit(event, at);
  }

  // ---- sessions ---------------------------------------------------------------------------------

  private activeCampaigns(t: number): CampaignWindow[] {
    const hour = Math.floor(t / MS_PER_HOUR);
    if (hour !== this.activeCache.hour) this.activeCache = { hour, list: this.shop.activeCampaigns(t) };
    return this.activeCache.list;
  }

  private productPage(skuIndex: number): Step {
    return { type: 'browse', page: 'Product Page', action: 'view', skuIndex };
  }

  private browseStep(): Step {
    const r = this.rng;
    const roll = r.float();
    if (roll < 0.55) return this.productPage(this.shop.drawSku(r));
    if (roll < 0.7)
      return { type: 'search', page: 'Search Results', action: 'search', search: r.pick(SEARCH_TERMS) };
    if (roll < 0.85) return { type: 'browse', page: 'Category Page', action: 'view' };
    return {
      type: 'click',
      page: 'Product Page',
      action: 'click',
      skuIndex: this.shop.drawSku(r),
      clicked: r.pick(['Image Gallery', 'Reviews Tab', 'Size Guide', 'Delivery Info']),
    };
  }

  private startSession(t: number): void {
    const r = this.rng;
    const customerIndex = this.shop.drawCustomer(r);
    const device: Device = (['desktop', 'mobile', 'tablet', 'app'] as const)[
      r.weightedIndex([38, 40, 7, 15], 100)
    ];
    const active = this.activeCampaigns(t);
    const campaign = active.length > 0 && r.chance(P_CAMPAIGN_SESSION) ? r.pick(active) : undefined;
    let referrer: string | undefined;
    if (campaign) {
      const id = campaign.campaign.campaign_id;
      referrer =
        campaign.campaign.channel === 'email'
          ? `https://mail.example.com/click?utm_source=newsletter&utm_campaign=${id}`
          : campaign.campaign.channel === 'search'
            ? `https://www.google.com/aclk?utm_source=google&utm_medium=cpc&utm_campaign=${id}`
            : `https://ads.example.net/r?utm_medium=${campaign.campaign.channel}&utm_campaign=${id}`;
    } else if (r.chance(0.45)) {
      referrer = r.pick(['https://www.google.com/', 'https://www.bing.com/', 'https://www.instagram.com/']);
    }
    const steps: Step[] = [];
    // Entry page.
    if (campaign && campaign.campaign.channel !== 'search')
      steps.push(this.productPage(this.shop.drawSku(r)));
    else {
      const roll = r.float();
      if (roll < 0.45) steps.push({ type: 'browse', page: 'Home Page', action: 'view' });
      else if (roll < 0.7 || campaign) {
        steps.push({
          type: 'search',
          page: 'Search Results',
          action: 'search',
          search: r.pick(SEARCH_TERMS),
        });
      } else if (roll < 0.85) steps.push({ type: 'browse', page: 'Category Page', action: 'view' });
      else steps.push(this.productPage(this.shop.drawSku(r)));
    }
    const cart: Session['cart'] = [];
    if (r.chance(this.sessionConversion)) {
      const browse = r.geometric(BROWSE_STEPS_CONVERTING);
      for (let i = 0; i < browse; i++) steps.push(this.browseStep());
      const lines = 1 + r.geometric(MEAN_LINES_PER_ORDER - 1);
      const seen = new Set<number>();
      for (let i = 0; i < lines; i++) {
        const skuIndex = this.shop.drawSku(r);
        if (seen.has(skuIndex)) continue;
        seen.add(skuIndex);
        const quantity = drawLineQuantity(r);
        cart.push({ skuIndex, quantity });
        steps.push(this.productPage(skuIndex));
        steps.push({
          type: 'add_to_cart',
          page: 'Product Page',
          action: 'click',
          skuIndex,
          clicked: 'Add to Cart',
        });
      }
      if (r.chance(P_BUYER_REMOVES)) {
        const skuIndex = this.shop.drawSku(r);
        steps.push({
          type: 'add_to_cart',
          page: 'Product Page',
          action: 'click',
          skuIndex,
          clicked: 'Add to Cart',
        });
        steps.push({ type: 'remove_from_cart', page: 'Cart', action: 'click', skuIndex, clicked: 'Remove' });
      }
      steps.push({ type: 'checkout_attempt', page: 'Checkout', action: 'submit', status: 'completed' });
      steps.push({ type: 'purchase', page: 'Order Confirmation', action: 'purchase', status: 'completed' });
    } else {
      const browse = r.geometric(BROWSE_STEPS_BROWSING);
      for (let i = 0; i < browse; i++) steps.push(this.browseStep());
      if (r.chance(P_BROWSER_ADDS_TO_CART)) {
        const skuIndex = this.shop.drawSku(r);
        steps.push({
          type: 'add_to_cart',
          page: 'Product Page',
          action: 'click',
          skuIndex,
          clicked: 'Add to Cart',
        });
        if (r.chance(P_BROWSER_ABANDONS_CHECKOUT)) {
          steps.push({ type: 'checkout_attempt', page: 'Checkout', action: 'submit', status: 'abandoned' });
        }
      } else if (r.chance(P_BROWSER_WISHLISTS)) {
        const skuIndex = this.shop.drawSku(r);
        steps.push({
          type: 'wishlist',
          page: 'Product Page',
          action: 'click',
          skuIndex,
          clicked: 'Add to Wishlist',
        });
      }
    }
    const session: Session = {
      id: this.ids.uuid(),
      customerIndex,
      device,
      campaign,
      referrer,
      steps,
      cart,
      next: 0,
    };
    this.push({ t, kind: 'session', session });
  }

  private sessionStep(s: Session, t: number): void {
    const r = this.rng;
    const step = s.steps[s.next];
    const isLast = s.next === s.steps.length - 1;
    const gap =
      step.type === 'checkout_attempt'
        ? r.int(10 * SECOND, 90 * SECOND)
        : Math.max(2 * SECOND, Math.round(r.exponential(35 * SECOND)));
    const nextAt = isLast ? undefined : t + gap;
    let status = step.status;
    let order: Order | undefined;
    if (step.type === 'purchase') {
      order = this.placeOrder(
        t + r.int(200, 900),
        s.customerIndex,
        s.device === 'app' ? 'mobile_app' : 'web',
        s.campaign,
        s.cart,
      );
      if (!order) status = 'failed_out_of_stock';
    }
    const env = this.envelope('clickstream.interaction', t);
    const details: ClickstreamEvent['interaction_details'] = {
      action: step.type === 'purchase' && !order ? 'submit' : step.action,
      ...(step.clicked ? { clicked_element: step.clicked } : {}),
      session_id: s.id,
      ...(status ? { status } : {}),
      ...(s.next === 0 && s.referrer ? { referrer: s.referrer } : {}),
      device: s.device,
    };
    const event: ClickstreamEvent = {
      ...env,
      customer_id: s.customerIndex + 1,
      interaction_type: step.type === 'purchase' && !order ? 'checkout_attempt' : step.type,
      timestamp: env.event_time,
      page: step.type === 'purchase' && !order ? 'Checkout' : step.page,
      ...(step.skuIndex !== undefined ? { product_id: this.shop.productIdOf(step.skuIndex) } : {}),
      ...(step.search !== undefined ? { search_query: step.search } : {}),
      interaction_details: details,
    };
    this.emit(event, t, nextAt);
    if (step.type === 'purchase' && !order) {
      this.log(t + 50, {
        log_level: 'WARN',
        service: 'checkout',
        message: 'Checkout failed: every item in the cart is out of stock',
        customer_id: s.customerIndex + 1,
        error_code: 'OUT_OF_STOCK',
      });
    }
    s.next++;
    if (nextAt !== undefined) this.push({ t: nextAt, kind: 'session', session: s });
  }

  // ---- stock ------------------------------------------------------------------------------------

  private pair(skuIndex: number, warehouse: number): StockPair {
    const key = `${skuIndex}#${warehouse}`;
    let p = this.stock.get(key);
    if (!p) {
      const info = this.shop.skuInfo(skuIndex);
      const perDay = info.dailyDemand / this.v.warehouses;
      // The opening balance is a seeded function of the pair, so the order of first touches does not change it.
      const r = new Rng(deriveSeed(this.shop.seed, 'opening', skuIndex * 16 + warehouse));
      // A fifth of the pairs open with little headroom above the reorder point (they run low within
      // the day); the rest with 1.5 to 8 days of demand.
      const onHand = r.chance(0.2)
        ? info.reorderPoint + Math.round(perDay * r.between(0, 0.8)) + r.int(0, 1)
        : info.reorderPoint + Math.max(2, Math.round(perDay * r.between(1.5, 8))) + r.int(0, 4);
      p = {
        key,
        skuIndex,
        warehouse,
        reorderPoint: info.reorderPoint,
        weeklyDemand: perDay * 7,
        onHand,
        reserved: 0,
        opened: false,
        restockPending: false,
      };
      this.stock.set(key, p);
    }
    return p;
  }

  private available(p: StockPair): number {
    return p.onHand - p.reserved;
  }

  /**
   * Emits the opening balance of a pair before its first movement: the twin starts empty, so the
   * stock a warehouse already held appears as one `inventory.received` with reason 'opening balance'.
   * Call before changing the pair's counts.
   */
  private open(p: StockPair, at: number): void {
    if (p.opened) return;
    p.opened = true;
    this.emit(
      {
        ...this.envelope('inventory.received', at),
        sku: this.shop.skuCode(p.skuIndex),
        product_id: this.shop.productIdOf(p.skuIndex),
        warehouse_id: this.shop.warehouses[p.warehouse].warehouse_id,
        quantity: p.onHand,
        reorder_point: p.reorderPoint,
        reason: 'opening balance',
      },
      at,
    );
  }

  private movement(
    type: InventoryMovement['event_type'],
    p: StockPair,
    quantity: number,
    at: number,
    extra: Partial<InventoryMovement> = {},
    nextChangeAt?: number,
  ): void {
    this.open(p, at);
    const event: InventoryMovement = {
      ...this.envelope(type, at),
      sku: this.shop.skuCode(p.skuIndex),
      product_id: this.shop.productIdOf(p.skuIndex),
      warehouse_id: this.shop.warehouses[p.warehouse].warehouse_id,
      quantity,
      ...extra,
      reorder_point: p.reorderPoint,
    };
    this.emit(event, at, nextChangeAt);
  }

  private checkReorder(p: StockPair, at: number): void {
    if (p.restockPending || this.available(p) >= p.reorderPoint) return;
    p.restockPending = true;
    this.log(at + 100, {
      log_level: 'WARN',
      service: 'inventory',
      message: `Stock of ${this.shop.skuCode(p.skuIndex)} in ${this.shop.warehouses[p.warehouse].warehouse_id} is below its reorder point (available ${this.available(p)}, reorder point ${p.reorderPoint}); purchase order raised`,
      product_id: this.shop.productIdOf(p.skuIndex),
    });
    this.push({ t: at + this.rng.int(6 * MS_PER_HOUR, 72 * MS_PER_HOUR), kind: 'restock', pair: p });
  }

  private restock(p: StockPair, at: number): void {
    this.open(p, at);
    const quantity = Math.ceil((p.reorderPoint * 2 + p.weeklyDemand) / 6) * 6;
    p.onHand += quantity;
    p.restockPending = false;
    this.movement('inventory.received', p, quantity, at, {
      reason: `purchase order PO-${this.ids.base32(8)}`,
    });
    this.checkReorder(p, at);
  }

  private adjustment(t: number): void {
    const r = this.rng;
    const p = this.pair(this.shop.drawSku(r), r.int(0, this.v.warehouses - 1));
    this.open(p, t);
    const available = this.available(p);
    if (available >= 1 && r.chance(0.7)) {
      const quantity = r.int(1, Math.min(3, available));
      p.onHand -= quantity;
      const reason = r.pick(['damaged in warehouse', 'cycle count correction', 'expired']);
      this.movement('inventory.adjusted', p, quantity, t, { direction: 'decrease', reason });
      this.checkReorder(p, t);
    } else {
      const quantity = r.int(1, 5);
      p.onHand += quantity;
      this.movement('inventory.adjusted', p, quantity, t, {
        direction: 'increase',
        reason: 'cycle count correction',
      });
    }
  }

  // ---- orders -----------------------------------------------------------------------------------

  /** The next time the warehouse or carrier works: 07:00-21:00 UTC, not on Sundays. */
  private workingTime(ms: number): number {
    let t = ms;
    for (let i = 0; i < 3; i++) {
      const d = new Date(t);
      const h = d.getUTCHours();
      const dayStart = t - (t % MS_PER_DAY);
      if (d.getUTCDay() === 0) t = dayStart + MS_PER_DAY + 7 * MS_PER_HOUR + this.rng.int(0, 3 * MS_PER_HOUR);
      else if (h < 7) t = dayStart + 7 * MS_PER_HOUR + this.rng.int(0, 3 * MS_PER_HOUR);
      else if (h >= 21) t = dayStart + MS_PER_DAY + 7 * MS_PER_HOUR + this.rng.int(0, 3 * MS_PER_HOUR);
      else break;
    }
    return t;
  }

  /**
   * Places an order: picks the warehouse (the customer's, else the first that has every line),
   * reserves stock, emits order.created and the reservations, and schedules the rest of its life.
   * Returns undefined when nothing in the cart is in stock anywhere.
   */
  private placeOrder(
    t: number,
    customerIndex: number,
    channel: Channel,
    campaign: CampaignWindow | undefined,
    cart: readonly { skuIndex: number; quantity: number }[],
    options: { warehouse?: number; label?: BadRecordInfo } = {},
  ): Order | undefined {
    const r = this.rng;
    const home = options.warehouse ?? this.shop.homeWarehouse(customerIndex);
    const candidates = [home, ...this.shop.warehouses.map((_, i) => i).filter((i) => i !== home)];
    let warehouse = candidates.find((w) =>
      cart.every((c) => this.available(this.pair(c.skuIndex, w)) >= c.quantity),
    );
    let items = cart.map((c) => ({ ...c }));
    if (warehouse === undefined) {
      // No warehouse has everything: ship what the best one has.
      let best = home;
      let bestUnits = -1;
      for (const w of candidates) {
        const units = cart.reduce(
          (s, c) => s + Math.min(c.quantity, Math.max(0, this.available(this.pair(c.skuIndex, w)))),
          0,
        );
        if (units > bestUnits) [best, bestUnits] = [w, units];
      }
      if (bestUnits <= 0) return undefined;
      warehouse = best;
      items = cart
        .map((c) => ({
          skuIndex: c.skuIndex,
          quantity: Math.min(c.quantity, Math.max(0, this.available(this.pair(c.skuIndex, best)))),
        }))
        .filter((c) => c.quantity > 0);
    }
    const live = campaign && campaign.fromMs <= t && t < campaign.untilMs ? campaign : undefined;
    const lines: Line[] = items.map((c, i) => {
      const info = this.shop.skuInfo(c.skuIndex);
      const priceCents = Math.round(info.price * 100);
      const discountCents = live ? Math.floor((priceCents * c.quantity * live.discountPct) / 100) : 0;
      return {
        lineNumber: i + 1,
        skuIndex: c.skuIndex,
        sku: info.sku,
        productId: info.productId,
        quantity: c.quantity,
        priceCents,
        discountCents,
      };
    });
    const subtotal = lines.reduce((s, l) => s + l.priceCents * l.quantity - l.discountCents, 0);
    const store = channel === 'store';
    const method: PaymentMethod = store
      ? 'card'
      : (['card', 'paypal', 'bank_transfer', 'gift_card'] as const)[r.weightedIndex([62, 27, 6, 5], 100)];
    const o: Order = {
      id: `ORD-${iso(t).slice(0, 10).replace(/-/g, '')}-${this.ids.base32(10)}`,
      customerIndex,
      channel,
      campaignId: live ? live.campaign.campaign_id : null,
      warehouse,
      lines,
      shippingCents: store || subtotal >= 5000 ? 0 : 499,
      method,
      offsetMinutes: store ? cetOffset(t) : 0,
      moneyAsString: channel === 'marketplace',
      steps: this.timeline(t, method, store),
      next: 0,
      ...(options.label ? { createdLabel: options.label } : {}),
    };
    this.orderCreated(o, t);
    return o;
  }

  private timeline(t0: number, method: PaymentMethod, store: boolean): Order['steps'] {
    const r = this.rng;
    if (!store && r.chance(P_PAYMENT_FAILS)) {
      return [{ at: t0 + r.int(20 * MINUTE, 3 * MS_PER_HOUR), type: 'cancelled' }];
    }
    const paidAt =
      t0 +
      (method === 'bank_transfer'
        ? r.int(2 * MS_PER_HOUR, 30 * MS_PER_HOUR)
        : r.int(5 * SECOND, 90 * SECOND));
    const shippedAt = this.workingTime(paidAt + r.int(2 * MS_PER_HOUR, 20 * MS_PER_HOUR));
    if (r.chance(P_CUSTOMER_CANCELS)) {
      return [
        { at: paidAt, type: 'paid' },
        { at: paidAt + Math.round((shippedAt - paidAt) * r.between(0.1, 0.9)), type: 'cancelled' },
      ];
    }
    const deliveredAt = this.workingTime(shippedAt + r.int(20 * MS_PER_HOUR, 70 * MS_PER_HOUR));
    const steps: { at: number; type: OrderStepType }[] = [
      { at: paidAt, type: 'paid' },
      { at: shippedAt, type: 'shipped' },
      { at: deliveredAt, type: 'delivered' },
    ];
    if (r.chance(P_RETURNED)) {
      const returnedAt = this.workingTime(deliveredAt + r.int(2 * MS_PER_DAY, 20 * MS_PER_DAY));
      steps.push({ at: returnedAt, type: 'returned' });
      steps.push({
        at: this.workingTime(returnedAt + r.int(MS_PER_DAY, 4 * MS_PER_DAY)),
        type: 'return_received',
      });
    }
    return steps;
  }

  private orderEnvelope<T extends OrderEvent['event_type']>(o: Order, type: T, at: number) {
    return { ...this.envelope(type, at, o.offsetMinutes), order_id: o.id };
  }

  private totalCents(o: Order): number {
    return o.lines.reduce((s, l) => s + l.priceCents * l.quantity - l.discountCents, 0) + o.shippingCents;
  }

  private orderCreated(o: Order, t: number): void {
    const r = this.rng;
    const lines: OrderLine[] = o.lines.map((l) => ({
      line_number: l.lineNumber,
      sku: l.sku,
      product_id: l.productId,
      quantity: l.quantity,
      unit_price: money(l.priceCents, o.moneyAsString),
      ...(l.discountCents > 0 ? { discount: money(l.discountCents, o.moneyAsString) } : {}),
    }));
    const event: OrderEvent = {
      ...this.orderEnvelope(o, 'order.created', t),
      customer_id: o.customerIndex + 1,
      channel: o.channel,
      currency: 'EUR',
      campaign_id: o.campaignId,
      lines,
      shipping_amount: money(o.shippingCents, o.moneyAsString),
    };
    this.emit(event, t, o.steps[0]?.at, o.createdLabel);
    for (const l of o.lines) {
      const p = this.pair(l.skuIndex, o.warehouse);
      const at = t + r.int(200, 3000);
      this.open(p, at);
      p.reserved += l.quantity;
      this.movement('inventory.reserved', p, l.quantity, at, { order_id: o.id }, o.steps[0]?.at);
      this.checkReorder(p, at);
    }
    if (o.steps[0]?.type === 'cancelled') {
      this.log(t + r.int(20 * SECOND, 60 * SECOND), {
        log_level: r.chance(0.5) ? 'WARN' : 'ERROR',
        service: 'payments',
        message: `Payment declined for order ${o.id}`,
        customer_id: o.customerIndex + 1,
        error_code: 'PAYMENT_DECLINED',
      });
    }
    this.log(t + r.int(10, 400), {
      log_level: 'INFO',
      service: 'checkout',
      message: `Order ${o.id} placed with ${o.lines.length} line(s), total EUR ${(this.totalCents(o) / 100).toFixed(2)}`,
      customer_id: o.customerIndex + 1,
    });
    if (o.steps.length > 0) this.push({ t: o.steps[0].at, kind: 'order', order: o });
  }

  private orderStep(o: Order, t: number): void {
    const r = this.rng;
    const step = o.steps[o.next];
    const nextAt = o.steps[o.next + 1]?.at;
    switch (step.type) {
      case 'paid':
        this.emit(
          {
            ...this.orderEnvelope(o, 'order.paid', t),
            customer_id: o.customerIndex + 1,
            currency: 'EUR',
            payment: {
              method: o.method,
              amount: money(this.totalCents(o), o.moneyAsString),
              provider_reference: `${o.method.toUpperCase()}-${this.ids.base32(12)}`,
            },
          },
          t,
          nextAt,
        );
        break;
      case 'cancelled': {
        const paid = o.next > 0;
        this.emit(
          {
            ...this.orderEnvelope(o, 'order.cancelled', t),
            reason: paid
              ? r.pick(['customer request', 'ordered by mistake', 'found a better price'])
              : 'payment failed',
          },
          t,
        );
        for (const l of o.lines) {
          const p = this.pair(l.skuIndex, o.warehouse);
          p.reserved -= l.quantity;
          this.movement('inventory.released', p, l.quantity, t + r.int(SECOND, 30 * SECOND), {
            order_id: o.id,
          });
        }
        break;
      }
      case 'shipped': {
        for (const l of o.lines) {
          const p = this.pair(l.skuIndex, o.warehouse);
          p.reserved -= l.quantity;
          p.onHand -= l.quantity;
          this.movement('inventory.shipped', p, l.quantity, t, { order_id: o.id });
        }
        const at = t + r.int(30 * SECOND, 5 * MINUTE);
        this.emit(
          {
            ...this.orderEnvelope(o, 'order.shipped', at),
            shipment: {
              warehouse_id: this.shop.warehouses[o.warehouse].warehouse_id,
              carrier: r.pick(CARRIERS),
              tracking_number: `TRK${this.ids.base32(14)}`,
            },
          },
          at,
          nextAt,
        );
        break;
      }
      case 'delivered':
        this.emit(this.orderEnvelope(o, 'order.delivered', t), t, nextAt);
        break;
      case 'returned': {
        const returned = o.lines
          .filter((_, i) => i === 0 || r.chance(0.5))
          .map((l) => ({ line_number: l.lineNumber, quantity: r.int(1, l.quantity) }));
        o.returned = returned;
        this.emit(
          {
            ...this.orderEnvelope(o, 'order.returned', t),
            returned_lines: returned,
            reason: r.pick(['wrong size', 'damaged on arrival', 'not as described', 'changed my mind']),
          },
          t,
        );
        break;
      }
      case 'return_received':
        for (const rl of o.returned ?? []) {
          const l = o.lines[rl.line_number - 1];
          const p = this.pair(l.skuIndex, o.warehouse);
          p.onHand += rl.quantity;
          this.movement('inventory.received', p, rl.quantity, t, {
            order_id: o.id,
            reason: 'customer return',
          });
        }
        break;
    }
    o.next++;
    if (o.next < o.steps.length) this.push({ t: o.steps[o.next].at, kind: 'order', order: o });
  }

  private directOrder(t: number): void {
    const r = this.rng;
    const channel: Channel = r.chance(0.6) ? 'marketplace' : 'store';
    const customerIndex = this.shop.drawCustomer(r);
    const count = 1 + r.geometric(MEAN_LINES_PER_ORDER - 1);
    const cart: { skuIndex: number; quantity: number }[] = [];
    for (let i = 0; i < count; i++) {
      const skuIndex = this.shop.drawSku(r);
      if (!cart.some((c) => c.skuIndex === skuIndex))
        cart.push({ skuIndex, quantity: r.chance(0.85) ? 1 : 2 });
    }
    this.placeOrder(t, customerIndex, channel, undefined, cart);
  }

  // ---- the hot-SKU burst ------------------------------------------------------------------------

  /** One flash sale a day, between 10:00 and 20:00 UTC, on one of the ten best sellers. */
  private scheduleBurst(badShare: number): void {
    const r = this.badRng;
    const perDay = expectedItemsPerDay(this.v);
    const total = perDay.orders + perDay.inventory + perDay.clickstream;
    // The burst carries its 1/11 of the bad share; each burst order is one labelled order.created.
    const orders = Math.max(5, Math.round((total * badShare) / 11));
    for (let day = 0; day < this.shop.days; day++) {
      const skuIndex = this.shop.skuAtRank(r.int(0, 9));
      const at = this.shop.startMs + day * MS_PER_DAY + r.int(10 * MS_PER_HOUR, 20 * MS_PER_HOUR);
      this.push({ t: at, kind: 'burst', skuIndex, warehouse: 0, orders });
    }
  }

  /** A flash sale: one SKU, one warehouse, many orders within two minutes (a hot partition key). */
  private burst(skuIndex: number, warehouse: number, orders: number, t: number): void {
    const r = this.badRng;
    const p = this.pair(skuIndex, warehouse);
    this.open(p, t);
    const quantity = Math.ceil((orders * 2 + p.reorderPoint) / 6) * 6;
    p.onHand += quantity;
    this.movement('inventory.received', p, quantity, t, { reason: 'flash sale allocation' });
    const label: BadRecordInfo = { kind: 'hot_sku_burst', expect: EXPECTED_OUTCOME.hot_sku_burst };
    const times = Array.from({ length: orders }, () => t + r.int(10 * SECOND, 2 * MINUTE)).sort(
      (a, b) => a - b,
    );
    for (const at of times) {
      const customerIndex = this.shop.drawCustomer(r);
      this.placeOrder(at, customerIndex, 'web', undefined, [{ skuIndex, quantity: r.chance(0.8) ? 1 : 2 }], {
        warehouse,
        label,
      });
    }
  }

  // ---- reviews, catalogue, logs -----------------------------------------------------------------

  private review(t: number): void {
    const r = this.rng;
    const previous = this.recentReviews.length > 0 && r.chance(0.08) ? r.pick(this.recentReviews) : undefined;
    if (previous) {
      const rating = Math.max(1, Math.min(5, previous.rating + r.pick([-1, -0.5, 0.5, 1])));
      const updated: ReviewEvent = {
        ...this.envelope('review.updated', t),
        review_id: previous.review_id,
        product_id: previous.product_id,
        customer_id: previous.customer_id,
        rating,
        ...reviewContent(rating, r),
        review_date: previous.review_date,
        ...(previous.verified_purchase !== undefined
          ? { verified_purchase: previous.verified_purchase }
          : {}),
      };
      this.emit(updated, t);
      return;
    }
    const skuIndex = this.shop.drawSku(r);
    const productId = this.shop.productIdOf(skuIndex);
    const rating = reviewRating(r);
    const reviewId = this.idBase + ++this.reviewSeq;
    const env = this.envelope('review.submitted', t);
    const event: ReviewEvent = {
      ...env,
      review_id: reviewId,
      product_id: productId,
      customer_id: this.shop.drawCustomer(r) + 1,
      rating,
      ...reviewContent(rating, r),
      review_date: env.event_time,
      verified_purchase: r.chance(0.8),
      ...(r.chance(0.1)
        ? {
            review_media: [
              { media_type: 'image' as const, url: `https://img.example.com/reviews/${reviewId}/1.jpg` },
            ],
          }
        : {}),
    };
    this.emit(event, t);
    if (this.recentReviews.length < 200) this.recentReviews.push(event);
    else this.recentReviews[reviewId % 200] = event;
  }

  private metadataUpdate(t: number): void {
    const r = this.rng;
    const info = this.shop.skuInfo(this.shop.drawSku(r));
    const event: ProductMetadataEvent = {
      ...this.envelope('product.metadata_updated', t),
      product_id: info.productId,
      metadata: productMetadata(info.productId, info.category, r),
    };
    this.emit(event, t);
  }

  private backgroundLog(t: number): void {
    const r = this.rng;
    this.log(t, backgroundLog(r, this.shop.productIdOf(this.shop.drawSku(r)), this.shop.drawCustomer(r) + 1));
  }

  /** Stock of every SKU and warehouse touched so far (for tests and the demo's expectations). */
  stockSnapshot(): {
    sku: string;
    warehouseId: string;
    onHand: number;
    reserved: number;
    reorderPoint: number;
  }[] {
    return [...this.stock.values()]
      .filter((p) => p.opened)
      .map((p) => ({
        sku: this.shop.skuCode(p.skuIndex),
        warehouseId: this.shop.warehouses[p.warehouse].warehouse_id,
        onHand: p.onHand,
        reserved: p.reserved,
        reorderPoint: p.reorderPoint,
      }));
  }
}

/**
 * Streams the events of the simulated shop in the order they are sent, for `days` days from
 * `startDate`, at `scale` (1 = prod volumes), with `badShare` of bad records. Same options, same
 * output, byte for byte. Memory holds only what is in flight, never a whole day.
 *
 * @example
 * for (const item of generateEvents({ scale: 0.001, seed: 42, days: 1, badShare: 0.02 })) {
 *   send(item.stream, item.partitionKey, itemBytes(item));
 * }
 */
export function* generateEvents(options: GeneratorOptions): Generator<GeneratedItem> {
  yield* new Simulation(options).run();
}
