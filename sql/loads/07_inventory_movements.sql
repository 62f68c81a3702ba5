-- Load: one event_date partition of the curated inventory_movements into
-- star.fact_inventory_movement, with each movement's effect on the counts (the same arithmetic as
-- lambdas/inventory-transformer/stock-deltas.ts):
--   received  on_hand +q            reserved  reserved +q        released  reserved -q
--   shipped   on_hand -q, reserved -q                           adjusted  on_hand +/-q by direction
-- Idempotent: movements merge on event_id. Placeholders: source, copy_role_arn, run_id, partition,
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

INSERT INTO ops.load_audit (run_id, dataset, partition_value, target_table, rows_staged, rows_distinct, rows_in_target,
  source_modified_at, loaded_at)
SELECT '{{run_id}}', 'inventory_movements', '{{partition}}', 'star.fact_inventory_movement',
  (SELECT COUNT(*) FROM staging.inventory_movements),
  (SELECT COUNT(*) FROM staging.inventory_movement_rows),
  (SELECT COUNT(*) FROM star.fact_inventory_movement f
   WHERE EXISTS (SELECT 1 FROM staging.inventory_movement_rows r WHERE r.event_id = f.event_id)),
  TIMESTAMP '{{source_modified_at}}', GETDATE();
