-- Migration 2: the conformed dimensions of the star schema, and their reserved members.
--
-- dim_customer and dim_product are slowly changing dimensions of type 2: one row per version of a
-- key, effective from valid_from (inclusive) to valid_to (exclusive). A key's first version is
-- effective from 1900-01-01 so that facts older than the first extraction still find it; the
-- current version has valid_to 9999-12-31 and is_current true. source_valid_from keeps the time
-- the OLTP extraction saw the version (the curated valid_from), which identifies it on reloads.
-- dim_campaign and dim_warehouse are type 1 (the latest attributes win).
--
-- Reserved keys: -1 is the "unknown" member (a fact arrived before its dimension row; the next load
-- of that dimension re-points the fact), 0 is "none" (an order without a campaign).
--
-- Physical design (sizes at scale 1, see docs/DESIGN.md): fact_sales is distributed on
-- product_key, so dim_product (25M SKUs) shares that distribution and the category/brand joins of
-- the sales views stay node-local; dim_customer (10M) is distributed on customer_key, the key of
-- the segmentation views' joins; the small dimensions are copied to every node (DISTSTYLE ALL).

CREATE TABLE IF NOT EXISTS star.dim_date (
  date_key INTEGER NOT NULL,
  full_date DATE NOT NULL,
  year SMALLINT NOT NULL,
  quarter SMALLINT NOT NULL,
  month SMALLINT NOT NULL,
  month_name VARCHAR(9) NOT NULL,
  day_of_month SMALLINT NOT NULL,
  day_of_week SMALLINT NOT NULL,
  day_name VARCHAR(9) NOT NULL,
  is_weekend BOOLEAN NOT NULL,
  week_start DATE NOT NULL,
  month_start DATE NOT NULL,
  quarter_start DATE NOT NULL,
  PRIMARY KEY (date_key)
)
DISTSTYLE ALL
SORTKEY (date_key);

-- 2020-01-01 plus 0 to 9999 days (to 2047-05-18), from a digits cross join: portable, and
-- Redshift's generate_series runs on the leader node only, so it cannot feed an INSERT.
INSERT INTO star.dim_date
WITH digits AS (
  SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
  UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9
),
days AS (
  SELECT CAST(DATEADD(day, a.d + 10 * b.d + 100 * c.d + 1000 * e.d, DATE '2020-01-01') AS DATE) AS full_date
  FROM digits a CROSS JOIN digits b CROSS JOIN digits c CROSS JOIN digits e
),
parts AS (
  SELECT
    full_date,
    CAST(EXTRACT(year FROM full_date) AS INTEGER) AS year,
    CAST(EXTRACT(month FROM full_date) AS INTEGER) AS month,
    CAST(EXTRACT(day FROM full_date) AS INTEGER) AS day_of_month,
    CAST(DATEDIFF(day, DATE '2020-01-06', full_date) - 7 * FLOOR(DATEDIFF(day, DATE '2020-01-06', full_date) / 7.0) AS INTEGER) AS iso_dow0
  FROM days
)
SELECT
  CAST(year * 10000 + month * 100 + day_of_month AS INTEGER) AS date_key,
  full_date,
  CAST(year AS SMALLINT) AS year,
  CAST(FLOOR((month - 1) / 3) + 1 AS SMALLINT) AS quarter,
  CAST(month AS SMALLINT) AS month,
  CASE month
    WHEN 1 THEN 'January' WHEN 2 THEN 'February' WHEN 3 THEN 'March' WHEN 4 THEN 'April'
    WHEN 5 THEN 'May' WHEN 6 THEN 'June' WHEN 7 THEN 'July' WHEN 8 THEN 'August'
    WHEN 9 THEN 'September' WHEN 10 THEN 'October' WHEN 11 THEN 'November' ELSE 'December'
  END AS month_name,
  CAST(day_of_month AS SMALLINT) AS day_of_month,
  CAST(iso_dow0 + 1 AS SMALLINT) AS day_of_week,
  CASE iso_dow0
    WHEN 0 THEN 'Monday' WHEN 1 THEN 'Tuesday' WHEN 2 THEN 'Wednesday' WHEN 3 THEN 'Thursday'
    WHEN 4 THEN 'Friday' WHEN 5 THEN 'Saturday' ELSE 'Sunday'
  END AS day_name,
  iso_dow0 >= 5 AS is_weekend,
  CAST(DATEADD(day, -iso_dow0, full_date) AS DATE) AS week_start,
  CAST(DATEADD(day, 1 - day_of_month, full_date) AS DATE) AS month_start,
  CAST(DATEADD(month, -MOD(month - 1, 3), DATEADD(day, 1 - day_of_month, full_date)) AS DATE) AS quarter_start
FROM parts
WHERE NOT EXISTS (SELECT 1 FROM star.dim_date existing WHERE existing.full_date = parts.full_date);

CREATE TABLE IF NOT EXISTS star.dim_customer (
  customer_key BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  email VARCHAR(320),
  first_name VARCHAR(256),
  last_name VARCHAR(256),
  country VARCHAR(2),
  city VARCHAR(256),
  loyalty_tier VARCHAR(32),
  signup_date DATE,
  row_hash VARCHAR(64),
  source_valid_from TIMESTAMP NOT NULL,
  valid_from TIMESTAMP NOT NULL,
  valid_to TIMESTAMP NOT NULL,
  is_current BOOLEAN NOT NULL,
  loaded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (customer_key)
)
DISTSTYLE KEY
DISTKEY (customer_key)
SORTKEY (customer_id, valid_from);

CREATE TABLE IF NOT EXISTS star.dim_product (
  product_key BIGINT NOT NULL,
  sku VARCHAR(64) NOT NULL,
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
  source_valid_from TIMESTAMP NOT NULL,
  valid_from TIMESTAMP NOT NULL,
  valid_to TIMESTAMP NOT NULL,
  is_current BOOLEAN NOT NULL,
  loaded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (product_key)
)
DISTSTYLE KEY
DISTKEY (product_key)
SORTKEY (sku, valid_from);

CREATE TABLE IF NOT EXISTS star.dim_campaign (
  campaign_key BIGINT NOT NULL,
  campaign_id VARCHAR(64) NOT NULL,
  name VARCHAR(256),
  channel VARCHAR(32),
  start_date DATE,
  end_date DATE,
  budget DECIMAL(18, 4),
  currency VARCHAR(3),
  discount_pct DOUBLE PRECISION,
  source_updated_at TIMESTAMP,
  loaded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (campaign_key)
)
DISTSTYLE ALL
SORTKEY (campaign_id);

CREATE TABLE IF NOT EXISTS star.dim_warehouse (
  warehouse_key BIGINT NOT NULL,
  warehouse_id VARCHAR(64) NOT NULL,
  name VARCHAR(256),
  country VARCHAR(2),
  city VARCHAR(256),
  capacity_units BIGINT,
  source_updated_at TIMESTAMP,
  loaded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (warehouse_key)
)
DISTSTYLE ALL
SORTKEY (warehouse_id);

-- The reserved members (-1 unknown, 0 none), inserted once.
INSERT INTO star.dim_customer (customer_key, customer_id, email, first_name, last_name, country, city, loyalty_tier,
  signup_date, row_hash, source_valid_from, valid_from, valid_to, is_current, loaded_at)
SELECT -1, -1, NULL, 'Unknown', 'customer', NULL, NULL, 'unknown', NULL, NULL,
  TIMESTAMP '1900-01-01 00:00:00', TIMESTAMP '1900-01-01 00:00:00', TIMESTAMP '9999-12-31 00:00:00', TRUE, GETDATE()
WHERE NOT EXISTS (SELECT 1 FROM star.dim_customer WHERE customer_key = -1);

INSERT INTO star.dim_product (product_key, sku, product_id, name, category, subcategory, brand, list_price, currency,
  reorder_point, active, row_hash, source_valid_from, valid_from, valid_to, is_current, loaded_at)
SELECT -1, 'UNKNOWN', -1, 'Unknown product', 'Unknown', 'Unknown', 'Unknown', NULL, NULL, NULL, NULL, NULL,
  TIMESTAMP '1900-01-01 00:00:00', TIMESTAMP '1900-01-01 00:00:00', TIMESTAMP '9999-12-31 00:00:00', TRUE, GETDATE()
WHERE NOT EXISTS (SELECT 1 FROM star.dim_product WHERE product_key = -1);

INSERT INTO star.dim_campaign (campaign_key, campaign_id, name, channel, start_date, end_date, budget, currency,
  discount_pct, source_updated_at, loaded_at)
SELECT -1, 'UNKNOWN', 'Unknown campaign', 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, GETDATE()
WHERE NOT EXISTS (SELECT 1 FROM star.dim_campaign WHERE campaign_key = -1);

INSERT INTO star.dim_campaign (campaign_key, campaign_id, name, channel, start_date, end_date, budget, currency,
  discount_pct, source_updated_at, loaded_at)
SELECT 0, 'NONE', 'No campaign', 'none', NULL, NULL, NULL, NULL, NULL, NULL, GETDATE()
WHERE NOT EXISTS (SELECT 1 FROM star.dim_campaign WHERE campaign_key = 0);

INSERT INTO star.dim_warehouse (warehouse_key, warehouse_id, name, country, city, capacity_units, source_updated_at, loaded_at)
SELECT -1, 'UNKNOWN', 'Unknown warehouse', NULL, NULL, NULL, NULL, GETDATE()
WHERE NOT EXISTS (SELECT 1 FROM star.dim_warehouse WHERE warehouse_key = -1);
