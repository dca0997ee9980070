-- 0003_api: the audit log (who did what, when, to what; denied accesses too).
-- Idempotent: re-running it is a no-op.
CREATE TABLE IF NOT EXISTS audit_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  occurred_at timestamptz NOT NULL DEFAULT now(),
  -- Null for anonymous requests and system actions; kept when the user is deleted.
  actor_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  actor_role user_role,
  -- Dotted verb, e.g. campaign.update, config.update, access.denied, export.create.
  action text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
  target_type text,
  target_id text,
  outcome text NOT NULL DEFAULT 'success' CHECK (outcome IN ('success', 'denied', 'failure')),
  -- Before/after images with secrets masked; never phone numbers or emails.
  before jsonb,
  after jsonb,
  details jsonb,
  correlation_id text
);
CREATE INDEX IF NOT EXISTS audit_log_occurred_at_idx ON audit_log (occurred_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_actor_user_id_idx ON audit_log (actor_user_id);
CREATE INDEX IF NOT EXISTS audit_log_target_idx ON audit_log (target_type, target_id);
CREATE INDEX IF NOT EXISTS audit_log_action_idx ON audit_log (action, occurred_at DESC);
