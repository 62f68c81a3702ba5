/**
 * Order events → the `orders` table (one item per order_id).
 *
 * One conditional UpdateItem moves the status when (event_time, rank) is greater than the stored
 * (status_event_time, status_rank), and in the same write sets the event's detail fields with
 * if_not_exists. When that condition fails (the event is older, or a replay), a second UpdateItem sets
 * only the detail fields, conditioned on at least one of them being missing: so an order.created that
 * arrives after order.paid still fills in the lines and totals without touching the status, and a
 * replayed event writes nothing and counts as a duplicate.
 *
 * For the `orders_created` and `order_revenue` metrics, an order.created asks either write for the
 * old values of what it set (ReturnValues UPDATED_OLD): the write that finds no `created_at` is the
 * one that recorded the order, and only it counts. So a replay, a second order.created of the same
 * order (another event_id) or a retry counts nothing, an order.created that arrives after the
 * order's order.paid counts once (it is the order's creation, late), and an order.paid that arrives
 * first counts nothing (it creates the item, not the order).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { NormalizedOrderEvent } from '../shared/normalize';
import type { ApplyOutcome, BusinessRecorder } from '../shared/kinesis-transformer';
import { Expression, isConditionalCheckFailed } from '../shared/dynamo';
import { ApplyDeps, clockOf, requireTable } from '../shared/transformer-deps';
import { ORDER_STATUS_RANK, OrderStatus, statusOf } from './order-status';

/**
 * The fields an order event contributes that never change once set (each written with
 * if_not_exists): `<status>_at`, and per event type its details. order.created brings customer_id,
 * channel, currency, campaign_id, lines, shipping_amount, order_total and item_count.
 */
export function orderDetailFields(
  e: NormalizedOrderEvent,
  status: OrderStatus = statusOf(e.event_type),
): Record<string, unknown> {
  const fields: Record<string, unknown> = { [`${status}_at`]: e.event_time };
  const put = (name: string, value: unknown): void => {
    if (value !== undefined) fields[name] = value;
  };
  switch (status) {
    case 'created':
      put('customer_id', e.customer_id);
      put('channel', e.channel);
      put('currency', e.currency);
      put('campaign_id', e.campaign_id);
      put('lines', e.lines);
      put('shipping_amount', e.shipping_amount);
      put('order_total', e.order_total);
      put('item_count', e.item_count);
      break;
    case 'paid':
      put('payment', e.payment);
      break;
    case 'shipped':
      put('shipment', e.shipment);
      break;
    case 'cancelled':
      put('cancellation_reason', e.reason);
      break;
    case 'returned':
      put('returned_lines', e.returned_lines);
      put('return_reason', e.reason);
      break;
    case 'delivered':
      break;
  }
  return fields;
}

/** The only currency `order_revenue` sums: the warehouse reports revenue in EUR alone. */
export const REVENUE_CURRENCY = 'EUR';

/**
 * Records a newly created order: one `orders_created`, and its `order_total` in `order_revenue` when
 * the order is in {@link REVENUE_CURRENCY} (other currencies are counted but add no revenue).
 */
export function recordCreatedOrder(business: BusinessRecorder, e: NormalizedOrderEvent): void {
  business.add('orders_created');
  if (e.currency === REVENUE_CURRENCY && e.order_total !== undefined) {
    business.add('order_revenue', Number(e.order_total));
  }
}

/**
 * Applies one order event to the orders table; `business` receives the order it creates, if any
 * (see the module comment).
 */
export async function applyOrderEvent(
  deps: ApplyDeps,
  e: NormalizedOrderEvent,
  business?: BusinessRecorder,
): Promise<ApplyOutcome> {
  const tableName = requireTable(deps.settings, 'orders');
  const status = statusOf(e.event_type);
  const rank = ORDER_STATUS_RANK[status];
  const details = orderDetailFields(e, status);
  const now = clockOf(deps)().toISOString();
  const key = { order_id: e.order_id };

  const move = new Expression()
    .set('status', status)
    .set('status_rank', rank)
    .set('status_event_time', e.event_time)
    .set('status_changed_at', e.event_time)
    .set('last_event_id', e.event_id)
    .set('updated_at', now);
  for (const [name, value] of Object.entries(details)) move.setOnce(name, value);
  const t = move.v(e.event_time);
  const r = move.v(rank);
  const storedTime = move.n('status_event_time');
  const storedRank = move.n('status_rank');
  // Only an order.created can create the order; other events need no returned values.
  const creates = status === 'created' && business !== undefined;
  const returnValues = creates ? { ReturnValues: 'UPDATED_OLD' as const } : {};
  const recordIfCreated = (old: Record<string, unknown> | undefined): void => {
    if (creates && business && old?.created_at === undefined) recordCreatedOrder(business, e);
  };
  try {
    const moved = await deps.documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: move.updateExpression,
        ConditionExpression: `attribute_not_exists(${storedRank}) OR ${storedTime} < ${t} OR (${storedTime} = ${t} AND ${storedRank} < ${r})`,
        ...move.attributes,
        ...returnValues,
      }),
    );
    recordIfCreated(moved.Attributes);
    return 'applied';
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }

  // Not newer than the stored status: only fill in what is still missing.
  const fill = new Expression();
  for (const [name, value] of Object.entries(details)) fill.setOnce(name, value);
  fill.set('updated_at', now);
  const anyMissing = Object.keys(details)
    .map((name) => `attribute_not_exists(${fill.n(name)})`)
    .join(' OR ');
  try {
    const filled = await deps.documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: fill.updateExpression,
        ConditionExpression: anyMissing,
        ...fill.attributes,
        ...returnValues,
      }),
    );
    recordIfCreated(filled.Attributes);
    return 'applied';
  } catch (err) {
    if (isConditionalCheckFailed(err)) return 'duplicate';
    throw err;
  }
}
