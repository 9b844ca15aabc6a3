-- Test users for the test database: the whitelisted admins of the seed's flag configuration
-- and one ordinary user per tier. Idempotent: running it again inserts nothing.

INSERT INTO organizations (slug, name)
VALUES
    ('your-domain',  'Your Domain (operators)'),
    ('example',      'Example Inc.'),
    ('trial-co',     'Trial Co.')
ON CONFLICT (slug) DO NOTHING;

INSERT INTO users (email, display_name, organization_id, role)
SELECT v.email, v.display_name, o.id, v.role
  FROM (VALUES
        ('admin@your-domain.com', 'Operator Admin',  'your-domain', 'admin'),
        ('admin@example.com',     'Example Admin',   'example',     'admin'),
        ('user@example.com',      'Example User',    'example',     'member'),
        ('viewer@example.com',    'Example Viewer',  'example',     'viewer'),
        ('trial@trial-co.test',   'Trial User',      'trial-co',    'member')
       ) AS v (email, display_name, org_slug, role)
  JOIN organizations o ON o.slug = v.org_slug
ON CONFLICT (lower(email)) DO NOTHING;

INSERT INTO subscriptions (organization_id, tier, status)
SELECT o.id, v.tier, 'active'
  FROM (VALUES ('your-domain', 'enterprise'), ('example', 'professional'), ('trial-co', 'trial'))
       AS v (org_slug, tier)
  JOIN organizations o ON o.slug = v.org_slug
ON CONFLICT (organization_id) WHERE status <> 'cancelled' DO NOTHING;
