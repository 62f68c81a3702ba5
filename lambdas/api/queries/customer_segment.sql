-- getCustomerSegment: one customer's RFM scores and segment from analytics.customer_rfm (no row: the
-- customer has no order, or is unknown).
-- Parameters: customer_id (integer).
-- Columns: customer_id, segment, rfm_cell, r_score, f_score, m_score, recency_days, frequency,
-- monetary, first_order_date, last_order_date.
SELECT
  customer_id,
  segment,
  rfm_cell,
  r_score,
  f_score,
  m_score,
  recency_days,
  frequency,
  monetary,
  first_order_date,
  last_order_date
FROM analytics.customer_rfm
WHERE customer_id = CAST(:customer_id AS BIGINT)
