-- analytics.stock_outs: which SKU x warehouse positions cannot sell anything right now, and since when?
--
-- Grain: one row per SKU x warehouse whose available stock (on_hand - reserved) is 0 or less.
--
-- Columns:
--   sku, warehouse_id, product_name, warehouse_name   the position
--   on_hand, reserved, available, reorder_point       as in analytics.inventory_stock_position
--   out_of_stock_since   the time of the movement that took available to 0 or below for the last
--                        time: the first movement after the latest one that left available > 0
--                        (movements ordered by event_time, then event_id); the first movement if
--                        available was never positive
--   days_out_of_stock    days from out_of_stock_since's date to the reference date (0 = since that day)
--
-- Definitions: available is the running SUM(on_hand_delta - reserved_delta) over the position's
-- movements in time order (the same deltas as analytics.inventory_stock_position).
-- Reference date: the latest order date in star.fact_sales (not CURRENT_DATE); if a stock-out
-- started after it, days_out_of_stock is 0.
CREATE OR REPLACE VIEW analytics.stock_outs AS
WITH reference AS (
  SELECT CAST(MAX(order_time) AS DATE) AS reference_date
  FROM star.fact_sales
),

positions AS (
  SELECT *
  FROM analytics.inventory_stock_position
  WHERE available <= 0
),

since AS (
  -- When each position now out of stock ran out, from the running available over its movements:
  -- star.mv_stock_outs (V008), refreshed by every load run.
  SELECT sku, warehouse_id, out_of_stock_since
  FROM star.mv_stock_outs
)

SELECT
  p.sku,
  p.warehouse_id,
  p.product_name,
  p.warehouse_name,
  p.on_hand,
  p.reserved,
  p.available,
  p.reorder_point,
  s.out_of_stock_since,
  CASE
    WHEN s.out_of_stock_since IS NULL THEN NULL
    WHEN CAST(s.out_of_stock_since AS DATE) > ref.reference_date THEN 0
    ELSE DATEDIFF(day, CAST(s.out_of_stock_since AS DATE), ref.reference_date)
  END AS days_out_of_stock
FROM positions p
CROSS JOIN reference ref
LEFT JOIN since s ON s.sku = p.sku AND s.warehouse_id = p.warehouse_id;
