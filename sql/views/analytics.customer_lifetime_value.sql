-- analytics.customer_lifetime_value: what has each customer been worth to date?
--
-- Grain: one row per customer (customer_id) with at least one order that was not cancelled.
--
-- Columns:
--   customer_id               the customer (natural key)
--   country, loyalty_tier     the customer's CURRENT attributes (is_current version of dim_customer;
--                             NULL if the customer is not in the dimension yet)
--   signup_date               from the current version
--   first_order_date, last_order_date   dates of the first and the latest order
--   orders                    distinct orders (not cancelled)
--   units                     net units bought (quantity - returned_quantity)
--   revenue                   historical CLV: revenue of all the customer's orders (EUR)
--   average_order_value       revenue / orders
--   tenure_days               days from first_order_date to the reference date
--   days_since_last_order     days from last_order_date to the reference date
--   avg_days_between_orders   (last_order_date - first_order_date) / (orders - 1), NULL with one order
--   revenue_per_tenure_month  revenue / (tenure_days / 30.0 + 1): revenue per 30 days of tenure,
--                             the tenure counted from 1 month so a new customer is not inflated
--
-- Definitions: revenue = net line amount (quantity x unit_price - discount) of orders not cancelled,
-- minus returned units at their net unit price (analytics.sales_lines). Historical value only: no
-- prediction.
-- Reference date: the latest order date in star.fact_sales (not CURRENT_DATE).
CREATE OR REPLACE VIEW analytics.customer_lifetime_value AS
WITH reference AS (
  SELECT CAST(MAX(order_time) AS DATE) AS reference_date
  FROM star.fact_sales
),

customer_sales AS (
  -- The lines of analytics.sales_lines grouped by customer: star.mv_customer_sales (V008), refreshed
  -- by every load run.
  SELECT customer_id, first_order_date, last_order_date, orders, units, revenue
  FROM star.mv_customer_sales
),

current_customers AS (
  SELECT customer_id, country, loyalty_tier, signup_date
  FROM star.dim_customer
  WHERE is_current AND customer_key > 0
),

measured AS (
  SELECT
    s.*,
    DATEDIFF(day, s.first_order_date, r.reference_date) AS tenure_days,
    DATEDIFF(day, s.last_order_date, r.reference_date) AS days_since_last_order,
    DATEDIFF(day, s.first_order_date, s.last_order_date) AS active_span_days
  FROM customer_sales s
  CROSS JOIN reference r
)

SELECT
  m.customer_id,
  c.country,
  c.loyalty_tier,
  c.signup_date,
  m.first_order_date,
  m.last_order_date,
  m.orders,
  m.units,
  m.revenue,
  CAST(m.revenue / NULLIF(m.orders, 0) AS DECIMAL(18, 4)) AS average_order_value,
  m.tenure_days,
  m.days_since_last_order,
  CAST(m.active_span_days AS DOUBLE PRECISION) / NULLIF(CAST(m.orders - 1 AS DOUBLE PRECISION), 0)
    AS avg_days_between_orders,
  CAST(m.revenue AS DOUBLE PRECISION) / (CAST(m.tenure_days AS DOUBLE PRECISION) / 30.0 + 1.0)
    AS revenue_per_tenure_month
FROM measured m
LEFT JOIN current_customers c ON c.customer_id = m.customer_id;
