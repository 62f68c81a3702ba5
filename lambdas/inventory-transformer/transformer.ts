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

/** The inventory stream's apply function and the batch prefetch of its ledger reads, sharing one ledger. */
export interface InventoryApplier {
  readonly applyEvent: ApplyEvent;
  /** The ledger reads of a batch's movements, in a few calls before any is applied (StockLedger). */
  readonly prefetch: (events: readonly NormalizedEvent[]) => Promise<() => void>;
}

/** The apply function of the inventory stream, and the prefetch of its ledger reads. */
export function inventoryApplier(deps: ApplyDeps): InventoryApplier {
  const withLedger = movementDeps(deps);
  return {
    applyEvent: async (normalized, business) => {
      if (normalized.contract !== 'inventory-movement') {
        throw new Error(`the inventory transformer cannot apply ${normalized.contract} events`);
      }
      return applyMovement(withLedger, normalized.event, business);
    },
    prefetch: (events) =>
      withLedger.ledger.prefetch(
        events.flatMap((e) => (e.contract === 'inventory-movement' ? [e.event.event_id] : [])),
      ),
  };
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
  const { applyEvent, prefetch } = inventoryApplier(deps);
  return createKinesisTransformer({
    ...deps,
    applyEvent,
    prefetch,
    businessMetrics: INVENTORY_BUSINESS_METRICS,
  });
}
