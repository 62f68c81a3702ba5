/**
 * Bad records: how each kind is made from a good event. Every bad copy gets a fresh event_id (so it
 * is never mistaken for a duplicate), except the exact duplicate, which repeats event_id and body.
 * Late events and the hot-SKU burst are scheduled by the simulation; they are valid events.
 */
import { SUPPORTED_SCHEMA_VERSION } from '../contracts/registry';
import {
  BAD_RECORD_KINDS,
  BadRecordKind,
  EXPECTED_OUTCOME,
  GeneratedItem,
  ItemPayload,
  PlatformEvent,
  partitionKeyOf,
  streamOf,
} from './items';
import { Rng } from './random';

/** Kinds injected next to a good event (the burst is scheduled once, on its own). */
export const INJECTED_KINDS: readonly BadRecordKind[] = BAD_RECORD_KINDS.filter((k) => k !== 'hot_sku_burst');

/** Event types that may be sent late (the simulation delays them past the next change of the same key). */
export const LATE_ELIGIBLE = new Set<string>([
  'order.paid',
  'order.shipped',
  'order.delivered',
  'clickstream.interaction',
  'app.log',
  'review.submitted',
  'review.updated',
  'product.metadata_updated',
  'inventory.reserved',
  'inventory.shipped',
]);

/** Size of an oversized record, above the 256 KiB transformer limit and below Kinesis's 1 MiB. */
const OVERSIZED_MIN_BYTES = 270 * 1024;

const UNKNOWN_TYPES: Readonly<Record<string, string>> = {
  orders: 'order.teleported',
  inventory: 'inventory.vanished',
  clickstream: 'clickstream.telepathy',
};

type Json = Record<string, unknown>;

function clone(event: PlatformEvent): Json {
  return JSON.parse(JSON.stringify(event)) as Json;
}

/** A field of the event's contract whose type can be broken, with the wrong-typed value. */
function breakType(e: Json, rng: Rng): void {
  switch (e.event_type) {
    case 'order.created':
      if (rng.chance(0.5)) e.customer_id = `C-${String(e.customer_id)}`;
      else (e.lines as Json[])[0].quantity = String((e.lines as Json[])[0].quantity);
      return;
    case 'inventory.received':
    case 'inventory.reserved':
    case 'inventory.released':
    case 'inventory.shipped':
    case 'inventory.adjusted':
      e.quantity = rng.chance(0.5) ? String(e.quantity) : `${String(e.quantity)} units`;
      return;
    case 'clickstream.interaction':
      e.customer_id = String(e.customer_id);
      return;
    case 'review.submitted':
    case 'review.updated':
      e.rating = rng.pick(['five', 'excellent', '4 stars']);
      return;
    case 'product.metadata_updated':
      e.product_id = String(e.product_id);
      return;
    case 'app.log':
      e.log_id = String(e.log_id);
      return;
    default:
      // order.paid/shipped/delivered/cancelled/returned: the order id as a number.
      e.order_id = Number.parseInt(String(e.order_id).replace(/\D/g, '').slice(0, 12) || '1', 10);
  }
}

/** Removes a required field (never event_type, whose absence is a different rejection). */
function dropRequired(e: Json, rng: Rng): void {
  const t = String(e.event_type);
  const candidates = t.startsWith('order.')
    ? ['order_id', 'event_id', 'event_time']
    : t.startsWith('inventory.')
      ? ['sku', 'warehouse_id', 'quantity', 'event_time']
      : t === 'clickstream.interaction'
        ? ['interaction_details', 'customer_id', 'page', 'timestamp']
        : t.startsWith('review.')
          ? ['product_id', 'rating', 'customer_id']
          : t === 'product.metadata_updated'
            ? ['metadata', 'product_id']
            : ['message', 'log_level', 'timestamp'];
  if (t === 'order.created' && rng.chance(0.5)) {
    delete e.lines;
    return;
  }
  delete e[rng.pick(candidates)];
}

/** Makes a quantity, price or id negative. */
function negate(e: Json, rng: Rng): void {
  const t = String(e.event_type);
  if (t === 'order.created') {
    const line = (e.lines as Json[])[0];
    if (rng.chance(0.5)) line.quantity = -Number(line.quantity);
    else line.unit_price = -Math.abs(Number(line.unit_price));
  } else if (t === 'order.paid') {
    (e.payment as Json).amount = -Math.abs(Number((e.payment as Json).amount));
  } else if (t.startsWith('order.')) {
    e.shipping_amount = -4.99;
  } else if (t.startsWith('inventory.')) {
    e.quantity = -Number(e.quantity);
  } else if (t.startsWith('review.')) {
    e.rating = -Number(e.rating);
  } else if (t === 'app.log') {
    e.log_id = -Number(e.log_id);
  } else if (t === 'product.metadata_updated') {
    e.product_id = -Number(e.product_id);
  } else {
    e.customer_id = -Number(e.customer_id);
  }
}

const STACK_LINE = '    at CheckoutService.placeOrder (/app/services/checkout/place-order.js:118:23)\n';

/** Pads a string field that the event already has until the record exceeds the size limit. */
function inflate(e: Json, rng: Rng): void {
  const target = OVERSIZED_MIN_BYTES + rng.int(0, 120 * 1024);
  const padding = STACK_LINE.repeat(Math.ceil(target / STACK_LINE.length));
  const t = String(e.event_type);
  if (t === 'app.log') e.message = `Unhandled exception in checkout\n${padding}`;
  else if (t === 'clickstream.interaction')
    (e.interaction_details as Json).referrer = `https://ads.example.com/?q=${padding}`;
  else if (t.startsWith('review.')) e.review_text = padding;
  else if (t === 'product.metadata_updated') {
    ((e.metadata as Json).specifications as Json).long_description = padding;
  } else e.reason = padding;
}

/**
 * Builds a bad record of `kind` from a good event. Returns undefined for kinds the simulation
 * schedules itself (late, hot_sku_burst).
 *
 * @param kind - the kind of bad record.
 * @param event - the good event it is derived from (not modified).
 * @param freshEventId - an unused event id for the copy.
 * @param sentAt - when it is sent.
 * @param rng - the bad-record random stream.
 */
export function makeBadRecord(
  kind: BadRecordKind,
  event: PlatformEvent,
  freshEventId: string,
  sentAt: number,
  rng: Rng,
): GeneratedItem | undefined {
  const stream = streamOf(event);
  const partitionKey = partitionKeyOf(event);
  const bad = { kind, expect: EXPECTED_OUTCOME[kind] };
  const item = (payload: ItemPayload): GeneratedItem => ({ stream, partitionKey, sentAt, payload, bad });
  if (kind === 'duplicate') return item({ kind: 'event', event });
  if (kind === 'late' || kind === 'hot_sku_burst') return undefined;
  const e = clone(event);
  e.event_id = freshEventId;
  switch (kind) {
    case 'malformed_json': {
      const text = JSON.stringify(e);
      // Either cut short (a producer that died mid-write) or the seed document's trailing comma.
      return item({
        kind: 'text',
        text: rng.chance(0.5)
          ? text.slice(0, Math.max(1, Math.floor(text.length * rng.between(0.2, 0.9))))
          : `${text.slice(0, -1)},}`,
      });
    }
    case 'not_base64':
      return item({ kind: 'raw', bytes: Buffer.from(JSON.stringify(e), 'utf8') });
    case 'wrong_type':
      breakType(e, rng);
      return item({ kind: 'json', value: e });
    case 'missing_key':
      dropRequired(e, rng);
      return item({ kind: 'json', value: e });
    case 'unknown_event_type':
      e.event_type = UNKNOWN_TYPES[stream];
      return item({ kind: 'json', value: e });
    case 'future_schema_version':
      e.schema_version = SUPPORTED_SCHEMA_VERSION + 1;
      return item({ kind: 'json', value: e });
    case 'oversized':
      inflate(e, rng);
      return item({ kind: 'text', text: JSON.stringify(e) });
    case 'negative_value':
      negate(e, rng);
      return item({ kind: 'json', value: e });
  }
}
