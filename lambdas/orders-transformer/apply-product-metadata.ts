/**
 * product.metadata_updated → the `product-metadata` table: the event carries the whole document, and
 * the newest event (by event_time, then event_id) wins.
 */
import type { ProductMetadataEvent } from '../../contracts/generated/types';
import type { ApplyOutcome } from '../shared/kinesis-transformer';
import { putIfNewer } from '../shared/newest-wins';
import { ApplyDeps, clockOf, requireTable } from '../shared/transformer-deps';

/** Attributes of a product-metadata item that are bookkeeping, not part of the product_metadata document. */
export const PRODUCT_METADATA_STORAGE_ATTRIBUTES = [
  'metadata_event_time',
  'metadata_event_id',
  'updated_at',
] as const;

/** The product-metadata item of an event. */
export function productMetadataItem(e: ProductMetadataEvent, now: Date): Record<string, unknown> {
  return {
    product_id: e.product_id,
    metadata: e.metadata,
    metadata_event_time: e.event_time,
    metadata_event_id: e.event_id,
    updated_at: now.toISOString(),
  };
}

/** Applies one product.metadata_updated event. */
export async function applyProductMetadata(deps: ApplyDeps, e: ProductMetadataEvent): Promise<ApplyOutcome> {
  return putIfNewer(deps.documents, {
    tableName: requireTable(deps.settings, 'product-metadata'),
    item: productMetadataItem(e, clockOf(deps)()),
    keyAttribute: 'product_id',
    timeAttribute: 'metadata_event_time',
    idAttribute: 'metadata_event_id',
  });
}
