/**
 * Campaign statistics: a handful of set-based queries, each index-backed, run
 * side by side on PostgreSQL (separate pool connections).
 *
 * - contacts grouped by (state, last_outcome, attempts_count), read from the
 *   counts that 0009's statement triggers keep (a few dozen rows, however
 *   many contacts); every total, rate, AAPOR count and most of the funnel
 *   come from these groups;
 * - reporting_call_hourly / reporting_call_durations / reporting_answer_counts:
 *   roll-ups that 0009's triggers keep exact, so time series, durations and
 *   answer distributions never scan call_attempts or survey_responses;
 * - the funnel, the consented (AAPOR partial) groups and the turn-latency
 *   histogram: roll-ups that 0012's triggers keep, read in one round trip,
 *   so nothing scans call_attempts, dialogue_turns or consent_records.
 * bench/stats.ts measures this against a bare `GROUP BY state`.
 */
import { sql, type Kysely } from 'kysely';
import type { CallOutcome, ContactState, DB, QuestionType } from '../../db/schema/index.js';
import { notFound } from '../../domain/errors.js';
import { aaporRates, countCategories, type AaporCounts, type AaporRates } from '../../domain/reporting/aapor.js';
import {
  freeTextTop, meanOfCounts, numericHistogram, percentileOfCounts, scaleHistogram,
  type AnswerCount, type AnswerDistribution,
} from '../../domain/reporting/distributions.js';
import { dialogueRollups, latencyP95, pendingTablesPresence, type Presence } from './pending-tables.js';

export interface StatsOptions {
  /** The instant the statistics are computed for (stamped as generatedAt). */
  now?: Date;
  /** How many free-text answers to list per question (default 10). */
  topAnswers?: number;
}

export interface SeriesPoint {
  /** Local start of the bucket in the campaign's time zone: `2026-03-02T14:00` or `2026-03-02`. */
  readonly start: string;
  readonly attempts: number;
  readonly answers: number;
  readonly completions: number;
}

export interface QuestionStats extends AnswerDistribution {
  readonly question: 1 | 2 | 3;
  readonly type: QuestionType;
  readonly text: string;
}

export interface CampaignStats {
  readonly campaignId: string;
  readonly campaignName: string;
  readonly status: string;
  readonly timezone: string;
  readonly generatedAt: string;
  readonly contacts: {
    readonly total: number;
    readonly byState: Record<string, number>;
    /** Key `none` = never finished an attempt. */
    readonly byLastOutcome: Record<string, number>;
  };
  readonly totals: {
    /** Contacts dialled at least once. */
    readonly attempted: number;
    readonly completed: number;
    readonly refused: number;
    /** not_reached with every allowed attempt used. */
    readonly notReachedFinal: number;
    /** Dialled, not final, may be called again. */
    readonly awaitingRetry: number;
    readonly excluded: number;
    /** Never dialled and not excluded. */
    readonly notYetCalled: number;
    readonly inProgress: number;
    /** Call attempts made (sum of attempt counts). */
    readonly callAttempts: number;
  };
  /** Share of attempted contacts; null when nobody was attempted yet. */
  readonly rates: { readonly completion: number | null; readonly refusal: number | null; readonly notReached: number | null };
  readonly aapor: { readonly counts: AaporCounts; readonly rates: AaporRates; readonly partialsAvailable: boolean };
  readonly series: { readonly hourly: readonly SeriesPoint[]; readonly daily: readonly SeriesPoint[] };
  readonly callDuration: { readonly answeredCalls: number; readonly avgSeconds: number | null; readonly p95Seconds: number | null };
  readonly turnLatency: { readonly p95Ms: number | null; readonly turns: number; readonly available: boolean };
  readonly questions: readonly QuestionStats[];
  readonly funnel: {
    readonly dialled: number;
    readonly answeredByPerson: number;
    readonly consented: number;
    readonly q1: number;
    readonly q2: number;
    readonly q3: number;
    readonly completed: number;
    /** true while the dialogue data (0006/0007) is absent and steps 2–6 are estimated from outcomes and answers. */
    readonly approximate: boolean;
  };
}

interface ContactGroup {
  state: ContactState;
  last_outcome: CallOutcome | null;
  attempts_count: number;
  n: number;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/**
 * Contacts by (state, last outcome, attempts): compacted counts plus pending
 * deltas, both kept by 0009's statement triggers on contacts — a few dozen
 * rows instead of a scan of every contact.
 */
export async function contactGroups(db: Kysely<DB>, campaignId: string): Promise<ContactGroup[]> {
  const r = await sql<ContactGroup>`
    select state, nullif(last_outcome, '') as last_outcome, attempts_count::int as attempts_count, sum(n)::int as n
    from (
      select state, last_outcome, attempts_count, contacts as n from reporting_contact_counts where campaign_id = ${campaignId}
      union all
      select state, last_outcome, attempts_count, delta from reporting_contact_deltas where campaign_id = ${campaignId}
    ) x
    group by 1, 2, 3
    having sum(n) <> 0`.execute(db);
  return r.rows;
}

async function loadCampaign(db: Kysely<DB>, campaignId: string) {
  const campaign = await db
    .selectFrom('campaigns')
    .select([
      'id', 'name', 'status', 'timezone', 'max_attempts',
      'question_1_text', 'question_1_type', 'question_1_scale_min', 'question_1_scale_max',
      'question_2_text', 'question_2_type', 'question_2_scale_min', 'question_2_scale_max',
      'question_3_text', 'question_3_type', 'question_3_scale_min', 'question_3_scale_max',
      // Folded into this round trip: do the dialogue tables (0007) exist yet?
      pendingTablesPresence.dialogueTurns.as('has_dialogue_turns'),
      pendingTablesPresence.consentRecords.as('has_consent_records'),
    ])
    .where('id', '=', campaignId)
    .executeTakeFirst();
  if (!campaign) throw notFound('campaign');
  return campaign;
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export async function getCampaignStats(db: Kysely<DB>, campaignId: string, opts: StatsOptions = {}): Promise<CampaignStats> {
  if (!isUuid(campaignId)) throw notFound('campaign');
  const now = opts.now ?? new Date();
  const topN = opts.topAnswers ?? 10;
  const campaign = await loadCampaign(db, campaignId);
  const presence: Presence = { dialogueTurns: campaign.has_dialogue_turns, consentRecords: campaign.has_consent_records };
  const questionTypes = [campaign.question_1_type, campaign.question_2_type, campaign.question_3_type];
  // For scale/numeric questions every distinct value is needed for the histogram (bounded at 10,000).
  const limits = questionTypes.map((t) => (t === 'free_text' ? topN : 10_000));

  const [groups, hourly, durations, answers, answerTotals, dialogue] = await Promise.all([
    contactGroups(db, campaignId),
    sql<{ local_hour: string; local_day: string; attempts: number; answers: number; completions: number }>`
      select to_char(hour at time zone ${campaign.timezone}, 'YYYY-MM-DD"T"HH24:MI') as local_hour,
             to_char(hour at time zone ${campaign.timezone}, 'YYYY-MM-DD') as local_day,
             attempts, answers, completions
      from reporting_call_hourly
      where campaign_id = ${campaignId} and (attempts <> 0 or answers <> 0 or completions <> 0)
      order by hour`.execute(db),
    db.selectFrom('reporting_call_durations').select(['seconds', 'calls'])
      .where('campaign_id', '=', campaignId).where('calls', '>', 0).execute(),
    sql<{ question: number; answer: string; responses: number }>`
      (select question, answer, responses from reporting_answer_counts
        where campaign_id = ${campaignId} and question = 1 and responses > 0 order by responses desc, answer limit ${limits[0]!})
      union all
      (select question, answer, responses from reporting_answer_counts
        where campaign_id = ${campaignId} and question = 2 and responses > 0 order by responses desc, answer limit ${limits[1]!})
      union all
      (select question, answer, responses from reporting_answer_counts
        where campaign_id = ${campaignId} and question = 3 and responses > 0 order by responses desc, answer limit ${limits[2]!})`.execute(db),
    db.selectFrom('reporting_answer_counts')
      .select(['question', sql<number>`sum(responses)::int`.as('responses'), sql<number>`count(*) filter (where responses > 0)::int`.as('distinct')])
      .where('campaign_id', '=', campaignId)
      .groupBy('question')
      .execute(),
    dialogueRollups(db, campaignId, presence),
    // Keeps the delta logs short; safe alongside the reads (one atomic transaction).
    sql`select reporting_compact_contact_counts(${campaignId}::uuid), reporting_compact_funnel(${campaignId}::uuid)`.execute(db),
  ]);
  const consented = dialogue?.consentedNotCompleted ?? [];
  const latency = dialogue ? latencyP95(dialogue.latency) : null;
  const dFunnel = dialogue?.funnel ?? null;

  // ── Contact totals ──
  const byState: Record<string, number> = {};
  const byLastOutcome: Record<string, number> = {};
  let total = 0;
  let attempted = 0;
  let notReachedFinal = 0;
  let awaitingRetry = 0;
  let notYetCalled = 0;
  let callAttempts = 0;
  for (const g of groups) {
    total += g.n;
    byState[g.state] = (byState[g.state] ?? 0) + g.n;
    const lo = g.last_outcome ?? 'none';
    byLastOutcome[lo] = (byLastOutcome[lo] ?? 0) + g.n;
    callAttempts += g.attempts_count * g.n;
    if (g.attempts_count > 0) attempted += g.n;
    if (g.state === 'not_reached') {
      if (g.attempts_count >= campaign.max_attempts) notReachedFinal += g.n;
      else awaitingRetry += g.n;
    }
    if (g.state === 'pending') {
      if (g.attempts_count > 0) awaitingRetry += g.n;
      else notYetCalled += g.n;
    }
  }
  const completed = byState.completed ?? 0;
  const refused = byState.refused ?? 0;

  // ── AAPOR ──
  const consentedByGroup = new Map(consented.map((c) => [`${c.state}|${c.last_outcome}|${c.attempts_count}`, c.consented]));
  const counts = countCategories(groups.map((g) => ({
    state: g.state,
    lastOutcome: g.last_outcome,
    attempts: g.attempts_count,
    count: g.n,
    consented: consentedByGroup.get(`${g.state}|${g.last_outcome}|${g.attempts_count}`) ?? 0,
  })));

  // ── Time series (hourly rows are UTC hours labelled in local time) ──
  const hourlySeries: SeriesPoint[] = hourly.rows.map((r) => ({ start: r.local_hour, attempts: r.attempts, answers: r.answers, completions: r.completions }));
  const dailyMap = new Map<string, { attempts: number; answers: number; completions: number }>();
  for (const r of hourly.rows) {
    const d = dailyMap.get(r.local_day) ?? { attempts: 0, answers: 0, completions: 0 };
    d.attempts += r.attempts;
    d.answers += r.answers;
    d.completions += r.completions;
    dailyMap.set(r.local_day, d);
  }
  const dailySeries = [...dailyMap].map(([start, v]) => ({ start, ...v }));

  // ── Durations ──
  const durationCounts = durations.map((d) => ({ value: d.seconds, count: d.calls }));
  const answeredCalls = durationCounts.reduce((s, d) => s + d.count, 0);
  const avg = meanOfCounts(durationCounts);

  // ── Answers ──
  const questions: QuestionStats[] = ([1, 2, 3] as const).map((q) => {
    const type = questionTypes[q - 1]!;
    const rows: AnswerCount[] = answers.rows.filter((r) => Number(r.question) === q).map((r) => ({ answer: r.answer, count: r.responses }));
    const totals = answerTotals.find((t) => Number(t.question) === q) ?? { responses: 0, distinct: 0 };
    const text = campaign[`question_${q}_text`];
    let dist: AnswerDistribution;
    if (type === 'scale') dist = scaleHistogram(rows, campaign[`question_${q}_scale_min`], campaign[`question_${q}_scale_max`]);
    else if (type === 'numeric') dist = numericHistogram(rows);
    else dist = freeTextTop(rows, { responses: totals.responses, distinct: totals.distinct }, topN);
    return { question: q, type, text, ...dist, responses: totals.responses, distinct: totals.distinct };
  });
  const answered = (q: number) => questions[q - 1]!.responses;

  // ── Funnel ──
  // Without dialogue data: a person answered when the contact completed or refused;
  // consent ≈ a stored response; Qn ≈ responses with an answer to question n.
  const funnel = dFunnel
    ? { dialled: attempted, ...dFunnel, completed, approximate: false }
    : {
        dialled: attempted,
        answeredByPerson: completed + refused + counts.P,
        consented: Math.max(completed + counts.P, answered(1)),
        q1: answered(1),
        q2: answered(2),
        q3: answered(3),
        completed,
        approximate: true,
      };

  return {
    campaignId,
    campaignName: campaign.name,
    status: campaign.status,
    timezone: campaign.timezone,
    generatedAt: now.toISOString(),
    contacts: { total, byState, byLastOutcome },
    totals: {
      attempted, completed, refused, notReachedFinal, awaitingRetry,
      excluded: byState.excluded ?? 0, notYetCalled, inProgress: byState.in_progress ?? 0, callAttempts,
    },
    rates: { completion: ratio(completed, attempted), refusal: ratio(refused, attempted), notReached: ratio(notReachedFinal, attempted) },
    aapor: { counts, rates: aaporRates(counts), partialsAvailable: presence.consentRecords === true },
    series: { hourly: hourlySeries, daily: dailySeries },
    callDuration: { answeredCalls, avgSeconds: avg === null ? null : Math.round(avg * 10) / 10, p95Seconds: percentileOfCounts(durationCounts, 0.95) },
    turnLatency: { p95Ms: latency?.p95Ms ?? null, turns: latency?.turns ?? 0, available: latency !== null },
    questions,
    funnel,
  };
}

export interface CampaignOverview {
  readonly campaignId: string;
  readonly name: string;
  readonly status: string;
  readonly contacts: number;
  readonly attempted: number;
  readonly completed: number;
  readonly refused: number;
  readonly notReached: number;
  readonly excluded: number;
  readonly inProgress: number;
  readonly completionRate: number | null;
}

/** Key counts of every campaign (not cancelled), for the campaign list: one grouped query over the kept counts. */
export async function getStatsOverview(db: Kysely<DB>): Promise<CampaignOverview[]> {
  const rows = await sql<{
    id: string; name: string; status: string; contacts: number; attempted: number; completed: number;
    refused: number; not_reached: number; excluded: number; in_progress: number;
  }>`
    select c.id, c.name, c.status::text as status,
           coalesce(sum(k.n), 0)::int as contacts,
           coalesce(sum(k.n) filter (where k.attempts_count > 0), 0)::int as attempted,
           coalesce(sum(k.n) filter (where k.state = 'completed'), 0)::int as completed,
           coalesce(sum(k.n) filter (where k.state = 'refused'), 0)::int as refused,
           coalesce(sum(k.n) filter (where k.state = 'not_reached'), 0)::int as not_reached,
           coalesce(sum(k.n) filter (where k.state = 'excluded'), 0)::int as excluded,
           coalesce(sum(k.n) filter (where k.state = 'in_progress'), 0)::int as in_progress
    from campaigns c
    left join (
      select campaign_id, state, attempts_count, contacts as n from reporting_contact_counts
      union all
      select campaign_id, state, attempts_count, delta from reporting_contact_deltas
    ) k on k.campaign_id = c.id
    where c.status <> 'cancelled'
    group by c.id
    order by c.created_at desc, c.id`.execute(db);
  return rows.rows.map((r) => ({
    campaignId: r.id,
    name: r.name,
    status: r.status,
    contacts: r.contacts,
    attempted: r.attempted,
    completed: r.completed,
    refused: r.refused,
    notReached: r.not_reached,
    excluded: r.excluded,
    inProgress: r.in_progress,
    completionRate: ratio(r.completed, r.attempted),
  }));
}
