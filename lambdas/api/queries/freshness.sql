-- getFreshness: one statement (so that a slow answer is polled once) with a row per fact table of
-- analytics.data_freshness (kind 'dataset') and a row per stream of realtime.stream_lag (kind
-- 'stream'), in one set of columns: name (table_name or stream), dataset, row_count (rows, or
-- events for a stream), event_time (latest_event_time / newest_event_time), loaded_at
-- (latest_loaded_at / newest_arrival_time), latest_partition, loads, hours_since_last_load,
-- lag_seconds, records_last_5_minutes, unparsed_records.
-- Parameters: none.
SELECT
  CAST('dataset' AS VARCHAR(16)) AS kind,
  CAST(table_name AS VARCHAR(64)) AS name,
  CAST(dataset AS VARCHAR(64)) AS dataset,
  CAST(row_count AS BIGINT) AS row_count,
  latest_event_time AS event_time,
  latest_loaded_at AS loaded_at,
  CAST(latest_partition AS VARCHAR(64)) AS latest_partition,
  CAST(loads AS BIGINT) AS loads,
  CAST(hours_since_last_load AS BIGINT) AS hours_since_last_load,
  CAST(NULL AS BIGINT) AS lag_seconds,
  CAST(NULL AS BIGINT) AS records_last_5_minutes,
  CAST(NULL AS BIGINT) AS unparsed_records
FROM analytics.data_freshness
UNION ALL
SELECT
  CAST('stream' AS VARCHAR(16)) AS kind,
  CAST(stream AS VARCHAR(64)) AS name,
  CAST(NULL AS VARCHAR(64)) AS dataset,
  CAST(events AS BIGINT) AS row_count,
  newest_event_time AS event_time,
  newest_arrival_time AS loaded_at,
  CAST(NULL AS VARCHAR(64)) AS latest_partition,
  CAST(NULL AS BIGINT) AS loads,
  CAST(NULL AS BIGINT) AS hours_since_last_load,
  CAST(lag_seconds AS BIGINT) AS lag_seconds,
  CAST(records_last_5_minutes AS BIGINT) AS records_last_5_minutes,
  CAST(unparsed_records AS BIGINT) AS unparsed_records
FROM realtime.stream_lag
ORDER BY kind, name
