-- 0011 down. Idempotent.
CREATE INDEX IF NOT EXISTS contacts_due_idx ON contacts (campaign_id, last_attempt_at NULLS FIRST)
  WHERE state IN ('pending', 'not_reached');
