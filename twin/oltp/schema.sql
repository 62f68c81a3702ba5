-- The shop's OLTP source schema: the shop's own transactional system, not ours. The twin creates it
-- in a throwaway PostgreSQL (twin/oltp/postgres-server.ts) and seeds it (twin/oltp/seed.ts); the
-- Glue job glue-scripts/jobs/oltp_to_curated.py extracts from it over JDBC.
--
-- What the extraction relies on, and what a real source must give it too:
--   * every table has a primary key (the curated version log's entity key) and
--     `updated_at timestamptz not null`, set by the application on every insert and update;
--   * an index on updated_at, so the incremental read (updated_at > watermark and <= upper bound)
--     is an index range scan, not a full scan of 25M SKUs;
--   * a numeric column to split big reads over parallel JDBC connections (customers.customer_id,
--     products.product_id, indexed); order_headers has a text key and is split by hash predicates.
-- Column names equal the fields of the data contracts (contracts/schemas/<entity>.schema.json).

create table customers (
  customer_id   bigint primary key,
  email         text not null,
  first_name    text,
  last_name     text,
  country       text not null,
  city          text,
  loyalty_tier  text,
  signup_date   date not null,
  updated_at    timestamptz not null
);
create index customers_updated_at on customers (updated_at);

create table products (
  sku            text primary key,
  product_id     bigint not null,
  name           text not null,
  category       text not null,
  subcategory    text,
  brand          text,
  list_price     numeric(12, 2) not null,
  currency       text not null,
  reorder_point  integer,
  active         boolean not null,
  updated_at     timestamptz not null
);
create index products_updated_at on products (updated_at);
create index products_product_id on products (product_id);

create table campaigns (
  campaign_id   text primary key,
  name          text not null,
  channel       text not null,
  start_date    date not null,
  end_date      date not null,
  budget        numeric(14, 2) not null,
  currency      text not null,
  discount_pct  numeric(5, 2),
  updated_at    timestamptz not null
);
create index campaigns_updated_at on campaigns (updated_at);

create table warehouses (
  warehouse_id    text primary key,
  name            text not null,
  country         text not null,
  city            text,
  capacity_units  bigint,
  updated_at      timestamptz not null
);
create index warehouses_updated_at on warehouses (updated_at);

create table order_headers (
  order_id     text primary key,
  customer_id  bigint not null,
  status       text not null,
  channel      text not null,
  currency     text not null,
  campaign_id  text,
  order_total  numeric(14, 2) not null,
  line_count   integer,
  placed_at    timestamptz not null,
  updated_at   timestamptz not null
);
create index order_headers_updated_at on order_headers (updated_at);
