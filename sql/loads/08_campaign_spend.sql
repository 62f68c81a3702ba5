-- Load: one spend_date partition of the curated campaign_spend (partner reports) into
-- star.fact_campaign_spend, one row per day, campaign, channel and reporting source (the newest
-- report wins). A campaign the dimension does not know yet gets the unknown member (-1) until the
-- campaigns load re-points it. Idempotent: rows merge on their key.
-- Placeholders: source, copy_role_arn, run_id, partition, source_modified_at.

DELETE FROM staging.campaign_spend;

COPY staging.campaign_spend
FROM '{{source}}'
IAM_ROLE '{{copy_role_arn}}'
FORMAT AS PARQUET;

DELETE FROM staging.campaign_spend_rows;

INSERT INTO staging.campaign_spend_rows
SELECT
  CAST('{{partition}}' AS DATE),
  CAST(REPLACE('{{partition}}', '-', '') AS INTEGER),
  COALESCE(d.campaign_key, -1),
  s.campaign_id,
  s.channel,
  s.source,
  s.impressions,
  s.clicks,
  s.conversions,
  s.spend,
  s.currency,
  s.reported_at
FROM (
  SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.campaign_id, x.channel, x.source ORDER BY x.reported_at DESC, x._curated_at DESC) AS rn
  FROM staging.campaign_spend x
  WHERE x.campaign_id IS NOT NULL AND x.channel IS NOT NULL AND x.source IS NOT NULL
) s
LEFT JOIN star.dim_campaign d ON d.campaign_id = s.campaign_id
WHERE s.rn = 1;

MERGE INTO star.fact_campaign_spend
USING staging.campaign_spend_rows r
ON fact_campaign_spend.spend_date = r.spend_date AND fact_campaign_spend.campaign_id = r.campaign_id
  AND fact_campaign_spend.channel = r.channel AND fact_campaign_spend.source = r.source
WHEN MATCHED THEN UPDATE SET
  campaign_key = r.campaign_key, impressions = r.impressions, clicks = r.clicks, conversions = r.conversions,
  spend = r.spend, currency = r.currency, reported_at = r.reported_at
WHEN NOT MATCHED THEN INSERT (spend_date, date_key, campaign_key, campaign_id, channel, source, impressions, clicks,
  conversions, spend, currency, reported_at, loaded_at)
VALUES (r.spend_date, r.date_key, r.campaign_key, r.campaign_id, r.channel, r.source, r.impressions, r.clicks,
  r.conversions, r.spend, r.currency, r.reported_at, GETDATE());

INSERT INTO ops.load_audit (run_id, dataset, partition_value, target_table, rows_staged, rows_distinct, rows_in_target,
  source_modified_at, loaded_at)
SELECT '{{run_id}}', 'campaign_spend', '{{partition}}', 'star.fact_campaign_spend',
  (SELECT COUNT(*) FROM staging.campaign_spend),
  (SELECT COUNT(*) FROM staging.campaign_spend_rows),
  (SELECT COUNT(*) FROM star.fact_campaign_spend f
   WHERE EXISTS (SELECT 1 FROM staging.campaign_spend_rows r
                 WHERE r.spend_date = f.spend_date AND r.campaign_id = f.campaign_id
                   AND r.channel = f.channel AND r.source = f.source)),
  TIMESTAMP '{{source_modified_at}}', GETDATE();
