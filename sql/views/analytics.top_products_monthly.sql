-- analytics.top_products_monthly: which products (SKUs) earned the most revenue each month?
--
-- Grain: one row per month x SKU, for the 100 best SKUs of each month by revenue.
--
-- Columns:
--   month_start        the first day of the month of the order
--   revenue_rank       1 = the SKU with the highest revenue that month; ties broken by units
--                      (more first), then by SKU (ascending), so ranks are unique
--   sku                the SKU
--   product_name, category, brand   the SKU's CURRENT attributes (is_current version of dim_product;
--                      'Unknown' if the catalogue does not know it)
--   orders             distinct orders (not cancelled) with a line of the SKU
--   units, revenue     net units and revenue (EUR) of the SKU that month
--   revenue_share      revenue / the month's total revenue, a fraction
--
-- Definitions: revenue = net line amount (quantity x unit_price - discount) of orders not cancelled,
-- minus returned units at their net unit price, booked on the order date (analytics.sales_lines).
-- Reference date: none needed (every month with sales is ranked; the latest month is partial).
CREATE OR REPLACE VIEW analytics.top_products_monthly AS
WITH ranked AS (
  -- The SKUs of each month ranked, the 100 best kept, with the month's revenue of every SKU:
  -- star.mv_top_products_monthly (V008), refreshed by every load run.
  SELECT month_start, revenue_rank, sku, orders, units, revenue, month_revenue
  FROM star.mv_top_products_monthly
),

current_products AS (
  -- Only the ranked SKUs (a few thousand of the catalogue's millions).
  SELECT sku, name, category, brand
  FROM star.dim_product
  WHERE is_current AND product_key > 0
    AND sku IN (SELECT sku FROM star.mv_top_products_monthly)
)

SELECT
  r.month_start,
  r.revenue_rank,
  r.sku,
  COALESCE(p.name, 'Unknown') AS product_name,
  COALESCE(p.category, 'Unknown') AS category,
  COALESCE(p.brand, 'Unknown') AS brand,
  r.orders,
  r.units,
  r.revenue,
  CAST(r.revenue AS DOUBLE PRECISION) / NULLIF(CAST(r.month_revenue AS DOUBLE PRECISION), 0) AS revenue_share
FROM ranked r
LEFT JOIN current_products p ON p.sku = r.sku;
