-- realtime.order_outcomes_hourly: how many orders were created, cancelled and returned in each of
-- the last 24 hours, and at what rate?
--
-- Grain: one row per hour from 24 hours ago to the current hour (25 rows; an hour without events
-- shows 0).
--
-- Columns:
--   hour_start              the hour (UTC), by event_time
--   orders_created          order.created events in the hour (distinct orders)
--   cancellations, returns  order.cancelled and order.returned events in the hour (distinct orders)
--   cancellation_rate       cancellations / orders_created, a fraction (NULL when no order was created)
--   return_rate             returns / orders_created, a fraction
--
-- Definitions: the rates compare the hour's cancellations and returns with the hour's new orders
-- (an operational pulse, not a cohort rate: a return usually belongs to an order of an earlier
-- day). Reference time: now (GETDATE()).
CREATE OR REPLACE VIEW realtime.order_outcomes_hourly AS
WITH now_hour AS (
  SELECT DATE_TRUNC('hour', GETDATE()) AS hour_start
),

hours AS (
  SELECT DATEADD(hour, -n.n, h.hour_start) AS hour_start
  FROM now_hour h
  JOIN realtime.numbers n ON n.n <= 24
),

per_hour AS (
  SELECT
    DATE_TRUNC('hour', event_time) AS hour_start,
    COUNT(DISTINCT CASE WHEN status = 'created' THEN order_id END) AS orders_created,
    COUNT(DISTINCT CASE WHEN status = 'cancelled' THEN order_id END) AS cancellations,
    COUNT(DISTINCT CASE WHEN status = 'returned' THEN order_id END) AS returns
  FROM realtime.order_events
  WHERE event_time >= DATEADD(hour, -25, GETDATE())
  GROUP BY DATE_TRUNC('hour', event_time)
)

SELECT
  h.hour_start,
  COALESCE(p.orders_created, 0) AS orders_created,
  COALESCE(p.cancellations, 0) AS cancellations,
  COALESCE(p.returns, 0) AS returns,
  CAST(p.cancellations AS DOUBLE PRECISION) / NULLIF(CAST(p.orders_created AS DOUBLE PRECISION), 0)
    AS cancellation_rate,
  CAST(p.returns AS DOUBLE PRECISION) / NULLIF(CAST(p.orders_created AS DOUBLE PRECISION), 0) AS return_rate
FROM hours h
LEFT JOIN per_hour p ON p.hour_start = h.hour_start;
