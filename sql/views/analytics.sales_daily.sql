-- analytics.sales_daily: how much did we sell each day, and how does it compare with the day
-- before, the same day last year and the last seven days?
--
-- Grain: one row per calendar day from the first order date to the reference date (days without
-- sales are present with zeros, so LAG and moving averages step over real days).
--
-- Columns:
--   order_date               the day (UTC)
--   orders                   distinct orders placed that day (not cancelled)
--   units                    net units sold (quantity - returned_quantity)
--   revenue                  sum of analytics.sales_lines.revenue (EUR)
--   average_order_value      revenue / orders (NULL when no orders)
--   revenue_prev_day         revenue of the day before (NULL on the first day)
--   revenue_change_prev_day  (revenue - revenue_prev_day) / revenue_prev_day, a fraction (0.1 = +10%)
--   orders_prev_day          orders of the day before
--   revenue_prev_year        revenue of the same calendar date one year earlier (DATEADD(year, -1);
--                            29 February compares with 28 February), NULL before the data starts
--   revenue_change_yoy       (revenue - revenue_prev_year) / revenue_prev_year, a fraction
--   revenue_7d_avg           average daily revenue of the 7 days ending on this day (NULL until 7 days exist)
--   orders_7d_avg            average daily orders of the same 7 days
--
-- Definitions: revenue = net line amount (quantity x unit_price - discount) of orders not cancelled,
-- minus returned units at their net unit price, booked on the order date (analytics.sales_lines).
-- Divisions are NULL-safe (NULLIF): a change against zero is NULL.
-- Reference date: the latest order date in star.fact_sales (not CURRENT_DATE), so that answers are
-- reproducible; the last day is the reference date itself.
CREATE OR REPLACE VIEW analytics.sales_daily AS
WITH reference AS (
  SELECT CAST(MAX(order_time) AS DATE) AS reference_date
  FROM star.fact_sales
),

first_day AS (
  SELECT MIN(order_date) AS first_date
  FROM star.mv_sales_by_day_campaign
),

calendar AS (
  SELECT d.full_date AS order_date
  FROM star.dim_date d
  CROSS JOIN reference r
  CROSS JOIN first_day f
  WHERE d.full_date >= f.first_date AND d.full_date <= r.reference_date
),

daily AS (
  -- The day x campaign aggregates of star.mv_sales_by_day_campaign (V008), refreshed by every load run.
  SELECT
    order_date,
    SUM(orders) AS orders,
    SUM(units) AS units,
    SUM(revenue) AS revenue
  FROM star.mv_sales_by_day_campaign
  GROUP BY order_date
),

filled AS (
  SELECT
    c.order_date,
    COALESCE(d.orders, 0) AS orders,
    COALESCE(d.units, 0) AS units,
    CAST(COALESCE(d.revenue, 0) AS DECIMAL(18, 4)) AS revenue
  FROM calendar c
  LEFT JOIN daily d ON d.order_date = c.order_date
),

windowed AS (
  SELECT
    f.*,
    LAG(f.revenue) OVER (ORDER BY f.order_date) AS revenue_prev_day,
    LAG(f.orders) OVER (ORDER BY f.order_date) AS orders_prev_day,
    COUNT(*) OVER (ORDER BY f.order_date ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS days_in_window,
    AVG(CAST(f.revenue AS DOUBLE PRECISION)) OVER (ORDER BY f.order_date ROWS BETWEEN 6 PRECEDING AND CURRENT ROW)
      AS revenue_avg_window,
    AVG(CAST(f.orders AS DOUBLE PRECISION)) OVER (ORDER BY f.order_date ROWS BETWEEN 6 PRECEDING AND CURRENT ROW)
      AS orders_avg_window
  FROM filled f
)

SELECT
  w.order_date,
  w.orders,
  w.units,
  w.revenue,
  CAST(w.revenue / NULLIF(w.orders, 0) AS DECIMAL(18, 4)) AS average_order_value,
  w.revenue_prev_day,
  CAST(w.revenue - w.revenue_prev_day AS DOUBLE PRECISION) / NULLIF(CAST(w.revenue_prev_day AS DOUBLE PRECISION), 0)
    AS revenue_change_prev_day,
  w.orders_prev_day,
  y.revenue AS revenue_prev_year,
  CAST(w.revenue - y.revenue AS DOUBLE PRECISION) / NULLIF(CAST(y.revenue AS DOUBLE PRECISION), 0)
    AS revenue_change_yoy,
  CASE WHEN w.days_in_window = 7 THEN w.revenue_avg_window END AS revenue_7d_avg,
  CASE WHEN w.days_in_window = 7 THEN w.orders_avg_window END AS orders_7d_avg
FROM windowed w
LEFT JOIN filled y ON y.order_date = CAST(DATEADD(year, -1, w.order_date) AS DATE);
