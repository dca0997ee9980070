-- 0004_auth: browser sessions and their rotating refresh tokens.
-- Idempotent: re-running it is a no-op.

-- One row per sign-in (browser) or per issued API token. Access tokens name the
-- session (`sid`); revoking the row stops them at once.
CREATE TABLE IF NOT EXISTS auth_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind text NOT NULL DEFAULT 'browser' CHECK (kind IN ('browser', 'api_token')),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  -- Absolute end of the session: refreshing never extends it past this.
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('logout', 'refresh_reuse', 'admin', 'role_change')),
  -- sha256 of the User-Agent at sign-in (no raw header stored), for the audit trail.
  user_agent_hash text,
  label text
);
CREATE INDEX IF NOT EXISTS auth_sessions_user_id_idx ON auth_sessions (user_id);
CREATE INDEX IF NOT EXISTS auth_sessions_expires_at_idx ON auth_sessions (expires_at);

-- Refresh tokens are stored as sha256 hashes only. Every refresh replaces the
-- presented token with a new one (parent_id links the chain, one chain per
-- session); presenting a token that was already used revokes the session.
CREATE TABLE IF NOT EXISTS refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES auth_sessions(id) ON DELETE CASCADE,
  parent_id uuid REFERENCES refresh_tokens(id) ON DELETE CASCADE,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS refresh_tokens_token_hash_key ON refresh_tokens (token_hash);
CREATE INDEX IF NOT EXISTS refresh_tokens_session_id_idx ON refresh_tokens (session_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_parent_id_idx ON refresh_tokens (parent_id);
