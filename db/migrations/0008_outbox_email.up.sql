-- 0008_outbox_email: what the outbox relay and the follow-up email worker need.
-- Idempotent: re-running it is a no-op.

-- ── events: relay state (the table is the outbox) ──────────────────────────
-- Set once a broker confirmed the message; NULL = still to publish.
ALTER TABLE events ADD COLUMN IF NOT EXISTS published_at timestamptz;
-- Claims so far (counted at claim time, so a crashed relay's attempt counts too).
ALTER TABLE events ADD COLUMN IF NOT EXISTS publish_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN IF NOT EXISTS last_error text;
-- Earliest next claim: backoff after a failure, or the lease expiry while claimed.
ALTER TABLE events ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz NOT NULL DEFAULT now();
-- The relay that holds the current claim; NULL when nobody does.
ALTER TABLE events ADD COLUMN IF NOT EXISTS locked_by text;
-- Set when follow-up email notifications were derived from this event (once).
ALTER TABLE events ADD COLUMN IF NOT EXISTS notified_at timestamptz;

-- Unpublished events in claim order (oldest first); published rows drop out of the index.
CREATE INDEX IF NOT EXISTS events_unpublished_idx ON events (created_at, id) INCLUDE (next_attempt_at)
  WHERE published_at IS NULL;
-- Events still to turn into email notifications.
CREATE INDEX IF NOT EXISTS events_unnotified_idx ON events (created_at) WHERE notified_at IS NULL;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'events_publish_attempts_nonnegative') THEN
    ALTER TABLE events ADD CONSTRAINT events_publish_attempts_nonnegative CHECK (publish_attempts >= 0);
  END IF;
END $$;

-- ── email_templates: translations of one template ──────────────────────────
-- Templates sharing a key are the same message in different locales.
ALTER TABLE email_templates ADD COLUMN IF NOT EXISTS translation_key text;
CREATE INDEX IF NOT EXISTS email_templates_translation_idx ON email_templates (type, locale, translation_key);

-- ── campaigns: may follow-up emails quote the respondent's answers? ───────
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS email_include_answers boolean NOT NULL DEFAULT false;

-- ── email_notifications: sending state ─────────────────────────────────────
ALTER TABLE email_notifications ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0;
ALTER TABLE email_notifications ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz NOT NULL DEFAULT now();
-- Lease: the worker that claimed it, and until when the claim holds.
ALTER TABLE email_notifications ADD COLUMN IF NOT EXISTS locked_by text;
ALTER TABLE email_notifications ADD COLUMN IF NOT EXISTS locked_until timestamptz;
-- The language the email is written in, the one the contact wanted, and why they differ.
ALTER TABLE email_notifications ADD COLUMN IF NOT EXISTS locale language_code;
ALTER TABLE email_notifications ADD COLUMN IF NOT EXISTS requested_locale language_code;
ALTER TABLE email_notifications ADD COLUMN IF NOT EXISTS locale_note text;
ALTER TABLE email_notifications ADD COLUMN IF NOT EXISTS sent_at timestamptz;
-- Our RFC 5322 Message-ID, stable across retries (derived from the id).
ALTER TABLE email_notifications ADD COLUMN IF NOT EXISTS message_id text;
ALTER TABLE email_notifications ADD COLUMN IF NOT EXISTS last_attempt_at timestamptz;

-- Due notifications in claim order.
CREATE INDEX IF NOT EXISTS email_notifications_due_idx ON email_notifications (next_attempt_at)
  WHERE status = 'pending';
-- Admin listing by status, newest first.
CREATE INDEX IF NOT EXISTS email_notifications_status_idx ON email_notifications (status, created_at DESC, id DESC);
-- event_id is the leading column of the unique constraint; campaign listing:
CREATE INDEX IF NOT EXISTS email_notifications_campaign_created_idx ON email_notifications (campaign_id, created_at DESC, id DESC);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'email_notifications_attempts_nonnegative') THEN
    ALTER TABLE email_notifications ADD CONSTRAINT email_notifications_attempts_nonnegative CHECK (attempts >= 0);
  END IF;
END $$;
