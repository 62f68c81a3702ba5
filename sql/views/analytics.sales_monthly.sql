-- analytics.sales_monthly: how much did we sell each month, against the month before, the same
-- month a year earlier and the last three months?
--
-- Grain: one row per calendar month from the month of the first order to the month of the
-- reference date (months without sales are present with zeros).
--
-- Columns:
--   month_start              the first day of the month
--   is_partial               TRUE for the month of the reference date when it does not end on it
--                            (its numbers are month-to-date)
--   orders, units, revenue   distinct orders (not cancelled), net units, revenue (EUR) of the month
--   average_order_value      revenue / orders
--   revenue_prev_month       revenue of the month before; revenue_change_prev_month the fractional change
--   orders_prev_month        orders of the month before
--   revenue_prev_year        revenue of the same month a year earlier, NULL before the data starts;
--                            revenue_change_yoy the fractional change
--   revenue_3m_avg           average monthly revenue of the 3 months ending with this one (NULL until 3 exist)
--
-- Definitions: revenue = net line amount (quantity x unit_price - discount) of orders not cancelled,
-- minus returned units at their net unit price, booked on the order date (analytics.sales_lines).
-- Reference date: the latest order date in star.fact_sales (not CURRENT_DATE).
CREATE OR REPLACE VIEW analytics.sales_monthly AS
WITH reference AS (
  SELECT CAST(MAX(order_time) AS DATE) AS reference_date
  FROM star.fact_sales
),

first_day AS (
  SELECT MIN(order_date) AS first_date
  FROM star.mv_sales_by_day_campaign
),

months AS (
  -- Every month from the first sale to the reference date, with or without sales.
  SELECT DISTINCT d.month_start
  FROM star.dim_date d
  CROSS JOIN reference r
  CROSS JOIN first_day f
  WHERE d.full_date >= f.first_date AND d.full_date <= r.reference_date
),

monthly_sales AS (
  -- The day x campaign aggregates of star.mv_sales_by_day_campaign (V008), refreshed by every load run.
  SELECT
    month_start,
    SUM(orders) AS orders,
    SUM(units) AS units,
    SUM(revenue) AS revenue
  FROM star.mv_sales_by_day_campaign
  GROUP BY month_start
),

filled AS (
  SELECT
    m.month_start,
    COALESCE(s.orders, 0) AS orders,
    COALESCE(s.units, 0) AS units,
    CAST(COALESCE(s.revenue, 0) AS DECIMAL(18, 4)) AS revenue
  FROM months m
  LEFT JOIN monthly_sales s ON s.month_start = m.month_start
),

windowed AS (
  SELECT
    f.*,
    LAG(f.revenue) OVER (ORDER BY f.month_start) AS revenue_prev_month,
    LAG(f.orders) OVER (ORDER BY f.month_start) AS orders_prev_month,
    COUNT(*) OVER (ORDER BY f.month_start ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS months_in_window,
    AVG(CAST(f.revenue AS DOUBLE PRECISION)) OVER (ORDER BY f.month_start ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
      AS revenue_avg_window
  FROM filled f
)

SELECT
  w.month_start,
  CASE WHEN CAST(DATEADD(day, -1, DATEADD(month, 1, w.month_start)) AS DATE) > r.reference_date THEN TRUE ELSE FALSE END
    AS is_partial,
  w.orders,
  w.units,
  w.revenue,
  CAST(w.revenue / NULLIF(w.orders, 0) AS DECIMAL(18, 4)) AS average_order_value,
  w.revenue_prev_month,
  CAST(w.revenue - w.revenue_prev_month AS DOUBLE PRECISION) / NULLIF(CAST(w.revenue_prev_month AS DOUBLE PRECISION), 0)
    AS revenue_change_prev_month,
  w.orders_prev_month,
  y.revenue AS revenue_prev_year,
  CAST(w.revenue - y.revenue AS DOUBLE PRECISION) / NULLIF(CAST(y.revenue AS DOUBLE PRECISION), 0)
    AS revenue_change_yoy,
  CASE WHEN w.months_in_window = 3 THEN w.revenue_avg_window END AS revenue_3m_avg
FROM windowed w
CROSS JOIN reference r
LEFT JOIN filled y ON y.month_start = CAST(DATEADD(month, -12, w.month_start) AS DATE);
