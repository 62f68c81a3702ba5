-- analytics.campaign_performance: what did each marketing campaign cost, what did it bring in, and
-- did the shop sell more while it ran?
--
-- Grain: one row per campaign of star.dim_campaign (the reserved members -1 unknown and 0 none are
-- left out).
--
-- Columns:
--   campaign_id, campaign_name, channel, start_date, end_date, budget   from dim_campaign
--   spend                      sum of star.fact_campaign_spend.spend over all days and reporting sources (EUR)
--   spend_reported_through     the latest day whose spend the partners have reported (the same for every
--                              row: the latest spend_date loaded); NULL while no spend is loaded
--   impressions, clicks        sums from the partners' reports
--   reported_conversions       conversions as the partners report them (not used in the ratios)
--   attributed_orders          distinct orders (not cancelled) carrying the campaign's campaign_id
--                              (last-touch attribution made at checkout), placed on or before
--                              spend_reported_through (all of them while no spend is loaded)
--   attributed_revenue         revenue of those orders (EUR)
--   click_through_rate         clicks / impressions
--   conversion_rate            attributed_orders / clicks
--   roas                       attributed_revenue / spend (return on ad spend, 2.0 = EUR 2 per EUR 1)
--   cpa                        spend / attributed_orders (cost per acquired order, EUR)
--   campaign_days_observed     days of [start_date, LEAST(end_date, reference date)] inside the data
--   avg_daily_revenue_during   average daily revenue of ALL orders (attributed or not) over those days
--   avg_daily_revenue_baseline average daily revenue of all orders over the 28 days before start_date;
--                              NULL unless all 28 days are inside the data
--   revenue_uplift             avg_daily_revenue_during / avg_daily_revenue_baseline - 1, a fraction
--                              (0.15 = the shop sold 15% more per day while the campaign ran)
--
-- Definitions: revenue = net line amount (quantity x unit_price - discount) of orders not cancelled,
-- minus returned units at their net unit price, booked on the order date (analytics.sales_lines);
-- daily revenue comes from analytics.sales_daily (days without sales count as 0). Every division is
-- NULL-safe (NULLIF): a ratio over zero is NULL. The uplift is a before/after comparison of the
-- whole shop, not a controlled experiment: overlapping campaigns and seasonality share it.
-- The partners report a day's spend the day after (received_date = spend_date + 1), so the orders
-- of the days not reported yet are left out of the attributed counts: otherwise ROAS, CPA and the
-- conversion rate would set the latest days' orders against no spend, and a campaign in its first
-- days would look several times better than it is.
-- Reference date: the latest order date in star.fact_sales (not CURRENT_DATE); a campaign still
-- running is measured up to it, one starting after it has no window (NULL).
CREATE OR REPLACE VIEW analytics.campaign_performance AS
WITH campaigns AS (
  SELECT
    campaign_id,
    name AS campaign_name,
    channel,
    start_date,
    end_date,
    budget
  FROM star.dim_campaign
  WHERE campaign_key > 0
),

reference AS (
  SELECT MAX(order_date) AS reference_date
  FROM analytics.sales_daily
),

spend_reported AS (
  SELECT MAX(spend_date) AS spend_reported_through
  FROM star.fact_campaign_spend
),

spend AS (
  SELECT
    campaign_id,
    CAST(SUM(spend) AS DECIMAL(18, 4)) AS spend,
    SUM(impressions) AS impressions,
    SUM(clicks) AS clicks,
    SUM(conversions) AS reported_conversions
  FROM star.fact_campaign_spend
  GROUP BY campaign_id
),

attributed AS (
  SELECT
    m.campaign_id,
    SUM(m.orders) AS attributed_orders,
    CAST(SUM(m.revenue) AS DECIMAL(18, 4)) AS attributed_revenue
  FROM star.mv_sales_by_day_campaign m
  CROSS JOIN spend_reported r
  WHERE m.campaign_id IS NOT NULL
    AND (r.spend_reported_through IS NULL OR m.order_date <= r.spend_reported_through)
  GROUP BY m.campaign_id
),

during AS (
  SELECT
    c.campaign_id,
    COUNT(*) AS campaign_days_observed,
    AVG(CAST(d.revenue AS DOUBLE PRECISION)) AS avg_daily_revenue_during
  FROM campaigns c
  CROSS JOIN reference r
  JOIN analytics.sales_daily d
    ON d.order_date >= c.start_date
    AND d.order_date <= LEAST(c.end_date, r.reference_date)
  GROUP BY c.campaign_id
),

baseline AS (
  SELECT
    c.campaign_id,
    COUNT(*) AS baseline_days,
    AVG(CAST(d.revenue AS DOUBLE PRECISION)) AS avg_daily_revenue_baseline
  FROM campaigns c
  JOIN analytics.sales_daily d
    ON d.order_date >= CAST(DATEADD(day, -28, c.start_date) AS DATE)
    AND d.order_date < c.start_date
  GROUP BY c.campaign_id
)

SELECT
  c.campaign_id,
  c.campaign_name,
  c.channel,
  c.start_date,
  c.end_date,
  c.budget,
  COALESCE(s.spend, 0) AS spend,
  sr.spend_reported_through,
  COALESCE(s.impressions, 0) AS impressions,
  COALESCE(s.clicks, 0) AS clicks,
  COALESCE(s.reported_conversions, 0) AS reported_conversions,
  COALESCE(a.attributed_orders, 0) AS attributed_orders,
  COALESCE(a.attributed_revenue, 0) AS attributed_revenue,
  CAST(s.clicks AS DOUBLE PRECISION) / NULLIF(CAST(s.impressions AS DOUBLE PRECISION), 0) AS click_through_rate,
  CAST(COALESCE(a.attributed_orders, 0) AS DOUBLE PRECISION) / NULLIF(CAST(s.clicks AS DOUBLE PRECISION), 0)
    AS conversion_rate,
  CAST(COALESCE(a.attributed_revenue, 0) AS DOUBLE PRECISION) / NULLIF(CAST(s.spend AS DOUBLE PRECISION), 0) AS roas,
  CAST(s.spend AS DOUBLE PRECISION) / NULLIF(CAST(a.attributed_orders AS DOUBLE PRECISION), 0) AS cpa,
  COALESCE(du.campaign_days_observed, 0) AS campaign_days_observed,
  du.avg_daily_revenue_during,
  CASE WHEN b.baseline_days = 28 THEN b.avg_daily_revenue_baseline END AS avg_daily_revenue_baseline,
  CASE WHEN b.baseline_days = 28 THEN du.avg_daily_revenue_during / NULLIF(b.avg_daily_revenue_baseline, 0) - 1 END
    AS revenue_uplift
FROM campaigns c
CROSS JOIN spend_reported sr
LEFT JOIN spend s ON s.campaign_id = c.campaign_id
LEFT JOIN attributed a ON a.campaign_id = c.campaign_id
LEFT JOIN during du ON du.campaign_id = c.campaign_id
LEFT JOIN baseline b ON b.campaign_id = c.campaign_id;
