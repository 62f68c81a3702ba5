/**
 * Order statuses and their ranks. The live status of an order moves only forward in (event_time,
 * rank): an event older than the stored status never overwrites it, and when two events carry the
 * same event_time the one further along the life cycle wins.
 *
 *   created 1 → paid 2 → shipped 3 → delivered 4 → cancelled 5 → returned 6
 *
 * cancelled and returned rank highest because they end an order: a cancellation stamped at the same
 * instant as a payment is the later fact. Time still comes first: a delivery reported after a
 * cancellation (a later event_time) becomes the current status, since the event stream is the record
 * of what happened.
 */
export const ORDER_STATUS_RANK = {
  created: 1,
  paid: 2,
  shipped: 3,
  delivered: 4,
  cancelled: 5,
  returned: 6,
} as const;

/** An order status: the event type without its `order.` prefix. */
export type OrderStatus = keyof typeof ORDER_STATUS_RANK;

/** The status an order event moves to (`order.paid` → `paid`). */
export function statusOf(eventType: string): OrderStatus {
  const status = eventType.startsWith('order.') ? eventType.slice('order.'.length) : '';
  if (!Object.prototype.hasOwnProperty.call(ORDER_STATUS_RANK, status)) {
    throw new Error(`'${eventType}' is not an order event type`);
  }
  return status as OrderStatus;
}
