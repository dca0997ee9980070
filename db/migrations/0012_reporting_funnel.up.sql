-- 0012_reporting_funnel: roll-ups for the dialogue-era statistics — the funnel
-- (answered by a person → consented → Q1 → Q2 → Q3, distinct contacts), the
-- AAPOR partials (consented, grouped like the contact counts) and the turn
-- latency histogram — kept by triggers, so statistics never scan
-- call_attempts, dialogue_turns or consent_records. Idempotent.
--
-- Why: with the dialogue tables present, statistics counted distinct contacts
-- over every call attempt of the campaign (1.46 M rows in the benchmark) and
-- joined dialogue turns and consent records to attempts and contacts on every
-- request: 450–930 ms instead of ≈ 20 ms (bench/README.md, bench:stats).
--
-- Design (in the style of 0009's contact counts):
--  * Marks: one row per (contact, step) the contact has reached; inserted with
--    ON CONFLICT DO NOTHING, so the second Q1 turn of a contact costs one
--    index probe and writes nothing. A mark is removed only when the last row
--    that supports it goes (delete, or an attempt found to be a machine).
--  * A new or removed mark appends ±1 to an insert-only per-campaign delta
--    log (reporting_funnel_deltas): concurrent calls never wait on one
--    counter row. Readers add the compacted counts and the pending deltas;
--    reporting_compact_funnel(c) folds the logs under an advisory lock.
--  * Consented contacts are also counted per contact group (state, last
--    outcome, attempts — the key of reporting_contact_counts), for AAPOR's
--    partials: a consent mark adds +1 to the contact's group, a statement
--    trigger on contacts moves consented contacts between groups.
--  * Turn latency: every turn with a processing time appends +1 to its
--    bucket (reporting_latency_bucket: 0.1 ms up to 100 ms, then 3
--    significant digits) in an insert-only log; P95 is read off the
--    histogram.
--
-- Concurrency: marking takes a shared advisory lock on (contact, step),
-- unmarking an exclusive one before it re-checks the supporting rows, so a
-- mark is never removed while another transaction adds support for it.
-- Consent marks also lock the contact row (FOR SHARE) while reading its group,
-- which orders them with the contacts update trigger.
--
-- Deletes: a turn or consent record whose attempt / contact is being deleted
-- leaves the accounting to the owner's delete trigger (its own row is already
-- invisible then); a deleted campaign's rows are removed by one trigger on
-- campaigns. No foreign keys on these tables: a delta written during a
-- cascaded delete must never fail it.

-- ── Definitions ─────────────────────────────────────────────────────────────
-- A person answered: the call was answered and answering-machine detection did
-- not say machine or fax (stored values: human, machine, fax, unknown; raw
-- provider values machine_start, machine_end_* are treated alike).
CREATE OR REPLACE FUNCTION reporting_is_person(answered_at timestamptz, answered_by text)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT answered_at IS NOT NULL AND (answered_by IS NULL OR (answered_by NOT LIKE 'machine%' AND answered_by <> 'fax'))
$$;

-- Upper bound of a turn's latency bucket, in ms: 0.1 ms steps up to 100 ms,
-- 1 ms to 1 s, 10 ms to 10 s, 100 ms above, capped at 10 minutes.
CREATE OR REPLACE FUNCTION reporting_latency_bucket(ms numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT (CASE
    WHEN ms IS NULL THEN NULL
    WHEN ms <= 0 THEN 0
    WHEN ms <= 100 THEN ceil(ms * 10) / 10
    WHEN ms <= 1000 THEN ceil(ms)
    WHEN ms <= 10000 THEN ceil(ms / 10) * 10
    ELSE least(ceil(ms / 100) * 100, 600000) END)::numeric(9, 1)
$$;

-- ── Tables ──────────────────────────────────────────────────────────────────
CREATE TABLE IF NOT EXISTS reporting_funnel_marks (
  contact_id   uuid NOT NULL,
  step         text NOT NULL,
  campaign_id  uuid NOT NULL,
  PRIMARY KEY (contact_id, step),
  CONSTRAINT reporting_funnel_marks_step_check CHECK (step IN ('person', 'consent', 'q1', 'q2', 'q3'))
);
CREATE INDEX IF NOT EXISTS reporting_funnel_marks_campaign_idx ON reporting_funnel_marks (campaign_id);

CREATE TABLE IF NOT EXISTS reporting_funnel_counts (
  campaign_id  uuid NOT NULL,
  step         text NOT NULL,
  contacts     bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, step)
);
CREATE TABLE IF NOT EXISTS reporting_funnel_deltas (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id  uuid NOT NULL,
  step         text NOT NULL,
  delta        bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS reporting_funnel_deltas_campaign_idx ON reporting_funnel_deltas (campaign_id);

-- Consented contacts by contact group (AAPOR partials = the groups not completed).
CREATE TABLE IF NOT EXISTS reporting_consented_counts (
  campaign_id     uuid NOT NULL,
  state           contact_state NOT NULL,
  last_outcome    text NOT NULL DEFAULT '',
  attempts_count  smallint NOT NULL,
  contacts        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, state, last_outcome, attempts_count)
);
CREATE TABLE IF NOT EXISTS reporting_consented_deltas (
  seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id     uuid NOT NULL,
  state           contact_state NOT NULL,
  last_outcome    text NOT NULL DEFAULT '',
  attempts_count  smallint NOT NULL,
  delta           bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS reporting_consented_deltas_campaign_idx ON reporting_consented_deltas (campaign_id);

-- Turns per latency bucket (upper bound in ms).
CREATE TABLE IF NOT EXISTS reporting_turn_latency (
  campaign_id  uuid NOT NULL,
  upper_ms     numeric(9, 1) NOT NULL,
  turns        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, upper_ms)
);
CREATE TABLE IF NOT EXISTS reporting_turn_latency_deltas (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id  uuid NOT NULL,
  upper_ms     numeric(9, 1) NOT NULL,
  delta        bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS reporting_turn_latency_deltas_campaign_idx ON reporting_turn_latency_deltas (campaign_id);

-- ── Marking ─────────────────────────────────────────────────────────────────
-- Contact k (campaign c) reached step s.
CREATE OR REPLACE FUNCTION reporting_funnel_mark(k uuid, c uuid, s text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE g record;
BEGIN
  IF k IS NULL OR c IS NULL THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock_shared(hashtext('reporting_funnel_marks'), hashtext(k::text || s));
  INSERT INTO reporting_funnel_marks (contact_id, step, campaign_id) VALUES (k, s, c) ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN RETURN; END IF;
  INSERT INTO reporting_funnel_deltas (campaign_id, step, delta) VALUES (c, s, 1);
  IF s = 'consent' THEN
    SELECT state, coalesce(last_outcome::text, '') AS lo, attempts_count INTO g FROM contacts WHERE id = k FOR SHARE;
    IF FOUND THEN
      INSERT INTO reporting_consented_deltas (campaign_id, state, last_outcome, attempts_count, delta)
      VALUES (c, g.state, g.lo, g.attempts_count, 1);
    END IF;
  END IF;
END $$;

-- A row supporting step s of contact k went: remove the mark unless another
-- row still supports it.
CREATE OR REPLACE FUNCTION reporting_funnel_unmark(k uuid, s text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE c uuid; g record;
BEGIN
  IF k IS NULL THEN RETURN; END IF;
  -- Not marked (as far as committed data says): nothing to undo. A mark being
  -- added concurrently rests on that transaction's own row, not on ours.
  IF NOT EXISTS (SELECT 1 FROM reporting_funnel_marks WHERE contact_id = k AND step = s) THEN RETURN; END IF;
  -- The contact or its campaign is being deleted: their delete triggers
  -- remove the marks (with the contact's last group).
  IF NOT EXISTS (SELECT 1 FROM contacts x JOIN campaigns p ON p.id = x.campaign_id WHERE x.id = k) THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock(hashtext('reporting_funnel_marks'), hashtext(k::text || s));
  IF (CASE s
        WHEN 'person' THEN EXISTS (SELECT 1 FROM call_attempts a WHERE a.contact_id = k AND reporting_is_person(a.answered_at, a.answered_by))
        WHEN 'consent' THEN EXISTS (SELECT 1 FROM consent_records r WHERE r.contact_id = k)
        ELSE EXISTS (SELECT 1 FROM call_attempts a JOIN dialogue_turns t ON t.call_attempt_id = a.id WHERE a.contact_id = k AND t.stage = s)
      END) THEN
    RETURN;
  END IF;
  DELETE FROM reporting_funnel_marks WHERE contact_id = k AND step = s RETURNING campaign_id INTO c;
  IF NOT FOUND THEN RETURN; END IF;
  INSERT INTO reporting_funnel_deltas (campaign_id, step, delta) VALUES (c, s, -1);
  IF s = 'consent' THEN
    SELECT state, coalesce(last_outcome::text, '') AS lo, attempts_count INTO g FROM contacts WHERE id = k FOR SHARE;
    IF FOUND THEN
      INSERT INTO reporting_consented_deltas (campaign_id, state, last_outcome, attempts_count, delta)
      VALUES (c, g.state, g.lo, g.attempts_count, -1);
    END IF;
  END IF;
END $$;

-- ── dialogue_turns: Q1–Q3 marks and latency ─────────────────────────────────
CREATE OR REPLACE FUNCTION reporting_dialogue_turns_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE a record;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    SELECT campaign_id, contact_id INTO a FROM call_attempts WHERE id = OLD.call_attempt_id;
    -- No attempt: it is being deleted, and its own triggers account for its turns.
    IF FOUND THEN
      IF OLD.processing_ms IS NOT NULL THEN
        INSERT INTO reporting_turn_latency_deltas (campaign_id, upper_ms, delta)
        VALUES (a.campaign_id, reporting_latency_bucket(OLD.processing_ms), -1);
      END IF;
      IF OLD.stage IN ('q1', 'q2', 'q3') THEN PERFORM reporting_funnel_unmark(a.contact_id, OLD.stage); END IF;
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT campaign_id, contact_id INTO a FROM call_attempts WHERE id = NEW.call_attempt_id;
    IF NEW.processing_ms IS NOT NULL THEN
      INSERT INTO reporting_turn_latency_deltas (campaign_id, upper_ms, delta)
      VALUES (a.campaign_id, reporting_latency_bucket(NEW.processing_ms), 1);
    END IF;
    IF NEW.stage IN ('q1', 'q2', 'q3') THEN PERFORM reporting_funnel_mark(a.contact_id, a.campaign_id, NEW.stage); END IF;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS dialogue_turns_reporting_rollup_insert ON dialogue_turns;
CREATE TRIGGER dialogue_turns_reporting_rollup_insert AFTER INSERT ON dialogue_turns
  FOR EACH ROW WHEN (NEW.processing_ms IS NOT NULL OR NEW.stage IN ('q1', 'q2', 'q3'))
  EXECUTE FUNCTION reporting_dialogue_turns_rollup();
DROP TRIGGER IF EXISTS dialogue_turns_reporting_rollup_change ON dialogue_turns;
CREATE TRIGGER dialogue_turns_reporting_rollup_change AFTER DELETE OR UPDATE OF call_attempt_id, stage, processing_ms ON dialogue_turns
  FOR EACH ROW EXECUTE FUNCTION reporting_dialogue_turns_rollup();

-- ── consent_records: consent marks ──────────────────────────────────────────
CREATE OR REPLACE FUNCTION reporting_consent_records_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM reporting_funnel_unmark(OLD.contact_id, 'consent'); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM reporting_funnel_mark(NEW.contact_id, NEW.campaign_id, 'consent'); END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS consent_records_reporting_rollup ON consent_records;
CREATE TRIGGER consent_records_reporting_rollup AFTER INSERT OR DELETE OR UPDATE OF contact_id, campaign_id ON consent_records
  FOR EACH ROW EXECUTE FUNCTION reporting_consent_records_rollup();

-- ── call_attempts: person marks; an attempt's turns when it goes or moves ──
CREATE OR REPLACE FUNCTION reporting_call_attempts_funnel() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE s text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM reporting_funnel_mark(NEW.contact_id, NEW.campaign_id, 'person');
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    -- Fires after the cascades (RI triggers sort first), so its turns are gone.
    FOR s IN SELECT m.step FROM reporting_funnel_marks m WHERE m.contact_id = OLD.contact_id AND m.step IN ('person', 'q1', 'q2', 'q3') LOOP
      PERFORM reporting_funnel_unmark(OLD.contact_id, s);
    END LOOP;
    RETURN NULL;
  END IF;
  IF OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id THEN
    -- Its turns now count for the new campaign (locked first, as on delete).
    PERFORM 1 FROM dialogue_turns WHERE call_attempt_id = NEW.id FOR UPDATE;
    INSERT INTO reporting_turn_latency_deltas (campaign_id, upper_ms, delta)
    SELECT c, b, sum(d) FROM (
      SELECT OLD.campaign_id AS c, reporting_latency_bucket(processing_ms) AS b, -1 AS d FROM dialogue_turns WHERE call_attempt_id = NEW.id AND processing_ms IS NOT NULL
      UNION ALL
      SELECT NEW.campaign_id, reporting_latency_bucket(processing_ms), 1 FROM dialogue_turns WHERE call_attempt_id = NEW.id AND processing_ms IS NOT NULL
    ) x GROUP BY 1, 2 HAVING sum(d) <> 0;
    FOR s IN SELECT m.step FROM reporting_funnel_marks m WHERE m.contact_id = OLD.contact_id AND m.step IN ('person', 'q1', 'q2', 'q3') LOOP
      PERFORM reporting_funnel_unmark(OLD.contact_id, s);
    END LOOP;
    IF reporting_is_person(NEW.answered_at, NEW.answered_by) THEN PERFORM reporting_funnel_mark(NEW.contact_id, NEW.campaign_id, 'person'); END IF;
    FOR s IN SELECT DISTINCT t.stage FROM dialogue_turns t WHERE t.call_attempt_id = NEW.id AND t.stage IN ('q1', 'q2', 'q3') LOOP
      PERFORM reporting_funnel_mark(NEW.contact_id, NEW.campaign_id, s);
    END LOOP;
  ELSIF reporting_is_person(NEW.answered_at, NEW.answered_by) THEN
    PERFORM reporting_funnel_mark(NEW.contact_id, NEW.campaign_id, 'person');
  ELSE
    PERFORM reporting_funnel_unmark(NEW.contact_id, 'person');
  END IF;
  RETURN NULL;
END $$;

-- Before the row goes (and its turns with it): take its turns out of the
-- latency histogram. The turns are locked first (every one of them: a turn
-- without a time may be given one concurrently), so each is counted as the
-- last transaction to change it left it; new turns cannot appear meanwhile
-- (their foreign-key check waits for this delete).
CREATE OR REPLACE FUNCTION reporting_call_attempts_latency_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM campaigns WHERE id = OLD.campaign_id) THEN
    PERFORM 1 FROM dialogue_turns WHERE call_attempt_id = OLD.id FOR UPDATE;
    INSERT INTO reporting_turn_latency_deltas (campaign_id, upper_ms, delta)
    SELECT OLD.campaign_id, reporting_latency_bucket(processing_ms), -count(*)
    FROM dialogue_turns WHERE call_attempt_id = OLD.id AND processing_ms IS NOT NULL
    GROUP BY 2;
  END IF;
  RETURN OLD;
END $$;

DROP TRIGGER IF EXISTS call_attempts_reporting_funnel_insert ON call_attempts;
CREATE TRIGGER call_attempts_reporting_funnel_insert AFTER INSERT ON call_attempts
  FOR EACH ROW WHEN (reporting_is_person(NEW.answered_at, NEW.answered_by))
  EXECUTE FUNCTION reporting_call_attempts_funnel();
DROP TRIGGER IF EXISTS call_attempts_reporting_funnel_update ON call_attempts;
CREATE TRIGGER call_attempts_reporting_funnel_update AFTER UPDATE OF answered_at, answered_by, contact_id, campaign_id ON call_attempts
  FOR EACH ROW WHEN (reporting_is_person(OLD.answered_at, OLD.answered_by) IS DISTINCT FROM reporting_is_person(NEW.answered_at, NEW.answered_by)
                     OR OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id)
  EXECUTE FUNCTION reporting_call_attempts_funnel();
DROP TRIGGER IF EXISTS call_attempts_reporting_funnel_delete ON call_attempts;
CREATE TRIGGER call_attempts_reporting_funnel_delete AFTER DELETE ON call_attempts
  FOR EACH ROW EXECUTE FUNCTION reporting_call_attempts_funnel();
DROP TRIGGER IF EXISTS call_attempts_reporting_latency_delete ON call_attempts;
CREATE TRIGGER call_attempts_reporting_latency_delete BEFORE DELETE ON call_attempts
  FOR EACH ROW EXECUTE FUNCTION reporting_call_attempts_latency_delete();

-- ── contacts: consented contacts follow their group; deleted contacts' marks ─
-- One probe of the consent mark's key per changed row (a correlated scalar
-- subquery is never turned into a join, so the plan cached at the first call
-- stays right whatever the statement's size).
CREATE OR REPLACE FUNCTION reporting_contacts_update_consented() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reporting_consented_deltas (campaign_id, state, last_outcome, attempts_count, delta)
  SELECT c, state, lo, ac, sum(d)
  FROM (
    SELECT (SELECT m.campaign_id FROM reporting_funnel_marks m WHERE m.contact_id = o.id AND m.step = 'consent') AS c,
           o.state, coalesce(o.last_outcome::text, '') AS lo, o.attempts_count AS ac, -1 AS d
    FROM old_rows o
    UNION ALL
    SELECT (SELECT m.campaign_id FROM reporting_funnel_marks m WHERE m.contact_id = n.id AND m.step = 'consent'),
           n.state, coalesce(n.last_outcome::text, ''), n.attempts_count, 1
    FROM new_rows n
  ) x
  WHERE c IS NOT NULL
  GROUP BY 1, 2, 3, 4
  HAVING sum(d) <> 0;
  RETURN NULL;
END $$;

-- Planned per statement (EXECUTE): erasing one contact probes the marks' key,
-- a large delete hashes. Contacts of a campaign being deleted are left to the
-- campaign's cleanup.
CREATE OR REPLACE FUNCTION reporting_contacts_delete_funnel() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE $q$
    WITH gone AS (
      DELETE FROM reporting_funnel_marks m USING old_rows o
      WHERE m.contact_id = o.id AND EXISTS (SELECT 1 FROM campaigns p WHERE p.id = o.campaign_id)
      RETURNING m.campaign_id, m.step, o.state, coalesce(o.last_outcome::text, '') AS lo, o.attempts_count
    ), f AS (
      INSERT INTO reporting_funnel_deltas (campaign_id, step, delta)
      SELECT campaign_id, step, -count(*) FROM gone GROUP BY 1, 2
    )
    INSERT INTO reporting_consented_deltas (campaign_id, state, last_outcome, attempts_count, delta)
    SELECT campaign_id, state, lo, attempts_count, -count(*) FROM gone WHERE step = 'consent' GROUP BY 1, 2, 3, 4
  $q$;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS contacts_reporting_consented_update ON contacts;
CREATE TRIGGER contacts_reporting_consented_update AFTER UPDATE ON contacts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_contacts_update_consented();
DROP TRIGGER IF EXISTS contacts_reporting_funnel_delete ON contacts;
CREATE TRIGGER contacts_reporting_funnel_delete AFTER DELETE ON contacts
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_contacts_delete_funnel();

-- ── campaigns: a deleted campaign's roll-ups go with it ─────────────────────
-- Fires after the cascades (RI triggers sort first).
CREATE OR REPLACE FUNCTION reporting_funnel_campaign_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('reporting_funnel_counts'), hashtext(OLD.id::text));
  DELETE FROM reporting_funnel_marks WHERE campaign_id = OLD.id;
  DELETE FROM reporting_funnel_deltas WHERE campaign_id = OLD.id;
  DELETE FROM reporting_funnel_counts WHERE campaign_id = OLD.id;
  DELETE FROM reporting_consented_deltas WHERE campaign_id = OLD.id;
  DELETE FROM reporting_consented_counts WHERE campaign_id = OLD.id;
  DELETE FROM reporting_turn_latency_deltas WHERE campaign_id = OLD.id;
  DELETE FROM reporting_turn_latency WHERE campaign_id = OLD.id;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS campaigns_reporting_funnel_cleanup ON campaigns;
CREATE TRIGGER campaigns_reporting_funnel_cleanup AFTER DELETE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION reporting_funnel_campaign_deleted();

-- ── Compaction ──────────────────────────────────────────────────────────────
-- Folds a campaign's three delta logs into their counts (one transaction, so
-- a reader sees either the deltas or their sums, never both).
CREATE OR REPLACE FUNCTION reporting_compact_funnel(c uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('reporting_funnel_counts'), hashtext(c::text));
  WITH moved AS (DELETE FROM reporting_funnel_deltas WHERE campaign_id = c RETURNING step, delta)
  INSERT INTO reporting_funnel_counts AS r (campaign_id, step, contacts)
  SELECT c, step, sum(delta)::bigint FROM moved GROUP BY step ORDER BY step
  ON CONFLICT (campaign_id, step) DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts;
  DELETE FROM reporting_funnel_counts WHERE campaign_id = c AND contacts = 0;

  WITH moved AS (DELETE FROM reporting_consented_deltas WHERE campaign_id = c RETURNING state, last_outcome, attempts_count, delta)
  INSERT INTO reporting_consented_counts AS r (campaign_id, state, last_outcome, attempts_count, contacts)
  SELECT c, state, last_outcome, attempts_count, sum(delta)::bigint FROM moved GROUP BY 2, 3, 4 ORDER BY 2, 3, 4
  ON CONFLICT (campaign_id, state, last_outcome, attempts_count) DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts;
  DELETE FROM reporting_consented_counts WHERE campaign_id = c AND contacts = 0;

  WITH moved AS (DELETE FROM reporting_turn_latency_deltas WHERE campaign_id = c RETURNING upper_ms, delta)
  INSERT INTO reporting_turn_latency AS r (campaign_id, upper_ms, turns)
  SELECT c, upper_ms, sum(delta)::bigint FROM moved GROUP BY upper_ms ORDER BY upper_ms
  ON CONFLICT (campaign_id, upper_ms) DO UPDATE SET turns = r.turns + EXCLUDED.turns;
  DELETE FROM reporting_turn_latency WHERE campaign_id = c AND turns = 0;
END $$;

-- ── Back-fill what existed before this migration (only into empty roll-ups) ──
-- Same definitions as the triggers, and as rebuildRollups (src/commands/reporting/rollups.ts).
INSERT INTO reporting_funnel_marks (contact_id, step, campaign_id)
SELECT contact_id, step, min(campaign_id::text)::uuid
FROM (
  SELECT contact_id, 'person' AS step, campaign_id FROM call_attempts WHERE reporting_is_person(answered_at, answered_by)
  UNION ALL
  SELECT contact_id, 'consent', campaign_id FROM consent_records
  UNION ALL
  SELECT a.contact_id, t.stage, a.campaign_id FROM dialogue_turns t JOIN call_attempts a ON a.id = t.call_attempt_id WHERE t.stage IN ('q1', 'q2', 'q3')
) x
WHERE NOT EXISTS (SELECT 1 FROM reporting_funnel_marks)
GROUP BY contact_id, step;

INSERT INTO reporting_funnel_counts (campaign_id, step, contacts)
SELECT campaign_id, step, count(*) FROM reporting_funnel_marks
WHERE NOT EXISTS (SELECT 1 FROM reporting_funnel_counts) AND NOT EXISTS (SELECT 1 FROM reporting_funnel_deltas)
GROUP BY 1, 2;

INSERT INTO reporting_consented_counts (campaign_id, state, last_outcome, attempts_count, contacts)
SELECT m.campaign_id, k.state, coalesce(k.last_outcome::text, ''), k.attempts_count, count(*)
FROM reporting_funnel_marks m JOIN contacts k ON k.id = m.contact_id
WHERE m.step = 'consent'
  AND NOT EXISTS (SELECT 1 FROM reporting_consented_counts) AND NOT EXISTS (SELECT 1 FROM reporting_consented_deltas)
GROUP BY 1, 2, 3, 4;

INSERT INTO reporting_turn_latency (campaign_id, upper_ms, turns)
SELECT a.campaign_id, reporting_latency_bucket(t.processing_ms), count(*)
FROM dialogue_turns t JOIN call_attempts a ON a.id = t.call_attempt_id
WHERE t.processing_ms IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM reporting_turn_latency) AND NOT EXISTS (SELECT 1 FROM reporting_turn_latency_deltas)
GROUP BY 1, 2;
