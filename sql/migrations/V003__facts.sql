-- Migration 3: the fact tables of the star schema.
--
-- fact_sales             one row per order line (the grain analysts count "sales records" at),
--                        with the keys of the dimension versions current at the order's time.
-- fact_sales_return      one row per returned line of an order.returned event.
-- fact_order_lifecycle   one row per order: an accumulating snapshot of its milestones.
-- fact_inventory_movement one row per stock movement, with its effect on on-hand and reserved.
-- fact_inventory_position one row per SKU and warehouse: the sums of its movements (a snapshot the
--                        inventory load recomputes for the positions it touches), so the stock
--                        views read millions of positions instead of summing 60M+ movements.
-- fact_campaign_spend    one row per day, campaign, channel and reporting source.
--
-- Every fact keeps its natural keys next to the surrogate keys, so a dimension row that arrives
-- late re-points the facts (the loads do it) and nothing has to be reloaded from the lake.
--
-- fact_sales also carries the four attributes every sales view groups by, as of the order's time:
-- the product's category, subcategory and brand, and the customer's country. They are copies of the
-- dimension version the keys point at, kept in step by the same loads that set the keys (see
-- docs/DESIGN.md, section 11): a columnar engine groups 60M lines by them in well under a second,
-- while joining the 25M-row product dimension for them costs several seconds per query. And
-- order_count is 1 on the first line of each order and 0 on the others: SUM(order_count) counts
-- orders at any grain that keeps an order whole (a day, a channel, a customer) without a
-- COUNT(DISTINCT order_id) over 60M strings.

CREATE TABLE IF NOT EXISTS star.fact_sales (
  order_id VARCHAR(64) NOT NULL,
  line_number INTEGER NOT NULL,
  order_count SMALLINT NOT NULL,
  order_event_id VARCHAR(64) NOT NULL,
  order_time TIMESTAMP NOT NULL,
  date_key INTEGER NOT NULL,
  customer_key BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  customer_country VARCHAR(2),
  product_key BIGINT NOT NULL,
  sku VARCHAR(64) NOT NULL,
  product_id BIGINT,
  category VARCHAR(128),
  subcategory VARCHAR(128),
  brand VARCHAR(128),
  campaign_key BIGINT NOT NULL,
  campaign_id VARCHAR(64),
  channel VARCHAR(32) NOT NULL,
  currency VARCHAR(3) NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price DECIMAL(18, 4) NOT NULL,
  discount DECIMAL(18, 4) NOT NULL,
  gross_amount DECIMAL(18, 4) NOT NULL,
  net_amount DECIMAL(18, 4) NOT NULL,
  returned_quantity INTEGER NOT NULL,
  status VARCHAR(16) NOT NULL,
  loaded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (order_id, line_number)
)
DISTSTYLE KEY
DISTKEY (product_key)
COMPOUND SORTKEY (date_key, customer_key);

CREATE TABLE IF NOT EXISTS star.fact_sales_return (
  return_event_id VARCHAR(64) NOT NULL,
  order_id VARCHAR(64) NOT NULL,
  line_number INTEGER NOT NULL,
  return_time TIMESTAMP NOT NULL,
  date_key INTEGER NOT NULL,
  quantity INTEGER NOT NULL,
  loaded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (return_event_id, line_number)
)
DISTSTYLE KEY
DISTKEY (order_id)
SORTKEY (date_key);

CREATE TABLE IF NOT EXISTS star.fact_order_lifecycle (
  order_id VARCHAR(64) NOT NULL,
  customer_id BIGINT,
  channel VARCHAR(32),
  created_at TIMESTAMP,
  paid_at TIMESTAMP,
  shipped_at TIMESTAMP,
  delivered_at TIMESTAMP,
  cancelled_at TIMESTAMP,
  returned_at TIMESTAMP,
  created_date_key INTEGER,
  payment_method VARCHAR(32),
  payment_amount DECIMAL(18, 4),
  shipping_amount DECIMAL(18, 4),
  warehouse_id VARCHAR(64),
  carrier VARCHAR(64),
  status VARCHAR(16) NOT NULL,
  last_event_time TIMESTAMP NOT NULL,
  loaded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (order_id)
)
DISTSTYLE KEY
DISTKEY (order_id)
SORTKEY (created_date_key);

CREATE TABLE IF NOT EXISTS star.fact_inventory_movement (
  event_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(32) NOT NULL,
  event_time TIMESTAMP NOT NULL,
  date_key INTEGER NOT NULL,
  product_key BIGINT NOT NULL,
  sku VARCHAR(64) NOT NULL,
  warehouse_key BIGINT NOT NULL,
  warehouse_id VARCHAR(64) NOT NULL,
  quantity INTEGER NOT NULL,
  on_hand_delta INTEGER NOT NULL,
  reserved_delta INTEGER NOT NULL,
  reorder_point INTEGER,
  order_id VARCHAR(64),
  reason VARCHAR(2000),
  loaded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (event_id)
)
DISTSTYLE KEY
DISTKEY (product_key)
COMPOUND SORTKEY (date_key, sku);

CREATE TABLE IF NOT EXISTS star.fact_inventory_position (
  sku VARCHAR(64) NOT NULL,
  warehouse_id VARCHAR(64) NOT NULL,
  on_hand BIGINT NOT NULL,
  reserved BIGINT NOT NULL,
  movements BIGINT NOT NULL,
  last_movement_at TIMESTAMP NOT NULL,
  reorder_point BIGINT,
  loaded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (sku, warehouse_id)
)
DISTSTYLE KEY
DISTKEY (sku)
SORTKEY (sku, warehouse_id);

CREATE TABLE IF NOT EXISTS star.fact_campaign_spend (
  spend_date DATE NOT NULL,
  date_key INTEGER NOT NULL,
  campaign_key BIGINT NOT NULL,
  campaign_id VARCHAR(64) NOT NULL,
  channel VARCHAR(32) NOT NULL,
  source VARCHAR(64) NOT NULL,
  impressions BIGINT NOT NULL,
  clicks BIGINT NOT NULL,
  conversions BIGINT NOT NULL,
  spend DECIMAL(18, 4) NOT NULL,
  currency VARCHAR(3) NOT NULL,
  reported_at TIMESTAMP,
  loaded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (spend_date, campaign_id, channel, source)
)
DISTSTYLE ALL
SORTKEY (date_key);
