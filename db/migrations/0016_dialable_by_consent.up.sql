-- 0016 up. Idempotent.
-- The claim walks contacts_dialable_due_idx (0015) in due order and stops after
-- `limit` eligible rows; every row it passes on the way is read from the heap
-- and re-checked (src/commands/calling/claim.ts). In a campaign that requires
-- prior consent, contacts without it stay pending forever, so as the campaign
-- progresses they gather at the front of that walk and every claim re-read
-- all of them: late in a 1,000,000-contact campaign (10 % unconsented, 90 % of
-- the consented done) a claim read 99,000 index entries, p50 60 ms; with this
-- index, walked in order, 100 entries, 17 ms (bench/dial.ts, bench/README.md).
-- The same partial index with has_prior_consent after campaign_id: the claim
-- walks the consented range only when the campaign requires consent, both
-- ranges (merged by due time) when it does not. It replaces the old one (every
-- contact insert and state change pays for one index, not two).
CREATE INDEX IF NOT EXISTS contacts_dialable_consent_idx ON contacts (campaign_id, has_prior_consent, last_attempt_at NULLS FIRST, created_at)
  WHERE state IN ('pending', 'not_reached') AND closed_at IS NULL;
DROP INDEX IF EXISTS contacts_dialable_due_idx;
