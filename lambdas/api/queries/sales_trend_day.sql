-- getSalesTrend, grain=day, no filter: analytics.sales_daily, the periods whose start (order_date) lies
-- between :from_date and :to_date (inclusive), oldest first, one page by row number (:row_from to
-- :row_to, 1-based, inclusive: the handler asks for one row more than the page to know whether
-- another page follows).
-- Parameters: from_date, to_date (date), row_from, row_to (integer).
-- Columns: period_start, orders, units, revenue, average_order_value.
SELECT period_start, orders, units, revenue, average_order_value
FROM (
  SELECT
    order_date AS period_start,
    orders,
    units,
    revenue,
    average_order_value,
    ROW_NUMBER() OVER (ORDER BY order_date) AS rn
  FROM analytics.sales_daily
  WHERE order_date BETWEEN CAST(:from_date AS DATE) AND CAST(:to_date AS DATE)
) numbered
WHERE rn BETWEEN CAST(:row_from AS INTEGER) AND CAST(:row_to AS INTEGER)
ORDER BY period_start
