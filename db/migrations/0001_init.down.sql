-- 0001_init down: removes everything 0001_init.up.sql created.
-- Idempotent: re-running it is a no-op.
DROP TABLE IF EXISTS transcript_snippets;
DROP TABLE IF EXISTS email_notifications;
DROP TABLE IF EXISTS events;
DROP TABLE IF EXISTS survey_responses;
DROP TABLE IF EXISTS call_attempts;
DROP TABLE IF EXISTS exclusion_list_entries;
DROP TABLE IF EXISTS contacts;
DROP TABLE IF EXISTS campaigns;
DROP TABLE IF EXISTS email_templates;
DROP TABLE IF EXISTS provider_configs;
DROP TABLE IF EXISTS users;

DROP FUNCTION IF EXISTS set_updated_at();

DROP TYPE IF EXISTS llm_provider;
DROP TYPE IF EXISTS provider_type;
DROP TYPE IF EXISTS email_template_type;
DROP TYPE IF EXISTS email_status;
DROP TYPE IF EXISTS event_type;
DROP TYPE IF EXISTS exclusion_source;
DROP TYPE IF EXISTS call_outcome;
DROP TYPE IF EXISTS contact_state;
DROP TYPE IF EXISTS contact_language;
DROP TYPE IF EXISTS question_type;
DROP TYPE IF EXISTS language_code;
DROP TYPE IF EXISTS campaign_status;
DROP TYPE IF EXISTS user_role;
