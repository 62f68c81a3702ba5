-- Load: one extract_date partition of the curated products (the OLTP extraction's version log,
-- keyed by SKU) into star.dim_product, as slowly changing dimension type 2, then re-point the
-- sales and stock movements of the SKUs it touched to the version effective at their time.
--
-- The sales lines also carry the version's category, subcategory and brand (the attributes the
-- sales views group by). Idempotent and order-independent like 01_customers.sql. Placeholders: source, copy_role_arn,
-- run_id, partition, source_modified_at.

DELETE FROM staging.products;

COPY staging.products
FROM '{{source}}'
IAM_ROLE '{{copy_role_arn}}'
FORMAT AS PARQUET;

DELETE FROM staging.dim_product_versions;

INSERT INTO staging.dim_product_versions
SELECT
  k.max_key + ROW_NUMBER() OVER (ORDER BY v.sku, v.valid_from) AS product_key,
  v.sku, v.product_id, v.name, v.category, v.subcategory, v.brand, v.list_price, v.currency, v.reorder_point,
  v.active, v.row_hash, v.valid_from AS source_valid_from
FROM (
  SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.sku, s.valid_from ORDER BY s._curated_at DESC, s.row_hash) AS rn
  FROM staging.products s
  WHERE s.sku IS NOT NULL AND s.valid_from IS NOT NULL
) v
CROSS JOIN (SELECT COALESCE(MAX(product_key), 0) AS max_key FROM star.dim_product WHERE product_key > 0) k
WHERE v.rn = 1;

MERGE INTO star.dim_product
USING staging.dim_product_versions v
ON dim_product.sku = v.sku AND dim_product.source_valid_from = v.source_valid_from
WHEN MATCHED THEN UPDATE SET
  product_id = v.product_id, name = v.name, category = v.category, subcategory = v.subcategory, brand = v.brand,
  list_price = v.list_price, currency = v.currency, reorder_point = v.reorder_point, active = v.active,
  row_hash = v.row_hash
WHEN NOT MATCHED THEN INSERT (product_key, sku, product_id, name, category, subcategory, brand, list_price, currency,
  reorder_point, active, row_hash, source_valid_from, valid_from, valid_to, is_current, loaded_at)
VALUES (v.product_key, v.sku, v.product_id, v.name, v.category, v.subcategory, v.brand, v.list_price, v.currency,
  v.reorder_point, v.active, v.row_hash, v.source_valid_from, v.source_valid_from, TIMESTAMP '9999-12-31 00:00:00',
  TRUE, GETDATE());

DELETE FROM staging.scd_windows;

INSERT INTO staging.scd_windows
SELECT
  product_key,
  CASE WHEN ROW_NUMBER() OVER (PARTITION BY sku ORDER BY source_valid_from) = 1
    THEN TIMESTAMP '1900-01-01 00:00:00' ELSE source_valid_from END,
  COALESCE(LEAD(source_valid_from) OVER (PARTITION BY sku ORDER BY source_valid_from), TIMESTAMP '9999-12-31 00:00:00'),
  LEAD(source_valid_from) OVER (PARTITION BY sku ORDER BY source_valid_from) IS NULL
FROM star.dim_product
WHERE sku IN (SELECT sku FROM staging.dim_product_versions);

UPDATE star.dim_product
SET valid_from = w.valid_from, valid_to = w.valid_to, is_current = w.is_current
FROM staging.scd_windows w
WHERE dim_product.product_key = w.surrogate_key
  AND (dim_product.valid_from <> w.valid_from OR dim_product.valid_to <> w.valid_to OR dim_product.is_current <> w.is_current);

UPDATE star.fact_sales
SET product_key = d.product_key, category = d.category, subcategory = d.subcategory, brand = d.brand
FROM star.dim_product d
WHERE fact_sales.sku = d.sku
  AND fact_sales.order_time >= d.valid_from AND fact_sales.order_time < d.valid_to
  AND (fact_sales.product_key <> d.product_key
       OR COALESCE(fact_sales.category, '') <> COALESCE(d.category, '')
       OR COALESCE(fact_sales.subcategory, '') <> COALESCE(d.subcategory, '')
       OR COALESCE(fact_sales.brand, '') <> COALESCE(d.brand, ''))
  AND d.sku IN (SELECT sku FROM staging.dim_product_versions);

-- The order counts by grain (migration V007) of the orders with a line of a touched SKU, recomputed:
-- a line re-pointed to another category or brand may change which line is the first of its group. The
-- statement is V007's backfill for these orders only (test/warehouse/loads.test.ts keeps them equal).
UPDATE star.fact_sales
SET sku_order_count = g.sku_order_count,
  category_order_count = g.category_order_count,
  segment_order_count = g.segment_order_count
FROM (
  SELECT
    order_id,
    line_number,
    CAST(CASE WHEN ROW_NUMBER() OVER (PARTITION BY order_id, sku ORDER BY line_number) = 1 THEN 1 ELSE 0 END
      AS SMALLINT) AS sku_order_count,
    CAST(CASE WHEN ROW_NUMBER() OVER (
      PARTITION BY order_id, COALESCE(category, 'Unknown') ORDER BY line_number) = 1 THEN 1 ELSE 0 END
      AS SMALLINT) AS category_order_count,
    CAST(CASE WHEN ROW_NUMBER() OVER (
      PARTITION BY order_id, COALESCE(category, 'Unknown'), COALESCE(brand, 'Unknown') ORDER BY line_number) = 1
      THEN 1 ELSE 0 END AS SMALLINT) AS segment_order_count
  FROM star.fact_sales
  WHERE order_id IN (
    SELECT order_id FROM star.fact_sales WHERE sku IN (SELECT sku FROM staging.dim_product_versions)
  )
) g
WHERE fact_sales.order_id = g.order_id
  AND fact_sales.line_number = g.line_number
  AND (COALESCE(fact_sales.sku_order_count, -1) <> g.sku_order_count
       OR COALESCE(fact_sales.category_order_count, -1) <> g.category_order_count
       OR COALESCE(fact_sales.segment_order_count, -1) <> g.segment_order_count);

UPDATE star.fact_inventory_movement
SET product_key = d.product_key
FROM star.dim_product d
WHERE fact_inventory_movement.sku = d.sku
  AND fact_inventory_movement.event_time >= d.valid_from AND fact_inventory_movement.event_time < d.valid_to
  AND fact_inventory_movement.product_key <> d.product_key
  AND d.sku IN (SELECT sku FROM staging.dim_product_versions);

INSERT INTO ops.load_audit (run_id, dataset, partition_value, target_table, rows_staged, rows_distinct, rows_in_target,
  source_modified_at, loaded_at)
SELECT '{{run_id}}', 'products', '{{partition}}', 'star.dim_product',
  (SELECT COUNT(*) FROM staging.products),
  (SELECT COUNT(*) FROM staging.dim_product_versions),
  (SELECT COUNT(*) FROM star.dim_product d
   WHERE EXISTS (SELECT 1 FROM staging.dim_product_versions v
                 WHERE v.sku = d.sku AND v.source_valid_from = d.source_valid_from)),
  TIMESTAMP '{{source_modified_at}}', GETDATE();
