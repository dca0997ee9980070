/**
 * The demo campaign's contacts: a first batch when demo mode starts, then a
 * trickle while it runs, so the campaign keeps calling instead of going quiet
 * once the first batch is done. New contacts are added only while the
 * campaign is `running` (a manager who pauses or completes it is obeyed), up to
 * DEMO_MAX_GENERATED, and only when few contacts are ready to be called — never
 * called, or due for a retry: new people are added when the campaign is about
 * to run out of calls to make, not while retries and callbacks are waiting.
 * (The scheduler dials in the order contacts became due — a new contact when
 * it is created, a retry when its interval has passed — so new contacts never
 * push a due retry back either way.) Inserts are idempotent (the number is unique per
 * campaign), so restarts and repeated runs never duplicate anyone.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema/index.js';
import { DEMO_CAMPAIGN_ID, DEMO_EXTERNAL_PREFIX, DEMO_MAX_GENERATED, demoContact } from './respondents.js';

export interface FeedPolicy {
  /** Contacts generated when demo mode first starts. */
  readonly initial: number;
  /** Add contacts when fewer than this many are ready to be called… */
  readonly lowWater: number;
  /** …this many at a time. */
  readonly batch: number;
  readonly max: number;
}

export const DEFAULT_FEED: FeedPolicy = { initial: 40, lowWater: 3, batch: 6, max: DEMO_MAX_GENERATED };

/** Inserts generated contacts `from` … `to - 1` (those not there yet). Returns how many were new. */
async function insertRange(db: Kysely<DB>, from: number, to: number): Promise<number> {
  if (to <= from) return 0;
  const rows = [];
  for (let n = from; n < to; n++) rows.push({ campaign_id: DEMO_CAMPAIGN_ID, ...demoContact(n) });
  const res = await db.insertInto('contacts').values(rows)
    .onConflict((oc) => oc.columns(['campaign_id', 'phone_number']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0);
}

/** The index after the highest generated contact (ids are zero-padded, so text order is number order). */
async function nextIndex(db: Kysely<DB>): Promise<number> {
  const r = await db.selectFrom('contacts').select((eb) => eb.fn.max('external_contact_id').as('last'))
    .where('campaign_id', '=', DEMO_CAMPAIGN_ID)
    .where(sql<boolean>`starts_with(external_contact_id, ${DEMO_EXTERNAL_PREFIX})`)
    .executeTakeFirst();
  const last = r?.last ? Number(r.last.slice(DEMO_EXTERNAL_PREFIX.length)) : 0;
  return Number.isInteger(last) && last > 0 ? last : 0;
}

/** The first batch (idempotent: the same people every time). */
export async function addInitialDemoContacts(db: Kysely<DB>, policy: FeedPolicy = DEFAULT_FEED): Promise<number> {
  const campaign = await db.selectFrom('campaigns').select('status').where('id', '=', DEMO_CAMPAIGN_ID).executeTakeFirst();
  if (!campaign) return 0;
  return insertRange(db, 0, Math.min(policy.initial, policy.max));
}

/** One step of the trickle. Returns how many contacts were added. */
export async function feedDemoContacts(db: Kysely<DB>, policy: FeedPolicy = DEFAULT_FEED, now: Date = new Date()): Promise<number> {
  const campaign = await db.selectFrom('campaigns').select('status').where('id', '=', DEMO_CAMPAIGN_ID).executeTakeFirst();
  if (campaign?.status !== 'running') return 0;
  // Ready now: what the scheduler's claim would take (calling window and exclusions aside).
  const ready = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM contacts c JOIN campaigns k ON k.id = c.campaign_id
    WHERE c.campaign_id = ${DEMO_CAMPAIGN_ID}
      AND c.state IN ('pending', 'not_reached') AND c.closed_at IS NULL
      AND c.attempts_count < k.max_attempts AND NOT c.do_not_call
      AND (c.has_prior_consent OR NOT k.require_prior_consent)
      AND (c.last_attempt_at IS NULL OR c.last_attempt_at <= ${now.toISOString()}::timestamptz - make_interval(mins => k.retry_interval_minutes))
      AND (c.retry_not_before IS NULL OR c.retry_not_before <= ${now.toISOString()}::timestamptz)`.execute(db);
  if (Number(ready.rows[0]?.n ?? 0) >= policy.lowWater) return 0;
  const from = await nextIndex(db);
  return insertRange(db, from, Math.min(from + policy.batch, policy.max));
}
