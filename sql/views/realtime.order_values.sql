-- realtime.order_values: what is each order placed on the stream worth?
--
-- Grain: one row per order with an order.created event in realtime.order_events (the first
-- order.created of the order if it was sent twice under two event ids).
--
-- Columns:
--   order_id, customer_id, channel, currency   as created
--   created_at            the order.created event_time (UTC)
--   line_count, units     lines and units ordered
--   order_value           sum over lines of quantity x unit_price - discount, plus shipping_amount,
--                         in the order's currency: the order_total the orders transformer computes
--                         and publishes as the order_revenue metric
--
-- Definitions: lines are read from lines_json one per row through realtime.numbers (at most 200 an
-- order). A line whose quantity or unit_price is not a number counts as 0 (the transformer rejects
-- such an order; realtime.stream_errors does not see inside lines).
CREATE OR REPLACE VIEW realtime.order_values AS
WITH created AS (
  SELECT
    e.order_id,
    e.customer_id,
    e.channel,
    e.currency,
    e.event_time,
    e.lines_json,
    e.shipping_amount,
    ROW_NUMBER() OVER (PARTITION BY e.order_id ORDER BY e.event_time, e.event_id) AS created_number
  FROM realtime.order_events e
  WHERE e.event_type = 'order.created'
),

first_created AS (
  SELECT *
  FROM created
  WHERE created_number = 1
),

lines AS (
  SELECT
    c.order_id,
    JSON_EXTRACT_ARRAY_ELEMENT_TEXT(c.lines_json, n.n, TRUE) AS line
  FROM first_created c
  JOIN realtime.numbers n ON n.n < COALESCE(JSON_ARRAY_LENGTH(c.lines_json, TRUE), 0)
),

line_amounts AS (
  SELECT
    order_id,
    COALESCE(TRY_CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(line, 'quantity', TRUE), '') AS INTEGER), 0) AS quantity,
    COALESCE(TRY_CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(line, 'unit_price', TRUE), '') AS DECIMAL(18, 4)), 0)
      AS unit_price,
    COALESCE(TRY_CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(line, 'discount', TRUE), '') AS DECIMAL(18, 4)), 0)
      AS discount
  FROM lines
),

per_order AS (
  SELECT
    order_id,
    COUNT(*) AS line_count,
    SUM(quantity) AS units,
    SUM(CAST(quantity AS DECIMAL(18, 4)) * unit_price - discount) AS lines_value
  FROM line_amounts
  GROUP BY order_id
)

SELECT
  c.order_id,
  c.customer_id,
  c.channel,
  c.currency,
  c.event_time AS created_at,
  COALESCE(p.line_count, 0) AS line_count,
  COALESCE(p.units, 0) AS units,
  CAST(COALESCE(p.lines_value, 0) + COALESCE(c.shipping_amount, 0) AS DECIMAL(18, 4)) AS order_value
FROM first_created c
LEFT JOIN per_order p ON p.order_id = c.order_id;
