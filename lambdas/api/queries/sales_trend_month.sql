-- getSalesTrend, grain=month, no filter: analytics.sales_monthly, the periods whose start (month_start) lies
-- between :from_date and :to_date (inclusive), oldest first, one page by row number (:row_from to
-- :row_to, 1-based, inclusive: the handler asks for one row more than the page to know whether
-- another page follows).
-- Parameters: from_date, to_date (date), row_from, row_to (integer).
-- Columns: period_start, orders, units, revenue, average_order_value.
SELECT period_start, orders, units, revenue, average_order_value
FROM (
  SELECT
    month_start AS period_start,
    orders,
    units,
    revenue,
    average_order_value,
    ROW_NUMBER() OVER (ORDER BY month_start) AS rn
  FROM analytics.sales_monthly
  WHERE month_start BETWEEN CAST(:from_date AS DATE) AND CAST(:to_date AS DATE)
) numbered
WHERE rn BETWEEN CAST(:row_from AS INTEGER) AND CAST(:row_to AS INTEGER)
ORDER BY period_start
