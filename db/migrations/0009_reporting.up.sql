-- 0009_reporting: export jobs, statistics roll-ups kept by triggers, and the
-- indexes the statistics and the export read through. Idempotent.
--
-- Why roll-ups: statistics must answer in ≤ 150 ms for a 1,000,000-contact
-- campaign (bench/README.md). Counting contacts by state is an index-only scan,
-- but time series, durations and answer distributions would each scan millions
-- of call attempts / responses per request. Triggers keep small per-campaign
-- tables up to date in the same transaction as the change, so they are exact
-- (not sampled) and never stale.

DO $$ BEGIN CREATE TYPE export_job_status AS ENUM ('queued', 'running', 'done', 'failed');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE TABLE IF NOT EXISTS export_jobs (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id           uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  requested_by_user_id  uuid REFERENCES users (id) ON DELETE SET NULL,
  status                export_job_status NOT NULL DEFAULT 'queued',
  -- {"delimiter": ",", "bom": false}
  options               jsonb NOT NULL DEFAULT '{}'::jsonb,
  row_count             integer,
  blob_key              text,
  byte_size             bigint,
  error_message         text,
  attempts              smallint NOT NULL DEFAULT 0,
  started_at            timestamptz,
  finished_at           timestamptz,
  -- The file and its download links stop working after this instant.
  expires_at            timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT export_jobs_row_count_nonnegative CHECK (row_count IS NULL OR row_count >= 0)
);
CREATE INDEX IF NOT EXISTS export_jobs_campaign_id_idx ON export_jobs (campaign_id, created_at);
CREATE INDEX IF NOT EXISTS export_jobs_requested_by_user_id_idx ON export_jobs (requested_by_user_id);
CREATE INDEX IF NOT EXISTS export_jobs_queued_idx ON export_jobs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX IF NOT EXISTS export_jobs_expires_at_idx ON export_jobs (expires_at) WHERE blob_key IS NOT NULL;

DROP TRIGGER IF EXISTS export_jobs_set_updated_at ON export_jobs;
CREATE TRIGGER export_jobs_set_updated_at BEFORE UPDATE ON export_jobs FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ── Indexes the reports read through ────────────────────────────────────────
-- Export keyset pagination (campaign_id, id > last ORDER BY id).
CREATE INDEX IF NOT EXISTS contacts_campaign_id_id_idx ON contacts (campaign_id, id);

-- ── Roll-ups ────────────────────────────────────────────────────────────────
-- Calls per UTC hour (date_bin, so the session time zone never matters):
-- attempts by when they were dialled (started_at, else created_at), answers by
-- answered_at, completions by when the completed call ended.
CREATE TABLE IF NOT EXISTS reporting_call_hourly (
  campaign_id   uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  hour          timestamptz NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  answers       integer NOT NULL DEFAULT 0,
  completions   integer NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, hour)
);

-- Talk time (answered → ended) of finished calls, in whole seconds, capped at 7200.
CREATE TABLE IF NOT EXISTS reporting_call_durations (
  campaign_id   uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  seconds       integer NOT NULL,
  calls         integer NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, seconds)
);

-- Answers per question: lower-cased, trimmed, first 200 characters.
CREATE TABLE IF NOT EXISTS reporting_answer_counts (
  campaign_id   uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  question      smallint NOT NULL,
  answer        text NOT NULL,
  responses     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, question, answer),
  CONSTRAINT reporting_answer_counts_question_range CHECK (question BETWEEN 1 AND 3)
);
CREATE INDEX IF NOT EXISTS reporting_answer_counts_top_idx ON reporting_answer_counts (campaign_id, question, responses DESC);

-- Adds (d > 0, upsert) or removes (d < 0, update only: during a cascaded
-- campaign delete the roll-up row may already be gone, and inserting would
-- violate the foreign key) counts for one hour.
CREATE OR REPLACE FUNCTION reporting_bump_hour(c uuid, at timestamptz, d_att integer, d_ans integer, d_comp integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE h timestamptz := date_bin('1 hour', at, timestamptz '2000-01-01 00:00:00+00');
BEGIN
  IF at IS NULL OR (d_att = 0 AND d_ans = 0 AND d_comp = 0) THEN RETURN; END IF;
  IF d_att >= 0 AND d_ans >= 0 AND d_comp >= 0 THEN
    INSERT INTO reporting_call_hourly AS r (campaign_id, hour, attempts, answers, completions)
    VALUES (c, h, d_att, d_ans, d_comp)
    ON CONFLICT (campaign_id, hour) DO UPDATE
      SET attempts = r.attempts + EXCLUDED.attempts, answers = r.answers + EXCLUDED.answers,
          completions = r.completions + EXCLUDED.completions;
  ELSE
    UPDATE reporting_call_hourly SET attempts = attempts + d_att, answers = answers + d_ans, completions = completions + d_comp
    WHERE campaign_id = c AND hour = h;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION reporting_bump_duration(c uuid, secs integer, d integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF secs IS NULL OR d = 0 THEN RETURN; END IF;
  IF d > 0 THEN
    INSERT INTO reporting_call_durations AS r (campaign_id, seconds, calls) VALUES (c, secs, d)
    ON CONFLICT (campaign_id, seconds) DO UPDATE SET calls = r.calls + EXCLUDED.calls;
  ELSE
    UPDATE reporting_call_durations SET calls = calls + d WHERE campaign_id = c AND seconds = secs;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION reporting_bump_answer(c uuid, q smallint, a text, d integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE k text := left(lower(btrim(a)), 200);
BEGIN
  IF a IS NULL OR k = '' OR d = 0 THEN RETURN; END IF;
  IF d > 0 THEN
    INSERT INTO reporting_answer_counts AS r (campaign_id, question, answer, responses) VALUES (c, q, k, d)
    ON CONFLICT (campaign_id, question, answer) DO UPDATE SET responses = r.responses + EXCLUDED.responses;
  ELSE
    UPDATE reporting_answer_counts SET responses = responses + d WHERE campaign_id = c AND question = q AND answer = k;
  END IF;
END $$;

-- The instant a call counts as completed, and its talk time in seconds.
CREATE OR REPLACE FUNCTION reporting_completed_at(outcome text, answered timestamptz, ended timestamptz, created timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN outcome = 'completed' THEN coalesce(ended, answered, created) END
$$;
CREATE OR REPLACE FUNCTION reporting_talk_seconds(answered timestamptz, ended timestamptz)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN answered IS NOT NULL AND ended IS NOT NULL
    THEN least(greatest(floor(extract(epoch FROM ended - answered))::integer, 0), 7200) END
$$;

CREATE OR REPLACE FUNCTION reporting_call_attempts_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  o_comp timestamptz; n_comp timestamptz; o_secs integer; n_secs integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM reporting_bump_hour(NEW.campaign_id, coalesce(NEW.started_at, NEW.created_at), 1, 0, 0);
    PERFORM reporting_bump_hour(NEW.campaign_id, NEW.answered_at, 0, 1, 0);
    PERFORM reporting_bump_hour(NEW.campaign_id,
      reporting_completed_at(NEW.outcome::text, NEW.answered_at, NEW.ended_at, NEW.created_at), 0, 0, 1);
    PERFORM reporting_bump_duration(NEW.campaign_id, reporting_talk_seconds(NEW.answered_at, NEW.ended_at), 1);
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM reporting_bump_hour(OLD.campaign_id, coalesce(OLD.started_at, OLD.created_at), -1, 0, 0);
    PERFORM reporting_bump_hour(OLD.campaign_id, OLD.answered_at, 0, -1, 0);
    PERFORM reporting_bump_hour(OLD.campaign_id,
      reporting_completed_at(OLD.outcome::text, OLD.answered_at, OLD.ended_at, OLD.created_at), 0, 0, -1);
    PERFORM reporting_bump_duration(OLD.campaign_id, reporting_talk_seconds(OLD.answered_at, OLD.ended_at), -1);
    RETURN NULL;
  END IF;
  -- UPDATE: move only what changed.
  IF OLD.campaign_id IS DISTINCT FROM NEW.campaign_id
     OR date_bin('1 hour', coalesce(OLD.started_at, OLD.created_at), timestamptz '2000-01-01 00:00:00+00')
        IS DISTINCT FROM date_bin('1 hour', coalesce(NEW.started_at, NEW.created_at), timestamptz '2000-01-01 00:00:00+00') THEN
    PERFORM reporting_bump_hour(OLD.campaign_id, coalesce(OLD.started_at, OLD.created_at), -1, 0, 0);
    PERFORM reporting_bump_hour(NEW.campaign_id, coalesce(NEW.started_at, NEW.created_at), 1, 0, 0);
  END IF;
  IF OLD.campaign_id IS DISTINCT FROM NEW.campaign_id OR OLD.answered_at IS DISTINCT FROM NEW.answered_at THEN
    PERFORM reporting_bump_hour(OLD.campaign_id, OLD.answered_at, 0, -1, 0);
    PERFORM reporting_bump_hour(NEW.campaign_id, NEW.answered_at, 0, 1, 0);
  END IF;
  o_comp := reporting_completed_at(OLD.outcome::text, OLD.answered_at, OLD.ended_at, OLD.created_at);
  n_comp := reporting_completed_at(NEW.outcome::text, NEW.answered_at, NEW.ended_at, NEW.created_at);
  IF OLD.campaign_id IS DISTINCT FROM NEW.campaign_id OR o_comp IS DISTINCT FROM n_comp THEN
    PERFORM reporting_bump_hour(OLD.campaign_id, o_comp, 0, 0, -1);
    PERFORM reporting_bump_hour(NEW.campaign_id, n_comp, 0, 0, 1);
  END IF;
  o_secs := reporting_talk_seconds(OLD.answered_at, OLD.ended_at);
  n_secs := reporting_talk_seconds(NEW.answered_at, NEW.ended_at);
  IF OLD.campaign_id IS DISTINCT FROM NEW.campaign_id OR o_secs IS DISTINCT FROM n_secs THEN
    PERFORM reporting_bump_duration(OLD.campaign_id, o_secs, -1);
    PERFORM reporting_bump_duration(NEW.campaign_id, n_secs, 1);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reporting_survey_responses_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM reporting_bump_answer(OLD.campaign_id, 1::smallint, OLD.q1_answer, -1);
    PERFORM reporting_bump_answer(OLD.campaign_id, 2::smallint, OLD.q2_answer, -1);
    PERFORM reporting_bump_answer(OLD.campaign_id, 3::smallint, OLD.q3_answer, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM reporting_bump_answer(NEW.campaign_id, 1::smallint, NEW.q1_answer, 1);
    PERFORM reporting_bump_answer(NEW.campaign_id, 2::smallint, NEW.q2_answer, 1);
    PERFORM reporting_bump_answer(NEW.campaign_id, 3::smallint, NEW.q3_answer, 1);
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS call_attempts_reporting_rollup ON call_attempts;
CREATE TRIGGER call_attempts_reporting_rollup
  AFTER INSERT OR DELETE OR UPDATE OF campaign_id, created_at, started_at, answered_at, ended_at, outcome ON call_attempts
  FOR EACH ROW EXECUTE FUNCTION reporting_call_attempts_rollup();

DROP TRIGGER IF EXISTS survey_responses_reporting_rollup ON survey_responses;
CREATE TRIGGER survey_responses_reporting_rollup
  AFTER INSERT OR DELETE OR UPDATE OF campaign_id, q1_answer, q2_answer, q3_answer ON survey_responses
  FOR EACH ROW EXECUTE FUNCTION reporting_survey_responses_rollup();

-- ── Contact counts by (state, last outcome, attempts) ─────────────────────────
-- Counting a 1M-contact campaign by state is an index-only scan of a million
-- entries (≈ 60 ms idle, several hundred under load on 2 cores). Instead,
-- statement-level triggers append the *net* change of each statement to
-- reporting_contact_deltas (insert-only: no row locks, no contention, no
-- deadlocks between the scheduler, webhooks and imports); a bulk statement
-- adds a handful of rows, not one per contact. Readers add the compacted
-- counts and the pending deltas; compaction (reporting_compact_contact_counts)
-- folds deltas into counts in one statement under a per-campaign advisory
-- lock. No foreign keys: a delta for a campaign being deleted must never fail
-- the delete; the few rows left by a deleted campaign are never read.
CREATE TABLE IF NOT EXISTS reporting_contact_counts (
  campaign_id     uuid NOT NULL,
  state           contact_state NOT NULL,
  last_outcome    text NOT NULL DEFAULT '',
  attempts_count  smallint NOT NULL,
  contacts        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, state, last_outcome, attempts_count)
);

CREATE TABLE IF NOT EXISTS reporting_contact_deltas (
  seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id     uuid NOT NULL,
  state           contact_state NOT NULL,
  last_outcome    text NOT NULL DEFAULT '',
  attempts_count  smallint NOT NULL,
  delta           bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS reporting_contact_deltas_campaign_idx ON reporting_contact_deltas (campaign_id);

CREATE OR REPLACE FUNCTION reporting_contacts_insert_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reporting_contact_deltas (campaign_id, state, last_outcome, attempts_count, delta)
  SELECT campaign_id, state, coalesce(last_outcome::text, ''), attempts_count, count(*)
  FROM new_rows GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reporting_contacts_delete_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reporting_contact_deltas (campaign_id, state, last_outcome, attempts_count, delta)
  SELECT campaign_id, state, coalesce(last_outcome::text, ''), attempts_count, -count(*)
  FROM old_rows GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reporting_contacts_update_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reporting_contact_deltas (campaign_id, state, last_outcome, attempts_count, delta)
  SELECT campaign_id, state, lo, ac, sum(d)
  FROM (
    SELECT campaign_id, state, coalesce(last_outcome::text, '') AS lo, attempts_count AS ac, -1 AS d FROM old_rows
    UNION ALL
    SELECT campaign_id, state, coalesce(last_outcome::text, ''), attempts_count, 1 FROM new_rows
  ) x
  GROUP BY 1, 2, 3, 4
  HAVING sum(d) <> 0;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS contacts_reporting_counts_insert ON contacts;
CREATE TRIGGER contacts_reporting_counts_insert AFTER INSERT ON contacts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_contacts_insert_counts();
DROP TRIGGER IF EXISTS contacts_reporting_counts_delete ON contacts;
CREATE TRIGGER contacts_reporting_counts_delete AFTER DELETE ON contacts
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_contacts_delete_counts();
DROP TRIGGER IF EXISTS contacts_reporting_counts_update ON contacts;
CREATE TRIGGER contacts_reporting_counts_update AFTER UPDATE ON contacts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_contacts_update_counts();

-- Folds a campaign's pending deltas into its counts (one statement, so a
-- reader's snapshot sees either the deltas or their sum, never both).
CREATE OR REPLACE FUNCTION reporting_compact_contact_counts(c uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('reporting_contact_counts'), hashtext(c::text));
  WITH moved AS (
    DELETE FROM reporting_contact_deltas WHERE campaign_id = c
    RETURNING campaign_id, state, last_outcome, attempts_count, delta
  ), summed AS (
    SELECT campaign_id, state, last_outcome, attempts_count, sum(delta)::bigint AS d FROM moved GROUP BY 1, 2, 3, 4
  )
  INSERT INTO reporting_contact_counts AS r (campaign_id, state, last_outcome, attempts_count, contacts)
  SELECT campaign_id, state, last_outcome, attempts_count, d FROM summed ORDER BY 1, 2, 3, 4
  ON CONFLICT (campaign_id, state, last_outcome, attempts_count) DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts;
  DELETE FROM reporting_contact_counts WHERE campaign_id = c AND contacts = 0;
END $$;

-- ── Back-fill what existed before this migration (only into empty roll-ups) ──
INSERT INTO reporting_call_hourly (campaign_id, hour, attempts, answers, completions)
SELECT campaign_id, h, sum(att)::integer, sum(ans)::integer, sum(comp)::integer
FROM (
  SELECT campaign_id, date_bin('1 hour', coalesce(started_at, created_at), timestamptz '2000-01-01 00:00:00+00') AS h, 1 AS att, 0 AS ans, 0 AS comp FROM call_attempts
  UNION ALL
  SELECT campaign_id, date_bin('1 hour', answered_at, timestamptz '2000-01-01 00:00:00+00'), 0, 1, 0 FROM call_attempts WHERE answered_at IS NOT NULL
  UNION ALL
  SELECT campaign_id, date_bin('1 hour', reporting_completed_at(outcome::text, answered_at, ended_at, created_at), timestamptz '2000-01-01 00:00:00+00'), 0, 0, 1
  FROM call_attempts WHERE outcome = 'completed'
) x
WHERE NOT EXISTS (SELECT 1 FROM reporting_call_hourly)
GROUP BY campaign_id, h;

INSERT INTO reporting_call_durations (campaign_id, seconds, calls)
SELECT campaign_id, reporting_talk_seconds(answered_at, ended_at) AS s, count(*)::integer
FROM call_attempts
WHERE answered_at IS NOT NULL AND ended_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM reporting_call_durations)
GROUP BY campaign_id, s;

INSERT INTO reporting_answer_counts (campaign_id, question, answer, responses)
SELECT campaign_id, q, a, count(*)::integer
FROM (
  SELECT campaign_id, 1::smallint AS q, left(lower(btrim(q1_answer)), 200) AS a FROM survey_responses
  UNION ALL SELECT campaign_id, 2::smallint, left(lower(btrim(q2_answer)), 200) FROM survey_responses
  UNION ALL SELECT campaign_id, 3::smallint, left(lower(btrim(q3_answer)), 200) FROM survey_responses
) x
WHERE a IS NOT NULL AND a <> '' AND NOT EXISTS (SELECT 1 FROM reporting_answer_counts)
GROUP BY campaign_id, q, a;

INSERT INTO reporting_contact_counts (campaign_id, state, last_outcome, attempts_count, contacts)
SELECT campaign_id, state, coalesce(last_outcome::text, ''), attempts_count, count(*)
FROM contacts
WHERE NOT EXISTS (SELECT 1 FROM reporting_contact_counts) AND NOT EXISTS (SELECT 1 FROM reporting_contact_deltas)
GROUP BY 1, 2, 3, 4;
