-- Tier rules for the LLM hub (table from 002_llm_management_tables.sql).
-- Idempotent: running it again inserts nothing and changes nothing already there.

INSERT INTO llm_tier_rules (tier, model_pattern, allowed, monthly_token_limit, requests_per_minute, markup_percent)
VALUES
    ('trial',        '%',          true,     100000,    10,  0.00),
    ('trial',        '%-opus%',    false,      NULL,  NULL,  0.00),
    ('starter',      '%',          true,    2000000,    60, 20.00),
    ('starter',      '%-opus%',    false,      NULL,  NULL,  0.00),
    ('professional', '%',          true,   20000000,   300, 15.00),
    ('enterprise',   '%',          true,       NULL,  1200, 10.00)
ON CONFLICT (tier, model_pattern) DO NOTHING;
