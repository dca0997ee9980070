/**
 * Consistency checks over a campaign's calling data. Used by the property
 * tests, the multi-process test and `voicesurvey simulate`; each returns the
 * violations found (an empty list when all hold).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema/index.js';

export interface Violation {
  readonly rule: string;
  readonly count: number;
}

/**
 * Always true, even mid-run:
 * - live: no contact has two attempts without an outcome (never two live calls);
 * - counted: a contact's attempts_count equals its attempt rows;
 * - bounded: attempts_count never exceeds the campaign's max_attempts (unless it was lowered after those attempts);
 * - final_event: a contact closed as not_reached has exactly one survey.not_reached event, and an open one none;
 * - last_outcome: a not_reached contact's last_outcome is its latest attempt's outcome;
 * When `settled` (nothing in flight any more), also:
 * - settled: no attempt without an outcome and no contact in_progress;
 * - retry: every not_reached contact is closed or has attempts left (awaiting retry).
 */
export async function checkCallingInvariants(db: Kysely<DB>, campaignId: string, opts: { settled?: boolean } = {}): Promise<Violation[]> {
  const checks: [string, ReturnType<typeof sql<{ n: number }>>][] = [
    ['live', sql<{ n: number }>`SELECT count(*)::int AS n FROM (SELECT contact_id FROM call_attempts
      WHERE campaign_id = ${campaignId} AND outcome IS NULL GROUP BY contact_id HAVING count(*) > 1) x`],
    ['counted', sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts c
      WHERE c.campaign_id = ${campaignId}
        AND c.attempts_count <> (SELECT count(*) FROM call_attempts a WHERE a.contact_id = c.id)`],
    ['bounded', sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts c JOIN campaigns k ON k.id = c.campaign_id
      WHERE c.campaign_id = ${campaignId} AND c.attempts_count > k.max_attempts`],
    ['final_event', sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts c
      WHERE c.campaign_id = ${campaignId}
        AND (SELECT count(*) FROM events e WHERE e.contact_id = c.id AND e.event_type = 'survey.not_reached')
            <> CASE WHEN c.state = 'not_reached' AND c.closed_at IS NOT NULL THEN 1 ELSE 0 END`],
    ['last_outcome', sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts c
      WHERE c.campaign_id = ${campaignId} AND c.state = 'not_reached'
        AND c.last_outcome IS DISTINCT FROM (SELECT a.outcome FROM call_attempts a WHERE a.contact_id = c.id
                                            ORDER BY a.attempt_number DESC LIMIT 1)`],
  ];
  if (opts.settled) {
    checks.push(
      ['settled', sql<{ n: number }>`SELECT (SELECT count(*) FROM call_attempts WHERE campaign_id = ${campaignId} AND outcome IS NULL)::int
        + (SELECT count(*) FROM contacts WHERE campaign_id = ${campaignId} AND state = 'in_progress')::int AS n`],
      ['retry', sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts c JOIN campaigns k ON k.id = c.campaign_id
        WHERE c.campaign_id = ${campaignId} AND c.state = 'not_reached' AND c.closed_at IS NULL
          AND c.attempts_count >= k.max_attempts`],
    );
  }
  const out: Violation[] = [];
  for (const [rule, q] of checks) {
    const n = Number((await q.execute(db)).rows[0]?.n ?? 0);
    if (n > 0) out.push({ rule, count: n });
  }
  return out;
}

/** Counts by contact state and by attempt outcome (null outcome as `open`). */
export async function campaignCounts(db: Kysely<DB>, campaignId: string) {
  const states = await db.selectFrom('contacts').select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId).groupBy('state').execute();
  const outcomes = await db.selectFrom('call_attempts').select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId).groupBy('outcome').execute();
  const closed = await db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId).where('closed_at', 'is not', null).executeTakeFirstOrThrow();
  return {
    contactsByState: Object.fromEntries(states.map((r) => [r.state, Number(r.n)])) as Record<string, number>,
    attemptsByOutcome: Object.fromEntries(outcomes.map((r) => [r.outcome ?? 'open', Number(r.n)])) as Record<string, number>,
    closedNotReached: Number(closed.n),
  };
}
