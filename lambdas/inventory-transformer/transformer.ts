/**
 * The inventory transformer: stock movements → `stock`, recorded in `stock-ledger`.
 */
import {
  ApplyEvent,
  BusinessMetricName,
  KinesisTransformer,
  createKinesisTransformer,
} from '../shared/kinesis-transformer';
import { ApplyDeps, TransformerDeps, assertStream } from '../shared/transformer-deps';
import { applyMovement, movementDeps } from './apply-movement';

/** The apply function of the inventory stream. */
export function inventoryApplier(deps: ApplyDeps): ApplyEvent {
  const withLedger = movementDeps(deps);
  return async (normalized, business) => {
    if (normalized.contract !== 'inventory-movement') {
      throw new Error(`the inventory transformer cannot apply ${normalized.contract} events`);
    }
    return applyMovement(withLedger, normalized.event, business);
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
  return createKinesisTransformer({
    ...deps,
    applyEvent: inventoryApplier(deps),
    businessMetrics: INVENTORY_BUSINESS_METRICS,
  });
}
