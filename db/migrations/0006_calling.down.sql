-- 0006_calling down. Idempotent.
-- The `voicemail` value of call_outcome stays: PostgreSQL cannot drop an enum
-- value, and recreating the type would have to rewrite every attempt that holds
-- it. An unused extra value is harmless; re-running the up is a no-op for it.
-- (Reverting all the way, 0001's down drops the type itself.)
DROP TABLE IF EXISTS call_events;
DROP FUNCTION IF EXISTS vsa_is_time_zone(text);
DROP INDEX IF EXISTS contacts_dialable_idx;
DROP INDEX IF EXISTS call_attempts_ended_at_idx;
ALTER TABLE contacts DROP COLUMN IF EXISTS closed_at;
ALTER TABLE call_attempts DROP COLUMN IF EXISTS duration_seconds;
ALTER TABLE call_attempts DROP COLUMN IF EXISTS answered_by;
ALTER TABLE call_attempts DROP COLUMN IF EXISTS last_sequence;
ALTER TABLE call_attempts DROP COLUMN IF EXISTS call_status;
ALTER TABLE call_attempts DROP COLUMN IF EXISTS placed_at;
