-- 0007_dialogue down. Idempotent.
DROP INDEX IF EXISTS exclusion_list_entries_call_attempt_id_idx;
ALTER TABLE exclusion_list_entries DROP COLUMN IF EXISTS call_attempt_id;
DROP TABLE IF EXISTS consent_records;
DROP TABLE IF EXISTS dialogue_turns;
DROP TABLE IF EXISTS call_dialogues;
