/**
 * How each inventory movement changes the counts of one SKU in one warehouse (pure arithmetic).
 *
 *   received   on_hand +q
 *   reserved   reserved +q
 *   released   reserved −q
 *   shipped    on_hand −q, reserved −q  (a shipment consumes its reservation)
 *   adjusted   on_hand ±q by direction  (stock counts, damage, shrinkage)
 *
 * available = on_hand − reserved, and headroom = available − reorder_point, so both move by
 * (Δon_hand − Δreserved). The counts record what the warehouse management system reports: they may go
 * negative (a shipment reported before its receipt, a count correction still to come), and the
 * platform keeps that fact rather than clamping it.
 */
import type { InventoryMovement } from '../../contracts/generated/types';

/** The reorder point of a SKU in a warehouse when no movement has given one. */
export const DEFAULT_REORDER_POINT = 10;

/** The change a movement makes to a stock item. */
export interface StockDeltas {
  readonly onHand: number;
  readonly reserved: number;
  /** onHand − reserved: the change of both `available` and `headroom`. */
  readonly available: number;
}

/** The deltas of one movement. */
export function stockDeltas(
  m: Pick<InventoryMovement, 'event_type' | 'quantity' | 'direction'>,
): StockDeltas {
  const q = m.quantity;
  let onHand = 0;
  let reserved = 0;
  switch (m.event_type) {
    case 'inventory.received':
      onHand = q;
      break;
    case 'inventory.reserved':
      reserved = q;
      break;
    case 'inventory.released':
      reserved = -q;
      break;
    case 'inventory.shipped':
      onHand = -q;
      reserved = -q;
      break;
    case 'inventory.adjusted':
      if (m.direction !== 'increase' && m.direction !== 'decrease') {
        throw new Error(
          `inventory.adjusted needs direction 'increase' or 'decrease', got '${String(m.direction)}'`,
        );
      }
      onHand = m.direction === 'increase' ? q : -q;
      break;
  }
  return { onHand, reserved, available: onHand - reserved };
}

/** The counts a stock item holds after a movement (the values its UpdateItem returns). */
export interface StockLevels {
  readonly onHand: number;
  readonly available: number;
  /** available − reorder_point. */
  readonly headroom: number;
}

/** The thresholds a movement took a stock item across, downward. */
export interface StockCrossings {
  /** headroom went from >= 0 to < 0: available fell below the reorder point. */
  readonly lowStock: boolean;
  /** available went from > 0 to <= 0: nothing left to sell in this warehouse. */
  readonly outOfStock: boolean;
  /** on_hand went from >= 0 to < 0: the warehouse reported more out than in. */
  readonly negativeStock: boolean;
}

/**
 * Which thresholds a movement crossed downward, from the levels it left and its deltas (the levels
 * before are `after − deltas`: every count moves by exactly its delta, and an item's first movement
 * starts from 0 with headroom −reorder_point, which is what if_not_exists writes). Only a crossing
 * counts, not every movement below a threshold: a SKU that stays low counts once, until a receipt
 * lifts it and a later movement takes it down again.
 */
export function stockCrossings(after: StockLevels, d: StockDeltas): StockCrossings {
  const onHandBefore = after.onHand - d.onHand;
  const availableBefore = after.available - d.available;
  const headroomBefore = after.headroom - d.available;
  return {
    lowStock: headroomBefore >= 0 && after.headroom < 0,
    outOfStock: availableBefore > 0 && after.available <= 0,
    negativeStock: onHandBefore >= 0 && after.onHand < 0,
  };
}
