-- Migration 4: the staging tables the loads COPY curated Parquet into, and the work tables they
-- fill before a MERGE (Redshift's MERGE reads a table, not a subquery).
--
-- A staging table lists the curated dataset's columns in the Parquet files' order, without the
-- partition column (it is in the folder name, not the file): COPY from Parquet maps by position.
-- The twin refuses a COPY whose file columns differ from the table's, so a drift fails the tests.
-- Types are the curated types; strings get lengths that hold what the contracts allow.

CREATE TABLE IF NOT EXISTS staging.customers (
  customer_id BIGINT,
  email VARCHAR(320),
  first_name VARCHAR(256),
  last_name VARCHAR(256),
  country VARCHAR(2),
  city VARCHAR(256),
  loyalty_tier VARCHAR(32),
  signup_date DATE,
  updated_at TIMESTAMP,
  valid_from TIMESTAMP,
  row_hash VARCHAR(64),
  _source_file VARCHAR(1024),
  _curated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.products (
  sku VARCHAR(64),
  product_id BIGINT,
  name VARCHAR(512),
  category VARCHAR(128),
  subcategory VARCHAR(128),
  brand VARCHAR(128),
  list_price DECIMAL(18, 4),
  currency VARCHAR(3),
  reorder_point BIGINT,
  active BOOLEAN,
  updated_at TIMESTAMP,
  valid_from TIMESTAMP,
  row_hash VARCHAR(64),
  _source_file VARCHAR(1024),
  _curated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.campaigns (
  campaign_id VARCHAR(64),
  name VARCHAR(256),
  channel VARCHAR(32),
  start_date DATE,
  end_date DATE,
  budget DECIMAL(18, 4),
  currency VARCHAR(3),
  discount_pct DOUBLE PRECISION,
  updated_at TIMESTAMP,
  valid_from TIMESTAMP,
  row_hash VARCHAR(64),
  _source_file VARCHAR(1024),
  _curated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.warehouses (
  warehouse_id VARCHAR(64),
  name VARCHAR(256),
  country VARCHAR(2),
  city VARCHAR(256),
  capacity_units BIGINT,
  updated_at TIMESTAMP,
  valid_from TIMESTAMP,
  row_hash VARCHAR(64),
  _source_file VARCHAR(1024),
  _curated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.order_lines (
  event_id VARCHAR(64),
  event_type VARCHAR(32),
  event_time TIMESTAMP,
  order_id VARCHAR(64),
  line_number BIGINT,
  customer_id BIGINT,
  channel VARCHAR(32),
  currency VARCHAR(3),
  campaign_id VARCHAR(64),
  sku VARCHAR(64),
  product_id BIGINT,
  quantity BIGINT,
  unit_price DECIMAL(18, 4),
  discount DECIMAL(18, 4),
  _source_file VARCHAR(1024),
  _curated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.order_status_changes (
  event_id VARCHAR(64),
  event_type VARCHAR(32),
  event_time TIMESTAMP,
  order_id VARCHAR(64),
  customer_id BIGINT,
  channel VARCHAR(32),
  currency VARCHAR(3),
  campaign_id VARCHAR(64),
  shipping_amount DECIMAL(18, 4),
  line_count BIGINT,
  payment_method VARCHAR(32),
  payment_amount DECIMAL(18, 4),
  warehouse_id VARCHAR(64),
  carrier VARCHAR(64),
  reason VARCHAR(2000),
  returned_units BIGINT,
  _source_file VARCHAR(1024),
  _curated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.inventory_movements (
  event_id VARCHAR(64),
  event_type VARCHAR(32),
  event_time TIMESTAMP,
  schema_version BIGINT,
  sku VARCHAR(64),
  product_id BIGINT,
  warehouse_id VARCHAR(64),
  quantity BIGINT,
  direction VARCHAR(16),
  order_id VARCHAR(64),
  reorder_point BIGINT,
  reason VARCHAR(2000),
  _source_file VARCHAR(1024),
  _curated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.campaign_spend (
  campaign_id VARCHAR(64),
  channel VARCHAR(32),
  source VARCHAR(64),
  impressions BIGINT,
  clicks BIGINT,
  conversions BIGINT,
  spend DECIMAL(18, 4),
  currency VARCHAR(3),
  reported_at TIMESTAMP,
  _source_file VARCHAR(1024),
  _curated_at TIMESTAMP
);

-- Work tables: the rows a load merges, with their keys resolved.
CREATE TABLE IF NOT EXISTS staging.dim_customer_versions (
  customer_key BIGINT,
  customer_id BIGINT,
  email VARCHAR(320),
  first_name VARCHAR(256),
  last_name VARCHAR(256),
  country VARCHAR(2),
  city VARCHAR(256),
  loyalty_tier VARCHAR(32),
  signup_date DATE,
  row_hash VARCHAR(64),
  source_valid_from TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.dim_product_versions (
  product_key BIGINT,
  sku VARCHAR(64),
  product_id BIGINT,
  name VARCHAR(512),
  category VARCHAR(128),
  subcategory VARCHAR(128),
  brand VARCHAR(128),
  list_price DECIMAL(18, 4),
  currency VARCHAR(3),
  reorder_point BIGINT,
  active BOOLEAN,
  row_hash VARCHAR(64),
  source_valid_from TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.scd_windows (
  surrogate_key BIGINT,
  valid_from TIMESTAMP,
  valid_to TIMESTAMP,
  is_current BOOLEAN
);

CREATE TABLE IF NOT EXISTS staging.dim_campaign_latest (
  campaign_key BIGINT,
  campaign_id VARCHAR(64),
  name VARCHAR(256),
  channel VARCHAR(32),
  start_date DATE,
  end_date DATE,
  budget DECIMAL(18, 4),
  currency VARCHAR(3),
  discount_pct DOUBLE PRECISION,
  source_updated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.dim_warehouse_latest (
  warehouse_key BIGINT,
  warehouse_id VARCHAR(64),
  name VARCHAR(256),
  country VARCHAR(2),
  city VARCHAR(256),
  capacity_units BIGINT,
  source_updated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.fact_sales_rows (
  order_id VARCHAR(64),
  line_number INTEGER,
  order_count SMALLINT,
  order_event_id VARCHAR(64),
  order_time TIMESTAMP,
  date_key INTEGER,
  customer_key BIGINT,
  customer_id BIGINT,
  customer_country VARCHAR(2),
  product_key BIGINT,
  sku VARCHAR(64),
  product_id BIGINT,
  category VARCHAR(128),
  subcategory VARCHAR(128),
  brand VARCHAR(128),
  campaign_key BIGINT,
  campaign_id VARCHAR(64),
  channel VARCHAR(32),
  currency VARCHAR(3),
  quantity INTEGER,
  unit_price DECIMAL(18, 4),
  discount DECIMAL(18, 4),
  gross_amount DECIMAL(18, 4),
  net_amount DECIMAL(18, 4)
);

CREATE TABLE IF NOT EXISTS staging.fact_sales_return_rows (
  return_event_id VARCHAR(64),
  order_id VARCHAR(64),
  line_number INTEGER,
  return_time TIMESTAMP,
  date_key INTEGER,
  quantity INTEGER
);

CREATE TABLE IF NOT EXISTS staging.order_lifecycle_rows (
  order_id VARCHAR(64),
  customer_id BIGINT,
  channel VARCHAR(32),
  created_at TIMESTAMP,
  paid_at TIMESTAMP,
  shipped_at TIMESTAMP,
  delivered_at TIMESTAMP,
  cancelled_at TIMESTAMP,
  returned_at TIMESTAMP,
  payment_method VARCHAR(32),
  payment_amount DECIMAL(18, 4),
  shipping_amount DECIMAL(18, 4),
  warehouse_id VARCHAR(64),
  carrier VARCHAR(64),
  last_event_time TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.inventory_movement_rows (
  event_id VARCHAR(64),
  event_type VARCHAR(32),
  event_time TIMESTAMP,
  date_key INTEGER,
  product_key BIGINT,
  sku VARCHAR(64),
  warehouse_key BIGINT,
  warehouse_id VARCHAR(64),
  quantity INTEGER,
  on_hand_delta INTEGER,
  reserved_delta INTEGER,
  reorder_point INTEGER,
  order_id VARCHAR(64),
  reason VARCHAR(2000)
);

CREATE TABLE IF NOT EXISTS staging.inventory_position_rows (
  sku VARCHAR(64),
  warehouse_id VARCHAR(64),
  on_hand BIGINT,
  reserved BIGINT,
  movements BIGINT,
  last_movement_at TIMESTAMP,
  reorder_point BIGINT
);

CREATE TABLE IF NOT EXISTS staging.campaign_spend_rows (
  spend_date DATE,
  date_key INTEGER,
  campaign_key BIGINT,
  campaign_id VARCHAR(64),
  channel VARCHAR(32),
  source VARCHAR(64),
  impressions BIGINT,
  clicks BIGINT,
  conversions BIGINT,
  spend DECIMAL(18, 4),
  currency VARCHAR(3),
  reported_at TIMESTAMP
);
