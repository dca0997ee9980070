-- 0008_outbox_email down. Idempotent.
ALTER TABLE email_notifications DROP CONSTRAINT IF EXISTS email_notifications_attempts_nonnegative;
DROP INDEX IF EXISTS email_notifications_campaign_created_idx;
DROP INDEX IF EXISTS email_notifications_status_idx;
DROP INDEX IF EXISTS email_notifications_due_idx;
ALTER TABLE email_notifications DROP COLUMN IF EXISTS last_attempt_at;
ALTER TABLE email_notifications DROP COLUMN IF EXISTS message_id;
ALTER TABLE email_notifications DROP COLUMN IF EXISTS sent_at;
ALTER TABLE email_notifications DROP COLUMN IF EXISTS locale_note;
ALTER TABLE email_notifications DROP COLUMN IF EXISTS requested_locale;
ALTER TABLE email_notifications DROP COLUMN IF EXISTS locale;
ALTER TABLE email_notifications DROP COLUMN IF EXISTS locked_until;
ALTER TABLE email_notifications DROP COLUMN IF EXISTS locked_by;
ALTER TABLE email_notifications DROP COLUMN IF EXISTS next_attempt_at;
ALTER TABLE email_notifications DROP COLUMN IF EXISTS attempts;

ALTER TABLE campaigns DROP COLUMN IF EXISTS email_include_answers;

DROP INDEX IF EXISTS email_templates_translation_idx;
ALTER TABLE email_templates DROP COLUMN IF EXISTS translation_key;

ALTER TABLE events DROP CONSTRAINT IF EXISTS events_publish_attempts_nonnegative;
DROP INDEX IF EXISTS events_unnotified_idx;
DROP INDEX IF EXISTS events_unpublished_idx;
ALTER TABLE events DROP COLUMN IF EXISTS notified_at;
ALTER TABLE events DROP COLUMN IF EXISTS locked_by;
ALTER TABLE events DROP COLUMN IF EXISTS next_attempt_at;
ALTER TABLE events DROP COLUMN IF EXISTS last_error;
ALTER TABLE events DROP COLUMN IF EXISTS publish_attempts;
ALTER TABLE events DROP COLUMN IF EXISTS published_at;
