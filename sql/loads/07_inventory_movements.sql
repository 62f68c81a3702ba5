-- Load: one event_date partition of the curated inventory_movements into
-- star.fact_inventory_movement, with each movement's effect on the counts (the same arithmetic as
-- lambdas/inventory-transformer/stock-deltas.ts):
--   received  on_hand +q            reserved  reserved +q        released  reserved -q
--   shipped   on_hand -q, reserved -q                           adjusted  on_hand +/-q by direction
-- Then the positions (SKU x warehouse) the partition touched are recomputed from all their
-- movements into star.fact_inventory_position: sums, count, last movement, and the reorder point of
-- the latest movement that carries one. Idempotent: movements merge on event_id and positions are
-- recomputed, never incremented. Placeholders: source, copy_role_arn, run_id, partition,
-- source_modified_at.

DELETE FROM staging.inventory_movements;

COPY staging.inventory_movements
FROM '{{source}}'
IAM_ROLE '{{copy_role_arn}}'
FORMAT AS PARQUET;

DELETE FROM staging.inventory_movement_rows;

INSERT INTO staging.inventory_movement_rows
SELECT
  m.event_id,
  m.event_type,
  m.event_time,
  CAST(EXTRACT(year FROM m.event_time) * 10000 + EXTRACT(month FROM m.event_time) * 100 + EXTRACT(day FROM m.event_time) AS INTEGER),
  COALESCE(p.product_key, -1),
  m.sku,
  COALESCE(w.warehouse_key, -1),
  m.warehouse_id,
  CAST(m.quantity AS INTEGER),
  CAST(CASE m.event_type
    WHEN 'inventory.received' THEN m.quantity
    WHEN 'inventory.shipped' THEN -m.quantity
    WHEN 'inventory.adjusted' THEN CASE WHEN m.direction = 'decrease' THEN -m.quantity ELSE m.quantity END
    ELSE 0
  END AS INTEGER),
  CAST(CASE m.event_type
    WHEN 'inventory.reserved' THEN m.quantity
    WHEN 'inventory.released' THEN -m.quantity
    WHEN 'inventory.shipped' THEN -m.quantity
    ELSE 0
  END AS INTEGER),
  CAST(m.reorder_point AS INTEGER),
  m.order_id,
  m.reason
FROM (
  SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.event_id ORDER BY s._curated_at DESC) AS rn
  FROM staging.inventory_movements s
  WHERE s.event_id IS NOT NULL
) m
LEFT JOIN star.dim_product p
  ON p.sku = m.sku AND m.event_time >= p.valid_from AND m.event_time < p.valid_to
LEFT JOIN star.dim_warehouse w
  ON w.warehouse_id = m.warehouse_id
WHERE m.rn = 1;

MERGE INTO star.fact_inventory_movement
USING staging.inventory_movement_rows r
ON fact_inventory_movement.event_id = r.event_id
WHEN MATCHED THEN UPDATE SET
  event_type = r.event_type, event_time = r.event_time, date_key = r.date_key, product_key = r.product_key,
  sku = r.sku, warehouse_key = r.warehouse_key, warehouse_id = r.warehouse_id, quantity = r.quantity,
  on_hand_delta = r.on_hand_delta, reserved_delta = r.reserved_delta, reorder_point = r.reorder_point,
  order_id = r.order_id, reason = r.reason
WHEN NOT MATCHED THEN INSERT (event_id, event_type, event_time, date_key, product_key, sku, warehouse_key, warehouse_id,
  quantity, on_hand_delta, reserved_delta, reorder_point, order_id, reason, loaded_at)
VALUES (r.event_id, r.event_type, r.event_time, r.date_key, r.product_key, r.sku, r.warehouse_key, r.warehouse_id,
  r.quantity, r.on_hand_delta, r.reserved_delta, r.reorder_point, r.order_id, r.reason, GETDATE());

DELETE FROM staging.inventory_position_rows;

INSERT INTO staging.inventory_position_rows
SELECT a.sku, a.warehouse_id, a.on_hand, a.reserved, a.movements, a.last_movement_at, r.reorder_point
FROM (
  SELECT f.sku, f.warehouse_id, SUM(f.on_hand_delta) AS on_hand, SUM(f.reserved_delta) AS reserved,
    COUNT(*) AS movements, MAX(f.event_time) AS last_movement_at
  FROM star.fact_inventory_movement f
  WHERE EXISTS (SELECT 1 FROM staging.inventory_movement_rows s WHERE s.sku = f.sku AND s.warehouse_id = f.warehouse_id)
  GROUP BY f.sku, f.warehouse_id
) a
LEFT JOIN (
  SELECT x.sku, x.warehouse_id, x.reorder_point
  FROM (
    SELECT f.sku, f.warehouse_id, f.reorder_point,
      ROW_NUMBER() OVER (PARTITION BY f.sku, f.warehouse_id ORDER BY f.event_time DESC, f.event_id DESC) AS rn
    FROM star.fact_inventory_movement f
    WHERE f.reorder_point IS NOT NULL
      AND EXISTS (SELECT 1 FROM staging.inventory_movement_rows s WHERE s.sku = f.sku AND s.warehouse_id = f.warehouse_id)
  ) x
  WHERE x.rn = 1
) r ON r.sku = a.sku AND r.warehouse_id = a.warehouse_id;

MERGE INTO star.fact_inventory_position
USING staging.inventory_position_rows p
ON fact_inventory_position.sku = p.sku AND fact_inventory_position.warehouse_id = p.warehouse_id
WHEN MATCHED THEN UPDATE SET
  on_hand = p.on_hand, reserved = p.reserved, movements = p.movements, last_movement_at = p.last_movement_at,
  reorder_point = p.reorder_point
WHEN NOT MATCHED THEN INSERT (sku, warehouse_id, on_hand, reserved, movements, last_movement_at, reorder_point, loaded_at)
VALUES (p.sku, p.warehouse_id, p.on_hand, p.reserved, p.movements, p.last_movement_at, p.reorder_point, GETDATE());

INSERT INTO ops.load_audit (run_id, dataset, partition_value, target_table, rows_staged, rows_distinct, rows_in_target,
  source_modified_at, loaded_at)
SELECT '{{run_id}}', 'inventory_movements', '{{partition}}', 'star.fact_inventory_movement',
  (SELECT COUNT(*) FROM staging.inventory_movements),
  (SELECT COUNT(*) FROM staging.inventory_movement_rows),
  (SELECT COUNT(*) FROM star.fact_inventory_movement f
   WHERE EXISTS (SELECT 1 FROM staging.inventory_movement_rows r WHERE r.event_id = f.event_id)),
  TIMESTAMP '{{source_modified_at}}', GETDATE();
