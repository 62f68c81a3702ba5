-- analytics.sales_by_segment_monthly: which segments (category, brand, channel, region) drive the
-- sales of each month, and how did each change against the month before?
--
-- Grain: one row per month x category x brand x channel x region with sales in that month (a
-- segment without sales in a month has no row for it).
--
-- Columns:
--   month_start                the first day of the month of the order
--   category, brand            the product's category and brand AT ORDER TIME (the dim_product
--                              version the sale points at; 'Unknown' if not known yet)
--   channel                    the sales channel of the order
--   region                     the customer's country AT ORDER TIME (the dim_customer version
--                              effective when the order was placed; 'Unknown' if not known yet):
--                              a customer who moves counts in the old country before the move and
--                              in the new one after it
--   orders                     distinct orders (not cancelled) with a line in the segment: an order
--                              with lines in two segments counts once in each
--   units, revenue             net units and revenue (EUR) of the segment's lines
--   average_order_value        revenue / orders (the segment's share of those orders)
--   revenue_prev_month         revenue of the same segment in the previous calendar month (NULL if none)
--   revenue_change_prev_month  (revenue - revenue_prev_month) / revenue_prev_month, a fraction
--   orders_prev_month          orders of the same segment in the previous month
--
-- Definitions: revenue = net line amount (quantity x unit_price - discount) of orders not cancelled,
-- minus returned units at their net unit price, booked on the order date (analytics.sales_lines).
-- Reference date: none needed (every month with sales is listed; the latest month is partial up
-- to the latest order date).
CREATE OR REPLACE VIEW analytics.sales_by_segment_monthly AS
WITH segments AS (
  -- The lines of analytics.sales_lines grouped by segment: star.mv_segment_month_sales (V008),
  -- refreshed by every load run.
  SELECT
    month_start,
    category,
    brand,
    channel,
    region,
    orders,
    units,
    revenue
  FROM star.mv_segment_month_sales
)

SELECT
  s.month_start,
  s.category,
  s.brand,
  s.channel,
  s.region,
  s.orders,
  s.units,
  s.revenue,
  CAST(s.revenue / NULLIF(s.orders, 0) AS DECIMAL(18, 4)) AS average_order_value,
  p.revenue AS revenue_prev_month,
  CAST(s.revenue - p.revenue AS DOUBLE PRECISION) / NULLIF(CAST(p.revenue AS DOUBLE PRECISION), 0)
    AS revenue_change_prev_month,
  p.orders AS orders_prev_month
FROM segments s
LEFT JOIN segments p
  ON p.month_start = CAST(DATEADD(month, -1, s.month_start) AS DATE)
  AND p.category = s.category
  AND p.brand = s.brand
  AND p.channel = s.channel
  AND p.region = s.region;
