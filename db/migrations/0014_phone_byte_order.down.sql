-- 0014 down. Idempotent.
ALTER TABLE contacts ALTER COLUMN phone_number TYPE text COLLATE "default";
ALTER TABLE exclusion_list_entries ALTER COLUMN phone_number TYPE text COLLATE "default";
