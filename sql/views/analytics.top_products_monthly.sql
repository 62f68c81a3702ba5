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
WITH sku_month AS (
  SELECT
    month_start,
    sku,
    CAST(SUM(sku_order_count) AS BIGINT) AS orders,
    SUM(units) AS units,
    CAST(SUM(revenue) AS DECIMAL(18, 4)) AS revenue
  FROM analytics.sales_lines
  GROUP BY month_start, sku
),

month_totals AS (
  SELECT
    month_start,
    SUM(revenue) AS month_revenue
  FROM sku_month
  GROUP BY month_start
),

ranked AS (
  SELECT
    s.*,
    ROW_NUMBER() OVER (PARTITION BY s.month_start ORDER BY s.revenue DESC, s.units DESC, s.sku) AS revenue_rank
  FROM sku_month s
),

current_products AS (
  SELECT sku, name, category, brand
  FROM star.dim_product
  WHERE is_current AND product_key > 0
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
  CAST(r.revenue AS DOUBLE PRECISION) / NULLIF(CAST(t.month_revenue AS DOUBLE PRECISION), 0) AS revenue_share
FROM ranked r
JOIN month_totals t ON t.month_start = r.month_start
LEFT JOIN current_products p ON p.sku = r.sku
WHERE r.revenue_rank <= 100;
