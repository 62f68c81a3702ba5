-- analytics.top_categories_monthly: which product categories earned the most revenue each month,
-- and what share of the month did each take?
--
-- Grain: one row per month x category with sales (every category, ranked).
--
-- Columns:
--   month_start     the first day of the month of the order
--   revenue_rank    1 = the category with the highest revenue that month (ties broken by category name)
--   category        the product's category AT ORDER TIME ('Unknown' if not known yet)
--   orders          distinct orders (not cancelled) with a line in the category
--   units, revenue  net units and revenue (EUR) of the category that month
--   revenue_share   revenue / the month's total revenue, a fraction
--   revenue_prev_month, revenue_change_prev_month   the category's revenue the month before and
--                   the fractional change (NULL when the category sold nothing that month)
--
-- Definitions: revenue = net line amount (quantity x unit_price - discount) of orders not cancelled,
-- minus returned units at their net unit price, booked on the order date (analytics.sales_lines).
-- Reference date: none needed (every month with sales is ranked; the latest month is partial).
CREATE OR REPLACE VIEW analytics.top_categories_monthly AS
WITH category_month AS (
  SELECT
    month_start,
    category,
    CAST(SUM(category_order_count) AS BIGINT) AS orders,
    SUM(units) AS units,
    CAST(SUM(revenue) AS DECIMAL(18, 4)) AS revenue
  FROM analytics.sales_lines
  GROUP BY month_start, category
),

month_totals AS (
  SELECT
    month_start,
    SUM(revenue) AS month_revenue
  FROM category_month
  GROUP BY month_start
),

ranked AS (
  SELECT
    c.*,
    ROW_NUMBER() OVER (PARTITION BY c.month_start ORDER BY c.revenue DESC, c.category) AS revenue_rank
  FROM category_month c
)

SELECT
  r.month_start,
  r.revenue_rank,
  r.category,
  r.orders,
  r.units,
  r.revenue,
  CAST(r.revenue AS DOUBLE PRECISION) / NULLIF(CAST(t.month_revenue AS DOUBLE PRECISION), 0) AS revenue_share,
  p.revenue AS revenue_prev_month,
  CAST(r.revenue - p.revenue AS DOUBLE PRECISION) / NULLIF(CAST(p.revenue AS DOUBLE PRECISION), 0)
    AS revenue_change_prev_month
FROM ranked r
JOIN month_totals t ON t.month_start = r.month_start
LEFT JOIN category_month p
  ON p.category = r.category AND p.month_start = CAST(DATEADD(month, -1, r.month_start) AS DATE);
