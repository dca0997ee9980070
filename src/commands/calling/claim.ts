/**
 * Claiming due contacts: the one statement that decides who is dialled.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema/index.js';
import { callingCodeZones } from '../../domain/calling/local-time.js';

export interface ClaimedCall {
  readonly attemptId: string;
  /** Our id for the call, echoed in callback URLs. */
  readonly callId: string;
  readonly contactId: string;
  readonly campaignId: string;
  readonly attemptNumber: number;
  /** E.164; never log it. */
  readonly phoneNumber: string;
}

export interface ClaimOptions {
  /** At most this many contacts (already reduced by the caller to free concurrency and CPS tokens). */
  readonly limit: number;
  readonly now: Date;
  /** No call starts in the last N minutes of the window. */
  readonly guardMinutes: number;
}

/**
 * Claims up to `limit` eligible contacts across running campaigns and opens an
 * attempt for each, in ONE statement.
 *
 * Order: first come, first served by the time a contact became due. A
 * never-called contact is due since it was created (`created_at`); a retry
 * since `last_attempt_at + retry_interval_minutes`. So a never-called contact
 * never overtakes a retry that was due before it arrived: a large import or a
 * steady stream of new contacts cannot starve the retries, nor a backlog of
 * retries the new contacts. `retry_not_before` (callbacks, provider backoff)
 * only filters: a contact it held back keeps its place by the due time above,
 * so it is dialled as soon as it may be. The claimed calls are returned, and
 * so placed, in that order.
 *
 * How: per running campaign, walks of contacts_dialable_consent_idx
 * (campaign_id, has_prior_consent, last_attempt_at NULLS FIRST, created_at)
 * WHERE state IN (pending, not_reached) AND closed_at IS NULL: the never-called
 * range (last_attempt_at IS NULL, in created_at order) and the retry range
 * (last_attempt_at up to now − interval, in last_attempt_at order — within a
 * campaign the interval is constant, so that is due order), each stopping
 * after `limit` eligible rows. A campaign that requires prior consent walks
 * the consented ranges only, so its unconsented contacts — waiting forever,
 * and late in a campaign all of them ahead of the rest — are never read; one
 * that does not walks the consented and the unconsented ranges (four walks).
 * The setting is read at every claim: switching it, or a contact gaining
 * consent, takes effect at the next one. The candidates are merged by due time
 * across walks and campaigns, without locks (up to 2 × `limit`: the first
 * `limit` are the batch, the others next in line). Then they are locked in that
 * order, `FOR UPDATE SKIP LOCKED`, until `limit` rows are held, every condition
 * evaluated again: in READ COMMITTED a row another transaction changed since the
 * statement began is re-read and re-checked, so a contact just claimed
 * elsewhere (now `in_progress`) drops out, and one being claimed right now is
 * skipped. Nothing is locked that is not dialled. (Two claimers at the same
 * instant see the same candidates, so the second may get fewer than `limit`;
 * there is one scheduler leader, and it claims again next tick.) The UPDATE
 * counts the attempt and sets the contact `in_progress`, the INSERT creates the
 * `call_attempts` row with a fresh `call_id`; a contact being dialled is
 * `in_progress`, so nobody can claim it again until its attempt ends.
 *
 * Everything in eligibility.ts is evaluated here, in SQL, exactly — including
 * the calling window in the contact's zone (contact zone → zone of the number's
 * calling code → campaign zone) with PostgreSQL's time-zone database, weekday
 * and closing guard — so a claimed contact never needs un-claiming. The
 * exclusion list is re-checked here, at claim time. The campaign rows are read
 * `FOR SHARE`: a pause waits for an in-flight claim and every later claim sees it.
 * Besides the planner settings (claimPlannerSettings), the claim is this one
 * statement (bench/dial.ts).
 */
export async function claimDueContacts(trx: Transaction<DB>, opts: ClaimOptions): Promise<ClaimedCall[]> {
  if (opts.limit <= 0) return [];
  await claimPlannerSettings(trx);
  const res = await claimStatement(opts).execute(trx);
  return res.rows.map((r) => ({
    attemptId: r.attempt_id, callId: r.call_id, contactId: r.contact_id, campaignId: r.campaign_id,
    attemptNumber: Number(r.attempt_number), phoneNumber: r.phone_number,
  }));
}

/**
 * The claim transaction's planner settings (SET LOCAL: this transaction only).
 *
 * - `jit = off`: the planner's cost estimate for the guarded LIMIT walks is huge
 *   (it cannot know a walk stops after `limit` matches), which triggers JIT
 *   compilation: ~90 ms of JIT for a ~1 ms plan (bench/dial.ts).
 * - `enable_bitmapscan = off`: the walks must read the index in order and stop
 *   after `limit` eligible rows. The planner multiplies the default selectivities
 *   of the eligibility conditions (calling window, weekday, attempts, …) into an
 *   estimate of a fraction of a percent of the range; once a campaign's range is
 *   small enough that this is fewer than `limit` rows (tens of thousands of
 *   contacts: any campaign late in its life), it expects to read the whole
 *   range anyway and picks a bitmap scan of all of it plus a sort: every open
 *   contact read at every claim (late in a 200,000-contact campaign: its whole
 *   16,600-contact consented range, 110–135 ms a claim, instead of the ordered
 *   walk of ~100 rows, 18–21 ms; bench/README.md). Without bitmap scans the
 *   ordered walk is the cheapest plan at any size.
 */
export async function claimPlannerSettings(trx: Transaction<DB>): Promise<void> {
  await sql`SELECT set_config('jit', 'off', true), set_config('enable_bitmapscan', 'off', true)`.execute(trx);
}

interface ClaimRow {
  attempt_id: string; call_id: string; contact_id: string; campaign_id: string; attempt_number: number; phone_number: string;
}

/** The claim statement itself (claimDueContacts runs it after claimPlannerSettings; tests explain it). */
export function claimStatement(opts: ClaimOptions): RawBuilder<ClaimRow> {
  const zones = JSON.stringify(callingCodeZones());
  const now = sql`${opts.now.toISOString()}::timestamptz`;
  const limit = opts.limit;
  // The contact's local time (zone: contact → calling code → campaign), as a LATERAL for `c` and `camp`.
  const localTime = sql`CROSS JOIN LATERAL (
      SELECT (${now} AT TIME ZONE coalesce(
        CASE WHEN c.timezone IS NOT NULL AND vsa_is_time_zone(c.timezone) THEN c.timezone END,
        (SELECT z.zone FROM zones z WHERE starts_with(c.phone_number, z.prefix) LIMIT 1),
        camp.timezone)) AS t
    ) AS lt`;
  // Every eligibility condition (eligibility.ts) on contact `c` of campaign `camp`.
  const eligible = sql`c.campaign_id = camp.id
      AND c.state IN ('pending', 'not_reached') AND c.closed_at IS NULL
      AND c.attempts_count < camp.max_attempts
      AND (c.last_attempt_at IS NULL OR c.last_attempt_at <= ${now} - make_interval(mins => camp.retry_interval_minutes))
      AND (c.retry_not_before IS NULL OR c.retry_not_before <= ${now})
      AND NOT c.do_not_call
      AND (c.has_prior_consent OR NOT camp.require_prior_consent)
      AND NOT EXISTS (SELECT 1 FROM exclusion_list_entries x WHERE x.phone_number = c.phone_number)
      AND extract(isodow FROM lt.t)::smallint = ANY (camp.allowed_weekdays)
      AND extract(epoch FROM lt.t::time) >= extract(epoch FROM camp.allowed_call_start_local)
      AND extract(epoch FROM lt.t::time) < extract(epoch FROM camp.allowed_call_end_local) - ${opts.guardMinutes * 60}`;
  // When the contact became due: created, or last attempt + the campaign's retry interval.
  const dueAt = sql`coalesce(c.last_attempt_at + make_interval(mins => camp.retry_interval_minutes), c.created_at)`;
  return sql<ClaimRow>`
    WITH zones AS MATERIALIZED (
      SELECT '+' || key AS prefix, value AS zone FROM jsonb_each_text(${zones}::jsonb)
    ),
    camp AS MATERIALIZED (
      SELECT id, max_attempts, retry_interval_minutes, require_prior_consent, timezone,
             allowed_call_start_local, allowed_call_end_local, allowed_weekdays
      FROM campaigns WHERE status = 'running'
      FOR SHARE
    ),
    cand AS MATERIALIZED (
      SELECT w.id, w.campaign_id, w.due_at
      FROM camp
      CROSS JOIN LATERAL unnest(CASE WHEN camp.require_prior_consent THEN ARRAY[true] ELSE ARRAY[true, false] END) AS k(consent)
      CROSS JOIN LATERAL (
        (SELECT c.id, c.campaign_id, ${dueAt} AS due_at FROM contacts c ${localTime}
         WHERE c.has_prior_consent = k.consent AND c.last_attempt_at IS NULL AND ${eligible}
         ORDER BY c.last_attempt_at NULLS FIRST, c.created_at
         LIMIT ${limit})
        UNION ALL
        (SELECT c.id, c.campaign_id, ${dueAt} AS due_at FROM contacts c ${localTime}
         WHERE c.has_prior_consent = k.consent AND c.last_attempt_at <= ${now} - make_interval(mins => camp.retry_interval_minutes) AND ${eligible}
         ORDER BY c.last_attempt_at NULLS FIRST, c.created_at
         LIMIT ${limit})
      ) w
      ORDER BY w.due_at, w.id
      LIMIT ${2 * limit}
    ),
    locked AS (
      SELECT c.id, c.state, c.last_attempt_at, cand.due_at
      FROM cand
      JOIN camp ON camp.id = cand.campaign_id
      JOIN contacts c ON c.id = cand.id
      ${localTime}
      WHERE ${eligible}
      ORDER BY cand.due_at, cand.id
      LIMIT ${limit}
      FOR UPDATE OF c SKIP LOCKED
    ),
    upd AS (
      UPDATE contacts c
      SET state = 'in_progress', attempts_count = c.attempts_count + 1, last_attempt_at = ${now}
      FROM locked
      WHERE c.id = locked.id
      RETURNING c.id, c.campaign_id, c.attempts_count, c.phone_number, locked.due_at,
                locked.state AS prev_state, locked.last_attempt_at AS prev_last_attempt_at
    ),
    ins AS (
      INSERT INTO call_attempts (contact_id, campaign_id, attempt_number, started_at, metadata)
      SELECT id, campaign_id, attempts_count, ${now},
             jsonb_build_object('prev_state', prev_state, 'prev_last_attempt_at', prev_last_attempt_at)
      FROM upd
      RETURNING id, call_id, contact_id, campaign_id, attempt_number
    )
    SELECT ins.id AS attempt_id, ins.call_id, ins.contact_id, ins.campaign_id, ins.attempt_number, upd.phone_number
    FROM ins JOIN upd ON upd.id = ins.contact_id
    ORDER BY upd.due_at, upd.id
  `;
}

/**
 * Concurrency slots in use across all campaigns: attempts without an outcome
 * (claimed, ringing, talking); attempts the dialogue ended whose call the
 * carrier has not reported ended yet (it still plays the goodbye and hangs up),
 * for at most `carrierEndMs` after they ended (not those the reconciler closed:
 * it hung them up, or the carrier does not know them); and attempts that ended less than
 * `cooldownMs` ago. The cooldown covers the carrier's own teardown: a carrier
 * may still count a call whose final status we have already processed (the
 * simulator frees the slot only once that final callback was answered).
 */
export async function countActiveAttempts(db: Kysely<DB>, opts: { now?: Date; cooldownMs?: number; carrierEndMs?: number } = {}): Promise<number> {
  const open = await db.selectFrom('call_attempts').select((eb) => eb.fn.countAll<number>().as('n')).where('outcome', 'is', null).executeTakeFirstOrThrow();
  let ending = 0;
  const cooldownMs = opts.cooldownMs ?? 0;
  const carrierEndMs = Math.max(cooldownMs, opts.carrierEndMs ?? 0);
  if (opts.now && carrierEndMs > 0) {
    const now = opts.now.getTime();
    // Index range on ended_at (call_attempts_ended_at_idx), then the finer rule.
    const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM call_attempts
      WHERE ended_at > ${new Date(now - carrierEndMs)} AND outcome IS NOT NULL
        AND (ended_at > ${new Date(now - cooldownMs)}
             OR (provider_call_id IS NOT NULL AND error_code IS DISTINCT FROM 'reconciled_timeout'
                 AND (call_status IS NULL OR call_status NOT IN ('completed', 'busy', 'no_answer', 'failed', 'canceled'))))`.execute(db);
    ending = Number(row.rows[0]?.n ?? 0);
  }
  return Number(open.n) + ending;
}
