-- analytics.campaign_channel_performance: which marketing channel (email, social, search, display,
-- affiliate) returns the most for what it costs?
--
-- Grain: one row per campaign channel (dim_campaign.channel).
--
-- Columns:
--   channel                  the campaign channel
--   campaigns                campaigns of the channel
--   spend, impressions, clicks, reported_conversions   sums over its campaigns (spend in EUR)
--   attributed_orders        orders (not cancelled) carrying one of its campaigns (an order has one campaign),
--                            placed on or before the latest day whose spend is reported (as in
--                            analytics.campaign_performance: the partners report a day's spend the day after)
--   attributed_revenue       their revenue (EUR)
--   click_through_rate       clicks / impressions
--   conversion_rate          attributed_orders / clicks
--   roas                     attributed_revenue / spend
--   cpa                      spend / attributed_orders (EUR)
--   avg_revenue_uplift       the average of the campaigns' revenue_uplift (those with a baseline)
--   campaigns_with_uplift    how many campaigns that average is over
--
-- Definitions: those of analytics.campaign_performance (revenue = net line amount of orders not
-- cancelled minus returned units at their net unit price; NULL-safe ratios).
-- Reference date: that of analytics.campaign_performance (the latest order date, not CURRENT_DATE).
CREATE OR REPLACE VIEW analytics.campaign_channel_performance AS
WITH campaigns AS (
  SELECT *
  FROM analytics.campaign_performance
),

channels AS (
  SELECT
    channel,
    COUNT(*) AS campaigns,
    CAST(SUM(spend) AS DECIMAL(18, 4)) AS spend,
    SUM(impressions) AS impressions,
    SUM(clicks) AS clicks,
    SUM(reported_conversions) AS reported_conversions,
    SUM(attributed_orders) AS attributed_orders,
    CAST(SUM(attributed_revenue) AS DECIMAL(18, 4)) AS attributed_revenue,
    AVG(revenue_uplift) AS avg_revenue_uplift,
    COUNT(revenue_uplift) AS campaigns_with_uplift
  FROM campaigns
  GROUP BY channel
)

SELECT
  c.channel,
  c.campaigns,
  c.spend,
  c.impressions,
  c.clicks,
  c.reported_conversions,
  c.attributed_orders,
  c.attributed_revenue,
  CAST(c.clicks AS DOUBLE PRECISION) / NULLIF(CAST(c.impressions AS DOUBLE PRECISION), 0) AS click_through_rate,
  CAST(c.attributed_orders AS DOUBLE PRECISION) / NULLIF(CAST(c.clicks AS DOUBLE PRECISION), 0) AS conversion_rate,
  CAST(c.attributed_revenue AS DOUBLE PRECISION) / NULLIF(CAST(c.spend AS DOUBLE PRECISION), 0) AS roas,
  CAST(c.spend AS DOUBLE PRECISION) / NULLIF(CAST(c.attributed_orders AS DOUBLE PRECISION), 0) AS cpa,
  c.avg_revenue_uplift,
  c.campaigns_with_uplift
FROM channels c;
