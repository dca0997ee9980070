-- 0006_calling: what the calling engine (scheduler, webhooks, reconciler) needs.
-- Idempotent: re-running it is a no-op.

-- A machine (answering machine, fax) picked up: recorded distinctly, retried
-- like no_answer. ADD VALUE may run in a transaction (PostgreSQL 12+); the
-- value is only used by later transactions.
ALTER TYPE call_outcome ADD VALUE IF NOT EXISTS 'voicemail';

-- ── call_attempts: placement and provider facts ────────────────────────────
-- started_at (0001) is the claim time; placed_at is when the provider accepted the call.
ALTER TABLE call_attempts ADD COLUMN IF NOT EXISTS placed_at timestamptz;
-- Latest normalized provider status (initiated, ringing, answered, completed, …)
-- and the sequence number it came with: older events never overwrite newer ones.
ALTER TABLE call_attempts ADD COLUMN IF NOT EXISTS call_status text;
ALTER TABLE call_attempts ADD COLUMN IF NOT EXISTS last_sequence integer;
-- human | machine | fax | unknown, with answering-machine detection.
ALTER TABLE call_attempts ADD COLUMN IF NOT EXISTS answered_by text;
ALTER TABLE call_attempts ADD COLUMN IF NOT EXISTS duration_seconds integer;

-- ── contacts: dialling closed ───────────────────────────────────────────────
-- Set when no further attempt will be made although the state allows one
-- (not_reached after the last attempt, or after a permanent provider error).
ALTER TABLE contacts ADD COLUMN IF NOT EXISTS closed_at timestamptz;

-- Dialling candidates, index-driven: the claim walks this per running campaign
-- in last_attempt_at order (never-called first) and stops after N rows.
CREATE INDEX IF NOT EXISTS contacts_dialable_idx ON contacts (campaign_id, last_attempt_at NULLS FIRST)
  WHERE state IN ('pending', 'not_reached') AND closed_at IS NULL;

-- True when PostgreSQL knows the zone name. The claim query only trusts an
-- imported contact zone that passes, like the pure rule (isValidTimeZone), so
-- one bad row can never fail every claim.
CREATE OR REPLACE FUNCTION vsa_is_time_zone(zone text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM now() AT TIME ZONE zone;
  RETURN true;
EXCEPTION WHEN others THEN
  RETURN false;
END $$;

-- Recently ended attempts still hold their concurrency slot for a short
-- cooldown (see CALLING_SLOT_COOLDOWN_MS): found through this index.
CREATE INDEX IF NOT EXISTS call_attempts_ended_at_idx ON call_attempts (ended_at) WHERE ended_at IS NOT NULL;

-- ── call_events: raw provider status callbacks ─────────────────────────────
CREATE TABLE IF NOT EXISTS call_events (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  call_attempt_id   uuid NOT NULL REFERENCES call_attempts (id) ON DELETE CASCADE,
  provider_call_id  text NOT NULL,
  sequence_number   integer NOT NULL,
  status            text NOT NULL,
  raw_status        text NOT NULL,
  occurred_at       timestamptz NOT NULL,
  answered_by       text,
  duration_seconds  integer,
  error_code        text,
  received_at       timestamptz NOT NULL DEFAULT now(),
  -- Provider retries deliver the same event again: the second insert is a no-op.
  CONSTRAINT call_events_provider_call_sequence_key UNIQUE (provider_call_id, sequence_number)
);
CREATE INDEX IF NOT EXISTS call_events_call_attempt_id_idx ON call_events (call_attempt_id);
