/**
 * What the generator produces: items that each say which stream they go to, their partition key (by
 * the rules of lib/streams/stream-definitions.ts), their payload and, for a bad record, what the
 * platform is expected to do with it. Plus the encoders that turn an item into what a producer
 * sends (bytes for PutRecords) or what Lambda receives (a Kinesis record with base64 data).
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type {
  ApplicationLogEvent,
  ClickstreamEvent,
  InventoryMovement,
  OrderEvent,
  ProductMetadataEvent,
  ReviewEvent,
} from '../contracts/generated/types';
import type { StreamId } from '../lib/streams/stream-definitions';
import type { RejectionCode } from '../lambdas/shared/rejection';

/** Any event of the platform's event contracts. */
export type PlatformEvent =
  | OrderEvent
  | InventoryMovement
  | ClickstreamEvent
  | ReviewEvent
  | ProductMetadataEvent
  | ApplicationLogEvent;

/**
 * The payload of an item:
 * - `event`: a valid event (good, or a duplicate, late or burst record), sent as its JSON;
 * - `json`: a parsable JSON object that breaks its contract, sent as its JSON;
 * - `text`: text sent as-is in UTF-8 (malformed JSON, oversized payloads);
 * - `raw`: bytes that belong in the Kinesis record's `data` field as they are, not base64-encoded
 *   (the JSON of an event, as a producer or test that skipped the encoding would place it). Only
 *   meaningful where the caller builds Lambda records itself ({@link toKinesisRecord}, or the twin's
 *   `interceptRecord` seam): sent through PutRecords, the SDK would encode them and they would
 *   arrive as the valid event they contain.
 */
export type ItemPayload =
  | { readonly kind: 'event'; readonly event: PlatformEvent }
  | { readonly kind: 'json'; readonly value: Record<string, unknown> }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

/** The kinds of bad record the generator can inject (option `badShare`). */
export const BAD_RECORD_KINDS = [
  'malformed_json',
  'not_base64',
  'wrong_type',
  'missing_key',
  'unknown_event_type',
  'future_schema_version',
  'oversized',
  'negative_value',
  'late',
  'duplicate',
  'hot_sku_burst',
] as const;

export type BadRecordKind = (typeof BAD_RECORD_KINDS)[number];

/**
 * What the platform must do with a bad record:
 * - `rejected`: dead-lettered with `reason` (a transformer rejection code);
 * - `no_change`: accepted and acknowledged, but changes nothing (an exact duplicate of an event
 *   already applied: same event_id and body);
 * - `processed`: applied normally (a late event, which must not overwrite newer state; a record of
 *   the hot-SKU burst, which stresses one partition key).
 */
export type ExpectedOutcome =
  | { readonly outcome: 'rejected'; readonly reason: RejectionCode }
  | { readonly outcome: 'no_change' }
  | { readonly outcome: 'processed' };

/** The label of a bad record. */
export interface BadRecordInfo {
  readonly kind: BadRecordKind;
  readonly expect: ExpectedOutcome;
}

/** The outcome the platform must reach for each kind of bad record. */
export const EXPECTED_OUTCOME: Readonly<Record<BadRecordKind, ExpectedOutcome>> = {
  malformed_json: { outcome: 'rejected', reason: 'MALFORMED_JSON' },
  not_base64: { outcome: 'rejected', reason: 'NOT_BASE64' },
  wrong_type: { outcome: 'rejected', reason: 'CONTRACT_VIOLATION' },
  missing_key: { outcome: 'rejected', reason: 'CONTRACT_VIOLATION' },
  unknown_event_type: { outcome: 'rejected', reason: 'UNKNOWN_EVENT_TYPE' },
  future_schema_version: { outcome: 'rejected', reason: 'UNSUPPORTED_SCHEMA_VERSION' },
  oversized: { outcome: 'rejected', reason: 'OVERSIZED' },
  negative_value: { outcome: 'rejected', reason: 'CONTRACT_VIOLATION' },
  late: { outcome: 'processed' },
  duplicate: { outcome: 'no_change' },
  hot_sku_burst: { outcome: 'processed' },
};

/** One record for a stream, in the order a producer sends it. */
export interface GeneratedItem {
  readonly stream: StreamId;
  /** The Kinesis partition key, by the stream's rule (order_id, sku#warehouse_id, session_id, ...). */
  readonly partitionKey: string;
  /**
   * When the producer sends it, epoch ms. Items come in this order. It equals the event time except
   * for late events and duplicates, which are sent after it.
   */
  readonly sentAt: number;
  readonly payload: ItemPayload;
  /** Present on bad records only. */
  readonly bad?: BadRecordInfo;
}

/**
 * The partition key of a valid event on its stream, by the rules in lib/streams/stream-definitions.ts:
 * orders: order_id (product_id for product.metadata_updated); inventory: sku#warehouse_id;
 * clickstream: interaction_details.session_id (product_id for reviews, log_id for logs).
 */
export function partitionKeyOf(event: PlatformEvent): string {
  switch (event.event_type) {
    case 'product.metadata_updated':
    case 'review.submitted':
    case 'review.updated':
      return String(event.product_id);
    case 'app.log':
      return String(event.log_id);
    case 'clickstream.interaction':
      return event.interaction_details.session_id;
    case 'inventory.received':
    case 'inventory.reserved':
    case 'inventory.released':
    case 'inventory.shipped':
    case 'inventory.adjusted':
      return `${event.sku}#${event.warehouse_id}`;
    default:
      return event.order_id;
  }
}

/** The stream that carries a valid event type. */
export function streamOf(event: PlatformEvent): StreamId {
  const t = event.event_type;
  if (t.startsWith('order.') || t === 'product.metadata_updated') return 'orders';
  if (t.startsWith('inventory.')) return 'inventory';
  return 'clickstream';
}

/**
 * The bytes a producer puts in a Kinesis record for an item (PutRecords `Data`; the SDK base64-encodes
 * them). For a `raw` item these are its bytes, which arrive as whatever they decode to.
 */
export function itemBytes(item: GeneratedItem): Uint8Array {
  const p = item.payload;
  switch (p.kind) {
    case 'event':
      return Buffer.from(JSON.stringify(p.event), 'utf8');
    case 'json':
      return Buffer.from(JSON.stringify(p.value), 'utf8');
    case 'text':
      return Buffer.from(p.text, 'utf8');
    case 'raw':
      return p.bytes;
  }
}

/**
 * The `kinesis.data` string Lambda would receive for an item: base64 of its bytes, except for a `raw`
 * item, whose bytes are placed as they are (latin1), which is what makes it not base64.
 */
export function itemLambdaData(item: GeneratedItem): string {
  if (item.payload.kind === 'raw') return Buffer.from(item.payload.bytes).toString('latin1');
  return Buffer.from(itemBytes(item)).toString('base64');
}

/** One line of the CLI's JSON Lines output for an item: what to send and, for bad ones, the label. */
export function itemJsonLine(item: GeneratedItem): string {
  const p = item.payload;
  const head = `{"partition_key":${JSON.stringify(item.partitionKey)},"sent_at":"${new Date(item.sentAt).toISOString()}"`;
  const bad = item.bad ? `,"bad":${JSON.stringify(item.bad)}` : '';
  switch (p.kind) {
    case 'event':
      return `${head}${bad},"event":${JSON.stringify(p.event)}}`;
    case 'json':
      return `${head}${bad},"event":${JSON.stringify(p.value)}}`;
    case 'text':
      return `${head}${bad},"text":${JSON.stringify(p.text)}}`;
    case 'raw':
      return `${head}${bad},"raw_base64":"${Buffer.from(p.bytes).toString('base64')}"}`;
  }
}

/**
 * A Lambda-shaped Kinesis record for an item, as the event source mapping delivers it (for the
 * transformer benchmark and tests that call the pure pipeline directly).
 *
 * @param item - the item.
 * @param sequence - a sequence number, unique within the shard.
 * @param shardId - the shard, e.g. `shardId-000000000000`.
 */
export function toKinesisRecord(
  item: GeneratedItem,
  sequence: number,
  shardId = 'shardId-000000000000',
): KinesisStreamRecord {
  const sequenceNumber = String(49_000_000_000_000_000_000n + BigInt(sequence));
  return {
    awsRegion: 'us-east-1',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/local-${item.stream}`,
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/local-transformer',
    kinesis: {
      approximateArrivalTimestamp: item.sentAt / 1000,
      data: itemLambdaData(item),
      kinesisSchemaVersion: '1.0',
      partitionKey: item.partitionKey,
      sequenceNumber,
    },
  };
}
