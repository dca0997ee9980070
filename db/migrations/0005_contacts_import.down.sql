-- 0005_contacts_import down. Idempotent.
DROP INDEX IF EXISTS contacts_campaign_phone_reversed_idx;
DROP INDEX IF EXISTS contacts_campaign_external_id_idx;
DROP INDEX IF EXISTS contacts_campaign_created_idx;
DROP INDEX IF EXISTS exclusion_list_entries_phone_reversed_idx;
DROP INDEX IF EXISTS exclusion_list_entries_created_at_idx;
DROP INDEX IF EXISTS exclusion_list_entries_import_id_idx;
ALTER TABLE exclusion_list_entries DROP COLUMN IF EXISTS import_id;
ALTER TABLE exclusion_list_entries DROP COLUMN IF EXISTS list_date;
ALTER TABLE exclusion_list_entries DROP COLUMN IF EXISTS list_name;
DROP TABLE IF EXISTS contact_import_errors;
DROP TABLE IF EXISTS contact_imports;
DROP TYPE IF EXISTS import_kind;
