-- realtime.stock_levels: how much of each SKU is on hand, reserved and available in each warehouse
-- right now?
--
-- Grain: one row per SKU and warehouse known to the warehouse's position snapshot
-- (star.fact_inventory_position, kept by the scheduled loads) or to the inventory stream.
--
-- Columns:
--   sku, warehouse_id
--   on_hand, reserved       units in the warehouse and units reserved for orders (may be negative:
--                           the counts keep what the warehouse system reports, as the live stock
--                           table does)
--   available               on_hand - reserved
--   reorder_point           the newest reorder point (by event_time) a movement gave, streamed or
--                           loaded, else the default_reorder_point threshold: the rule of the
--                           inventory load and of the live stock table
--   last_movement_at        event_time of the newest movement counted
--   streamed_movements      movements counted from the stream (not yet in the snapshot)
--
-- Definitions: the snapshot counts every movement the scheduled loads have put in
-- star.fact_inventory_movement; the stream adds the movements whose event_id is not there yet. A
-- movement is therefore counted exactly once, whichever path saw it first, and a movement arriving
-- late or out of order changes the sums all the same (sums do not depend on order).
CREATE OR REPLACE VIEW realtime.stock_levels AS
WITH streamed AS (
  SELECT e.*
  FROM realtime.inventory_events e
  LEFT JOIN star.fact_inventory_movement f ON f.event_id = e.event_id
  WHERE f.event_id IS NULL
),

reorder_candidates AS (
  SELECT sku, warehouse_id, reorder_point, event_time, event_id
  FROM streamed
  WHERE reorder_point IS NOT NULL
  UNION ALL
  SELECT f.sku, f.warehouse_id, f.reorder_point, f.event_time, f.event_id
  FROM star.fact_inventory_movement f
  WHERE f.reorder_point IS NOT NULL
    AND EXISTS (
      SELECT 1 FROM streamed s
      WHERE s.sku = f.sku AND s.warehouse_id = f.warehouse_id AND s.reorder_point IS NOT NULL
    )
),

newest_reorder_point AS (
  SELECT sku, warehouse_id, reorder_point
  FROM (
    SELECT
      c.*,
      ROW_NUMBER() OVER (PARTITION BY c.sku, c.warehouse_id ORDER BY c.event_time DESC, c.event_id DESC) AS recency
    FROM reorder_candidates c
  ) r
  WHERE r.recency = 1
),

streamed_sums AS (
  SELECT
    sku,
    warehouse_id,
    SUM(on_hand_delta) AS on_hand,
    SUM(reserved_delta) AS reserved,
    MAX(event_time) AS last_movement_at,
    COUNT(*) AS movements
  FROM streamed
  GROUP BY sku, warehouse_id
),

keys AS (
  SELECT sku, warehouse_id FROM star.fact_inventory_position
  UNION
  SELECT sku, warehouse_id FROM streamed_sums
),

default_point AS (
  SELECT CAST(MAX(value) AS BIGINT) AS reorder_point
  FROM realtime.monitoring_thresholds
  WHERE name = 'default_reorder_point'
),

levels AS (
  SELECT
    k.sku,
    k.warehouse_id,
    COALESCE(p.on_hand, 0) + COALESCE(s.on_hand, 0) AS on_hand,
    COALESCE(p.reserved, 0) + COALESCE(s.reserved, 0) AS reserved,
    COALESCE(r.reorder_point, p.reorder_point, d.reorder_point) AS reorder_point,
    CASE
      WHEN p.last_movement_at IS NULL THEN s.last_movement_at
      WHEN s.last_movement_at IS NULL OR p.last_movement_at >= s.last_movement_at THEN p.last_movement_at
      ELSE s.last_movement_at
    END AS last_movement_at,
    COALESCE(s.movements, 0) AS streamed_movements
  FROM keys k
  LEFT JOIN star.fact_inventory_position p ON p.sku = k.sku AND p.warehouse_id = k.warehouse_id
  LEFT JOIN streamed_sums s ON s.sku = k.sku AND s.warehouse_id = k.warehouse_id
  LEFT JOIN newest_reorder_point r ON r.sku = k.sku AND r.warehouse_id = k.warehouse_id
  CROSS JOIN default_point d
)

SELECT
  sku,
  warehouse_id,
  CAST(on_hand AS BIGINT) AS on_hand,
  CAST(reserved AS BIGINT) AS reserved,
  CAST(on_hand - reserved AS BIGINT) AS available,
  CAST(reorder_point AS BIGINT) AS reorder_point,
  last_movement_at,
  streamed_movements
FROM levels;
