-- Load: one extract_date partition of the curated customers (the OLTP extraction's version log)
-- into star.dim_customer, as slowly changing dimension type 2, then re-point the sales of the
-- customers it touched to the version effective at each order's time.
--
-- Idempotent: a version already in the dimension (same customer_id and source_valid_from) is
-- merged onto itself; windows are recomputed from all versions of a key, so versions may arrive in
-- any order. Placeholders (filled by the runner): source, copy_role_arn, run_id, partition,
-- source_modified_at.

DELETE FROM staging.customers;

COPY staging.customers
FROM '{{source}}'
IAM_ROLE '{{copy_role_arn}}'
FORMAT AS PARQUET;

-- The partition's versions, one per (customer_id, valid_from), with a surrogate key for new ones.
DELETE FROM staging.dim_customer_versions;

INSERT INTO staging.dim_customer_versions
SELECT
  k.max_key + ROW_NUMBER() OVER (ORDER BY v.customer_id, v.valid_from) AS customer_key,
  v.customer_id, v.email, v.first_name, v.last_name, v.country, v.city, v.loyalty_tier, v.signup_date,
  v.row_hash, v.valid_from AS source_valid_from
FROM (
  SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.customer_id, s.valid_from ORDER BY s._curated_at DESC, s.row_hash) AS rn
  FROM staging.customers s
  WHERE s.customer_id IS NOT NULL AND s.valid_from IS NOT NULL
) v
CROSS JOIN (SELECT COALESCE(MAX(customer_key), 0) AS max_key FROM star.dim_customer WHERE customer_key > 0) k
WHERE v.rn = 1;

MERGE INTO star.dim_customer
USING staging.dim_customer_versions v
ON dim_customer.customer_id = v.customer_id AND dim_customer.source_valid_from = v.source_valid_from
WHEN MATCHED THEN UPDATE SET
  email = v.email, first_name = v.first_name, last_name = v.last_name, country = v.country, city = v.city,
  loyalty_tier = v.loyalty_tier, signup_date = v.signup_date, row_hash = v.row_hash
WHEN NOT MATCHED THEN INSERT (customer_key, customer_id, email, first_name, last_name, country, city, loyalty_tier,
  signup_date, row_hash, source_valid_from, valid_from, valid_to, is_current, loaded_at)
VALUES (v.customer_key, v.customer_id, v.email, v.first_name, v.last_name, v.country, v.city, v.loyalty_tier,
  v.signup_date, v.row_hash, v.source_valid_from, v.source_valid_from, TIMESTAMP '9999-12-31 00:00:00', TRUE, GETDATE());

-- Effective windows of every version of the touched customers: the first from 1900-01-01, each
-- one until the next one's source_valid_from, the last one current.
DELETE FROM staging.scd_windows;

INSERT INTO staging.scd_windows
SELECT
  customer_key,
  CASE WHEN ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY source_valid_from) = 1
    THEN TIMESTAMP '1900-01-01 00:00:00' ELSE source_valid_from END,
  COALESCE(LEAD(source_valid_from) OVER (PARTITION BY customer_id ORDER BY source_valid_from), TIMESTAMP '9999-12-31 00:00:00'),
  LEAD(source_valid_from) OVER (PARTITION BY customer_id ORDER BY source_valid_from) IS NULL
FROM star.dim_customer
WHERE customer_id IN (SELECT customer_id FROM staging.dim_customer_versions);

UPDATE star.dim_customer
SET valid_from = w.valid_from, valid_to = w.valid_to, is_current = w.is_current
FROM staging.scd_windows w
WHERE dim_customer.customer_key = w.surrogate_key
  AND (dim_customer.valid_from <> w.valid_from OR dim_customer.valid_to <> w.valid_to OR dim_customer.is_current <> w.is_current);

-- Sales of these customers point at the version effective at the order's time (or leave the
-- unknown member once the customer is known), and carry that version's country.
UPDATE star.fact_sales
SET customer_key = d.customer_key, customer_country = d.country
FROM star.dim_customer d
WHERE fact_sales.customer_id = d.customer_id
  AND fact_sales.order_time >= d.valid_from AND fact_sales.order_time < d.valid_to
  AND (fact_sales.customer_key <> d.customer_key OR COALESCE(fact_sales.customer_country, '') <> COALESCE(d.country, ''))
  AND d.customer_id IN (SELECT customer_id FROM staging.dim_customer_versions);

INSERT INTO ops.load_audit (run_id, dataset, partition_value, target_table, rows_staged, rows_distinct, rows_in_target,
  source_modified_at, loaded_at)
SELECT '{{run_id}}', 'customers', '{{partition}}', 'star.dim_customer',
  (SELECT COUNT(*) FROM staging.customers),
  (SELECT COUNT(*) FROM staging.dim_customer_versions),
  (SELECT COUNT(*) FROM star.dim_customer d
   WHERE EXISTS (SELECT 1 FROM staging.dim_customer_versions v
                 WHERE v.customer_id = d.customer_id AND v.source_valid_from = d.source_valid_from)),
  TIMESTAMP '{{source_modified_at}}', GETDATE();
