-- analytics.cohort_retention: of the customers who first bought in a month, how many bought again
-- in each following month?
--
-- Grain: one row per cohort month x month since the cohort, from month 0 (the cohort month) to the
-- month of the reference date (months with no active customer are present with 0).
--
-- Columns:
--   cohort_month        the month of the customer's first order (not cancelled)
--   activity_month      the month measured
--   months_since_first  DATEDIFF(month, cohort_month, activity_month): 0, 1, 2, ...
--   cohort_size         customers of the cohort
--   active_customers    customers of the cohort with at least one order (not cancelled) in activity_month
--   retention_rate      active_customers / cohort_size, a fraction (1.0 in month 0 by construction)
--
-- Definitions: an order counts when it is not cancelled (analytics.sales_lines); a customer whose
-- order was fully returned still counts as active that month.
-- Reference date: the latest order date in star.fact_sales (not CURRENT_DATE); its month is the
-- last activity month (partial).
CREATE OR REPLACE VIEW analytics.cohort_retention AS
WITH reference AS (
  SELECT CAST(DATE_TRUNC('month', MAX(order_time)) AS DATE) AS reference_month
  FROM star.fact_sales
),

customer_months AS (
  -- A row per customer and month with an order: star.mv_customer_month_sales (V008), refreshed by
  -- every load run.
  SELECT
    customer_id,
    month_start AS activity_month
  FROM star.mv_customer_month_sales
),

cohorts AS (
  SELECT
    customer_id,
    MIN(activity_month) AS cohort_month
  FROM customer_months
  GROUP BY customer_id
),

cohort_sizes AS (
  SELECT
    cohort_month,
    COUNT(*) AS cohort_size
  FROM cohorts
  GROUP BY cohort_month
),

months AS (
  SELECT DISTINCT d.month_start
  FROM star.dim_date d
  CROSS JOIN reference r
  WHERE d.month_start >= (SELECT MIN(cohort_month) FROM cohort_sizes)
    AND d.month_start <= r.reference_month
),

grid AS (
  SELECT
    s.cohort_month,
    m.month_start AS activity_month,
    s.cohort_size
  FROM cohort_sizes s
  JOIN months m ON m.month_start >= s.cohort_month
),

activity AS (
  SELECT
    c.cohort_month,
    cm.activity_month,
    COUNT(*) AS active_customers
  FROM customer_months cm
  JOIN cohorts c ON c.customer_id = cm.customer_id
  GROUP BY c.cohort_month, cm.activity_month
)

SELECT
  g.cohort_month,
  g.activity_month,
  DATEDIFF(month, g.cohort_month, g.activity_month) AS months_since_first,
  g.cohort_size,
  COALESCE(a.active_customers, 0) AS active_customers,
  CAST(COALESCE(a.active_customers, 0) AS DOUBLE PRECISION) / NULLIF(CAST(g.cohort_size AS DOUBLE PRECISION), 0)
    AS retention_rate
FROM grid g
LEFT JOIN activity a ON a.cohort_month = g.cohort_month AND a.activity_month = g.activity_month;
