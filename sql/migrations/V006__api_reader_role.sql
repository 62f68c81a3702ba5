-- Migration 6: the database role the REST API's Lambda works as (issue 6).
--
-- The API's Lambda signs in to the workgroup with IAM (Data API, no password): Redshift Serverless
-- maps the principal tag RedshiftDbRoles=api_reader of its IAM role to this role. It may read the
-- analytics and realtime views and nothing else: no star, staging or ops table, no write. The views
-- read the star schema with their owner's rights, as views do.
--
-- The deploy drops and re-creates the views (sql/views) as the migration user: the default
-- privileges below give api_reader SELECT on every view re-created in these schemas, so a deploy
-- never leaves the API without access.
CREATE ROLE api_reader;

GRANT USAGE ON SCHEMA analytics TO ROLE api_reader;

GRANT USAGE ON SCHEMA realtime TO ROLE api_reader;

GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO ROLE api_reader;

GRANT SELECT ON ALL TABLES IN SCHEMA realtime TO ROLE api_reader;

ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO ROLE api_reader;

ALTER DEFAULT PRIVILEGES IN SCHEMA realtime GRANT SELECT ON TABLES TO ROLE api_reader;
