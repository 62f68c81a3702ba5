-- realtime.stream_errors: which records of the orders and inventory streams did not parse, and why?
--
-- Grain: one row per record of realtime.orders_stream or realtime.inventory_stream that the
-- monitoring views leave out (nothing is dropped silently: every record is either counted by
-- realtime.order_events / realtime.inventory_events, a duplicate of one, or listed here).
--
-- Columns:
--   stream                  orders or inventory
--   reason                  too_large (over 65,535 bytes), not_json_object (not UTF-8, not JSON, or
--                           JSON that is not an object), missing_event_id,
--                           unsupported_schema_version (not 1), bad_event_time (missing or not a
--                           timestamp), unknown_event_type, missing_fields (a field the event type
--                           needs is missing or not valid), invalid_value (a negative number, an
--                           integer field sent as a string, or an id, type or time that is not a
--                           string)
--   event_id, event_type    as far as they could be read
--   arrival_time, partition_key, shard_id, sequence_number, record_bytes   where to find the record
--                           (the raw zone of the lake keeps its bytes)
CREATE OR REPLACE VIEW realtime.stream_errors AS
WITH records AS (
  SELECT
    CAST('orders' AS VARCHAR(16)) AS stream,
    s.arrival_time,
    s.partition_key,
    s.shard_id,
    s.sequence_number,
    s.record_bytes,
    s.body,
    s.event_id,
    s.event_type,
    s.event_time,
    s.schema_version,
    COALESCE(s.event_type IN (
      'order.created', 'order.paid', 'order.shipped', 'order.delivered', 'order.cancelled', 'order.returned'
    ), FALSE) AS known_type,
    COALESCE(s.order_id IS NOT NULL
      AND (
        s.event_type <> 'order.created'
        OR (s.customer_id IS NOT NULL AND s.channel IS NOT NULL AND s.currency IS NOT NULL AND s.lines_json IS NOT NULL)
      ), FALSE) AS has_fields
  FROM realtime.orders_stream s
  UNION ALL
  SELECT
    CAST('inventory' AS VARCHAR(16)) AS stream,
    s.arrival_time,
    s.partition_key,
    s.shard_id,
    s.sequence_number,
    s.record_bytes,
    s.body,
    s.event_id,
    s.event_type,
    s.event_time,
    s.schema_version,
    COALESCE(s.event_type IN (
      'inventory.received', 'inventory.reserved', 'inventory.released', 'inventory.shipped', 'inventory.adjusted'
    ), FALSE) AS known_type,
    COALESCE(s.sku IS NOT NULL
      AND s.warehouse_id IS NOT NULL
      AND s.quantity > 0
      AND (s.event_type <> 'inventory.adjusted' OR s.direction IN ('increase', 'decrease')), FALSE) AS has_fields
  FROM realtime.inventory_stream s
),

classified AS (
  SELECT
    r.*,
    CAST(CASE
      WHEN r.record_bytes > 65535 THEN 'too_large'
      WHEN r.body IS NULL THEN 'not_json_object'
      WHEN r.event_id IS NULL THEN 'missing_event_id'
      WHEN COALESCE(r.schema_version, 0) <> 1 THEN 'unsupported_schema_version'
      WHEN r.event_time IS NULL THEN 'bad_event_time'
      WHEN NOT r.known_type THEN 'unknown_event_type'
      WHEN r.body ~ '":[[:space:]]*-[0-9]'
        OR r.body ~ '"(quantity|customer_id|product_id|line_number|reorder_point)"[[:space:]]*:[[:space:]]*"'
        OR r.body ~ '"(event_id|event_type|event_time|order_id|sku|warehouse_id)"[[:space:]]*:[[:space:]]*[^"[:space:]]'
        THEN 'invalid_value'
      WHEN NOT r.has_fields THEN 'missing_fields'
    END AS VARCHAR(32)) AS reason
  FROM records r
)

SELECT
  stream,
  reason,
  event_id,
  event_type,
  arrival_time,
  partition_key,
  shard_id,
  sequence_number,
  record_bytes
FROM classified
WHERE reason IS NOT NULL;
