-- analytics.sales_weekly: how much did we sell each week, against the week before, the same week
-- a year earlier and the last four weeks?
--
-- Grain: one row per ISO week (Monday to Sunday) from the week of the first order to the week of
-- the reference date (weeks without sales are present with zeros).
--
-- Columns:
--   week_start               the Monday of the week
--   is_partial               TRUE for the week of the reference date when it does not end on it
--                            (its numbers are week-to-date)
--   orders, units, revenue   distinct orders (not cancelled), net units, revenue (EUR) of the week
--   average_order_value      revenue / orders
--   revenue_prev_week        revenue of the week before; revenue_change_prev_week the fractional change
--   orders_prev_week         orders of the week before
--   revenue_prev_year        revenue of the week 52 weeks earlier (same ISO week position), NULL
--                            before the data starts; revenue_change_yoy the fractional change
--   revenue_4w_avg           average weekly revenue of the 4 weeks ending with this one (NULL until 4 exist)
--
-- Definitions: revenue = net line amount (quantity x unit_price - discount) of orders not cancelled,
-- minus returned units at their net unit price, booked on the order date (analytics.sales_lines).
-- Reference date: the latest order date in star.fact_sales (not CURRENT_DATE).
CREATE OR REPLACE VIEW analytics.sales_weekly AS
WITH reference AS (
  SELECT CAST(MAX(order_time) AS DATE) AS reference_date
  FROM star.fact_sales
),

first_day AS (
  SELECT MIN(order_date) AS first_date
  FROM star.mv_sales_by_day_campaign
),

weeks AS (
  -- Every ISO week from the first sale to the reference date, with or without sales.
  SELECT DISTINCT d.week_start
  FROM star.dim_date d
  CROSS JOIN reference r
  CROSS JOIN first_day f
  WHERE d.full_date >= f.first_date AND d.full_date <= r.reference_date
),

weekly_sales AS (
  -- The day x campaign aggregates of star.mv_sales_by_day_campaign (V008), refreshed by every load run.
  SELECT
    week_start,
    SUM(orders) AS orders,
    SUM(units) AS units,
    SUM(revenue) AS revenue
  FROM star.mv_sales_by_day_campaign
  GROUP BY week_start
),

filled AS (
  SELECT
    w.week_start,
    COALESCE(s.orders, 0) AS orders,
    COALESCE(s.units, 0) AS units,
    CAST(COALESCE(s.revenue, 0) AS DECIMAL(18, 4)) AS revenue
  FROM weeks w
  LEFT JOIN weekly_sales s ON s.week_start = w.week_start
),

windowed AS (
  SELECT
    f.*,
    LAG(f.revenue) OVER (ORDER BY f.week_start) AS revenue_prev_week,
    LAG(f.orders) OVER (ORDER BY f.week_start) AS orders_prev_week,
    COUNT(*) OVER (ORDER BY f.week_start ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS weeks_in_window,
    AVG(CAST(f.revenue AS DOUBLE PRECISION)) OVER (ORDER BY f.week_start ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)
      AS revenue_avg_window
  FROM filled f
)

SELECT
  w.week_start,
  CASE WHEN CAST(DATEADD(day, 6, w.week_start) AS DATE) > r.reference_date THEN TRUE ELSE FALSE END AS is_partial,
  w.orders,
  w.units,
  w.revenue,
  CAST(w.revenue / NULLIF(w.orders, 0) AS DECIMAL(18, 4)) AS average_order_value,
  w.revenue_prev_week,
  CAST(w.revenue - w.revenue_prev_week AS DOUBLE PRECISION) / NULLIF(CAST(w.revenue_prev_week AS DOUBLE PRECISION), 0)
    AS revenue_change_prev_week,
  w.orders_prev_week,
  y.revenue AS revenue_prev_year,
  CAST(w.revenue - y.revenue AS DOUBLE PRECISION) / NULLIF(CAST(y.revenue AS DOUBLE PRECISION), 0)
    AS revenue_change_yoy,
  CASE WHEN w.weeks_in_window = 4 THEN w.revenue_avg_window END AS revenue_4w_avg
FROM windowed w
CROSS JOIN reference r
LEFT JOIN filled y ON y.week_start = CAST(DATEADD(week, -52, w.week_start) AS DATE);
