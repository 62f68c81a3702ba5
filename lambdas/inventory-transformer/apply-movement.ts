/**
 * Inventory movements → `stock` (sku + warehouse_id), exact under replays, duplicates and a crash
 * between any two writes, without transactions (the local emulator has no TransactWriteItems, and the
 * same code runs on both):
 *
 * 1. GetItem `stock-ledger` (consistent read) by event_id: present → a duplicate, nothing to do.
 * 2. UpdateItem `stock`: add the deltas to on_hand, reserved, available and headroom; SET
 *    last_event_id = event_id; condition `attribute_not_exists(last_event_id) OR last_event_id <> :id`.
 *    A failed condition means an earlier attempt applied this very movement and stopped before step 3:
 *    it counts as applied and the ledger write completes it.
 * 3. PutItem `stock-ledger` { event_id, ..., expires_at = now + ttlDays.stockLedger }.
 *
 * Why this is exact: all movements of one sku#warehouse share a partition key, hence a shard, and they
 * are applied in order; the batch loop skips the rest of a partition key after its first failure, so
 * nothing else touches that stock item before the failed movement is retried. The only movement whose effect can be in `stock` without
 * a ledger entry is therefore the item's last one, which is exactly what last_event_id records.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { InventoryMovement } from '../../contracts/generated/types';
import type { ApplyOutcome } from '../shared/kinesis-transformer';
import { Expression, isConditionalCheckFailed } from '../shared/dynamo';
import { ApplyDeps, clockOf, requireTable } from '../shared/transformer-deps';
import { DEFAULT_REORDER_POINT, stockDeltas } from './stock-deltas';

/** Applies one inventory movement to the stock table, recording it in the ledger. */
export async function applyMovement(deps: ApplyDeps, m: InventoryMovement): Promise<ApplyOutcome> {
  const stockTable = requireTable(deps.settings, 'stock');
  const ledgerTable = requireTable(deps.settings, 'stock-ledger');
  const { documents } = deps;

  // 1. Already applied and recorded?
  const seen = await documents.send(
    new GetCommand({
      TableName: ledgerTable,
      Key: { event_id: m.event_id },
      ConsistentRead: true,
      ProjectionExpression: 'event_id',
    }),
  );
  if (seen.Item) return 'duplicate';

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
    await documents.send(
      new UpdateCommand({
        TableName: stockTable,
        Key: { sku: m.sku, warehouse_id: m.warehouse_id },
        UpdateExpression: x.updateExpression,
        ConditionExpression: `attribute_not_exists(${lastEventId}) OR ${lastEventId} <> ${x.v(m.event_id)}`,
        ...x.attributes,
      }),
    );
  } catch (err) {
    // Applied by an attempt that stopped before the ledger write: complete it below.
    if (!isConditionalCheckFailed(err)) throw err;
  }

  // 3. Record it.
  await documents.send(
    new PutCommand({
      TableName: ledgerTable,
      Item: {
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
      },
    }),
  );
  return 'applied';
}
