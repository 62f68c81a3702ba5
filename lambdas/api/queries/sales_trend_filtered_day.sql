-- getSalesTrend, grain=day, with filters: analytics.sales_lines aggregated per order_date for the lines
-- that match every filter given (category, channel, customer_country as region; the value '*' means
-- "no filter", because the Data API binds neither NULL nor ''), over the periods of
-- analytics.sales_daily whose start lies between :from_date and :to_date (inclusive), so a period
-- without a matching line shows zeros. orders = distinct orders with a matching line. Oldest first,
-- one page by row number (:row_from to :row_to, 1-based, inclusive).
-- Parameters: from_date, to_date (date), category, channel, region (string), row_from, row_to (integer).
-- Columns: period_start, orders, units, revenue, average_order_value.
WITH periods AS (
  SELECT order_date AS period_start
  FROM analytics.sales_daily
  WHERE order_date BETWEEN CAST(:from_date AS DATE) AND CAST(:to_date AS DATE)
),
matching AS (
  SELECT
    order_date AS period_start,
    COUNT(DISTINCT order_id) AS orders,
    SUM(units) AS units,
    SUM(revenue) AS revenue
  FROM analytics.sales_lines
  WHERE order_date BETWEEN CAST(:from_date AS DATE) AND CAST(:to_date AS DATE)
    AND (:category = '*' OR category = :category)
    AND (:channel = '*' OR channel = :channel)
    AND (:region = '*' OR customer_country = :region)
  GROUP BY order_date
),
numbered AS (
  SELECT
    p.period_start,
    COALESCE(m.orders, 0) AS orders,
    COALESCE(m.units, 0) AS units,
    CAST(COALESCE(m.revenue, 0) AS DECIMAL(18, 4)) AS revenue,
    CAST(m.revenue AS DECIMAL(18, 4)) / NULLIF(m.orders, 0) AS average_order_value,
    ROW_NUMBER() OVER (ORDER BY p.period_start) AS rn
  FROM periods p
  LEFT JOIN matching m ON m.period_start = p.period_start
)
SELECT period_start, orders, units, revenue, average_order_value
FROM numbered
WHERE rn BETWEEN CAST(:row_from AS INTEGER) AND CAST(:row_to AS INTEGER)
ORDER BY period_start
