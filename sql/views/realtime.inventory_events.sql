-- realtime.inventory_events: which stock movements has the inventory stream carried, once each,
-- and how does each change the counts?
--
-- Grain: one row per event_id among the records of realtime.inventory_stream that parse as a stock
-- movement: a JSON object with an event_id, schema_version 1, an event_time that is a timestamp, a
-- known movement type, a SKU, a warehouse and a positive quantity (and for an adjustment a
-- direction of increase or decrease); with no negative number, no integer field (quantity,
-- reorder_point, product_id) sent as a string and no id, type or time sent as anything but a
-- string, as the contract wants. A record delivered twice counts once. Records that do not parse are in
-- realtime.stream_errors.
--
-- Columns:
--   event_id, event_type, event_time, arrival_time, sku, warehouse_id, quantity, direction,
--   reorder_point (NULL if the movement does not give one), order_id
--   shard_id, sequence_number   where the record is in the stream (a SKU and warehouse's movements
--                           share a partition key, so their stream order is the order applied)
--   on_hand_delta, reserved_delta   the movement's effect, as the inventory transformer applies it:
--                           received on_hand +q; reserved reserved +q; released reserved -q;
--                           shipped on_hand -q and reserved -q; adjusted on_hand +q or -q
CREATE OR REPLACE VIEW realtime.inventory_events AS
WITH parsed AS (
  SELECT
    s.*,
    ROW_NUMBER() OVER (
      PARTITION BY s.event_id ORDER BY s.arrival_time, s.shard_id, LENGTH(s.sequence_number), s.sequence_number
    ) AS copy_number
  FROM realtime.inventory_stream s
  WHERE s.body IS NOT NULL
    AND s.event_id IS NOT NULL
    AND s.schema_version = 1
    AND NOT s.body ~ '":[[:space:]]*-[0-9]'
    AND NOT s.body ~ '"(quantity|customer_id|product_id|line_number|reorder_point)"[[:space:]]*:[[:space:]]*"'
    AND NOT s.body ~ '"(event_id|event_type|event_time|order_id|sku|warehouse_id)"[[:space:]]*:[[:space:]]*[^"[:space:]]'
    AND s.event_time IS NOT NULL
    AND s.sku IS NOT NULL
    AND s.warehouse_id IS NOT NULL
    AND s.quantity > 0
    AND (
      s.event_type IN ('inventory.received', 'inventory.reserved', 'inventory.released', 'inventory.shipped')
      OR (s.event_type = 'inventory.adjusted' AND s.direction IN ('increase', 'decrease'))
    )
)

SELECT
  p.event_id,
  p.event_type,
  p.event_time,
  p.arrival_time,
  p.sku,
  p.warehouse_id,
  p.quantity,
  p.direction,
  p.reorder_point,
  p.order_id,
  p.shard_id,
  p.sequence_number,
  CASE
    WHEN p.event_type = 'inventory.received' THEN p.quantity
    WHEN p.event_type = 'inventory.shipped' THEN -p.quantity
    WHEN p.event_type = 'inventory.adjusted' AND p.direction = 'increase' THEN p.quantity
    WHEN p.event_type = 'inventory.adjusted' THEN -p.quantity
    ELSE 0
  END AS on_hand_delta,
  CASE
    WHEN p.event_type = 'inventory.reserved' THEN p.quantity
    WHEN p.event_type IN ('inventory.released', 'inventory.shipped') THEN -p.quantity
    ELSE 0
  END AS reserved_delta
FROM parsed p
WHERE p.copy_number = 1;
