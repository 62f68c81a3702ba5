-- Load: one event_date partition of the curated order_status_changes (one row per order event)
-- into star.fact_order_lifecycle, the accumulating snapshot of each order's milestones, then
-- carry each touched order's status onto its sales lines.
--
-- Order-independent and idempotent: a milestone keeps its earliest time (LEAST ignores NULLs on
-- both engines), attributes keep the first value seen, and the status follows from the milestones
-- (returned > cancelled > delivered > shipped > paid > created), not from arrival order.
-- Placeholders: source, copy_role_arn, run_id, partition, source_modified_at.

DELETE FROM staging.order_status_changes;

COPY staging.order_status_changes
FROM '{{source}}'
IAM_ROLE '{{copy_role_arn}}'
FORMAT AS PARQUET;

DELETE FROM staging.order_lifecycle_rows;

INSERT INTO staging.order_lifecycle_rows
SELECT
  order_id,
  MAX(CASE WHEN event_type = 'order.created' THEN customer_id END) AS customer_id,
  MAX(CASE WHEN event_type = 'order.created' THEN channel END) AS channel,
  MIN(CASE WHEN event_type = 'order.created' THEN event_time END) AS created_at,
  MIN(CASE WHEN event_type = 'order.paid' THEN event_time END) AS paid_at,
  MIN(CASE WHEN event_type = 'order.shipped' THEN event_time END) AS shipped_at,
  MIN(CASE WHEN event_type = 'order.delivered' THEN event_time END) AS delivered_at,
  MIN(CASE WHEN event_type = 'order.cancelled' THEN event_time END) AS cancelled_at,
  MIN(CASE WHEN event_type = 'order.returned' THEN event_time END) AS returned_at,
  MAX(CASE WHEN event_type = 'order.paid' THEN payment_method END) AS payment_method,
  MAX(CASE WHEN event_type = 'order.paid' THEN payment_amount END) AS payment_amount,
  MAX(CASE WHEN event_type = 'order.created' THEN shipping_amount END) AS shipping_amount,
  MAX(CASE WHEN event_type = 'order.shipped' THEN warehouse_id END) AS warehouse_id,
  MAX(CASE WHEN event_type = 'order.shipped' THEN carrier END) AS carrier,
  MAX(event_time) AS last_event_time
FROM staging.order_status_changes
WHERE order_id IS NOT NULL AND event_time IS NOT NULL
GROUP BY order_id;

MERGE INTO star.fact_order_lifecycle
USING staging.order_lifecycle_rows r
ON fact_order_lifecycle.order_id = r.order_id
WHEN MATCHED THEN UPDATE SET
  customer_id = COALESCE(fact_order_lifecycle.customer_id, r.customer_id),
  channel = COALESCE(fact_order_lifecycle.channel, r.channel),
  created_at = LEAST(fact_order_lifecycle.created_at, r.created_at),
  paid_at = LEAST(fact_order_lifecycle.paid_at, r.paid_at),
  shipped_at = LEAST(fact_order_lifecycle.shipped_at, r.shipped_at),
  delivered_at = LEAST(fact_order_lifecycle.delivered_at, r.delivered_at),
  cancelled_at = LEAST(fact_order_lifecycle.cancelled_at, r.cancelled_at),
  returned_at = LEAST(fact_order_lifecycle.returned_at, r.returned_at),
  payment_method = COALESCE(fact_order_lifecycle.payment_method, r.payment_method),
  payment_amount = COALESCE(fact_order_lifecycle.payment_amount, r.payment_amount),
  shipping_amount = COALESCE(fact_order_lifecycle.shipping_amount, r.shipping_amount),
  warehouse_id = COALESCE(fact_order_lifecycle.warehouse_id, r.warehouse_id),
  carrier = COALESCE(fact_order_lifecycle.carrier, r.carrier),
  last_event_time = GREATEST(fact_order_lifecycle.last_event_time, r.last_event_time)
WHEN NOT MATCHED THEN INSERT (order_id, customer_id, channel, created_at, paid_at, shipped_at, delivered_at,
  cancelled_at, returned_at, created_date_key, payment_method, payment_amount, shipping_amount, warehouse_id,
  carrier, status, last_event_time, loaded_at)
VALUES (r.order_id, r.customer_id, r.channel, r.created_at, r.paid_at, r.shipped_at, r.delivered_at,
  r.cancelled_at, r.returned_at, NULL, r.payment_method, r.payment_amount, r.shipping_amount, r.warehouse_id,
  r.carrier, 'unknown', r.last_event_time, GETDATE());

UPDATE star.fact_order_lifecycle
SET
  status = CASE
    WHEN returned_at IS NOT NULL THEN 'returned'
    WHEN cancelled_at IS NOT NULL THEN 'cancelled'
    WHEN delivered_at IS NOT NULL THEN 'delivered'
    WHEN shipped_at IS NOT NULL THEN 'shipped'
    WHEN paid_at IS NOT NULL THEN 'paid'
    WHEN created_at IS NOT NULL THEN 'created'
    ELSE 'unknown'
  END,
  created_date_key = CASE WHEN created_at IS NULL THEN NULL ELSE
    CAST(EXTRACT(year FROM created_at) * 10000 + EXTRACT(month FROM created_at) * 100 + EXTRACT(day FROM created_at) AS INTEGER) END
WHERE order_id IN (SELECT order_id FROM staging.order_lifecycle_rows);

UPDATE star.fact_sales
SET status = l.status
FROM star.fact_order_lifecycle l
WHERE fact_sales.order_id = l.order_id
  AND fact_sales.status <> l.status
  AND l.order_id IN (SELECT order_id FROM staging.order_lifecycle_rows);

INSERT INTO ops.load_audit (run_id, dataset, partition_value, target_table, rows_staged, rows_distinct, rows_in_target,
  source_modified_at, loaded_at)
SELECT '{{run_id}}', 'order_status_changes', '{{partition}}', 'star.fact_order_lifecycle',
  (SELECT COUNT(*) FROM staging.order_status_changes),
  (SELECT COUNT(*) FROM staging.order_lifecycle_rows),
  (SELECT COUNT(*) FROM star.fact_order_lifecycle l WHERE l.order_id IN (SELECT order_id FROM staging.order_lifecycle_rows)),
  TIMESTAMP '{{source_modified_at}}', GETDATE();
