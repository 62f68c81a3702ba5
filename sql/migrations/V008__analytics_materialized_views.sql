-- Migration 8: materialized views over the star, so the analytics views read aggregates the load
-- run keeps instead of grouping 60M order lines (or the stock positions and movements) on every query
-- (docs/DESIGN.md, section 16). Each holds what one or more views used to compute from the lines:
--
--   mv_sales_by_day_campaign   day x campaign (NULL: no campaign): orders, units, revenue
--                              -> sales_daily, sales_weekly, sales_monthly, campaign_performance
--   mv_segment_month_sales     month x category x brand x channel x region -> sales_by_segment_monthly
--   mv_top_products_monthly    the 100 best SKUs of each month, ranked     -> top_products_monthly
--   mv_customer_month_sales    customer x month with an order               -> cohort_retention,
--                                                                             new_vs_returning_monthly
--   mv_customer_sales          customer (from mv_customer_month_sales)      -> customer_rfm,
--                                                                             customer_lifetime_value
--   mv_stock_positions         the position snapshot with its current names -> the stock views
--   mv_sku_units_30d           units ordered per SKU in the last 30 days    -> inventory_health
--   mv_stock_outs              when each position now out of stock ran out -> stock_outs
--
-- Definitions are those of the views they serve: an order counts when it is not cancelled; units
-- are quantity - returned_quantity; revenue is the net line amount minus returned units at their net
-- unit price, written out here as analytics.sales_lines defines it (a Redshift materialized view
-- cannot read a standard view). The views' tests compare every view with answers computed apart
-- from this SQL, so a definition that drifted from sales_lines fails them.
--
-- Refresh: the load run refreshes every MV of sql/registry.ts MATERIALIZED_VIEWS after its loads,
-- in that order (mv_customer_sales reads mv_customer_month_sales), each REFRESH its own transaction.
-- The loads are the only writers of the star, so AUTO REFRESH is off: Redshift's background
-- refresh would only add a second, unscheduled writer (and an MV over an MV cannot have it).
-- Redshift refreshes the MVs with GROUP BY and inner joins incrementally; the ones with windows or
-- outer joins in full (at scale 1 on the twin: about 35 s for all of them).

CREATE MATERIALIZED VIEW star.mv_sales_by_day_campaign
SORTKEY (order_date)
AUTO REFRESH NO
AS
SELECT
  d.full_date AS order_date,
  d.week_start,
  d.month_start,
  f.campaign_id,
  CAST(SUM(f.order_count) AS BIGINT) AS orders,
  CAST(SUM(f.quantity - f.returned_quantity) AS BIGINT) AS units,
  CAST(SUM(f.net_amount - COALESCE(CASE WHEN f.returned_quantity = 0 THEN CAST(0 AS DECIMAL(18, 4)) ELSE CAST(
    CAST(f.returned_quantity AS DECIMAL(18, 4)) * f.net_amount / NULLIF(CAST(f.quantity AS DECIMAL(18, 4)), 0)
    AS DECIMAL(18, 4)
  ) END, 0)) AS DECIMAL(18, 4)) AS revenue
FROM star.fact_sales f
JOIN star.dim_date d ON d.date_key = f.date_key
WHERE f.status <> 'cancelled'
GROUP BY d.full_date, d.week_start, d.month_start, f.campaign_id;

CREATE MATERIALIZED VIEW star.mv_segment_month_sales
SORTKEY (month_start)
AUTO REFRESH NO
AS
SELECT
  d.month_start,
  COALESCE(f.category, 'Unknown') AS category,
  COALESCE(f.brand, 'Unknown') AS brand,
  f.channel,
  COALESCE(f.customer_country, 'Unknown') AS region,
  CAST(SUM(f.segment_order_count) AS BIGINT) AS orders,
  CAST(SUM(f.quantity - f.returned_quantity) AS BIGINT) AS units,
  CAST(SUM(f.net_amount - COALESCE(CASE WHEN f.returned_quantity = 0 THEN CAST(0 AS DECIMAL(18, 4)) ELSE CAST(
    CAST(f.returned_quantity AS DECIMAL(18, 4)) * f.net_amount / NULLIF(CAST(f.quantity AS DECIMAL(18, 4)), 0)
    AS DECIMAL(18, 4)
  ) END, 0)) AS DECIMAL(18, 4)) AS revenue
FROM star.fact_sales f
JOIN star.dim_date d ON d.date_key = f.date_key
WHERE f.status <> 'cancelled'
GROUP BY d.month_start, COALESCE(f.category, 'Unknown'), COALESCE(f.brand, 'Unknown'), f.channel,
  COALESCE(f.customer_country, 'Unknown');

-- Ranked by revenue, then units (more first), then SKU, so ranks are unique; month_revenue is the
-- revenue of every SKU of the month (the share's denominator).
CREATE MATERIALIZED VIEW star.mv_top_products_monthly
SORTKEY (month_start)
AUTO REFRESH NO
AS
SELECT
  r.month_start,
  r.revenue_rank,
  r.sku,
  r.orders,
  r.units,
  r.revenue,
  r.month_revenue
FROM (
  SELECT
    s.month_start,
    s.sku,
    s.orders,
    s.units,
    s.revenue,
    SUM(s.revenue) OVER (PARTITION BY s.month_start) AS month_revenue,
    ROW_NUMBER() OVER (PARTITION BY s.month_start ORDER BY s.revenue DESC, s.units DESC, s.sku) AS revenue_rank
  FROM (
    SELECT
      d.month_start,
      f.sku,
      CAST(SUM(f.sku_order_count) AS BIGINT) AS orders,
      CAST(SUM(f.quantity - f.returned_quantity) AS BIGINT) AS units,
      CAST(SUM(f.net_amount - COALESCE(CASE WHEN f.returned_quantity = 0 THEN CAST(0 AS DECIMAL(18, 4)) ELSE CAST(
        CAST(f.returned_quantity AS DECIMAL(18, 4)) * f.net_amount / NULLIF(CAST(f.quantity AS DECIMAL(18, 4)), 0)
        AS DECIMAL(18, 4)
      ) END, 0)) AS DECIMAL(18, 4)) AS revenue
    FROM star.fact_sales f
    JOIN star.dim_date d ON d.date_key = f.date_key
    WHERE f.status <> 'cancelled'
    GROUP BY d.month_start, f.sku
  ) s
) r
WHERE r.revenue_rank <= 100;

-- One row per customer and month with an order (not cancelled): a customer's months of activity.
CREATE MATERIALIZED VIEW star.mv_customer_month_sales
DISTKEY (customer_id)
SORTKEY (customer_id)
AUTO REFRESH NO
AS
SELECT
  f.customer_id,
  d.month_start,
  MIN(d.full_date) AS first_order_date,
  MAX(d.full_date) AS last_order_date,
  CAST(SUM(f.order_count) AS BIGINT) AS orders,
  CAST(SUM(f.quantity - f.returned_quantity) AS BIGINT) AS units,
  CAST(SUM(f.net_amount - COALESCE(CASE WHEN f.returned_quantity = 0 THEN CAST(0 AS DECIMAL(18, 4)) ELSE CAST(
    CAST(f.returned_quantity AS DECIMAL(18, 4)) * f.net_amount / NULLIF(CAST(f.quantity AS DECIMAL(18, 4)), 0)
    AS DECIMAL(18, 4)
  ) END, 0)) AS DECIMAL(18, 4)) AS revenue
FROM star.fact_sales f
JOIN star.dim_date d ON d.date_key = f.date_key
WHERE f.status <> 'cancelled'
GROUP BY f.customer_id, d.month_start;

CREATE MATERIALIZED VIEW star.mv_customer_sales
DISTKEY (customer_id)
SORTKEY (customer_id)
AUTO REFRESH NO
AS
SELECT
  customer_id,
  MIN(first_order_date) AS first_order_date,
  MAX(last_order_date) AS last_order_date,
  CAST(SUM(orders) AS BIGINT) AS orders,
  CAST(SUM(units) AS BIGINT) AS units,
  CAST(SUM(revenue) AS DECIMAL(18, 4)) AS revenue
FROM star.mv_customer_month_sales
GROUP BY customer_id;

-- The position snapshot the inventory load keeps, with the SKU's CURRENT name, category and reorder
-- point and the warehouse's name ('Unknown' when not known; a position's own reorder point first).
CREATE MATERIALIZED VIEW star.mv_stock_positions
SORTKEY (sku)
AUTO REFRESH NO
AS
SELECT
  p.sku,
  p.warehouse_id,
  COALESCE(cp.name, 'Unknown') AS product_name,
  COALESCE(cp.category, 'Unknown') AS category,
  COALESCE(w.name, 'Unknown') AS warehouse_name,
  p.on_hand,
  p.reserved,
  p.on_hand - p.reserved AS available,
  CAST(COALESCE(p.reorder_point, cp.reorder_point) AS BIGINT) AS reorder_point,
  p.last_movement_at,
  p.movements
FROM star.fact_inventory_position p
LEFT JOIN star.dim_product cp ON cp.sku = p.sku AND cp.is_current AND cp.product_key > 0
LEFT JOIN star.dim_warehouse w ON w.warehouse_id = p.warehouse_id;

-- Units ordered (quantity, returns not deducted) per SKU in orders not cancelled placed in the 30 days
-- ending on the reference date (the latest order date in star.fact_sales, inclusive).
CREATE MATERIALIZED VIEW star.mv_sku_units_30d
SORTKEY (sku)
AUTO REFRESH NO
AS
SELECT
  r.reference_date,
  f.sku,
  CAST(SUM(f.quantity) AS BIGINT) AS units_sold_30d
FROM star.fact_sales f
CROSS JOIN (SELECT CAST(MAX(order_time) AS DATE) AS reference_date FROM star.fact_sales) r
WHERE f.status <> 'cancelled'
  AND CAST(f.order_time AS DATE) > CAST(DATEADD(day, -30, r.reference_date) AS DATE)
  AND CAST(f.order_time AS DATE) <= r.reference_date
GROUP BY r.reference_date, f.sku;

-- For each position now out of stock (on_hand - reserved <= 0): when it ran out, i.e. the time of the
-- first movement after the latest one that left available > 0 (movements in event_time, then
-- event_id order; available is the running SUM(on_hand_delta - reserved_delta)), or of its first
-- movement if available was never positive.
CREATE MATERIALIZED VIEW star.mv_stock_outs
SORTKEY (sku)
AUTO REFRESH NO
AS
SELECT
  s.sku,
  s.warehouse_id,
  MIN(CASE WHEN s.last_positive_at IS NULL OR s.event_time > s.last_positive_at THEN s.event_time END)
    AS out_of_stock_since
FROM (
  SELECT
    r.sku,
    r.warehouse_id,
    r.event_time,
    MAX(CASE WHEN r.running_available > 0 THEN r.event_time END)
      OVER (PARTITION BY r.sku, r.warehouse_id) AS last_positive_at
  FROM (
    SELECT
      m.sku,
      m.warehouse_id,
      m.event_time,
      SUM(m.on_hand_delta - m.reserved_delta) OVER (
        PARTITION BY m.sku, m.warehouse_id
        ORDER BY m.event_time, m.event_id
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS running_available
    FROM star.fact_inventory_movement m
    JOIN star.fact_inventory_position p
      ON p.sku = m.sku AND p.warehouse_id = m.warehouse_id AND p.on_hand - p.reserved <= 0
  ) r
) s
GROUP BY s.sku, s.warehouse_id;
