/**
 * The demo's real-time step: the local warehouse ingests the orders and inventory streams while the
 * generator streams (twin/warehouse/stream-ingestion.ts standing in for Redshift streaming
 * ingestion), and a live panel refreshes what the monitoring views (sql/views/realtime.*) say:
 * orders and revenue per minute, stuck orders, low-stock SKUs and the lag of each stream. After the
 * stream, the final state is printed, and checked against the live DynamoDB tables the transformers
 * keep (the operations team and the analysts must see the same truth).
 */
import { MultiBar } from 'cli-progress';
import { MIGRATIONS, VIEWS } from '../sql/registry';
import { Progress, formatCount, formatTable } from '../generator/terminal';
import type { LocalTwin } from '../twin/local-twin';
import { LocalWarehouse, Row } from '../twin/warehouse/local-warehouse';
import { StreamIngestion } from '../twin/warehouse/stream-ingestion';

/** What the monitoring views say at one moment. */
export interface RealtimeSnapshot {
  /** Orders and EUR revenue of the last complete minute, and the average of the last 60. */
  readonly lastMinute: { readonly orders: number; readonly revenue: number };
  readonly lastHour: { readonly orders: number; readonly revenue: number };
  /** The newest minutes with orders (newest first), for the final table. */
  readonly recentMinutes: readonly { minute: string; orders: number; revenue: number; lastWeek: number }[];
  readonly stuckOrders: number;
  readonly lowStock: { readonly total: number; readonly outOfStock: number };
  readonly deepestLowStock: readonly Row[];
  readonly lag: Readonly<Record<string, { seconds: number | null; events: number; unparsed: number }>>;
}

/** The result of the step, as the demo's summary records it. */
export interface RealtimeStepResult {
  readonly recordsIngested: Readonly<Record<string, number>>;
  readonly refreshes: number;
  readonly final: RealtimeSnapshot;
  /** Differences between the monitoring views and the live tables (empty: the same truth). */
  readonly problems: readonly string[];
}

const num = (v: unknown): number => Number(v ?? 0);

/** Reads the monitoring views. */
export async function realtimeSnapshot(wh: LocalWarehouse): Promise<RealtimeSnapshot> {
  const minutes = await wh.query(
    'SELECT minute_start, is_current_minute, orders, revenue, orders_last_week FROM realtime.orders_per_minute ORDER BY minute_start DESC',
  );
  const complete = minutes.filter((m) => m.is_current_minute !== true);
  const hour = complete.slice(0, 60);
  const [stuck] = await wh.query('SELECT COUNT(*) AS n FROM realtime.stuck_orders');
  const [low] = await wh.query(
    "SELECT COUNT(*) AS n, SUM(CASE WHEN stock_state = 'out_of_stock' THEN 1 ELSE 0 END) AS out FROM realtime.low_stock",
  );
  const deepest = await wh.query(
    'SELECT sku, warehouse_id, available, reorder_point, stock_state FROM realtime.low_stock ORDER BY units_to_reorder_point DESC, sku, warehouse_id LIMIT 5',
  );
  const lag = await wh.query('SELECT stream, lag_seconds, events, unparsed_records FROM realtime.stream_lag');
  return {
    lastMinute: { orders: num(complete[0]?.orders), revenue: num(complete[0]?.revenue) },
    lastHour: {
      orders: hour.reduce((n, m) => n + num(m.orders), 0),
      revenue: hour.reduce((n, m) => n + num(m.revenue), 0),
    },
    recentMinutes: complete
      .filter((m) => num(m.orders) > 0)
      .slice(0, 5)
      .map((m) => ({
        minute: String(m.minute_start).slice(11, 16),
        orders: num(m.orders),
        revenue: num(m.revenue),
        lastWeek: num(m.orders_last_week),
      })),
    stuckOrders: num(stuck?.n),
    lowStock: { total: num(low?.n), outOfStock: num(low?.out) },
    deepestLowStock: deepest,
    lag: Object.fromEntries(
      lag.map((r) => [
        String(r.stream),
        {
          seconds: r.lag_seconds === null ? null : num(r.lag_seconds),
          events: num(r.events),
          unparsed: num(r.unparsed_records),
        },
      ]),
    ),
  };
}

function duration(seconds: number | null): string {
  if (seconds === null) return 'no events';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const euro = (n: number): string => `€${n.toLocaleString('en-US', { maximumFractionDigits: 0 })}`;

/** The panel's lines for one snapshot. */
export function panelLines(s: RealtimeSnapshot): string[] {
  return [
    `  live  orders/min ${formatCount(s.lastMinute.orders)} (${euro(s.lastMinute.revenue)})   last hour ${formatCount(s.lastHour.orders)} orders, ${euro(s.lastHour.revenue)}`,
    `        stuck orders ${formatCount(s.stuckOrders)}   low stock ${formatCount(s.lowStock.total)} (out of stock ${formatCount(s.lowStock.outOfStock)})`,
    `        lag ${Object.entries(s.lag)
      .map(([stream, l]) => `${stream} ${duration(l.seconds)}`)
      .join(', ')}   unparsed ${Object.values(s.lag).reduce((n, l) => n + l.unparsed, 0)}`,
  ];
}

/** A few lines redrawn in place on a terminal; every few seconds a plain copy otherwise (CI logs). */
export class LivePanel {
  private readonly bars: ReturnType<MultiBar['create']>[] = [];
  private readonly multi: MultiBar | undefined;
  private lastPlain = 0;

  constructor(
    lines: number,
    private readonly interactive = Boolean(process.stdout.isTTY) && !process.env.CI,
    private readonly plainIntervalMs = 5000,
  ) {
    if (this.interactive) {
      this.multi = new MultiBar(
        { format: '{line}', hideCursor: true, clearOnComplete: false, stream: process.stdout, fps: 5 },
        undefined,
      );
      for (let i = 0; i < lines; i += 1) this.bars.push(this.multi.create(1, 0, { line: '' }));
    }
  }

  show(lines: readonly string[]): void {
    if (this.multi) {
      lines.forEach((line, i) => this.bars[i]?.update(0, { line }));
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain >= this.plainIntervalMs) {
      this.lastPlain = now;
      console.log(lines.join('\n'));
    }
  }

  stop(): void {
    this.multi?.stop();
  }
}

/** The real-time step while the demo streams: start it before streaming, call `finish` after. */
export class RealtimeStep {
  private refreshes = 0;
  private ingest = { done: 0, total: 0, label: 'ingest' };
  private lines: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  private constructor(
    readonly warehouse: LocalWarehouse,
    private readonly ingestion: StreamIngestion,
    private readonly panel: LivePanel,
  ) {}

  /** Opens the warehouse at `databasePath`, applies the migrations and starts ingesting the streams. */
  static async start(twin: LocalTwin, databasePath: string): Promise<RealtimeStep> {
    const wh = await LocalWarehouse.open(databasePath);
    const migrated = await wh.migrate(MIGRATIONS, VIEWS, {
      streamingRoleArn: 'arn:aws:iam::000000000000:role/twin-streaming-ingestion',
      ordersStream: twin.streams.orders,
      inventoryStream: twin.streams.inventory,
    });
    console.log(
      `  warehouse: ${migrated.applied.length} migrations, ${migrated.views.length} views; streaming ingestion of ${twin.streams.orders} and ${twin.streams.inventory} started`,
    );
    const ingestion = new StreamIngestion(twin.kinesis, wh, {
      orders: twin.streams.orders,
      inventory: twin.streams.inventory,
    });
    ingestion.start(200);
    return new RealtimeStep(wh, ingestion, new LivePanel(4));
  }

  /**
   * A progress display for the streaming that shares the panel (two displays redrawing the same
   * terminal would garble each other).
   */
  progress(label: string, total: number): Progress {
    this.ingest = { done: 0, total, label };
    return {
      update: (value: number) => {
        this.ingest.done = value;
        this.redraw();
      },
      stop: () => this.redraw(),
    };
  }

  private redraw(): void {
    const { done, total, label } = this.ingest;
    const pct = total > 0 ? Math.min(100, Math.round((100 * done) / total)) : 0;
    this.panel.show([
      `  ${label} ${formatCount(done)} / ~${formatCount(total)} records (${pct}%)`,
      ...this.lines,
    ]);
  }

  /** Refreshes the panel every `intervalMs` from the monitoring views. */
  startPanel(intervalMs = 1000): void {
    const tick = (): void => {
      this.refreshing = realtimeSnapshot(this.warehouse)
        .then((s) => {
          this.refreshes += 1;
          this.lines = panelLines(s);
          this.redraw();
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  /** Stops the panel and the ingestion (after a last pass), prints the final state and checks it. */
  async finish(twin: LocalTwin, lambdaOnlyRejects: readonly string[] = []): Promise<RealtimeStepResult> {
    const timer = this.timer;
    this.timer = undefined;
    if (timer) clearTimeout(timer);
    await this.refreshing?.catch(() => undefined);
    await this.ingestion.stop();
    await this.ingestion.poll();
    const final = await realtimeSnapshot(this.warehouse);
    this.lines = panelLines(final);
    this.redraw();
    this.panel.stop();
    const problems = await sameTruth(this.warehouse, twin, lambdaOnlyRejects);
    return {
      recordsIngested: this.ingestion.stats().records,
      refreshes: this.refreshes,
      final,
      problems,
    };
  }
}

/**
 * The monitoring views against the live tables: order statuses and stock per SKU and warehouse.
 * `excluded` lists orders and stock items (`sku|warehouse_id`) that a record only the Lambda path
 * rejects touches (the twin's not-base64 delivery fault); they are left out of the comparison.
 */
export async function sameTruth(
  wh: LocalWarehouse,
  twin: LocalTwin,
  excluded: readonly string[] = [],
): Promise<string[]> {
  const problems: string[] = [];
  const skip = new Set(excluded);
  const [orders, stock] = await Promise.all([twin.scanTable('orders'), twin.scanTable('stock')]);
  const compare = (what: string, live: Map<string, string>, view: Map<string, string>): void => {
    const keys = [...new Set([...live.keys(), ...view.keys()])].filter((k) => !skip.has(k));
    const differ = keys.filter((k) => live.get(k) !== view.get(k));
    if (differ.length > 0)
      problems.push(
        `${what}: ${differ.length} of ${keys.length} differ from the live table (first: ${differ[0]} live ${live.get(differ[0]) ?? 'missing'}, view ${view.get(differ[0]) ?? 'missing'})`,
      );
  };
  compare(
    'realtime.order_status',
    new Map(orders.map((o) => [String(o.order_id), String(o.status)])),
    new Map(
      (await wh.query('SELECT order_id, status FROM realtime.order_status')).map((r) => [
        String(r.order_id),
        String(r.status),
      ]),
    ),
  );
  compare(
    'realtime.stock_levels',
    new Map(
      stock.map((s) => [
        `${String(s.sku)}|${String(s.warehouse_id)}`,
        `${num(s.on_hand)}/${num(s.reserved)}/${num(s.reorder_point)}`,
      ]),
    ),
    new Map(
      (
        await wh.query(
          'SELECT sku, warehouse_id, on_hand, reserved, reorder_point FROM realtime.stock_levels',
        )
      ).map((r) => [
        `${String(r.sku)}|${String(r.warehouse_id)}`,
        `${num(r.on_hand)}/${num(r.reserved)}/${num(r.reorder_point)}`,
      ]),
    ),
  );
  return problems;
}

/** Prints the final state of the monitoring views. */
export function printRealtimeStep(r: RealtimeStepResult): void {
  const f = r.final;
  console.log(
    `\nReal time (sql/views/realtime.*, read from the streams by the local warehouse; ${formatCount(
      Object.values(r.recordsIngested).reduce((n, x) => n + x, 0),
    )} records ingested, ${r.refreshes} live refreshes):`,
  );
  console.log(
    `  last hour: ${formatCount(f.lastHour.orders)} orders, ${euro(f.lastHour.revenue)}; stuck orders ${formatCount(f.stuckOrders)}; low stock ${formatCount(f.lowStock.total)} positions (${formatCount(f.lowStock.outOfStock)} out of stock)`,
  );
  if (f.recentMinutes.length > 0) {
    console.log('  newest minutes with orders (realtime.orders_per_minute):');
    console.log(
      formatTable(
        ['minute (UTC)', 'orders', 'revenue', 'same minute last week'],
        f.recentMinutes.map((m) => [m.minute, m.orders, euro(m.revenue), m.lastWeek]),
        [],
        4,
      ),
    );
  }
  if (f.deepestLowStock.length > 0) {
    console.log('  deepest below their reorder point (realtime.low_stock):');
    console.log(
      formatTable(
        ['sku', 'warehouse', 'available', 'reorder point', 'state'],
        f.deepestLowStock.map((s) => [
          String(s.sku),
          String(s.warehouse_id),
          num(s.available),
          num(s.reorder_point),
          String(s.stock_state),
        ]),
        [],
        4,
      ),
    );
  }
  console.log(
    `  lag (realtime.stream_lag): ${Object.entries(f.lag)
      .map(
        ([s, l]) => `${s} ${duration(l.seconds)} (${formatCount(l.events)} events, ${l.unparsed} unparsed)`,
      )
      .join('; ')}`,
  );
  console.log(
    r.problems.length === 0
      ? '  same truth: the monitoring views agree with the live DynamoDB tables (order statuses; stock on hand, reserved and reorder points) ✓'
      : `  same truth: ✗ ${r.problems.join('; ')}`,
  );
}
