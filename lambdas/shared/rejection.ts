/**
 * A rejected record: a record that decodes or validates badly is not a failure (retrying cannot fix
 * it), so it is acknowledged and written to the dead-letter prefix of the raw bucket with the reason.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { EventRejectionCode } from '../../contracts/validate';
import type { StreamId } from '../../lib/streams/stream-definitions';
import type { DecodeRejectionCode } from './decode';

/**
 * Why a record was rejected:
 * - NOT_BASE64, OVERSIZED, NOT_UTF8, MALFORMED_JSON: its data could not be decoded (lambdas/shared/decode.ts);
 * - NOT_AN_OBJECT, MISSING_ENVELOPE, UNKNOWN_EVENT_TYPE, UNSUPPORTED_SCHEMA_VERSION, CONTRACT_VIOLATION:
 *   the event failed its contract (contracts/validate.ts);
 * - WRONG_STREAM: a valid event type that this stream does not carry (lib/streams/stream-definitions.ts);
 * - INVALID_VALUE: a valid event whose values cannot be normalized (unknown currency, impossible date,
 *   a discount larger than its line).
 */
export type RejectionCode = DecodeRejectionCode | EventRejectionCode | 'WRONG_STREAM' | 'INVALID_VALUE';

/** Every rejection code, in a stable order (metrics and tests enumerate them). */
export const REJECTION_CODES: readonly RejectionCode[] = [
  'NOT_BASE64',
  'OVERSIZED',
  'NOT_UTF8',
  'MALFORMED_JSON',
  'NOT_AN_OBJECT',
  'MISSING_ENVELOPE',
  'UNKNOWN_EVENT_TYPE',
  'UNSUPPORTED_SCHEMA_VERSION',
  'CONTRACT_VIOLATION',
  'WRONG_STREAM',
  'INVALID_VALUE',
];

/** The largest part of a record's base64 data kept in a rejection (64 KiB). */
export const MAX_REJECTED_DATA_CHARS = 64 * 1024;

/** One line of a dead-letter object: where the record came from, why it was refused, and its data. */
export interface Rejection {
  readonly code: RejectionCode;
  /** What was wrong, where (the field path) and what to do. */
  readonly message: string;
  readonly stream: StreamId;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** When Kinesis received the record, UTC ISO 8601. */
  readonly approximateArrivalTimestamp: string;
  /** The event's event_id, when the payload had one (even an invalid one). */
  readonly eventId?: string;
  /** The event's event_type, when the payload had one. */
  readonly eventType?: string;
  /** The record's original base64 data, cut to {@link MAX_REJECTED_DATA_CHARS} characters. */
  readonly data: string;
  /** Whether `data` was cut (only oversized records are). */
  readonly truncated: boolean;
  /** When the transformer rejected the record, UTC ISO 8601. */
  readonly rejectedAt: string;
}

/** The shard id of a Kinesis record, from its `eventID` (`shardId-000000000000:<sequence number>`). */
export function shardIdOf(record: KinesisStreamRecord): string {
  const id = record.eventID ?? '';
  const colon = id.indexOf(':');
  return colon > 0 ? id.slice(0, colon) : 'shardId-unknown';
}

/** Reads event_id and event_type from a decoded payload, when it is an object that has them as strings. */
export function envelopeIdsOf(value: unknown): { eventId?: string; eventType?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const v = value as Record<string, unknown>;
  const ids: { eventId?: string; eventType?: string } = {};
  if (typeof v.event_id === 'string') ids.eventId = v.event_id.slice(0, 128);
  if (typeof v.event_type === 'string') ids.eventType = v.event_type.slice(0, 128);
  return ids;
}

/**
 * Builds the rejection of a record.
 *
 * @param record - the Kinesis record as Lambda delivered it.
 * @param stream - the stream the transformer consumes.
 * @param code - why it was rejected.
 * @param message - what was wrong, where and what to do.
 * @param rejectedAt - the time of the rejection.
 * @param ids - event_id and event_type, when the payload could be read.
 */
export function buildRejection(
  record: KinesisStreamRecord,
  stream: StreamId,
  code: RejectionCode,
  message: string,
  rejectedAt: Date,
  ids: { eventId?: string; eventType?: string } = {},
): Rejection {
  const data = record.kinesis.data ?? '';
  const truncated = data.length > MAX_REJECTED_DATA_CHARS;
  const arrival = record.kinesis.approximateArrivalTimestamp;
  return {
    code,
    message,
    stream,
    shardId: shardIdOf(record),
    sequenceNumber: record.kinesis.sequenceNumber,
    partitionKey: record.kinesis.partitionKey,
    approximateArrivalTimestamp: Number.isFinite(arrival)
      ? new Date(Math.round(arrival * 1000)).toISOString()
      : rejectedAt.toISOString(),
    ...ids,
    data: truncated ? data.slice(0, MAX_REJECTED_DATA_CHARS) : data,
    truncated,
    rejectedAt: rejectedAt.toISOString(),
  };
}
