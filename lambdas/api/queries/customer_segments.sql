-- listCustomerSegments: every RFM segment's size from analytics.customer_segments, the largest
-- revenue first (ties by segment).
-- Parameters: none.
-- Columns: segment, customers, customer_share, revenue, revenue_share, avg_recency_days,
-- avg_frequency, avg_monetary.
SELECT
  segment,
  customers,
  customer_share,
  revenue,
  revenue_share,
  avg_recency_days,
  avg_frequency,
  avg_monetary
FROM analytics.customer_segments
ORDER BY revenue DESC, segment
