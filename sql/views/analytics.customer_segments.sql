-- analytics.customer_segments: how big is each RFM segment, and what share of customers and of
-- revenue does it hold?
--
-- Grain: one row per segment of analytics.customer_rfm that has customers.
--
-- Columns:
--   segment             Champions, Loyal, New, Promising, At risk, Hibernating, Lost (mapping in
--                       analytics.customer_rfm)
--   customers           customers in the segment
--   customer_share      customers / all customers with an order, a fraction
--   revenue             the segment's lifetime revenue (sum of monetary, EUR)
--   revenue_share       revenue / the revenue of all customers, a fraction
--   avg_recency_days, avg_frequency, avg_monetary   the segment's averages
--
-- Definitions: those of analytics.customer_rfm (revenue = net line amount of orders not cancelled
-- minus returned units at their net unit price).
-- Reference date: that of analytics.customer_rfm (the latest order date, not CURRENT_DATE).
CREATE OR REPLACE VIEW analytics.customer_segments AS
WITH rfm AS (
  SELECT segment, recency_days, frequency, monetary
  FROM analytics.customer_rfm
),

segments AS (
  SELECT
    segment,
    COUNT(*) AS customers,
    CAST(SUM(monetary) AS DECIMAL(18, 4)) AS revenue,
    AVG(CAST(recency_days AS DOUBLE PRECISION)) AS avg_recency_days,
    AVG(CAST(frequency AS DOUBLE PRECISION)) AS avg_frequency,
    AVG(CAST(monetary AS DOUBLE PRECISION)) AS avg_monetary
  FROM rfm
  GROUP BY segment
),

totals AS (
  SELECT
    SUM(customers) AS all_customers,
    SUM(revenue) AS all_revenue
  FROM segments
)

SELECT
  s.segment,
  s.customers,
  CAST(s.customers AS DOUBLE PRECISION) / NULLIF(CAST(t.all_customers AS DOUBLE PRECISION), 0) AS customer_share,
  s.revenue,
  CAST(s.revenue AS DOUBLE PRECISION) / NULLIF(CAST(t.all_revenue AS DOUBLE PRECISION), 0) AS revenue_share,
  s.avg_recency_days,
  s.avg_frequency,
  s.avg_monetary
FROM segments s
CROSS JOIN totals t;
