/**
 * The layout of the data lake, shared by the Firehose delivery streams (on AWS) and the local twin's
 * lake writer, so that a path in the twin's folder is the key of the same object in S3.
 *
 *   raw bucket:      events/stream=<stream>/event_date=<YYYY-MM-DD>/<file>      every raw event, as sent
 *                    events-unparsed/stream=<stream>/<error-type>/<YYYY-MM-DD>/   records Firehose could not partition
 *                    dead-letter/stream=<stream>/reject_date=<YYYY-MM-DD>/<file> records a transformer rejected, with the reason
 *                    oltp/<table>/extract_date=<YYYY-MM-DD>/run_id=<run>/       every extract of an OLTP table (Parquet)
 *                    dynamodb/<table-id>/AWSDynamoDB/<export-id>/...              DynamoDB exports of the document tables, AWS's layout
 *                    third-party/<feed>/received_date=<YYYY-MM-DD>/<file>        partners' file drops (CSV or JSON lines)
 *   curated bucket:  later stages (Glue)
 */
export const RAW_EVENTS_PREFIX = 'events';
export const RAW_UNPARSED_PREFIX = 'events-unparsed';
export const DEAD_LETTER_PREFIX = 'dead-letter';
/** Extracts of the shop's OLTP tables (glue-scripts/jobs/oltp_to_curated.py). */
export const RAW_OLTP_PREFIX = 'oltp';
/** DynamoDB exports of the document tables (glue-scripts/jobs/dynamodb_documents_to_curated.py). */
export const RAW_DYNAMODB_EXPORTS_PREFIX = 'dynamodb';
/** Partners' file drops (glue-scripts/jobs/third_party_files_to_curated.py). */
export const RAW_THIRD_PARTY_PREFIX = 'third-party';

/** Prefix of the raw events of a stream on a day. */
export function rawEventsPrefix(stream: string, eventDate: string): string {
  return `${RAW_EVENTS_PREFIX}/stream=${stream}/event_date=${eventDate}/`;
}

/** Prefix of the dead-lettered records of a stream on a day. */
export function deadLetterPrefix(stream: string, rejectDate: string): string {
  return `${DEAD_LETTER_PREFIX}/stream=${stream}/reject_date=${rejectDate}/`;
}

/**
 * The event date of a raw record as Firehose's dynamic partitioning derives it: the first 10
 * characters of event_time. A record whose event_time cannot be read goes to the unparsed prefix.
 */
export function eventDateOf(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const t = (record as Record<string, unknown>).event_time;
  if (typeof t !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  return t.slice(0, 10);
}

/** The JQ expression Firehose uses for the same derivation (keep in step with eventDateOf). */
export const FIREHOSE_EVENT_DATE_JQ = '{event_date: .event_time[0:10]}';

/**
 * Curated bucket layout (the Glue jobs write it; the catalog points at it):
 *
 *   curated/<dataset>/event_date=<YYYY-MM-DD>/part-*.parquet    published rows (contracts/datasets.json)
 *   quarantine/<dataset>/run_id=<run>/part-*.parquet           rows or files a job refused, with the reason
 *   _state/<job>/...                                            the twin's high-water marks (bookmarks on AWS)
 */
export const CURATED_PREFIX = 'curated';
export const QUARANTINE_PREFIX = 'quarantine';
export const JOB_STATE_PREFIX = '_state';
