-- getCampaignPerformance: one campaign's row of analytics.campaign_performance (no row: unknown).
-- Parameters: campaign_id (string).
-- Columns: the view's (see docs/analytics-guide.md, Campaigns).
SELECT
  campaign_id,
  campaign_name,
  channel,
  start_date,
  end_date,
  budget,
  spend,
  spend_reported_through,
  impressions,
  clicks,
  reported_conversions,
  attributed_orders,
  attributed_revenue,
  click_through_rate,
  conversion_rate,
  roas,
  cpa,
  campaign_days_observed,
  avg_daily_revenue_during,
  avg_daily_revenue_baseline,
  revenue_uplift
FROM analytics.campaign_performance
WHERE campaign_id = :campaign_id
