-- realtime.orders_per_minute: how many orders, and how much revenue, did each minute of the last
-- six hours bring, against the same minute a week earlier?
--
-- Grain: one row per minute from six hours ago to the current minute (361 rows); a minute without
-- orders shows 0, so a silent stream is visible as a run of zeros.
--
-- Columns:
--   minute_start            the minute (UTC), by the orders' event_time: an order that arrives late
--                           counts in the minute it was placed, once it has arrived
--   is_current_minute       TRUE for the minute still under way (its counts are partial)
--   orders                  orders created in the minute (realtime.order_values)
--   revenue                 their order value in EUR (orders in other currencies count in orders only;
--                           the warehouse is single currency, EUR)
--   orders_last_week, revenue_last_week   the same for the same minute seven days earlier
--   orders_change           orders - orders_last_week
--
-- Definitions: revenue here is the order value at creation (lines net of discounts, plus
-- shipping), the number the orders transformer publishes as order_revenue; the warehouse's revenue
-- (analytics.sales_*) excludes shipping and subtracts cancellations and returns. Reference time:
-- now (GETDATE()). A week-old minute is only known if the stream's materialized view is older than
-- a week.
CREATE OR REPLACE VIEW realtime.orders_per_minute AS
WITH now_minute AS (
  SELECT DATE_TRUNC('minute', GETDATE()) AS minute_start
),

minutes AS (
  SELECT DATEADD(minute, -n.n, m.minute_start) AS minute_start
  FROM now_minute m
  JOIN realtime.numbers n ON n.n <= 360
),

per_minute AS (
  SELECT
    DATE_TRUNC('minute', v.created_at) AS minute_start,
    COUNT(*) AS orders,
    SUM(CASE WHEN v.currency = 'EUR' THEN v.order_value ELSE 0 END) AS revenue
  FROM realtime.order_values v
  WHERE v.created_at >= DATEADD(minute, -(7 * 24 * 60 + 361), GETDATE())
  GROUP BY DATE_TRUNC('minute', v.created_at)
)

SELECT
  m.minute_start,
  m.minute_start = (SELECT minute_start FROM now_minute) AS is_current_minute,
  COALESCE(c.orders, 0) AS orders,
  CAST(COALESCE(c.revenue, 0) AS DECIMAL(18, 4)) AS revenue,
  COALESCE(w.orders, 0) AS orders_last_week,
  CAST(COALESCE(w.revenue, 0) AS DECIMAL(18, 4)) AS revenue_last_week,
  COALESCE(c.orders, 0) - COALESCE(w.orders, 0) AS orders_change
FROM minutes m
LEFT JOIN per_minute c ON c.minute_start = m.minute_start
LEFT JOIN per_minute w ON w.minute_start = DATEADD(day, -7, m.minute_start);
