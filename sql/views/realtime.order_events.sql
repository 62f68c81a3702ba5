-- realtime.order_events: which order events has the orders stream carried, once each?
--
-- Grain: one row per event_id among the records of realtime.orders_stream that parse as an order
-- event: a JSON object with an event_id, schema_version 1, an order_id, an event_time that is a
-- timestamp, a known order event type, and for order.created a customer, a channel, a currency and
-- lines; with no negative number, no integer field (quantity, customer_id, product_id,
-- line_number) sent as a string and no id, type or time sent as anything but a string, as the
-- contract wants (the transformers reject those too). A record
-- delivered twice (a producer retry) counts once: its first arrival. Records that do not parse are
-- in realtime.stream_errors instead.
--
-- Columns:
--   event_id, event_type       the event's id and type (order.created ... order.returned)
--   status, status_rank        the status it moves the order to (created 1, paid 2, shipped 3,
--                              delivered 4, cancelled 5, returned 6: the transformer's ranks)
--   event_time                 when it happened (UTC)
--   arrival_time               when Kinesis received it (UTC): arrival_time - event_time is how late
--   order_id, customer_id, channel, currency   as sent (customer to currency: order.created only)
--   lines_json, shipping_amount                order.created only: the lines as JSON text, shipping
--   shard_id, sequence_number  where the record is in the stream
CREATE OR REPLACE VIEW realtime.order_events AS
WITH parsed AS (
  SELECT
    s.*,
    ROW_NUMBER() OVER (
      PARTITION BY s.event_id ORDER BY s.arrival_time, s.shard_id, LENGTH(s.sequence_number), s.sequence_number
    ) AS copy_number
  FROM realtime.orders_stream s
  WHERE s.body IS NOT NULL
    AND s.event_id IS NOT NULL
    AND s.schema_version = 1
    AND NOT s.body ~ '":[[:space:]]*-[0-9]'
    AND NOT s.body ~ '"(quantity|customer_id|product_id|line_number|reorder_point)"[[:space:]]*:[[:space:]]*"'
    AND NOT s.body ~ '"(event_id|event_type|event_time|order_id|sku|warehouse_id)"[[:space:]]*:[[:space:]]*[^"[:space:]]'
    AND s.order_id IS NOT NULL
    AND s.event_time IS NOT NULL
    AND s.event_type IN (
      'order.created', 'order.paid', 'order.shipped', 'order.delivered', 'order.cancelled', 'order.returned'
    )
    AND (
      s.event_type <> 'order.created'
      OR (s.customer_id IS NOT NULL AND s.channel IS NOT NULL AND s.currency IS NOT NULL AND s.lines_json IS NOT NULL)
    )
)

SELECT
  p.event_id,
  p.event_type,
  CAST(SUBSTRING(p.event_type, 7) AS VARCHAR(16)) AS status,
  CASE p.event_type
    WHEN 'order.created' THEN 1
    WHEN 'order.paid' THEN 2
    WHEN 'order.shipped' THEN 3
    WHEN 'order.delivered' THEN 4
    WHEN 'order.cancelled' THEN 5
    ELSE 6
  END AS status_rank,
  p.event_time,
  p.arrival_time,
  p.order_id,
  p.customer_id,
  p.channel,
  p.currency,
  p.lines_json,
  p.shipping_amount,
  p.shard_id,
  p.sequence_number
FROM parsed p
WHERE p.copy_number = 1;
