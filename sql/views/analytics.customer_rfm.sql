-- analytics.customer_rfm: how recently, how often and for how much has each customer bought, and
-- which segment does that put them in?
--
-- Grain: one row per customer (customer_id) with at least one order that was not cancelled.
--
-- Columns:
--   customer_id        the customer (natural key)
--   first_order_date   date of the customer's first order; last_order_date of the latest one
--   recency_days       days from last_order_date to the reference date (0 = bought on the reference date)
--   frequency          distinct orders (not cancelled)
--   monetary           revenue of those orders (EUR)
--   r_score            NTILE(5) over recency, most recent = 5 (ORDER BY recency_days DESC, customer_id)
--   f_score            NTILE(5) over frequency, most orders = 5 (ORDER BY frequency, customer_id)
--   m_score            NTILE(5) over monetary, highest = 5 (ORDER BY monetary, customer_id)
--   rfm_cell           r_score * 100 + f_score * 10 + m_score (e.g. 545)
--   segment            the named segment, from the scores, first rule that matches:
--                        Champions    r >= 4 and f >= 4 and m >= 4
--                        Loyal        r >= 3 and f >= 3
--                        New          r >= 4 (recent, few orders)
--                        Promising    r = 3 (few orders)
--                        At risk      f >= 3 (bought often, not lately: r <= 2)
--                        Hibernating  r = 2 (few orders)
--                        Lost         everyone else (r = 1, few orders)
--
-- Definitions: revenue = net line amount (quantity x unit_price - discount) of orders not cancelled,
-- minus returned units at their net unit price (analytics.sales_lines). NTILE splits customers into
-- five groups of equal size (the first groups take one more when the count does not divide): equal
-- values may land in neighbouring scores, customer_id breaks the ties deterministically.
-- Reference date: the latest order date in star.fact_sales (not CURRENT_DATE), so that answers are
-- reproducible.
CREATE OR REPLACE VIEW analytics.customer_rfm AS
WITH reference AS (
  SELECT CAST(MAX(order_time) AS DATE) AS reference_date
  FROM star.fact_sales
),

customers AS (
  -- The lines of analytics.sales_lines grouped by customer: star.mv_customer_sales (V008), refreshed
  -- by every load run. An order is whole within a customer, so its order counts add up.
  SELECT
    customer_id,
    first_order_date,
    last_order_date,
    orders AS frequency,
    revenue AS monetary
  FROM star.mv_customer_sales
),

measured AS (
  SELECT
    c.*,
    DATEDIFF(day, c.last_order_date, r.reference_date) AS recency_days
  FROM customers c
  CROSS JOIN reference r
),

scored AS (
  SELECT
    m.*,
    NTILE(5) OVER (ORDER BY m.recency_days DESC, m.customer_id) AS r_score,
    NTILE(5) OVER (ORDER BY m.frequency, m.customer_id) AS f_score,
    NTILE(5) OVER (ORDER BY m.monetary, m.customer_id) AS m_score
  FROM measured m
)

SELECT
  s.customer_id,
  s.first_order_date,
  s.last_order_date,
  s.recency_days,
  s.frequency,
  s.monetary,
  s.r_score,
  s.f_score,
  s.m_score,
  s.r_score * 100 + s.f_score * 10 + s.m_score AS rfm_cell,
  CAST(CASE
    WHEN s.r_score >= 4 AND s.f_score >= 4 AND s.m_score >= 4 THEN 'Champions'
    WHEN s.r_score >= 3 AND s.f_score >= 3 THEN 'Loyal'
    WHEN s.r_score >= 4 THEN 'New'
    WHEN s.r_score = 3 THEN 'Promising'
    WHEN s.f_score >= 3 THEN 'At risk'
    WHEN s.r_score = 2 THEN 'Hibernating'
    ELSE 'Lost'
  END AS VARCHAR(16)) AS segment
FROM scored s;
