/**
 * app.log → `application-logs`: partition `<log_level>#<YYYY-MM-DD>` (the UTC day of the log), sort
 * key `<timestamp>#<log_id>`, written once (a replay finds the item and changes nothing).
 */
import type { ApplicationLogEvent } from '../../contracts/generated/types';
import { expiresAt } from '../shared/normalize';
import type { ApplyOutcome } from '../shared/kinesis-transformer';
import { putIfAbsent } from '../shared/newest-wins';
import { ApplyDeps, requireTable, withoutEnvelope } from '../shared/transformer-deps';

/** Attributes of an application-logs item that are not part of the application_logs document. */
export const APPLICATION_LOG_STORAGE_ATTRIBUTES = ['log_partition', 'log_key', 'expires_at'] as const;

/** The application-logs item of an event, expiring ttlDays after the log's own timestamp. */
export function applicationLogItem(e: ApplicationLogEvent, ttlDays: number): Record<string, unknown> {
  return {
    ...withoutEnvelope(e),
    log_partition: `${e.log_level}#${e.timestamp.slice(0, 10)}`,
    log_key: `${e.timestamp}#${e.log_id}`,
    expires_at: expiresAt(e.timestamp, ttlDays),
  };
}

/** Applies one app.log event. */
export async function applyApplicationLog(deps: ApplyDeps, e: ApplicationLogEvent): Promise<ApplyOutcome> {
  return putIfAbsent(
    deps.documents,
    requireTable(deps.settings, 'application-logs'),
    applicationLogItem(e, deps.settings.ttlDays.applicationLogs),
    'log_key',
  );
}
