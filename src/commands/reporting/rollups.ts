/**
 * Recomputes a campaign's statistics roll-ups from contacts, call_attempts,
 * survey_responses, consent_records and dialogue_turns (the same definitions
 * as the triggers in 0009 and 0012). For repair
 * after bulk loads that bypassed the triggers; run it while the campaign is
 * paused, since changes committed during the rebuild may be counted twice or
 * not at all.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema/index.js';

export async function rebuildRollups(db: Kysely<DB>, campaignId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('reporting_call_hourly').where('campaign_id', '=', campaignId).execute();
    await trx.deleteFrom('reporting_call_durations').where('campaign_id', '=', campaignId).execute();
    await trx.deleteFrom('reporting_answer_counts').where('campaign_id', '=', campaignId).execute();
    await sql`select pg_advisory_xact_lock(hashtext('reporting_contact_counts'), hashtext(${campaignId}))`.execute(trx);
    await trx.deleteFrom('reporting_contact_deltas').where('campaign_id', '=', campaignId).execute();
    await trx.deleteFrom('reporting_contact_counts').where('campaign_id', '=', campaignId).execute();
    await sql`
      insert into reporting_contact_counts (campaign_id, state, last_outcome, attempts_count, contacts)
      select campaign_id, state, coalesce(last_outcome::text, ''), attempts_count, count(*)
      from contacts where campaign_id = ${campaignId} group by 1, 2, 3, 4`.execute(trx);
    await sql`
      insert into reporting_call_hourly (campaign_id, hour, attempts, answers, completions)
      select ${campaignId}::uuid, h, sum(att)::int, sum(ans)::int, sum(comp)::int from (
        select date_bin('1 hour', coalesce(started_at, created_at), timestamptz '2000-01-01 00:00:00+00') as h, 1 as att, 0 as ans, 0 as comp
          from call_attempts where campaign_id = ${campaignId}
        union all
        select date_bin('1 hour', answered_at, timestamptz '2000-01-01 00:00:00+00'), 0, 1, 0
          from call_attempts where campaign_id = ${campaignId} and answered_at is not null
        union all
        select date_bin('1 hour', reporting_completed_at(outcome::text, answered_at, ended_at, created_at), timestamptz '2000-01-01 00:00:00+00'), 0, 0, 1
          from call_attempts where campaign_id = ${campaignId} and outcome = 'completed'
      ) x group by h`.execute(trx);
    await sql`
      insert into reporting_call_durations (campaign_id, seconds, calls)
      select ${campaignId}::uuid, reporting_talk_seconds(answered_at, ended_at) as s, count(*)::int
      from call_attempts where campaign_id = ${campaignId} and answered_at is not null and ended_at is not null
      group by s`.execute(trx);
    await sql`
      insert into reporting_answer_counts (campaign_id, question, answer, responses)
      select ${campaignId}::uuid, q, a, count(*)::int from (
        select 1::smallint as q, left(lower(btrim(q1_answer)), 200) as a from survey_responses where campaign_id = ${campaignId}
        union all select 2::smallint, left(lower(btrim(q2_answer)), 200) from survey_responses where campaign_id = ${campaignId}
        union all select 3::smallint, left(lower(btrim(q3_answer)), 200) from survey_responses where campaign_id = ${campaignId}
      ) x where a is not null and a <> '' group by q, a`.execute(trx);
    await rebuildDialogueRollups(trx, campaignId);
  });
}

/** The funnel marks and counts, consented groups and turn-latency histogram of 0012, inside the caller's transaction. */
async function rebuildDialogueRollups(trx: Kysely<DB>, campaignId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('reporting_funnel_counts'), hashtext(${campaignId}))`.execute(trx);
  for (const table of ['reporting_funnel_marks', 'reporting_funnel_deltas', 'reporting_funnel_counts', 'reporting_consented_deltas',
    'reporting_consented_counts', 'reporting_turn_latency_deltas', 'reporting_turn_latency'] as const) {
    await trx.deleteFrom(table).where('campaign_id', '=', campaignId).execute();
  }
  await sql`
    insert into reporting_funnel_marks (contact_id, step, campaign_id)
    select distinct contact_id, step, ${campaignId}::uuid from (
      select contact_id, 'person' as step from call_attempts
        where campaign_id = ${campaignId} and reporting_is_person(answered_at, answered_by)
      union all
      select contact_id, 'consent' from consent_records where campaign_id = ${campaignId}
      union all
      select a.contact_id, t.stage from call_attempts a join dialogue_turns t on t.call_attempt_id = a.id
        where a.campaign_id = ${campaignId} and t.stage in ('q1', 'q2', 'q3')
    ) x
    on conflict do nothing`.execute(trx);
  await sql`
    insert into reporting_funnel_counts (campaign_id, step, contacts)
    select campaign_id, step, count(*) from reporting_funnel_marks where campaign_id = ${campaignId} group by 1, 2`.execute(trx);
  await sql`
    insert into reporting_consented_counts (campaign_id, state, last_outcome, attempts_count, contacts)
    select m.campaign_id, k.state, coalesce(k.last_outcome::text, ''), k.attempts_count, count(*)
    from reporting_funnel_marks m join contacts k on k.id = m.contact_id
    where m.campaign_id = ${campaignId} and m.step = 'consent' group by 1, 2, 3, 4`.execute(trx);
  await sql`
    insert into reporting_turn_latency (campaign_id, upper_ms, turns)
    select ${campaignId}::uuid, reporting_latency_bucket(t.processing_ms), count(*)
    from call_attempts a join dialogue_turns t on t.call_attempt_id = a.id
    where a.campaign_id = ${campaignId} and t.processing_ms is not null group by 2`.execute(trx);
}

/**
 * Folds the pending deltas (contact counts of 0009; funnel, consented groups
 * and turn latency of 0012) of every campaign that has some (statistics reads
 * also compact their own campaign). Keeps the delta logs short for campaigns
 * nobody is looking at. Returns how many campaigns.
 */
export async function compactAllContactCounts(db: Kysely<DB>, limit = 100): Promise<number> {
  const contacts = await sql<{ campaign_id: string }>`
    select distinct campaign_id from reporting_contact_deltas limit ${limit}`.execute(db);
  for (const r of contacts.rows) await sql`select reporting_compact_contact_counts(${r.campaign_id}::uuid)`.execute(db);
  const dialogue = await sql<{ campaign_id: string }>`
    select campaign_id from (
      (select distinct campaign_id from reporting_funnel_deltas limit ${limit})
      union
      (select distinct campaign_id from reporting_consented_deltas limit ${limit})
      union
      (select distinct campaign_id from reporting_turn_latency_deltas limit ${limit})
    ) x limit ${limit}`.execute(db);
  for (const r of dialogue.rows) await sql`select reporting_compact_funnel(${r.campaign_id}::uuid)`.execute(db);
  return new Set([...contacts.rows, ...dialogue.rows].map((r) => r.campaign_id)).size;
}
