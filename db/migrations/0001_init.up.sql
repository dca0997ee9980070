-- 0001_init: the seed data model (11 tables, 13 enum types).
-- Idempotent: every statement tolerates having run before, so re-running this
-- file is a no-op. Runs inside one transaction (the migrator opens it).

-- ── Enum types ──────────────────────────────────────────────────────────────
DO $$ BEGIN CREATE TYPE user_role AS ENUM ('admin', 'campaign_manager', 'viewer');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN CREATE TYPE campaign_status AS ENUM ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

-- Campaign language, email template locale, transcript language.
DO $$ BEGIN CREATE TYPE language_code AS ENUM ('en', 'it');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN CREATE TYPE question_type AS ENUM ('free_text', 'numeric', 'scale');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN CREATE TYPE contact_language AS ENUM ('en', 'it', 'auto');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN CREATE TYPE contact_state AS ENUM ('pending', 'in_progress', 'completed', 'refused', 'not_reached', 'excluded');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

-- Outcome of one call attempt; also a contact's last outcome.
DO $$ BEGIN CREATE TYPE call_outcome AS ENUM ('completed', 'refused', 'no_answer', 'busy', 'failed');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN CREATE TYPE exclusion_source AS ENUM ('import', 'api', 'manual');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN CREATE TYPE event_type AS ENUM ('survey.completed', 'survey.refused', 'survey.not_reached');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN CREATE TYPE email_status AS ENUM ('pending', 'sent', 'failed');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN CREATE TYPE email_template_type AS ENUM ('completed', 'refused', 'not_reached');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN CREATE TYPE provider_type AS ENUM ('telephony_api', 'voice_ai_platform');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN CREATE TYPE llm_provider AS ENUM ('openai', 'anthropic', 'azure-openai', 'google');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

-- ── updated_at maintenance ──────────────────────────────────────────────────
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;

-- ── Tables ──────────────────────────────────────────────────────────────────
CREATE TABLE IF NOT EXISTS users (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  oidc_sub    text NOT NULL,
  email       text NOT NULL,
  name        text NOT NULL,
  role        user_role NOT NULL DEFAULT 'viewer',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_oidc_sub_key UNIQUE (oidc_sub),
  CONSTRAINT users_email_key UNIQUE (email),
  CONSTRAINT users_oidc_sub_not_blank CHECK (length(btrim(oidc_sub)) > 0)
);

CREATE TABLE IF NOT EXISTS email_templates (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  type        email_template_type NOT NULL,
  subject     text NOT NULL,
  body_html   text NOT NULL,
  body_text   text NOT NULL,
  locale      language_code NOT NULL DEFAULT 'en',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT email_templates_name_not_blank CHECK (length(btrim(name)) > 0)
);

CREATE TABLE IF NOT EXISTS campaigns (
  id                              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                            text NOT NULL,
  description                     text,
  status                          campaign_status NOT NULL DEFAULT 'draft',
  language                        language_code NOT NULL DEFAULT 'en',
  intro_script                    text NOT NULL DEFAULT '',
  question_1_text                 text NOT NULL DEFAULT '',
  question_1_type                 question_type NOT NULL DEFAULT 'free_text',
  question_2_text                 text NOT NULL DEFAULT '',
  question_2_type                 question_type NOT NULL DEFAULT 'free_text',
  question_3_text                 text NOT NULL DEFAULT '',
  question_3_type                 question_type NOT NULL DEFAULT 'free_text',
  max_attempts                    smallint NOT NULL DEFAULT 3,
  retry_interval_minutes          integer NOT NULL DEFAULT 60,
  allowed_call_start_local        time NOT NULL DEFAULT '09:00',
  allowed_call_end_local          time NOT NULL DEFAULT '20:00',
  email_completed_template_id     uuid REFERENCES email_templates (id) ON DELETE SET NULL,
  email_refused_template_id       uuid REFERENCES email_templates (id) ON DELETE SET NULL,
  email_not_reached_template_id   uuid REFERENCES email_templates (id) ON DELETE SET NULL,
  created_by_user_id              uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at                      timestamptz NOT NULL DEFAULT now(),
  updated_at                      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT campaigns_name_not_blank CHECK (length(btrim(name)) > 0),
  CONSTRAINT campaigns_max_attempts_range CHECK (max_attempts BETWEEN 1 AND 5),
  -- Activation requires >= 1 minute; a draft may hold anything non-negative.
  CONSTRAINT campaigns_retry_interval_nonnegative CHECK (retry_interval_minutes >= 0)
);

CREATE TABLE IF NOT EXISTS contacts (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id           uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  external_contact_id   text,
  phone_number          text NOT NULL,
  email                 text,
  preferred_language    contact_language NOT NULL DEFAULT 'auto',
  has_prior_consent     boolean NOT NULL DEFAULT false,
  do_not_call           boolean NOT NULL DEFAULT false,
  state                 contact_state NOT NULL DEFAULT 'pending',
  attempts_count        smallint NOT NULL DEFAULT 0,
  last_attempt_at       timestamptz,
  last_outcome          call_outcome,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT contacts_phone_e164 CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  CONSTRAINT contacts_attempts_nonnegative CHECK (attempts_count >= 0),
  -- A number is stored once per campaign; duplicates are reported at import.
  CONSTRAINT contacts_campaign_phone_key UNIQUE (campaign_id, phone_number)
);

CREATE TABLE IF NOT EXISTS exclusion_list_entries (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  phone_number  text NOT NULL,
  reason        text,
  source        exclusion_source NOT NULL DEFAULT 'manual',
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT exclusion_list_entries_phone_number_key UNIQUE (phone_number),
  CONSTRAINT exclusion_list_entries_phone_e164 CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$')
);

CREATE TABLE IF NOT EXISTS call_attempts (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  contact_id            uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  campaign_id           uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  attempt_number        smallint NOT NULL,
  call_id               text NOT NULL DEFAULT gen_random_uuid()::text,
  provider_call_id      text,
  started_at            timestamptz,
  answered_at           timestamptz,
  ended_at              timestamptz,
  outcome               call_outcome,
  provider_raw_status   text,
  error_code            text,
  metadata              jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT call_attempts_call_id_key UNIQUE (call_id),
  CONSTRAINT call_attempts_attempt_number_positive CHECK (attempt_number >= 1),
  CONSTRAINT call_attempts_contact_attempt_key UNIQUE (contact_id, attempt_number)
);

CREATE TABLE IF NOT EXISTS survey_responses (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  contact_id        uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  campaign_id       uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  call_attempt_id   uuid NOT NULL REFERENCES call_attempts (id) ON DELETE CASCADE,
  q1_answer         text,
  q1_confidence     numeric(4, 3),
  q2_answer         text,
  q2_confidence     numeric(4, 3),
  q3_answer         text,
  q3_confidence     numeric(4, 3),
  completed_at      timestamptz NOT NULL DEFAULT now(),
  created_at        timestamptz NOT NULL DEFAULT now(),
  -- One response per contact (a contact belongs to exactly one campaign).
  CONSTRAINT survey_responses_contact_key UNIQUE (contact_id),
  CONSTRAINT survey_responses_q1_confidence_range CHECK (q1_confidence BETWEEN 0 AND 1),
  CONSTRAINT survey_responses_q2_confidence_range CHECK (q2_confidence BETWEEN 0 AND 1),
  CONSTRAINT survey_responses_q3_confidence_range CHECK (q3_confidence BETWEEN 0 AND 1)
);

-- The transactional outbox: written in the same transaction as the outcome.
CREATE TABLE IF NOT EXISTS events (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_type        event_type NOT NULL,
  campaign_id       uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  contact_id        uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  call_attempt_id   uuid REFERENCES call_attempts (id) ON DELETE SET NULL,
  payload           jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS email_notifications (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id              uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  contact_id            uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  campaign_id           uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  template_id           uuid NOT NULL REFERENCES email_templates (id) ON DELETE RESTRICT,
  to_email              text NOT NULL,
  status                email_status NOT NULL DEFAULT 'pending',
  provider_message_id   text,
  error_message         text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  -- Never the same email twice for one event.
  CONSTRAINT email_notifications_event_template_key UNIQUE (event_id, template_id)
);

CREATE TABLE IF NOT EXISTS provider_configs (
  id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  provider_type               provider_type NOT NULL,
  provider_name               text NOT NULL,
  outbound_number             text,
  max_concurrent_calls        integer NOT NULL DEFAULT 10,
  llm_provider                llm_provider,
  llm_model                   text,
  recording_retention_days    integer NOT NULL DEFAULT 180,
  transcript_retention_days   integer NOT NULL DEFAULT 180,
  created_at                  timestamptz NOT NULL DEFAULT now(),
  updated_at                  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT provider_configs_max_concurrent_calls_positive CHECK (max_concurrent_calls >= 1),
  CONSTRAINT provider_configs_recording_retention_days_min CHECK (recording_retention_days >= 1),
  CONSTRAINT provider_configs_transcript_retention_days_min CHECK (transcript_retention_days >= 1),
  CONSTRAINT provider_configs_outbound_number_e164 CHECK (outbound_number IS NULL OR outbound_number ~ '^\+[1-9][0-9]{6,14}$')
);

CREATE TABLE IF NOT EXISTS transcript_snippets (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  call_attempt_id   uuid NOT NULL REFERENCES call_attempts (id) ON DELETE CASCADE,
  transcript_text   text NOT NULL,
  language          language_code NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now()
);

-- ── Indexes: every foreign key, and the hot filters ────────────────────────
CREATE INDEX IF NOT EXISTS campaigns_email_completed_template_id_idx ON campaigns (email_completed_template_id);
CREATE INDEX IF NOT EXISTS campaigns_email_refused_template_id_idx ON campaigns (email_refused_template_id);
CREATE INDEX IF NOT EXISTS campaigns_email_not_reached_template_id_idx ON campaigns (email_not_reached_template_id);
CREATE INDEX IF NOT EXISTS campaigns_created_by_user_id_idx ON campaigns (created_by_user_id);
CREATE INDEX IF NOT EXISTS campaigns_status_idx ON campaigns (status);

-- contacts.campaign_id is covered by the leading column of both of these.
CREATE INDEX IF NOT EXISTS contacts_campaign_state_idx ON contacts (campaign_id, state);
CREATE INDEX IF NOT EXISTS contacts_phone_number_idx ON contacts (phone_number);
-- Dialling candidates: only the states the scheduler ever looks at.
CREATE INDEX IF NOT EXISTS contacts_due_idx ON contacts (campaign_id, last_attempt_at NULLS FIRST)
  WHERE state IN ('pending', 'not_reached');

CREATE INDEX IF NOT EXISTS call_attempts_campaign_id_idx ON call_attempts (campaign_id);
CREATE INDEX IF NOT EXISTS call_attempts_provider_call_id_idx ON call_attempts (provider_call_id);
-- Live calls (concurrency accounting, reconciliation).
CREATE INDEX IF NOT EXISTS call_attempts_open_idx ON call_attempts (started_at) WHERE outcome IS NULL;

CREATE INDEX IF NOT EXISTS survey_responses_campaign_id_idx ON survey_responses (campaign_id);
CREATE INDEX IF NOT EXISTS survey_responses_call_attempt_id_idx ON survey_responses (call_attempt_id);

CREATE INDEX IF NOT EXISTS events_campaign_id_idx ON events (campaign_id, created_at);
CREATE INDEX IF NOT EXISTS events_contact_id_idx ON events (contact_id);
CREATE INDEX IF NOT EXISTS events_call_attempt_id_idx ON events (call_attempt_id);
CREATE INDEX IF NOT EXISTS events_event_type_idx ON events (event_type);

CREATE INDEX IF NOT EXISTS email_notifications_contact_id_idx ON email_notifications (contact_id);
CREATE INDEX IF NOT EXISTS email_notifications_campaign_id_idx ON email_notifications (campaign_id);
CREATE INDEX IF NOT EXISTS email_notifications_template_id_idx ON email_notifications (template_id);
CREATE INDEX IF NOT EXISTS email_notifications_pending_idx ON email_notifications (created_at) WHERE status = 'pending';

CREATE INDEX IF NOT EXISTS transcript_snippets_call_attempt_id_idx ON transcript_snippets (call_attempt_id);

-- ── updated_at triggers ─────────────────────────────────────────────────────
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'email_templates', 'campaigns', 'contacts', 'call_attempts',
                           'email_notifications', 'provider_configs']
  LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_set_updated_at', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION set_updated_at()',
                   t || '_set_updated_at', t);
  END LOOP;
END $$;
