-- analytics.sales_lines: what did each order line finally earn?
--
-- The base of every sales view: one row per order line of an order that was NOT cancelled (grain:
-- order_id x line_number), with the customer's and the product's attributes as they were at the
-- order's time (the SCD type 2 versions star.fact_sales points at) and its revenue after returns.
--
-- Columns:
--   order_id, line_number      the line's natural key
--   order_count                1 on the first line of the order, 0 on the others: SUM(order_count)
--                              counts orders at any grain that keeps an order whole
--   sku_order_count, category_order_count, segment_order_count   the same for the order's lines of
--                              one SKU, one category, one category and brand: 1 on the first such
--                              line, 0 on the others, so SUM counts the distinct orders of a SKU,
--                              category or segment, also together with month, channel or country
--   order_time, order_date     when the order was placed (UTC), and its date
--   week_start, month_start    the Monday of its ISO week and the first day of its month
--   customer_id                the customer (natural key); customer_key is the dimension version
--   customer_country           the customer's country at order time ('Unknown' if not known yet)
--   sku, product_id            the product; product_key is the dimension version at order time
--   category, subcategory, brand   the product's attributes at order time ('Unknown' if not known yet)
--   campaign_id                the campaign the order is attributed to (last touch), NULL for none
--   channel                    the sales channel (web, mobile_app, marketplace, store)
--   status                     the order's latest status (created, paid, shipped, delivered, returned)
--   quantity                   units ordered; returned_quantity: units of the line returned
--   units                      net units: quantity - returned_quantity
--   unit_price, discount       the line's price per unit and its total discount (EUR)
--   gross_amount               quantity x unit_price
--   net_amount                 quantity x unit_price - discount
--   returned_amount            returned units at the line's net unit price: returned_quantity x net_amount / quantity
--   revenue                    net_amount - returned_amount (DECIMAL(18,4), EUR)
--
-- Definitions: revenue is the net line amount of orders not cancelled (status <> 'cancelled'),
-- minus the returned units at their net unit price; it is booked on the ORDER date (a return lowers
-- the revenue of the day the order was placed, not of the day it came back). Single currency (EUR).
-- Reference date: none here (every line is kept); the views built on it use the latest order date.
-- The attributes at order time are the copies star.fact_sales keeps of the versions its keys point
-- at, so this view joins no large dimension (only dim_date for the week and month).
CREATE OR REPLACE VIEW analytics.sales_lines AS
WITH fact_lines AS (
  SELECT
    f.order_id,
    f.line_number,
    f.order_count,
    f.sku_order_count,
    f.category_order_count,
    f.segment_order_count,
    f.order_time,
    f.date_key,
    f.customer_key,
    f.customer_id,
    f.customer_country,
    f.product_key,
    f.sku,
    f.product_id,
    f.category,
    f.subcategory,
    f.brand,
    f.campaign_id,
    f.channel,
    f.status,
    f.quantity,
    f.returned_quantity,
    f.unit_price,
    f.discount,
    f.gross_amount,
    f.net_amount
  FROM star.fact_sales f
  WHERE f.status <> 'cancelled'
),

with_returns AS (
  SELECT
    l.*,
    CASE WHEN l.returned_quantity = 0 THEN CAST(0 AS DECIMAL(18, 4)) ELSE CAST(
      CAST(l.returned_quantity AS DECIMAL(18, 4)) * l.net_amount / NULLIF(CAST(l.quantity AS DECIMAL(18, 4)), 0)
      AS DECIMAL(18, 4)
    ) END AS returned_amount
  FROM fact_lines l
)

SELECT
  r.order_id,
  r.line_number,
  r.order_count,
  r.sku_order_count,
  r.category_order_count,
  r.segment_order_count,
  r.order_time,
  d.full_date AS order_date,
  d.week_start,
  d.month_start,
  r.customer_id,
  r.customer_key,
  COALESCE(r.customer_country, 'Unknown') AS customer_country,
  r.sku,
  r.product_id,
  r.product_key,
  COALESCE(r.category, 'Unknown') AS category,
  COALESCE(r.subcategory, 'Unknown') AS subcategory,
  COALESCE(r.brand, 'Unknown') AS brand,
  r.campaign_id,
  r.channel,
  r.status,
  r.quantity,
  r.returned_quantity,
  r.quantity - r.returned_quantity AS units,
  r.unit_price,
  r.discount,
  r.gross_amount,
  r.net_amount,
  COALESCE(r.returned_amount, 0) AS returned_amount,
  CAST(r.net_amount - COALESCE(r.returned_amount, 0) AS DECIMAL(18, 4)) AS revenue
FROM with_returns r
JOIN star.dim_date d ON d.date_key = r.date_key;
