-- analytics.inventory_health: for each SKU, how many days will the stock last at the recent pace
-- of sales, how much of the stock has sold through, and is it a slow mover?
--
-- Grain: one row per SKU with at least one stock movement.
--
-- Columns:
--   sku                      the SKU
--   product_name, category   its CURRENT attributes ('Unknown' if not known)
--   warehouses               warehouses holding a position of the SKU
--   on_hand, reserved, available   sums over its warehouses (analytics.inventory_stock_position)
--   units_sold_30d           units ordered (quantity, returns not deducted) in orders not cancelled
--                            placed in the 30 days ending on the reference date (reference date - 29
--                            to the reference date, inclusive), from star.fact_sales
--   avg_daily_units_30d      units_sold_30d / 30
--   days_of_supply           on_hand / avg_daily_units_30d (NULL when nothing sold in the 30 days)
--   sell_through_30d         units_sold_30d / (units_sold_30d + on_hand), a fraction (NULL when both are 0)
--   is_slow_mover            TRUE when on_hand > 0 and either nothing sold in the 30 days or
--                            days_of_supply > 90 (more than a quarter of stock at the recent pace)
--
-- Definitions: on_hand/reserved as in analytics.inventory_stock_position; units sold are ordered
-- units (demand), not net of returns, because returned units come back into on_hand.
-- Reference date: the latest order date in star.fact_sales (not CURRENT_DATE), so that answers are
-- reproducible.
CREATE OR REPLACE VIEW analytics.inventory_health AS
WITH stock AS (
  SELECT
    sku,
    MAX(product_name) AS product_name,
    MAX(category) AS category,
    COUNT(*) AS warehouses,
    SUM(on_hand) AS on_hand,
    SUM(reserved) AS reserved,
    SUM(available) AS available
  FROM star.mv_stock_positions
  GROUP BY sku
),

sales_30d AS (
  -- Units ordered per SKU in the 30 days ending on the reference date: star.mv_sku_units_30d (V008),
  -- refreshed by every load run.
  SELECT sku, units_sold_30d
  FROM star.mv_sku_units_30d
),

measured AS (
  SELECT
    s.*,
    COALESCE(x.units_sold_30d, 0) AS units_sold_30d,
    CAST(COALESCE(x.units_sold_30d, 0) AS DOUBLE PRECISION) / 30.0 AS avg_daily_units_30d
  FROM stock s
  LEFT JOIN sales_30d x ON x.sku = s.sku
),

with_supply AS (
  SELECT
    m.*,
    CAST(m.on_hand AS DOUBLE PRECISION) / NULLIF(m.avg_daily_units_30d, 0) AS days_of_supply,
    CAST(m.units_sold_30d AS DOUBLE PRECISION)
      / NULLIF(CAST(m.units_sold_30d + m.on_hand AS DOUBLE PRECISION), 0) AS sell_through_30d
  FROM measured m
)

SELECT
  sku,
  product_name,
  category,
  warehouses,
  on_hand,
  reserved,
  available,
  units_sold_30d,
  avg_daily_units_30d,
  days_of_supply,
  sell_through_30d,
  CASE WHEN on_hand > 0 AND (units_sold_30d = 0 OR days_of_supply > 90) THEN TRUE ELSE FALSE END AS is_slow_mover
FROM with_supply;
