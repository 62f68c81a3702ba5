-- getTopCategories: the categories of one month from analytics.top_categories_monthly (category at
-- order time), the first :max_rank of them, best first.
-- Parameters: month_start (date, the first day of the month), max_rank (integer).
-- Columns: revenue_rank, category, orders, units, revenue, revenue_share, revenue_prev_month,
-- revenue_change_prev_month.
SELECT
  revenue_rank,
  category,
  orders,
  units,
  revenue,
  revenue_share,
  revenue_prev_month,
  revenue_change_prev_month
FROM analytics.top_categories_monthly
WHERE month_start = CAST(:month_start AS DATE)
  AND revenue_rank <= CAST(:max_rank AS INTEGER)
ORDER BY revenue_rank
