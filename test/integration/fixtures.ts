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
import * as base from '../fixtures/events';
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
  return base.orderCreated({
    event_id: newEventId('ord'),
    event_time: '2024-09-18T12:20:00Z',
    order_id: orderId,
    campaign_id: undefined,
    shipping_amount: 2,
    ...overrides,
  });
}

/** A later order event with what its type requires. */
export function orderEvent(
  type: Exclude<OrderEvent['event_type'], 'order.created'>,
  orderId: string,
  eventTime: string,
  overrides: Record<string, unknown> = {},
): OrderEvent {
  return base.orderEvent(type, eventTime, { event_id: newEventId('ord'), order_id: orderId, ...overrides });
}

/** An inventory movement. */
export function movement(
  type: InventoryMovement['event_type'],
  sku: string,
  quantity: number,
  overrides: Record<string, unknown> = {},
): InventoryMovement {
  return base.movement(type, quantity, { event_id: newEventId('inv'), sku, ...overrides });
}

/** A clickstream interaction. */
export function interaction(sessionId: string, overrides: Record<string, unknown> = {}): ClickstreamEvent {
  const details = { ...base.interaction().interaction_details, session_id: sessionId };
  return base.interaction({ event_id: newEventId('clk'), interaction_details: details, ...overrides });
}

/** A review.submitted. */
export function review(reviewId: number, overrides: Record<string, unknown> = {}): ReviewEvent {
  return base.review({
    event_id: newEventId('rev'),
    review_id: reviewId,
    review_text: 'Great product!',
    review_media: undefined,
    ...overrides,
  });
}

/** A product.metadata_updated. */
export function productMetadata(
  productId: number,
  overrides: Record<string, unknown> = {},
): ProductMetadataEvent {
  return base.productMetadata({
    event_id: newEventId('pmd'),
    product_id: productId,
    metadata: {
      specifications: { battery_life: '10 hours', water_resistant: 'Yes' },
      tags: ['wireless', 'bluetooth'],
    },
    ...overrides,
  });
}

/** An app.log. */
export function appLog(logId: number, overrides: Record<string, unknown> = {}): ApplicationLogEvent {
  return base.appLog({ event_id: newEventId('log'), log_id: logId, ...overrides });
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
