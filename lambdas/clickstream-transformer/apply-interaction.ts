/**
 * clickstream.interaction → `customer-interactions` (one item per interaction, written once) and
 * → `sessions` (the interaction appended to its session, see ./apply-session.ts).
 *
 * The two writes are independent and each is idempotent, so a crash between them is repaired by the
 * retry: the interaction put finds its item and the session update proceeds.
 */
import type { ClickstreamEvent } from '../../contracts/generated/types';
import { expiresAt } from '../shared/normalize';
import type { ApplyOutcome } from '../shared/kinesis-transformer';
import { putIfAbsent } from '../shared/newest-wins';
import { ApplyDeps, requireTable, withoutEnvelope } from '../shared/transformer-deps';
import { applySessionInteraction } from './apply-session';

/** Attributes of a customer-interactions item that are not part of the customer_interactions document. */
export const INTERACTION_STORAGE_ATTRIBUTES = ['interaction_key', 'expires_at'] as const;

/**
 * The customer-interactions item of an event: the document (timestamps in UTC) plus its sort key
 * `<timestamp>#<event_id>` (newest-first queries per customer, unique per event) and `expires_at`,
 * counted from the interaction's own timestamp so that a replay writes the very same item.
 */
export function interactionItem(e: ClickstreamEvent, ttlDays: number): Record<string, unknown> {
  return {
    ...withoutEnvelope(e),
    interaction_key: `${e.timestamp}#${e.event_id}`,
    expires_at: expiresAt(e.timestamp, ttlDays),
  };
}

/** Applies one interaction to both tables; 'duplicate' when neither changed. */
export async function applyInteraction(deps: ApplyDeps, e: ClickstreamEvent): Promise<ApplyOutcome> {
  const stored = await putIfAbsent(
    deps.documents,
    requireTable(deps.settings, 'customer-interactions'),
    interactionItem(e, deps.settings.ttlDays.interactions),
    'interaction_key',
  );
  const session = await applySessionInteraction(deps, e);
  return stored === 'applied' || session === 'applied' ? 'applied' : 'duplicate';
}
