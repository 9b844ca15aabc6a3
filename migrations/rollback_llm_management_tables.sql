-- Rollback of 002_llm_management_tables.sql: drops exactly the tables it created, children
-- first. No CASCADE: if something else has come to depend on these tables, the rollback stops
-- with Postgres naming the dependency instead of silently dropping it too.
-- The runner takes a pg_dump backup first and runs this file in one transaction.

DROP TABLE IF EXISTS llm_usage_log;
DROP TABLE IF EXISTS llm_tier_rules;
DROP TABLE IF EXISTS llm_models;
DROP TABLE IF EXISTS llm_provider_keys;
DROP TABLE IF EXISTS llm_providers;
