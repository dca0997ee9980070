-- 0010_admin_settings: runtime configuration edited by admins (telephony, LLM,
-- email, retention), one row per section, with a version for optimistic
-- concurrency. Secrets inside `value` are AES-256-GCM envelopes, never plaintext.
-- Idempotent: re-running it is a no-op.
CREATE TABLE IF NOT EXISTS app_settings (
  section     text PRIMARY KEY,
  value       jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Bumped by every write; a write naming an older version is refused (409).
  version     integer NOT NULL DEFAULT 1,
  updated_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT app_settings_section_check CHECK (section IN ('telephony', 'llm', 'email', 'retention')),
  CONSTRAINT app_settings_value_object CHECK (jsonb_typeof(value) = 'object'),
  CONSTRAINT app_settings_version_positive CHECK (version >= 1)
);
CREATE INDEX IF NOT EXISTS app_settings_updated_by_idx ON app_settings (updated_by);

DROP TRIGGER IF EXISTS app_settings_set_updated_at ON app_settings;
CREATE TRIGGER app_settings_set_updated_at BEFORE UPDATE ON app_settings
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- The last-admin guard counts admins on every role change.
CREATE INDEX IF NOT EXISTS users_role_idx ON users (role);
