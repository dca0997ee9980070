/**
 * A 1,000,000-contact campaign on PostgreSQL for the reporting benchmarks,
 * generated with set-based SQL (generate_series). Kept between runs in the
 * database `vsa_bench_reporting` (`BENCH_DB` names another; recreated with
 * BENCH_RESET=1, or automatically when it holds an older FIXTURE_VERSION).
 *
 * Outcome mix (a mid-campaign snapshot of a consumer survey, dialogue era;
 * shares of contacts):
 *   30 % completed (1–3 attempts; the last answered by a person: intro,
 *        consent, Q1, Q2, Q3 turns, a consent record, a response);
 *   10 % refused (1–2 attempts, answered by a person): 8 % at the consent
 *        question (intro, consent turns), 2 % after consenting, during Q1
 *        (consent record; intro, consent, Q1 turns) — AAPOR partials;
 *   18 % not reached after 3 attempts: last outcome no answer 6 %, busy 5 %,
 *        voicemail 3 % (answered by a machine, no dialogue), failed 4 % — of
 *        which 2 % network failures and 2 % break-offs (a person consented,
 *        answered Q1 and hung up at Q2: partials);
 *   10 % awaiting a retry (1–2 attempts): no answer / busy 8 %, break-offs
 *        2 % (consented, hung up at Q1: partials);
 *   27 % never called; 3 % excluded (do-not-call);
 *    2 % in a call right now (answered by a person, consented, at Q1).
 * Earlier attempts are no answer / busy. Attempts spread over 30 days of
 * calling hours; talk time 20–400 s; answers: q1 scale 1–10, q2 numeric 0–30,
 * q3 free text from 500 phrasings. Turn processing time: intro 0.5–2 ms,
 * answers 85 % rules 2–14 ms and 15 % LLM 250–800 ms; a hang-up turn has none.
 * About 1.46 M attempts, 1.9 M dialogue turns, 380,000 consent records.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import { createPgPool } from '../src/db/connect.js';
import { Migrator } from '../src/db/migrator.js';
import type { DB } from '../src/db/schema/index.js';
import { rebuildRollups } from '../src/commands/reporting/rollups.js';

export const BENCH_CAMPAIGN_ID = 'b0000000-0000-4000-8000-000000000001';
export const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const DB_NAME = process.env.BENCH_DB ?? 'vsa_bench_reporting';
/** Bump when the generated data changes: an older fixture is then dropped and generated again. */
const FIXTURE_VERSION = 2;
const CAMPAIGN_NAME = `Benchmark 1M (fixture ${FIXTURE_VERSION})`;

export function adminUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function benchUrl(): string {
  const u = new URL(adminUrl());
  u.pathname = `/${DB_NAME}`;
  return u.toString();
}

const log = (msg: string) => process.stderr.write(`[fixture] ${msg}\n`);

async function createDb(reset: boolean): Promise<void> {
  const admin = createPgPool(adminUrl(), 1);
  try {
    if (reset) await admin.query(`drop database if exists ${DB_NAME} with (force)`);
    const exists = await admin.query('select 1 from pg_database where datname = $1', [DB_NAME]);
    if (exists.rowCount === 0) await admin.query(`create database ${DB_NAME}`);
  } finally {
    await admin.end();
  }
}

const connect = (poolMax: number) => new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPgPool(benchUrl(), poolMax) }) });

/** Is the fixture there, at this size and version? Read without migrating (an older fixture may predate our migrations). */
async function current(): Promise<boolean> {
  const db = connect(1);
  try {
    const r = await sql<{ name: string | null; n: number }>`
      select (select name from campaigns where id = ${BENCH_CAMPAIGN_ID}) as name,
             (select count(*)::int from contacts where campaign_id = ${BENCH_CAMPAIGN_ID}) as n`.execute(db);
    return r.rows[0]?.name === CAMPAIGN_NAME && r.rows[0].n === CONTACTS;
  } catch {
    return false; // empty database: no tables yet
  } finally {
    await db.destroy();
  }
}

export async function openBenchDb(poolMax = 4): Promise<Kysely<DB>> {
  await createDb(process.env.BENCH_RESET === '1');
  const fresh = await current();
  // A stale fixture is dropped rather than deleted row by row (a cascaded delete of a million contacts runs every trigger).
  if (!fresh) await createDb(true);
  const db = connect(poolMax);
  await new Migrator(db).up();
  if (!fresh) await generate(db);
  return db;
}

const USER_TRIGGER_TABLES = ['call_attempts', 'survey_responses', 'dialogue_turns', 'consent_records'] as const;

async function generate(db: Kysely<DB>): Promise<void> {
  const started = Date.now();
  log(`generating ${CONTACTS} contacts (fixture ${FIXTURE_VERSION})…`);
  await sql`insert into campaigns (id, name, status, timezone, max_attempts, question_1_text, question_1_type, question_2_text, question_2_type, question_3_text, question_3_type)
    values (${BENCH_CAMPAIGN_ID}, ${CAMPAIGN_NAME}, 'running', 'Europe/Rome', 3, 'Satisfaction 1-10?', 'scale', 'Calls this year?', 'numeric', 'What to improve?', 'free_text')`.execute(db);
  // Bulk load without the per-row roll-up triggers (0009, 0012), then rebuild the roll-ups once.
  // The statement-level contact-count triggers stay on: one delta row per group.
  for (const t of USER_TRIGGER_TABLES) await sql`alter table ${sql.table(t)} disable trigger user`.execute(db);
  try {
    // bucket b = i % 100 decides the disposition (see the mix above)
    await sql`
      insert into contacts (campaign_id, external_contact_id, phone_number, email, state, attempts_count, last_outcome, last_attempt_at, do_not_call)
      select ${BENCH_CAMPAIGN_ID}::uuid, 'EXT-' || i, '+393' || lpad(i::text, 9, '0'), 'p' || i || '@example.org',
        (case when b < 30 then 'completed' when b < 40 then 'refused' when b < 58 then 'not_reached'
              when b < 68 then 'pending' when b < 95 then 'pending' when b < 98 then 'excluded' else 'in_progress' end)::contact_state,
        case when b < 30 then 1 + i % 3 when b < 40 then 1 + i % 2 when b < 58 then 3 when b < 68 then 1 + i % 2
             when b < 95 then 0 when b < 98 then 0 else 1 end,
        (case when b < 30 then 'completed' when b < 40 then 'refused'
              when b < 46 then 'no_answer' when b < 51 then 'busy' when b < 54 then 'voicemail' when b < 58 then 'failed'
              when b < 66 then (array['no_answer', 'busy'])[1 + i % 2] when b < 68 then 'failed' else null end)::call_outcome,
        case when b < 68 or b >= 98 then timestamptz '2026-01-05 08:00:00+00' + ((i::bigint * 7919) % (30 * 86400)) * interval '1 second' end,
        b between 95 and 97
      from (select i, i % 100 as b from generate_series(1, ${CONTACTS}::int) as i) g`.execute(db);
    log(`contacts in ${Date.now() - started} ms; attempts…`);
    // Dispositions by external id: b = i % 100 again. talk: a person (or a machine) answered the last attempt.
    await sql`
      insert into call_attempts (contact_id, campaign_id, attempt_number, call_id, provider_call_id, created_at, started_at,
                                 answered_at, answered_by, ended_at, outcome, error_code)
      select c.id, c.campaign_id, n, gen_random_uuid()::text, 'CA' || md5(c.id::text || n),
        t0, t0,
        case when talk then t0 + interval '6 seconds' end,
        case when talk then (case when b between 51 and 53 then 'machine' else 'human' end) end,
        case when c.state = 'in_progress' and final then null
             when talk then t0 + interval '6 seconds' + (20 + (h % 380)) * interval '1 second'
             else t0 + interval '30 seconds' end,
        (case when c.state = 'in_progress' and final then null
              when final then c.last_outcome::text
              else (array['no_answer', 'busy'])[1 + n % 2] end)::call_outcome,
        case when final and b in (54, 55, 66, 67) then 'break_off' end
      from contacts c
      cross join lateral (select substr(c.external_contact_id, 5)::int % 100 as b) k
      cross join lateral generate_series(1, c.attempts_count) as n
      cross join lateral (select n = c.attempts_count as final, abs(hashtext(c.id::text)) as h) x
      cross join lateral (select final and (c.state in ('completed', 'refused', 'in_progress') or b between 51 and 55 or b in (66, 67)) as talk) y
      cross join lateral (select coalesce(c.last_attempt_at, now()) - (c.attempts_count - n) * interval '1 day' as t0) z
      where c.campaign_id = ${BENCH_CAMPAIGN_ID} and c.attempts_count > 0`.execute(db);
    log(`attempts in ${Date.now() - started} ms; dialogue turns…`);
    // The stages each answered-by-a-person last call went through; a break-off's last turn is the hang-up (no processing time).
    await sql`
      insert into dialogue_turns (call_attempt_id, sequence, stage, prompt, heard_text, interpreter, processing_ms, created_at)
      select a.id, s.seq - 1, s.stage,
        case s.stage when 'intro' then 'Hello, this is an automated assistant calling for Example Ltd. May I ask three questions?'
                     when 'consent' then 'Thank you. From 1 to 10, how satisfied are you?' else 'Thank you. Next question, please.' end,
        case when hangup then null when s.stage = 'intro' then null else 'answer ' || (h2 % 10) end,
        case when hangup or s.stage = 'intro' then null when h2 % 100 < 85 then 'rules' else 'llm' end,
        case when hangup then null
             when s.stage = 'intro' then round(0.5 + (h2 % 1500) / 1000.0, 3)
             when h2 % 100 < 85 then round(2 + (h2 % 12000) / 1000.0, 3)
             else round(250 + (h2 % 550000) / 1000.0, 3) end,
        a.answered_at + (s.seq - 1) * interval '15 seconds'
      from contacts c
      cross join lateral (select substr(c.external_contact_id, 5)::int % 100 as b) k
      join call_attempts a on a.contact_id = c.id and a.attempt_number = c.attempts_count
      cross join lateral unnest(case
          when c.state = 'completed' then array['intro', 'consent', 'q1', 'q2', 'q3']
          when c.state = 'refused' and b < 38 then array['intro', 'consent']
          when c.state = 'refused' then array['intro', 'consent', 'q1']
          when b in (54, 55) then array['intro', 'consent', 'q1', 'q2']
          when b in (66, 67) then array['intro', 'consent', 'q1']
          when c.state = 'in_progress' then array['intro', 'consent'] end) with ordinality as s(stage, seq)
      cross join lateral (select abs(hashtext(a.id::text || s.seq)) as h2,
                                 (b in (54, 55) and s.stage = 'q2') or (b in (66, 67) and s.stage = 'q1') as hangup) x
      where c.campaign_id = ${BENCH_CAMPAIGN_ID} and a.answered_by = 'human'`.execute(db);
    log(`turns in ${Date.now() - started} ms; consent records…`);
    await sql`
      insert into consent_records (call_attempt_id, contact_id, campaign_id, consented_at, language, script_version, wording, heard_text)
      select a.id, c.id, c.campaign_id, a.answered_at + interval '20 seconds', 'en', md5('consent wording v1'),
        'This call is made by an automated assistant on behalf of Example Ltd and is recorded. May I ask you three short questions?', 'yes'
      from contacts c
      cross join lateral (select substr(c.external_contact_id, 5)::int % 100 as b) k
      join call_attempts a on a.contact_id = c.id and a.attempt_number = c.attempts_count
      where c.campaign_id = ${BENCH_CAMPAIGN_ID} and a.answered_by = 'human'
        and (c.state in ('completed', 'in_progress') or (c.state = 'refused' and b >= 38) or b in (54, 55, 66, 67))`.execute(db);
    log(`consent records in ${Date.now() - started} ms; responses…`);
    await sql`
      insert into survey_responses (contact_id, campaign_id, call_attempt_id, q1_answer, q1_confidence, q2_answer, q2_confidence, q3_answer, q3_confidence, completed_at)
      select c.id, c.campaign_id, a.id, (1 + h % 10)::text, 0.9, (h % 31)::text, 0.8,
        'improvement idea number ' || (h % 500), 0.7, a.ended_at
      from contacts c
      join call_attempts a on a.contact_id = c.id and a.attempt_number = c.attempts_count
      cross join lateral (select abs(hashtext(c.id::text)) as h) x
      where c.campaign_id = ${BENCH_CAMPAIGN_ID} and c.state = 'completed'`.execute(db);
  } finally {
    for (const t of USER_TRIGGER_TABLES) await sql`alter table ${sql.table(t)} enable trigger user`.execute(db);
  }
  log(`responses in ${Date.now() - started} ms; roll-ups…`);
  await rebuildRollups(db, BENCH_CAMPAIGN_ID);
  await sql`vacuum analyze contacts`.execute(db);
  await sql`vacuum analyze call_attempts`.execute(db);
  await sql`vacuum analyze survey_responses`.execute(db);
  await sql`vacuum analyze dialogue_turns`.execute(db);
  await sql`vacuum analyze consent_records`.execute(db);
  await sql`vacuum analyze reporting_call_hourly, reporting_call_durations, reporting_answer_counts`.execute(db);
  await sql`vacuum analyze reporting_funnel_marks, reporting_funnel_counts, reporting_consented_counts, reporting_turn_latency`.execute(db);
  log(`fixture ready in ${Date.now() - started} ms`);
}

export function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
