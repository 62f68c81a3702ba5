-- analytics.inventory_stock_position: how much of each SKU does each warehouse hold, how much of it
-- is promised to orders, and is it below its reorder point?
--
-- Grain: one row per SKU x warehouse with at least one stock movement.
--
-- Columns:
--   sku, warehouse_id          the position (natural keys)
--   product_name, category     the SKU's CURRENT attributes (is_current version; 'Unknown' if not known)
--   warehouse_name             from dim_warehouse ('Unknown' if not known)
--   on_hand                    units physically in the warehouse: SUM(on_hand_delta) of every movement
--                              (received +q, shipped -q, adjusted +/-q)
--   reserved                   units promised to open orders: SUM(reserved_delta) (reserved +q,
--                              released -q, shipped -q)
--   available                  on_hand - reserved: what can still be sold
--   reorder_point              the reorder point of the position's latest movement that carries one
--                              (by event_time, then event_id), else the product's current reorder_point
--   below_reorder_point        available < reorder_point (the rule the shop restocks by)
--   out_of_stock               available <= 0
--   last_movement_at           time of the position's latest movement
--   movements                  number of movements
--
-- Definitions: the deltas are those of the load (sql/loads/07_inventory_movements.sql). The
-- position is the running total of every movement loaded, at the latest movement's time.
-- Reference date: none (the position is as of the latest movement loaded).
CREATE OR REPLACE VIEW analytics.inventory_stock_position AS
-- The snapshot the inventory load keeps per SKU and warehouse (sums of all their movements), with the
-- SKU's current name, category and reorder point and the warehouse's name: star.mv_stock_positions
-- (V008), refreshed by every load run.
SELECT
  sku,
  warehouse_id,
  product_name,
  category,
  warehouse_name,
  on_hand,
  reserved,
  available,
  reorder_point,
  CASE WHEN available < reorder_point THEN TRUE ELSE FALSE END AS below_reorder_point,
  CASE WHEN available <= 0 THEN TRUE ELSE FALSE END AS out_of_stock,
  last_movement_at,
  movements
FROM star.mv_stock_positions;
