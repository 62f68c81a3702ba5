/**
 * Events for the end-to-end tests: valid events of every contract (each with a fresh event_id unless
 * one is given), a mixed workload across the three streams, and helpers to share one pair of emulators
 * between several twins and to snapshot every table.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  ApplicationLogEvent,
  ClickstreamEvent,
  InventoryMovement,
  OrderEvent,
  ProductMetadataEvent,
  ReviewEvent,
} from '../../contracts/generated/types';
import { TABLE_IDS, TableId } from '../../lib/tables/table-definitions';
import type { StreamId } from '../../lib/streams/stream-definitions';
import type { Emulators } from '../../twin/emulators';
import { LocalTwin, LocalTwinOptions, startLocalTwin } from '../../twin/local-twin';

let counter = 0;
let twinCounter = 0;

/** A fresh event id (8 to 64 safe characters, as the contract wants). */
export function newEventId(prefix = 'evt'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${String(counter).padStart(6, '0')}`;
}

/** A fresh order id. */
export function newOrderId(): string {
  counter += 1;
  return `ORD-${String(counter).padStart(8, '0')}`;
}

/** A fresh SKU. */
export function newSku(): string {
  counter += 1;
  return `SKU-${String(counter).padStart(8, '0')}`;
}

/** An order.created with two lines (EUR, total 129.30 = 2 x 59.90 - 5 + 12.50 + 2.00 shipping). */
export function orderCreated(orderId: string, overrides: Record<string, unknown> = {}): OrderEvent {
  return {
    event_id: newEventId('ord'),
    event_type: 'order.created',
    event_time: '2024-09-18T12:20:00Z',
    schema_version: 1,
    order_id: orderId,
    customer_id: 12345,
    channel: 'web',
    currency: 'EUR',
    lines: [
      {
        line_number: 1,
        sku: 'SKU-00000987-BLK',
        product_id: 987,
        quantity: 2,
        unit_price: '59.90',
        discount: 5,
      },
      { line_number: 2, sku: 'SKU-00000123', product_id: 123, quantity: 1, unit_price: 12.5 },
    ],
    shipping_amount: 2,
    ...overrides,
  } as OrderEvent;
}

/** A later order event with what its type requires. */
export function orderEvent(
  type: Exclude<OrderEvent['event_type'], 'order.created'>,
  orderId: string,
  eventTime: string,
  overrides: Record<string, unknown> = {},
): OrderEvent {
  const extra: Record<string, unknown> =
    type === 'order.paid'
      ? { payment: { method: 'card', amount: '124.30' } }
      : type === 'order.shipped'
        ? { shipment: { warehouse_id: 'WH-BER-1', carrier: 'DHL' } }
        : type === 'order.returned'
          ? { returned_lines: [{ line_number: 1, quantity: 1 }], reason: 'too small' }
          : type === 'order.cancelled'
            ? { reason: 'customer request' }
            : {};
  return {
    event_id: newEventId('ord'),
    event_type: type,
    event_time: eventTime,
    schema_version: 1,
    order_id: orderId,
    ...extra,
    ...overrides,
  } as OrderEvent;
}

/** An inventory movement. */
export function movement(
  type: InventoryMovement['event_type'],
  sku: string,
  quantity: number,
  overrides: Record<string, unknown> = {},
): InventoryMovement {
  return {
    event_id: newEventId('inv'),
    event_type: type,
    event_time: '2024-09-18T06:00:00Z',
    schema_version: 1,
    sku,
    warehouse_id: 'WH-BER-1',
    quantity,
    ...(type === 'inventory.adjusted' ? { direction: 'decrease', reason: 'cycle count' } : {}),
    ...overrides,
  } as InventoryMovement;
}

/** A clickstream interaction. */
export function interaction(sessionId: string, overrides: Record<string, unknown> = {}): ClickstreamEvent {
  return {
    event_id: newEventId('clk'),
    event_type: 'clickstream.interaction',
    event_time: '2024-09-18T14:15:00Z',
    schema_version: 1,
    customer_id: 12345,
    interaction_type: 'browse',
    timestamp: '2024-09-18T14:15:00Z',
    page: 'Product Page',
    product_id: 987,
    interaction_details: { action: 'click', clicked_element: 'Add to Cart', session_id: sessionId },
    ...overrides,
  } as ClickstreamEvent;
}

/** A review.submitted. */
export function review(reviewId: number, overrides: Record<string, unknown> = {}): ReviewEvent {
  return {
    event_id: newEventId('rev'),
    event_type: 'review.submitted',
    event_time: '2024-09-15T12:00:00Z',
    schema_version: 1,
    review_id: reviewId,
    product_id: 987,
    customer_id: 12345,
    rating: 4.5,
    review_text: 'Great product!',
    review_date: '2024-09-15T12:00:00Z',
    ...overrides,
  } as ReviewEvent;
}

/** A product.metadata_updated. */
export function productMetadata(
  productId: number,
  overrides: Record<string, unknown> = {},
): ProductMetadataEvent {
  return {
    event_id: newEventId('pmd'),
    event_type: 'product.metadata_updated',
    event_time: '2024-09-18T10:00:00Z',
    schema_version: 1,
    product_id: productId,
    metadata: {
      specifications: { battery_life: '10 hours', water_resistant: 'Yes' },
      tags: ['wireless', 'bluetooth'],
    },
    ...overrides,
  } as ProductMetadataEvent;
}

/** An app.log. */
export function appLog(logId: number, overrides: Record<string, unknown> = {}): ApplicationLogEvent {
  return {
    event_id: newEventId('log'),
    event_type: 'app.log',
    event_time: '2024-09-18T12:45:00Z',
    schema_version: 1,
    log_id: logId,
    log_level: 'ERROR',
    message: 'Failed to load product details',
    timestamp: '2024-09-18T12:45:00Z',
    product_id: 987,
    error_code: '500',
    ...overrides,
  } as ApplicationLogEvent;
}

/** Events per stream. */
export type Workload = Record<StreamId, object[]>;

/**
 * A small mixed workload touching every table and every kind of write: an order's life out of order,
 * product metadata, stock movements of two SKUs (one below its reorder point), a session's
 * interactions out of order, a review and a log.
 */
export function mixedWorkload(): Workload {
  const order = newOrderId();
  const skuA = newSku();
  const skuB = newSku();
  const session = `sess-${newEventId('s')}`;
  return {
    orders: [
      orderEvent('order.paid', order, '2024-09-18T12:25:00Z'),
      orderCreated(order),
      orderEvent('order.shipped', order, '2024-09-18T15:00:00Z'),
      productMetadata(4242),
    ],
    inventory: [
      movement('inventory.received', skuA, 100, { reorder_point: 20 }),
      movement('inventory.reserved', skuA, 30, { order_id: order }),
      movement('inventory.shipped', skuA, 25, { order_id: order }),
      movement('inventory.received', skuB, 10, { reorder_point: 15 }),
      movement('inventory.adjusted', skuB, 4),
    ],
    clickstream: [
      interaction(session, { timestamp: '2024-09-18T14:20:00Z', event_time: '2024-09-18T14:20:00Z' }),
      interaction(session, { timestamp: '2024-09-18T14:10:00Z', event_time: '2024-09-18T14:10:00Z' }),
      interaction(session, {
        interaction_type: 'add_to_cart',
        timestamp: '2024-09-18T14:25:00Z',
        event_time: '2024-09-18T14:25:00Z',
      }),
      review(777001),
      appLog(880001),
    ],
  };
}

/** Puts a workload on the twin's streams. */
export async function putWorkload(twin: LocalTwin, workload: Workload): Promise<void> {
  for (const [stream, events] of Object.entries(workload) as [StreamId, object[]][]) {
    if (events.length > 0) await twin.putEvents(stream, events);
  }
}

/** Every table's items, sorted by their JSON text, so two snapshots compare with toEqual. */
export async function snapshotTables(twin: LocalTwin): Promise<Record<TableId, unknown[]>> {
  const out = {} as Record<TableId, unknown[]>;
  for (const id of TABLE_IDS) {
    const items = await twin.scanTable(id);
    out[id] = items
      .map((i) => normalizeItem(i))
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return out;
}

/** An item with its sets as sorted arrays (string sets come back as Set objects in any order). */
function normalizeItem(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(normalizeItem).sort();
  if (Array.isArray(value)) return value.map(normalizeItem);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, normalizeItem((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** A temporary root folder for a twin. */
export async function tempRoot(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `twin-${label}-`));
}

/** Starts a twin on shared emulators, with its own prefix and temporary root. */
export async function twinOn(
  emulators: Emulators,
  options: Omit<LocalTwinOptions, 'emulators'> = {},
): Promise<LocalTwin> {
  twinCounter += 1;
  return startLocalTwin({
    emulators,
    prefix: `t${twinCounter}`,
    root: await tempRoot(`t${twinCounter}`),
    ...options,
  });
}

/** A fixed clock, so that two runs write the same timestamps. */
export const FIXED_CLOCK = (): Date => new Date('2024-09-19T00:00:00.000Z');
