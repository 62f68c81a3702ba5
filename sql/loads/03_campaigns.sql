-- Load: one extract_date partition of the curated campaigns into star.dim_campaign (type 1: the
-- newest version of a campaign wins, whatever order the partitions arrive in), then re-point the
-- sales and spend that were waiting for these campaigns (the unknown member -1).
-- Placeholders: source, copy_role_arn, run_id, partition, source_modified_at.

DELETE FROM staging.campaigns;

COPY staging.campaigns
FROM '{{source}}'
IAM_ROLE '{{copy_role_arn}}'
FORMAT AS PARQUET;

-- The newest staged version of each campaign, unless the dimension already holds a newer one.
DELETE FROM staging.dim_campaign_latest;

INSERT INTO staging.dim_campaign_latest
SELECT
  COALESCE(d.campaign_key, k.max_key + ROW_NUMBER() OVER (ORDER BY v.campaign_id)) AS campaign_key,
  v.campaign_id, v.name, v.channel, v.start_date, v.end_date, v.budget, v.currency, v.discount_pct,
  v.valid_from AS source_updated_at
FROM (
  SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.campaign_id ORDER BY s.valid_from DESC, s._curated_at DESC) AS rn
  FROM staging.campaigns s
  WHERE s.campaign_id IS NOT NULL
) v
LEFT JOIN star.dim_campaign d ON d.campaign_id = v.campaign_id
CROSS JOIN (SELECT COALESCE(MAX(campaign_key), 0) AS max_key FROM star.dim_campaign WHERE campaign_key > 0) k
WHERE v.rn = 1
  AND (d.source_updated_at IS NULL OR d.source_updated_at <= v.valid_from);

MERGE INTO star.dim_campaign
USING staging.dim_campaign_latest v
ON dim_campaign.campaign_id = v.campaign_id
WHEN MATCHED THEN UPDATE SET
  name = v.name, channel = v.channel, start_date = v.start_date, end_date = v.end_date, budget = v.budget,
  currency = v.currency, discount_pct = v.discount_pct, source_updated_at = v.source_updated_at
WHEN NOT MATCHED THEN INSERT (campaign_key, campaign_id, name, channel, start_date, end_date, budget, currency,
  discount_pct, source_updated_at, loaded_at)
VALUES (v.campaign_key, v.campaign_id, v.name, v.channel, v.start_date, v.end_date, v.budget, v.currency,
  v.discount_pct, v.source_updated_at, GETDATE());

UPDATE star.fact_sales
SET campaign_key = d.campaign_key
FROM star.dim_campaign d
WHERE fact_sales.campaign_id = d.campaign_id
  AND fact_sales.campaign_key = -1
  AND d.campaign_id IN (SELECT campaign_id FROM staging.campaigns);

UPDATE star.fact_campaign_spend
SET campaign_key = d.campaign_key
FROM star.dim_campaign d
WHERE fact_campaign_spend.campaign_id = d.campaign_id
  AND fact_campaign_spend.campaign_key = -1
  AND d.campaign_id IN (SELECT campaign_id FROM staging.campaigns);

INSERT INTO ops.load_audit (run_id, dataset, partition_value, target_table, rows_staged, rows_distinct, rows_in_target,
  source_modified_at, loaded_at)
SELECT '{{run_id}}', 'campaigns', '{{partition}}', 'star.dim_campaign',
  (SELECT COUNT(*) FROM staging.campaigns),
  (SELECT COUNT(DISTINCT campaign_id) FROM staging.campaigns),
  (SELECT COUNT(*) FROM star.dim_campaign d WHERE d.campaign_id IN (SELECT campaign_id FROM staging.campaigns)),
  TIMESTAMP '{{source_modified_at}}', GETDATE();
