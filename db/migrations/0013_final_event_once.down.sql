-- 0013_final_event_once down. Idempotent.
DROP INDEX IF EXISTS events_final_per_attempt_key;
