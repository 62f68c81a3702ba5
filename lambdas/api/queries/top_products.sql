-- getTopProducts: the best SKUs of one month from analytics.top_products_monthly (its top 100 by
-- revenue; ties by units, then SKU), the first :max_rank of them, best first.
-- Parameters: month_start (date, the first day of the month), max_rank (integer).
-- Columns: revenue_rank, sku, product_name, category, brand, orders, units, revenue, revenue_share.
SELECT revenue_rank, sku, product_name, category, brand, orders, units, revenue, revenue_share
FROM analytics.top_products_monthly
WHERE month_start = CAST(:month_start AS DATE)
  AND revenue_rank <= CAST(:max_rank AS INTEGER)
ORDER BY revenue_rank
