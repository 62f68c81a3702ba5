-- Load: one extract_date partition of the curated warehouses into star.dim_warehouse (type 1:
-- the newest version wins), then re-point the stock movements waiting for them (unknown member -1).
-- Placeholders: source, copy_role_arn, run_id, partition, source_modified_at.

DELETE FROM staging.warehouses;

COPY staging.warehouses
FROM '{{source}}'
IAM_ROLE '{{copy_role_arn}}'
FORMAT AS PARQUET;

DELETE FROM staging.dim_warehouse_latest;

INSERT INTO staging.dim_warehouse_latest
SELECT
  COALESCE(d.warehouse_key, k.max_key + ROW_NUMBER() OVER (ORDER BY v.warehouse_id)) AS warehouse_key,
  v.warehouse_id, v.name, v.country, v.city, v.capacity_units, v.valid_from AS source_updated_at
FROM (
  SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.warehouse_id ORDER BY s.valid_from DESC, s._curated_at DESC) AS rn
  FROM staging.warehouses s
  WHERE s.warehouse_id IS NOT NULL
) v
LEFT JOIN star.dim_warehouse d ON d.warehouse_id = v.warehouse_id
CROSS JOIN (SELECT COALESCE(MAX(warehouse_key), 0) AS max_key FROM star.dim_warehouse WHERE warehouse_key > 0) k
WHERE v.rn = 1
  AND (d.source_updated_at IS NULL OR d.source_updated_at <= v.valid_from);

MERGE INTO star.dim_warehouse
USING staging.dim_warehouse_latest v
ON dim_warehouse.warehouse_id = v.warehouse_id
WHEN MATCHED THEN UPDATE SET
  name = v.name, country = v.country, city = v.city, capacity_units = v.capacity_units,
  source_updated_at = v.source_updated_at
WHEN NOT MATCHED THEN INSERT (warehouse_key, warehouse_id, name, country, city, capacity_units, source_updated_at, loaded_at)
VALUES (v.warehouse_key, v.warehouse_id, v.name, v.country, v.city, v.capacity_units, v.source_updated_at, GETDATE());

UPDATE star.fact_inventory_movement
SET warehouse_key = d.warehouse_key
FROM star.dim_warehouse d
WHERE fact_inventory_movement.warehouse_id = d.warehouse_id
  AND fact_inventory_movement.warehouse_key = -1
  AND d.warehouse_id IN (SELECT warehouse_id FROM staging.warehouses);

INSERT INTO ops.load_audit (run_id, dataset, partition_value, target_table, rows_staged, rows_distinct, rows_in_target,
  source_modified_at, loaded_at)
SELECT '{{run_id}}', 'warehouses', '{{partition}}', 'star.dim_warehouse',
  (SELECT COUNT(*) FROM staging.warehouses),
  (SELECT COUNT(DISTINCT warehouse_id) FROM staging.warehouses),
  (SELECT COUNT(*) FROM star.dim_warehouse d WHERE d.warehouse_id IN (SELECT warehouse_id FROM staging.warehouses)),
  TIMESTAMP '{{source_modified_at}}', GETDATE();
