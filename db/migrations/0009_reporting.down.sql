-- 0009_reporting down. Idempotent.
DROP TRIGGER IF EXISTS survey_responses_reporting_rollup ON survey_responses;
DROP TRIGGER IF EXISTS call_attempts_reporting_rollup ON call_attempts;
DROP FUNCTION IF EXISTS reporting_survey_responses_rollup();
DROP FUNCTION IF EXISTS reporting_call_attempts_rollup();
DROP FUNCTION IF EXISTS reporting_talk_seconds(timestamptz, timestamptz);
DROP FUNCTION IF EXISTS reporting_completed_at(text, timestamptz, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS reporting_bump_answer(uuid, smallint, text, integer);
DROP FUNCTION IF EXISTS reporting_bump_duration(uuid, integer, integer);
DROP FUNCTION IF EXISTS reporting_bump_hour(uuid, timestamptz, integer, integer, integer);
DROP TABLE IF EXISTS reporting_answer_counts;
DROP TABLE IF EXISTS reporting_call_durations;
DROP TABLE IF EXISTS reporting_call_hourly;
DROP INDEX IF EXISTS contacts_campaign_id_id_idx;
DROP INDEX IF EXISTS contacts_campaign_report_idx;
DROP TABLE IF EXISTS export_jobs;
DROP TYPE IF EXISTS export_job_status;
