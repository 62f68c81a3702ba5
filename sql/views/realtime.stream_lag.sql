-- realtime.stream_lag: how far behind is each stream's picture in the warehouse?
--
-- Grain: one row per stream (orders, inventory).
--
-- Columns:
--   stream                  orders or inventory
--   newest_event_time       the newest event_time among the stream's parsed events (UTC); event
--                           times more than 5 minutes in the future (a producer's wrong clock) are
--                           left out, so they cannot hide a stall
--   newest_arrival_time     when the newest record arrived in Kinesis
--   lag_seconds             now - newest_event_time: the age of the newest thing the warehouse knows
--                           (grows while a stream is silent or ingestion has stalled)
--   records_last_5_minutes  records that arrived in the last five minutes (parsed or not)
--   events                  parsed events, once each
--   unparsed_records        records listed in realtime.stream_errors
--
-- Reference time: now (GETDATE()).
CREATE OR REPLACE VIEW realtime.stream_lag AS
WITH events AS (
  SELECT CAST('orders' AS VARCHAR(16)) AS stream, event_time FROM realtime.order_events
  UNION ALL
  SELECT CAST('inventory' AS VARCHAR(16)) AS stream, event_time FROM realtime.inventory_events
),

event_stats AS (
  SELECT
    stream,
    MAX(CASE WHEN event_time <= DATEADD(minute, 5, GETDATE()) THEN event_time END) AS newest_event_time,
    COUNT(*) AS events
  FROM events
  GROUP BY stream
),

records AS (
  SELECT CAST('orders' AS VARCHAR(16)) AS stream, arrival_time FROM realtime.orders_stream
  UNION ALL
  SELECT CAST('inventory' AS VARCHAR(16)) AS stream, arrival_time FROM realtime.inventory_stream
),

record_stats AS (
  SELECT
    stream,
    MAX(arrival_time) AS newest_arrival_time,
    SUM(CASE WHEN arrival_time >= DATEADD(minute, -5, GETDATE()) THEN 1 ELSE 0 END) AS records_last_5_minutes
  FROM records
  GROUP BY stream
),

error_stats AS (
  SELECT stream, COUNT(*) AS unparsed_records
  FROM realtime.stream_errors
  GROUP BY stream
),

streams AS (
  SELECT CAST('orders' AS VARCHAR(16)) AS stream
  UNION ALL
  SELECT CAST('inventory' AS VARCHAR(16)) AS stream
)

SELECT
  s.stream,
  e.newest_event_time,
  r.newest_arrival_time,
  DATEDIFF(second, e.newest_event_time, GETDATE()) AS lag_seconds,
  COALESCE(r.records_last_5_minutes, 0) AS records_last_5_minutes,
  COALESCE(e.events, 0) AS events,
  COALESCE(x.unparsed_records, 0) AS unparsed_records
FROM streams s
LEFT JOIN event_stats e ON e.stream = s.stream
LEFT JOIN record_stats r ON r.stream = s.stream
LEFT JOIN error_stats x ON x.stream = s.stream;
