-- analytics.new_vs_returning_monthly: each month, how many customers bought for the first time and
-- how many came back, and what did each group spend?
--
-- Grain: one row per month with sales.
--
-- Columns:
--   month_start                 the first day of the month
--   active_customers            customers with an order (not cancelled) in the month
--   new_customers               those whose first order ever is in this month
--   returning_customers         those whose first order is in an earlier month
--   new_customer_orders, returning_customer_orders     their distinct orders in the month
--   new_customer_revenue, returning_customer_revenue   their revenue in the month (EUR)
--   returning_customer_share    returning_customers / active_customers, a fraction
--   returning_revenue_share     returning_customer_revenue / the month's revenue, a fraction
--
-- Definitions: a customer's first order is their earliest order that was not cancelled; revenue =
-- net line amount of orders not cancelled minus returned units at their net unit price
-- (analytics.sales_lines). A customer who orders twice in their first month is new in that month.
-- Reference date: none needed (every month with sales; the latest month is partial).
CREATE OR REPLACE VIEW analytics.new_vs_returning_monthly AS
WITH customer_months AS (
  -- A row per customer and month with an order, with its orders and revenue:
  -- star.mv_customer_month_sales (V008), refreshed by every load run.
  SELECT customer_id, month_start, orders, revenue
  FROM star.mv_customer_month_sales
),

first_months AS (
  SELECT
    customer_id,
    MIN(month_start) AS first_month
  FROM customer_months
  GROUP BY customer_id
),

lines AS (
  SELECT
    s.month_start,
    s.customer_id,
    s.orders,
    s.revenue,
    CASE WHEN f.first_month = s.month_start THEN 1 ELSE 0 END AS is_new
  FROM customer_months s
  JOIN first_months f ON f.customer_id = s.customer_id
),

monthly AS (
  -- A customer has one row a month, so counting rows counts customers.
  SELECT
    month_start,
    COUNT(*) AS active_customers,
    CAST(SUM(is_new) AS BIGINT) AS new_customers,
    CAST(SUM(1 - is_new) AS BIGINT) AS returning_customers,
    SUM(CASE WHEN is_new = 1 THEN orders ELSE 0 END) AS new_customer_orders,
    SUM(CASE WHEN is_new = 0 THEN orders ELSE 0 END) AS returning_customer_orders,
    CAST(SUM(CASE WHEN is_new = 1 THEN revenue ELSE 0 END) AS DECIMAL(18, 4)) AS new_customer_revenue,
    CAST(SUM(CASE WHEN is_new = 0 THEN revenue ELSE 0 END) AS DECIMAL(18, 4)) AS returning_customer_revenue
  FROM lines
  GROUP BY month_start
)

SELECT
  m.month_start,
  m.active_customers,
  m.new_customers,
  m.returning_customers,
  m.new_customer_orders,
  m.returning_customer_orders,
  m.new_customer_revenue,
  m.returning_customer_revenue,
  CAST(m.returning_customers AS DOUBLE PRECISION) / NULLIF(CAST(m.active_customers AS DOUBLE PRECISION), 0)
    AS returning_customer_share,
  CAST(m.returning_customer_revenue AS DOUBLE PRECISION)
    / NULLIF(CAST(m.new_customer_revenue + m.returning_customer_revenue AS DOUBLE PRECISION), 0)
    AS returning_revenue_share
FROM monthly m;
