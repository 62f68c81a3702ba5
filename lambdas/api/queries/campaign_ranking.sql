-- listCampaignRanking: the campaigns of analytics.campaign_performance ranked by one measure (:by is
-- roas, revenue = attributed_revenue, orders = attributed_orders, or conversion_rate), the highest
-- first, NULL measures last, ties by campaign_id; one page by rank (:row_from to :row_to, 1-based,
-- inclusive: the handler asks for one row more than the page).
-- Parameters: by (string), row_from, row_to (integer).
-- Columns: rn (the rank), campaign_id, campaign_name, channel, spend, attributed_orders, attributed_revenue,
-- roas, conversion_rate, cpa.
SELECT
  rn,
  campaign_id,
  campaign_name,
  channel,
  spend,
  attributed_orders,
  attributed_revenue,
  roas,
  conversion_rate,
  cpa
FROM (
  SELECT
    c.*,
    ROW_NUMBER() OVER (
      ORDER BY
        CASE WHEN c.measure IS NULL THEN 1 ELSE 0 END,
        c.measure DESC,
        c.campaign_id
    ) AS rn
  FROM (
    SELECT
      campaign_id,
      campaign_name,
      channel,
      spend,
      attributed_orders,
      attributed_revenue,
      roas,
      conversion_rate,
      cpa,
      CAST(
        CASE :by
          WHEN 'roas' THEN roas
          WHEN 'revenue' THEN attributed_revenue
          WHEN 'orders' THEN attributed_orders
          WHEN 'conversion_rate' THEN conversion_rate
        END AS DOUBLE PRECISION
      ) AS measure
    FROM analytics.campaign_performance
  ) c
) ranked
WHERE rn BETWEEN CAST(:row_from AS INTEGER) AND CAST(:row_to AS INTEGER)
ORDER BY rn
