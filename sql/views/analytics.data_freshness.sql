-- analytics.data_freshness: how fresh is each fact table: what is the newest event it holds, when
-- was it last loaded, and how many rows does it have?
--
-- Grain: one row per fact table of the star schema.
--
-- Columns:
--   table_name              star.fact_sales, star.fact_sales_return, star.fact_order_lifecycle,
--                           star.fact_inventory_movement, star.fact_campaign_spend
--   dataset                 the curated dataset that feeds it (as recorded in ops.load_audit)
--   row_count               rows in the table
--   latest_event_time       newest business time loaded: order_time, return_time, last_event_time,
--                           event_time, and for spend the spend_date (at midnight)
--   latest_loaded_at        newest loaded_at of the dataset's loads in ops.load_audit
--   latest_source_modified_at   newest source_modified_at there (the load watermark)
--   latest_partition        the greatest partition value loaded
--   loads                   loads recorded for the dataset
--   hours_since_last_load   DATEDIFF(hour, latest_loaded_at, GETDATE())
--
-- Definitions: a table with no rows has NULL times. This is the one analytics view that reads the
-- clock: hours_since_last_load is relative to now by design (the other views use the latest order
-- date as their reference date).
CREATE OR REPLACE VIEW analytics.data_freshness AS
WITH facts AS (
  SELECT
    CAST('star.fact_sales' AS VARCHAR(64)) AS table_name,
    CAST('order_lines' AS VARCHAR(64)) AS dataset,
    COUNT(*) AS row_count,
    MAX(order_time) AS latest_event_time
  FROM star.fact_sales
  UNION ALL
  SELECT
    'star.fact_sales_return',
    'order_lines',
    COUNT(*),
    MAX(return_time)
  FROM star.fact_sales_return
  UNION ALL
  SELECT
    'star.fact_order_lifecycle',
    'order_status_changes',
    COUNT(*),
    MAX(last_event_time)
  FROM star.fact_order_lifecycle
  UNION ALL
  SELECT
    'star.fact_inventory_movement',
    'inventory_movements',
    COUNT(*),
    MAX(event_time)
  FROM star.fact_inventory_movement
  UNION ALL
  SELECT
    'star.fact_campaign_spend',
    'campaign_spend',
    COUNT(*),
    CAST(MAX(spend_date) AS TIMESTAMP)
  FROM star.fact_campaign_spend
),

loads AS (
  SELECT
    dataset,
    MAX(loaded_at) AS latest_loaded_at,
    MAX(source_modified_at) AS latest_source_modified_at,
    MAX(partition_value) AS latest_partition,
    COUNT(*) AS loads
  FROM ops.load_audit
  GROUP BY dataset
)

SELECT
  f.table_name,
  f.dataset,
  f.row_count,
  f.latest_event_time,
  l.latest_loaded_at,
  l.latest_source_modified_at,
  l.latest_partition,
  COALESCE(l.loads, 0) AS loads,
  DATEDIFF(hour, l.latest_loaded_at, GETDATE()) AS hours_since_last_load
FROM facts f
LEFT JOIN loads l ON l.dataset = f.dataset;
