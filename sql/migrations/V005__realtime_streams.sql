-- Migration 5: streaming ingestion of the orders and inventory Kinesis streams (the real-time path).
--
--   realtime              the stream materialized views, the monitoring thresholds and the
--                         monitoring views (sql/views/realtime.*.sql) analysts and operators query.
--   kinesis_streams       an external schema over Kinesis: one relation per stream, with the columns
--                         Redshift gives every record (approximate_arrival_timestamp, partition_key,
--                         shard_id, sequence_number, refresh_time, kinesis_data VARBYTE).
--
-- Each stream has ONE materialized view (AWS advises one per stream), refreshed automatically. It
-- keeps EVERY record, also the ones that do not parse: a record that is not UTF-8, not a JSON
-- object or larger than 65,535 bytes has body NULL and its typed columns NULL, and
-- realtime.stream_errors lists it with the reason. Nothing in a view definition can fail on a
-- record: the JSON functions run with null_if_invalid, and every conversion is a TRY_CAST, so a
-- malformed record can never stop the refresh. Missing keys come back as '' from
-- JSON_EXTRACT_PATH_TEXT, hence the NULLIFs.
--
-- The typed columns are the event fields the monitoring views read; lines_json keeps an order's
-- lines as JSON text (realtime.order_values sums them). Timestamps arrive as RFC 3339 with any
-- offset and are stored in UTC.
--
-- Placeholders (filled by the runner from the stack, never from requests): {{streaming_role_arn}},
-- the role the namespace assumes to read the streams; {{orders_stream}} and {{inventory_stream}},
-- the streams' names.
CREATE SCHEMA IF NOT EXISTS realtime;

CREATE EXTERNAL SCHEMA IF NOT EXISTS kinesis_streams
FROM KINESIS
IAM_ROLE '{{streaming_role_arn}}';

CREATE MATERIALIZED VIEW realtime.orders_stream
DISTSTYLE EVEN
SORTKEY (arrival_time)
AUTO REFRESH YES
AS
SELECT
  approximate_arrival_timestamp AS arrival_time,
  partition_key,
  shard_id,
  sequence_number,
  refresh_time,
  LEN(kinesis_data) AS record_bytes,
  CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) AND IS_VALID_JSON(FROM_VARBYTE(kinesis_data, 'utf-8'))
    THEN FROM_VARBYTE(kinesis_data, 'utf-8') END AS body,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'event_id', TRUE), '') AS VARCHAR(128)) AS event_id,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'event_type', TRUE), '') AS VARCHAR(64)) AS event_type,
  CAST(TRY_CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'event_time', TRUE), '') AS TIMESTAMPTZ) AS TIMESTAMP) AS event_time,
  TRY_CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'schema_version', TRUE), '') AS INTEGER) AS schema_version,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'order_id', TRUE), '') AS VARCHAR(128)) AS order_id,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'customer_id', TRUE), '') AS VARCHAR(128)) AS customer_id,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'channel', TRUE), '') AS VARCHAR(32)) AS channel,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'currency', TRUE), '') AS VARCHAR(8)) AS currency,
  TRY_CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'shipping_amount', TRUE), '') AS DECIMAL(18, 4)) AS shipping_amount,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'lines', TRUE), '') AS VARCHAR(65535)) AS lines_json
FROM kinesis_streams."{{orders_stream}}";

CREATE MATERIALIZED VIEW realtime.inventory_stream
DISTSTYLE EVEN
SORTKEY (arrival_time)
AUTO REFRESH YES
AS
SELECT
  approximate_arrival_timestamp AS arrival_time,
  partition_key,
  shard_id,
  sequence_number,
  refresh_time,
  LEN(kinesis_data) AS record_bytes,
  CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) AND IS_VALID_JSON(FROM_VARBYTE(kinesis_data, 'utf-8'))
    THEN FROM_VARBYTE(kinesis_data, 'utf-8') END AS body,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'event_id', TRUE), '') AS VARCHAR(128)) AS event_id,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'event_type', TRUE), '') AS VARCHAR(64)) AS event_type,
  CAST(TRY_CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'event_time', TRUE), '') AS TIMESTAMPTZ) AS TIMESTAMP) AS event_time,
  TRY_CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'schema_version', TRUE), '') AS INTEGER) AS schema_version,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'sku', TRUE), '') AS VARCHAR(128)) AS sku,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'warehouse_id', TRUE), '') AS VARCHAR(128)) AS warehouse_id,
  TRY_CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'quantity', TRUE), '') AS INTEGER) AS quantity,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'direction', TRUE), '') AS VARCHAR(16)) AS direction,
  TRY_CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'reorder_point', TRUE), '') AS INTEGER) AS reorder_point,
  CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(
    CASE WHEN LEN(kinesis_data) <= 65535 AND IS_UTF8(kinesis_data) THEN FROM_VARBYTE(kinesis_data, 'utf-8') END,
    'order_id', TRUE), '') AS VARCHAR(128)) AS order_id
FROM kinesis_streams."{{inventory_stream}}";

-- The thresholds the monitoring views apply, one row each; operators change a value with an UPDATE
-- (no deploy), and a later migration only adds rows.
CREATE TABLE IF NOT EXISTS realtime.monitoring_thresholds (
  name VARCHAR(64) NOT NULL,
  value DECIMAL(18, 4) NOT NULL,
  unit VARCHAR(16) NOT NULL,
  description VARCHAR(256) NOT NULL,
  PRIMARY KEY (name)
)
DISTSTYLE ALL;

INSERT INTO realtime.monitoring_thresholds (name, value, unit, description)
SELECT 'paid_not_shipped', 24, 'hours', 'an order paid this long ago and not shipped since is stuck'
WHERE NOT EXISTS (SELECT 1 FROM realtime.monitoring_thresholds WHERE name = 'paid_not_shipped');

INSERT INTO realtime.monitoring_thresholds (name, value, unit, description)
SELECT 'shipped_not_delivered', 120, 'hours', 'an order shipped this long ago and not delivered since is stuck'
WHERE NOT EXISTS (SELECT 1 FROM realtime.monitoring_thresholds WHERE name = 'shipped_not_delivered');

INSERT INTO realtime.monitoring_thresholds (name, value, unit, description)
SELECT 'default_reorder_point', 10, 'units', 'reorder point of a SKU in a warehouse when no movement gave one (the transformer''s default)'
WHERE NOT EXISTS (SELECT 1 FROM realtime.monitoring_thresholds WHERE name = 'default_reorder_point');

-- 0, 1, 2, ...: a numbers table (as many rows as star.dim_date, 10,000) to read an order's lines
-- (at most 200) one per row with JSON_EXTRACT_ARRAY_ELEMENT_TEXT, which is portable to the twin
-- unlike PartiQL unnesting, and to list every minute of a window (a silent minute shows 0, not
-- nothing).
CREATE TABLE IF NOT EXISTS realtime.numbers (
  n INTEGER NOT NULL,
  PRIMARY KEY (n)
)
DISTSTYLE ALL
SORTKEY (n);

INSERT INTO realtime.numbers (n)
SELECT CAST(ROW_NUMBER() OVER (ORDER BY date_key) - 1 AS INTEGER)
FROM star.dim_date
WHERE NOT EXISTS (SELECT 1 FROM realtime.numbers);
