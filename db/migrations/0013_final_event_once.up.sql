-- 0013_final_event_once: at most one final event (survey.completed, survey.refused,
-- survey.not_reached) per call attempt, enforced by the database. The commands
-- decide every outcome under the attempt's row lock (docs/calling.md, "Ordering
-- guarantees"); this index is the backstop: a second final event for an attempt
-- fails its whole transaction instead of being written. Idempotent.

-- Rows an earlier version could leave behind when a call's final status raced the
-- dialogue: the first final event of an attempt stays linked; later ones are kept
-- (they may have been delivered already) but detached from the attempt.
UPDATE events e SET call_attempt_id = NULL
WHERE e.call_attempt_id IS NOT NULL
  AND e.event_type IN ('survey.completed', 'survey.refused', 'survey.not_reached')
  AND EXISTS (
    SELECT 1 FROM events f
    WHERE f.call_attempt_id = e.call_attempt_id
      AND f.event_type IN ('survey.completed', 'survey.refused', 'survey.not_reached')
      AND (f.created_at, f.id) < (e.created_at, e.id));

CREATE UNIQUE INDEX IF NOT EXISTS events_final_per_attempt_key ON events (call_attempt_id)
  WHERE call_attempt_id IS NOT NULL AND event_type IN ('survey.completed', 'survey.refused', 'survey.not_reached');
