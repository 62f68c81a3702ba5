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
