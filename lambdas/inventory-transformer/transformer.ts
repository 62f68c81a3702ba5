/**
 * The inventory transformer: stock movements → `stock`, recorded in `stock-ledger`.
 */
import { ApplyEvent, KinesisTransformer, createKinesisTransformer } from '../shared/kinesis-transformer';
import { ApplyDeps, TransformerDeps, assertStream, requireTable } from '../shared/transformer-deps';
import { applyMovement } from './apply-movement';

/** The apply function of the inventory stream. */
export function inventoryApplier(deps: ApplyDeps): ApplyEvent {
  requireTable(deps.settings, 'stock');
  requireTable(deps.settings, 'stock-ledger');
  return async (normalized) => {
    if (normalized.contract !== 'inventory-movement') {
      throw new Error(`the inventory transformer cannot apply ${normalized.contract} events`);
    }
    return applyMovement(deps, normalized.event);
  };
}

/** Builds the inventory transformer (the deployed handler and the local twin use the same factory). */
export function createInventoryTransformer(deps: TransformerDeps): KinesisTransformer {
  assertStream(deps.settings, 'inventory', 'the inventory transformer');
  return createKinesisTransformer({ ...deps, applyEvent: inventoryApplier(deps) });
}
