-- 0016 down. Idempotent.
CREATE INDEX IF NOT EXISTS contacts_dialable_due_idx ON contacts (campaign_id, last_attempt_at NULLS FIRST, created_at)
  WHERE state IN ('pending', 'not_reached') AND closed_at IS NULL;
DROP INDEX IF EXISTS contacts_dialable_consent_idx;
