-- 0007_dialogue: the conversation — dialogue state per call, every turn,
-- consent records, and the call an opt-out came from. Idempotent.

-- One row per answered call attempt: the dialogue state machine's current state.
-- `version` gives optimistic concurrency: a turn updates only the version it read.
CREATE TABLE IF NOT EXISTS call_dialogues (
  call_attempt_id   uuid PRIMARY KEY REFERENCES call_attempts (id) ON DELETE CASCADE,
  language          language_code NOT NULL,
  state             jsonb NOT NULL,
  version           integer NOT NULL DEFAULT 1,
  -- The call control we answered with last, returned again for a duplicate webhook.
  last_control      jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Hash of the script (intro, questions, disclosure) this call runs on.
  script_hash       text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT call_dialogues_version_positive CHECK (version >= 1)
);

DROP TRIGGER IF EXISTS call_dialogues_set_updated_at ON call_dialogues;
CREATE TRIGGER call_dialogues_set_updated_at BEFORE UPDATE ON call_dialogues
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Every turn: what we said, what was heard, how it was understood, and our
-- own processing time. Heard text has emails and phone numbers masked; the
-- redacted transcript for call detail lives in transcript_snippets.
CREATE TABLE IF NOT EXISTS dialogue_turns (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  call_attempt_id   uuid NOT NULL REFERENCES call_attempts (id) ON DELETE CASCADE,
  sequence          integer NOT NULL,
  stage             text NOT NULL,
  prompt            text NOT NULL DEFAULT '',
  heard_text        text,
  asr_confidence    numeric(4, 3),
  interpretation    jsonb,
  interpreter       text,
  processing_ms     numeric(10, 3),
  created_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT dialogue_turns_attempt_sequence_key UNIQUE (call_attempt_id, sequence),
  CONSTRAINT dialogue_turns_sequence_nonnegative CHECK (sequence >= 0),
  CONSTRAINT dialogue_turns_asr_confidence_range CHECK (asr_confidence BETWEEN 0 AND 1)
);

-- Explicit consent given on a call: when, to which wording, in which language.
CREATE TABLE IF NOT EXISTS consent_records (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  call_attempt_id   uuid NOT NULL REFERENCES call_attempts (id) ON DELETE CASCADE,
  contact_id        uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  campaign_id       uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  consented_at      timestamptz NOT NULL,
  language          language_code NOT NULL,
  -- sha256 of the exact wording below; identical scripts share a version.
  script_version    text NOT NULL,
  wording           text NOT NULL,
  heard_text        text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consent_records_call_attempt_key UNIQUE (call_attempt_id)
);
CREATE INDEX IF NOT EXISTS consent_records_contact_id_idx ON consent_records (contact_id);
CREATE INDEX IF NOT EXISTS consent_records_campaign_id_idx ON consent_records (campaign_id);

-- An opt-out said on a call names that call (source stays 'api': recorded by the system).
ALTER TABLE exclusion_list_entries ADD COLUMN IF NOT EXISTS call_attempt_id uuid REFERENCES call_attempts (id) ON DELETE SET NULL;
CREATE INDEX IF NOT EXISTS exclusion_list_entries_call_attempt_id_idx ON exclusion_list_entries (call_attempt_id);
