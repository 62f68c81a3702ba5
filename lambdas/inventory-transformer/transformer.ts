/**
 * The inventory transformer: stock movements → `stock`, recorded in `stock-ledger`.
 */
import {
  ApplyEvent,
  BusinessMetricName,
  KinesisTransformer,
  createKinesisTransformer,
} from '../shared/kinesis-transformer';
import type { NormalizedEvent } from '../shared/normalize';
import { ApplyDeps, TransformerDeps, assertStream } from '../shared/transformer-deps';
import { applyMovement, movementDeps } from './apply-movement';

/** The apply function of the inventory stream, and the prefetch of its ledger reads. */
export function inventoryApplier(deps: ApplyDeps): ApplyEvent & {
  readonly prefetch: (events: readonly NormalizedEvent[]) => Promise<() => void>;
} {
  const withLedger = movementDeps(deps);
  const apply: ApplyEvent = async (normalized, business) => {
    if (normalized.contract !== 'inventory-movement') {
      throw new Error(`the inventory transformer cannot apply ${normalized.contract} events`);
    }
    return applyMovement(withLedger, normalized.event, business);
  };
  return Object.assign(apply, {
    // The ledger reads of a batch's movements, in a few calls before any is applied (StockLedger).
    prefetch: (events: readonly NormalizedEvent[]) =>
      withLedger.ledger.prefetch(
        events.flatMap((e) => (e.contract === 'inventory-movement' ? [e.event.event_id] : [])),
      ),
  });
}

/** The business metrics of the inventory stream, published with every batch (0 when none crossed). */
export const INVENTORY_BUSINESS_METRICS: readonly BusinessMetricName[] = [
  'low_stock_events',
  'out_of_stock_events',
  'negative_stock_events',
];

/** Builds the inventory transformer (the deployed handler and the local twin use the same factory). */
export function createInventoryTransformer(deps: TransformerDeps): KinesisTransformer {
  assertStream(deps.settings, 'inventory', 'the inventory transformer');
  const applier = inventoryApplier(deps);
  return createKinesisTransformer({
    ...deps,
    applyEvent: applier,
    prefetch: applier.prefetch,
    businessMetrics: INVENTORY_BUSINESS_METRICS,
  });
}
