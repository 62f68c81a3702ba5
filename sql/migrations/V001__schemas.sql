-- Migration 1: the warehouse's schemas and its audit table.
--
--   staging    COPY targets, one table per curated dataset, with the curated Parquet's columns in
--              the file's order (COPY from Parquet maps columns by position), plus work tables a
--              load fills before its MERGE (Redshift's MERGE reads a table, not a subquery).
--   star       the star schema analysts query: facts at their grain, conformed dimensions.
--   analytics  the views analysts open (sql/views), one question per view.
--   ops        the migrations table (created by the runner) and the load audit.
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS star;
CREATE SCHEMA IF NOT EXISTS analytics;
CREATE SCHEMA IF NOT EXISTS ops;

-- One row per load of one curated partition: what the COPY staged and what the target holds for
-- the staged keys afterwards. Reconciliation: rows_distinct = rows_in_target on every row.
CREATE TABLE IF NOT EXISTS ops.load_audit (
  run_id VARCHAR(64) NOT NULL,
  dataset VARCHAR(64) NOT NULL,
  partition_value VARCHAR(32) NOT NULL,
  target_table VARCHAR(64) NOT NULL,
  rows_staged BIGINT NOT NULL,
  rows_distinct BIGINT NOT NULL,
  rows_in_target BIGINT NOT NULL,
  source_modified_at TIMESTAMP NOT NULL,
  loaded_at TIMESTAMP NOT NULL
)
DISTSTYLE ALL
SORTKEY (dataset, loaded_at);
