/**
 * Inventory movements → `stock` (sku + warehouse_id), exact under replays, duplicates and a crash
 * between any two writes, without transactions (the local emulator has no TransactWriteItems, and the
 * same code runs on both):
 *
 * 1. Read `stock-ledger` (consistent) by event_id: present → a duplicate, nothing to do.
 * 2. UpdateItem `stock`: add the deltas to on_hand, reserved, available and headroom; SET
 *    last_event_id = event_id; condition `attribute_not_exists(last_event_id) OR last_event_id <> :id`.
 *    A failed condition means an earlier attempt applied this very movement and stopped before step 3:
 *    it counts as applied and the ledger write completes it.
 * 2b. When the movement gives a reorder point: UpdateItem `stock` SET reorder_point, reorder_point_at
 *    = event_time and headroom = available − reorder_point, conditioned on no reorder point given at
 *    a later event_time (the newest given wins, as in the warehouse; until one is given, the default).
 * 3. Put `stock-ledger` { event_id, ..., expires_at = now + ttlDays.stockLedger }.
 *
 * Steps 1 and 3 go through {@link StockLedger}: step 1 is answered from the batch's prefetch (the
 * ledger read for all of the batch's event ids before any movement is applied, StockLedger.prefetch),
 * or read in one BatchGetItem with the other records in flight; the writes go out as one
 * BatchWriteItem; each movement still waits for its own, so the steps keep their order.
 *
 * Why this is exact: all movements of one sku#warehouse share a partition key, hence a shard, and they
 * are applied in order; the batch loop skips the rest of a partition key after its first failure, so
 * nothing else touches that stock item before the failed movement is retried. The only movement whose effect can be in `stock` without
 * a ledger entry is therefore the item's last one, which is exactly what last_event_id records.
 *
 * Step 2 returns the counts it left (ReturnValues UPDATED_NEW); from them and the deltas, the
 * movement's crossings of the reorder point, of zero available and of zero on hand are recorded as
 * business metrics (`low_stock_events`, `out_of_stock_events`, `negative_stock_events`). Only the
 * write that applies the movement records them: a duplicate stops at step 1, and a retry whose
 * step 2 fails its condition changes nothing and records nothing.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { InventoryMovement } from '../../contracts/generated/types';
import type { ApplyOutcome, BusinessRecorder } from '../shared/kinesis-transformer';
import { Expression, isConditionalCheckFailed } from '../shared/dynamo';
import { ApplyDeps, clockOf, requireTable } from '../shared/transformer-deps';
import { DEFAULT_REORDER_POINT, StockDeltas, stockCrossings, stockDeltas } from './stock-deltas';
import { StockLedger } from './stock-ledger';

/** Records the thresholds a movement crossed, from the counts its UpdateItem returned. */
function recordCrossings(
  business: BusinessRecorder,
  after: Record<string, unknown> | undefined,
  d: StockDeltas,
): void {
  const onHand = after?.on_hand;
  const available = after?.available;
  const headroom = after?.headroom;
  if (typeof onHand !== 'number' || typeof available !== 'number' || typeof headroom !== 'number') return;
  const crossed = stockCrossings({ onHand, available, headroom }, d);
  if (crossed.lowStock) business.add('low_stock_events');
  if (crossed.outOfStock) business.add('out_of_stock_events');
  if (crossed.negativeStock) business.add('negative_stock_events');
}

/** What {@link applyMovement} needs: the appliers' dependencies and the ledger (one per applier). */
export interface MovementDeps extends ApplyDeps {
  readonly ledger: StockLedger;
}

/** The dependencies of {@link applyMovement}, with a ledger on the settings' `stock-ledger` table. */
export function movementDeps(deps: ApplyDeps): MovementDeps {
  requireTable(deps.settings, 'stock');
  const table = requireTable(deps.settings, 'stock-ledger');
  return { ...deps, ledger: new StockLedger({ documents: deps.documents, table }) };
}

/**
 * Applies one inventory movement to the stock table, recording it in the ledger; `business`
 * receives the thresholds the movement took the item across.
 */
export async function applyMovement(
  deps: MovementDeps,
  m: InventoryMovement,
  business?: BusinessRecorder,
): Promise<ApplyOutcome> {
  const stockTable = requireTable(deps.settings, 'stock');
  const { documents, ledger } = deps;

  // 1. Already applied and recorded?
  if (await ledger.has(m.event_id)) return 'duplicate';

  // 2. Apply the deltas once.
  const now = clockOf(deps)();
  const d = stockDeltas(m);
  const reorderPoint = m.reorder_point ?? DEFAULT_REORDER_POINT;
  const x = new Expression()
    .add('on_hand', d.onHand)
    .add('reserved', d.reserved)
    .add('available', d.available)
    .setOnce('reorder_point', reorderPoint)
    .set('last_event_id', m.event_id)
    .set('last_event_time', m.event_time)
    .set('last_movement_type', m.event_type)
    .set('updated_at', now.toISOString());
  const headroom = x.n('headroom');
  x.setClause(`${headroom} = if_not_exists(${headroom}, ${x.v(-reorderPoint)}) + ${x.v(d.available)}`);
  if (m.product_id !== undefined) x.setOnce('product_id', m.product_id);
  const lastEventId = x.n('last_event_id');
  try {
    const updated = await documents.send(
      new UpdateCommand({
        TableName: stockTable,
        Key: { sku: m.sku, warehouse_id: m.warehouse_id },
        UpdateExpression: x.updateExpression,
        ConditionExpression: `attribute_not_exists(${lastEventId}) OR ${lastEventId} <> ${x.v(m.event_id)}`,
        ...x.attributes,
        ...(business ? { ReturnValues: 'UPDATED_NEW' as const } : {}),
      }),
    );
    if (business) recordCrossings(business, updated.Attributes, d);
  } catch (err) {
    // Applied by an attempt that stopped before the ledger write: complete it below.
    if (!isConditionalCheckFailed(err)) throw err;
  }

  // 2b. A movement that gives a reorder point sets it, unless one given at a later event_time already
  // did (the warehouse load and the real-time views keep the newest too). Idempotent: a retry sets
  // the same values, and headroom is recomputed from the stored available.
  if (m.reorder_point !== undefined) {
    const r = new Expression().set('reorder_point', m.reorder_point).set('reorder_point_at', m.event_time);
    const at = r.n('reorder_point_at');
    r.setClause(`${r.n('headroom')} = ${r.n('available')} - ${r.v(m.reorder_point)}`);
    try {
      await documents.send(
        new UpdateCommand({
          TableName: stockTable,
          Key: { sku: m.sku, warehouse_id: m.warehouse_id },
          UpdateExpression: r.updateExpression,
          ConditionExpression: `attribute_not_exists(${at}) OR ${at} <= ${r.v(m.event_time)}`,
          ...r.attributes,
        }),
      );
    } catch (err) {
      // A reorder point given at a later event_time stays.
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }

  // 3. Record it.
  await ledger.record({
    event_id: m.event_id,
    sku: m.sku,
    warehouse_id: m.warehouse_id,
    event_type: m.event_type,
    event_time: m.event_time,
    quantity: m.quantity,
    direction: m.direction,
    order_id: m.order_id,
    applied_at: now.toISOString(),
    expires_at: Math.floor(now.getTime() / 1000) + deps.settings.ttlDays.stockLedger * 86_400,
  });
  return 'applied';
}
