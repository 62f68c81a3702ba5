/**
 * review.submitted / review.updated → `product-reviews`: one item per review under its product,
 * sorted by `<review_date>#<review_id>`; the newest event (by event_time, then event_id) wins. An
 * update must repeat the review's original review_date, which is part of the key.
 */
import type { ReviewEvent } from '../../contracts/generated/types';
import type { ApplyOutcome } from '../shared/kinesis-transformer';
import { putIfNewer } from '../shared/newest-wins';
import { ApplyDeps, clockOf, requireTable, withoutEnvelope } from '../shared/transformer-deps';

/** Attributes of a product-reviews item that are not part of the product_reviews document. */
export const REVIEW_STORAGE_ATTRIBUTES = [
  'review_key',
  'review_event_time',
  'review_event_id',
  'updated_at',
] as const;

/** The product-reviews item of an event (review_date in UTC; customer_id and review_date feed the by-customer index). */
export function reviewItem(e: ReviewEvent, now: Date): Record<string, unknown> {
  return {
    ...withoutEnvelope(e),
    review_key: `${e.review_date}#${e.review_id}`,
    review_event_time: e.event_time,
    review_event_id: e.event_id,
    updated_at: now.toISOString(),
  };
}

/** Applies one review event. */
export async function applyReview(deps: ApplyDeps, e: ReviewEvent): Promise<ApplyOutcome> {
  return putIfNewer(deps.documents, {
    tableName: requireTable(deps.settings, 'product-reviews'),
    item: reviewItem(e, clockOf(deps)()),
    keyAttribute: 'review_key',
    timeAttribute: 'review_event_time',
    idAttribute: 'review_event_id',
  });
}
