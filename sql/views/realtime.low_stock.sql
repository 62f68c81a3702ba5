-- realtime.low_stock: which SKUs are out of stock or below their reorder point in a warehouse right
-- now?
--
-- Grain: one row per SKU and warehouse of realtime.stock_levels whose available stock is below its
-- reorder point.
--
-- Columns:
--   sku, warehouse_id, on_hand, reserved, available, reorder_point, last_movement_at
--   stock_state             out_of_stock (available <= 0) or below_reorder_point
--   units_to_reorder_point  reorder_point - available (how far below it is)
--
-- Definitions: available = on_hand - reserved; the same rule the inventory transformer applies to
-- the live stock table (headroom = available - reorder_point < 0).
CREATE OR REPLACE VIEW realtime.low_stock AS
SELECT
  sku,
  warehouse_id,
  on_hand,
  reserved,
  available,
  reorder_point,
  last_movement_at,
  CAST(CASE WHEN available <= 0 THEN 'out_of_stock' ELSE 'below_reorder_point' END AS VARCHAR(32)) AS stock_state,
  reorder_point - available AS units_to_reorder_point
FROM realtime.stock_levels
WHERE available < reorder_point;
