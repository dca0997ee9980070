-- 0015 up. Idempotent.
-- The claim dials contacts in the order they became due: a never-called
-- contact since its created_at, a retry since its last attempt + the retry
-- interval (src/commands/calling/claim.ts). contacts_dialable_idx (0006) keeps
-- the retries in last_attempt_at order, but its never-called part (last_attempt_at
-- NULL) is in no useful order (heap position), so taking the oldest new contacts
-- would mean sorting all of them. The same partial index with created_at as a
-- third key serves both of the claim's walks — the NULL range in created_at
-- order, then the retry range in last_attempt_at order — and replaces the old
-- one (every contact insert and state change pays for one index, not two).
CREATE INDEX IF NOT EXISTS contacts_dialable_due_idx ON contacts (campaign_id, last_attempt_at NULLS FIRST, created_at)
  WHERE state IN ('pending', 'not_reached') AND closed_at IS NULL;
DROP INDEX IF EXISTS contacts_dialable_idx;
