/**
 * The pure per-record pipeline of every transformer: decode → contract check → stream check →
 * normalize. No I/O, so it is unit-tested directly and measured by the benchmark.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { checkEvent } from '../../contracts/validate';
import { STREAMS } from '../../lib/streams/stream-definitions';
import { decodeRecordData } from './decode';
import { NormalizationError, NormalizedEvent, normalizeEvent } from './normalize';
import { Rejection, buildRejection, envelopeIdsOf } from './rejection';
import type { TransformerRuntimeSettings } from './runtime-settings';

/** The outcome of preparing one record: a normalized event ready to apply, or a rejection. */
export type PreparedRecord =
  | {
      readonly ok: true;
      readonly normalized: NormalizedEvent;
      readonly eventId: string;
      readonly eventType: string;
    }
  | { readonly ok: false; readonly rejection: Rejection };

/** The settings the pipeline needs: which stream it reads and the record size limit. */
export type PrepareSettings = Pick<TransformerRuntimeSettings, 'streamId' | 'maxRecordBytes'>;

/**
 * Decodes, validates and normalizes one Kinesis record.
 *
 * @param record - the record as Lambda delivers it (base64 data).
 * @param settings - the stream id (for the stream check) and the size limit.
 * @param clock - the time of a rejection; defaults to the system clock.
 */
export function prepareRecord(
  record: KinesisStreamRecord,
  settings: PrepareSettings,
  clock: () => Date = () => new Date(),
): PreparedRecord {
  const stream = settings.streamId;
  const decoded = decodeRecordData(record.kinesis.data, settings.maxRecordBytes);
  if (!decoded.ok) {
    return { ok: false, rejection: buildRejection(record, stream, decoded.code, decoded.message, clock()) };
  }
  const ids = envelopeIdsOf(decoded.value);
  const check = checkEvent(decoded.value);
  if (!check.ok) {
    return { ok: false, rejection: buildRejection(record, stream, check.code, check.message, clock(), ids) };
  }
  const accepted = STREAMS[stream].contracts;
  if (!accepted.includes(check.contract)) {
    const message = `event_type '${ids.eventType}' (${check.contract}) does not belong on the ${stream} stream, which carries ${accepted.join(', ')}; send it to the stream that carries ${check.contract}`;
    return { ok: false, rejection: buildRejection(record, stream, 'WRONG_STREAM', message, clock(), ids) };
  }
  try {
    const normalized = normalizeEvent(check.contract, decoded.value);
    return { ok: true, normalized, eventId: ids.eventId as string, eventType: ids.eventType as string };
  } catch (err) {
    if (!(err instanceof NormalizationError)) throw err;
    return {
      ok: false,
      rejection: buildRejection(record, stream, 'INVALID_VALUE', err.message, clock(), ids),
    };
  }
}
