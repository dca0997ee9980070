/**
 * A 1,000,000-contact campaign on PostgreSQL for the reporting benchmarks,
 * generated with set-based SQL (generate_series). Kept between runs in the
 * database `vsa_bench_reporting` (recreated with BENCH_RESET=1).
 *
 * Outcome mix (a mid-campaign snapshot of a consumer survey):
 *   30 % completed (1–3 attempts), 10 % refused, 18 % not reached after 3
 *   attempts (no answer / busy / failed), 10 % awaiting a retry, 27 % not yet
 *   called, 3 % excluded (do-not-call), 2 % in a call right now.
 * Attempts spread over 30 days of calling hours; talk time 20–400 s; answers:
 * q1 scale 1–10, q2 numeric 0–30, q3 free text from 500 phrasings.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import { createPgPool } from '../src/db/connect.js';
import { Migrator } from '../src/db/migrator.js';
import type { DB } from '../src/db/schema/index.js';
import { rebuildRollups } from '../src/commands/reporting/rollups.js';

export const BENCH_CAMPAIGN_ID = 'b0000000-0000-4000-8000-000000000001';
export const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const DB_NAME = 'vsa_bench_reporting';

export function adminUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function benchUrl(): string {
  const u = new URL(adminUrl());
  u.pathname = `/${DB_NAME}`;
  return u.toString();
}

const log = (msg: string) => process.stderr.write(`[fixture] ${msg}\n`);

export async function openBenchDb(poolMax = 4): Promise<Kysely<DB>> {
  const admin = createPgPool(adminUrl(), 1);
  try {
    if (process.env.BENCH_RESET === '1') await admin.query(`drop database if exists ${DB_NAME} with (force)`);
    const exists = await admin.query('select 1 from pg_database where datname = $1', [DB_NAME]);
    if (exists.rowCount === 0) await admin.query(`create database ${DB_NAME}`);
  } finally {
    await admin.end();
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPgPool(benchUrl(), poolMax) }) });
  await new Migrator(db).up();
  const have = await db.selectFrom('contacts').select(sql<number>`count(*)::int`.as('n')).where('campaign_id', '=', BENCH_CAMPAIGN_ID).executeTakeFirstOrThrow();
  if (have.n !== CONTACTS) await generate(db);
  return db;
}

async function generate(db: Kysely<DB>): Promise<void> {
  const started = Date.now();
  log(`generating ${CONTACTS} contacts…`);
  await sql`delete from campaigns where id = ${BENCH_CAMPAIGN_ID}`.execute(db);
  await sql`insert into campaigns (id, name, status, timezone, max_attempts, question_1_text, question_1_type, question_2_text, question_2_type, question_3_text, question_3_type)
    values (${BENCH_CAMPAIGN_ID}, 'Benchmark 1M', 'running', 'Europe/Rome', 3, 'Satisfaction 1-10?', 'scale', 'Calls this year?', 'numeric', 'What to improve?', 'free_text')`.execute(db);
  // Bulk load without the per-row roll-up triggers, then rebuild the roll-ups once.
  await sql`alter table call_attempts disable trigger call_attempts_reporting_rollup`.execute(db);
  await sql`alter table survey_responses disable trigger survey_responses_reporting_rollup`.execute(db);
  try {
    // bucket b = i % 100 decides the disposition
    await sql`
      insert into contacts (campaign_id, external_contact_id, phone_number, email, state, attempts_count, last_outcome, last_attempt_at, do_not_call)
      select ${BENCH_CAMPAIGN_ID}::uuid, 'EXT-' || i, '+393' || lpad(i::text, 9, '0'), 'p' || i || '@example.org',
        (case when b < 30 then 'completed' when b < 40 then 'refused' when b < 58 then 'not_reached'
              when b < 68 then 'pending' when b < 95 then 'pending' when b < 98 then 'excluded' else 'in_progress' end)::contact_state,
        case when b < 30 then 1 + i % 3 when b < 40 then 1 + i % 2 when b < 58 then 3 when b < 68 then 1 + i % 2
             when b < 95 then 0 when b < 98 then 0 else 1 end,
        (case when b < 30 then 'completed' when b < 40 then 'refused'
              when b < 58 then (array['no_answer', 'busy', 'failed'])[1 + i % 3]
              when b < 68 then (array['no_answer', 'busy'])[1 + i % 2] else null end)::call_outcome,
        case when b < 68 or b >= 98 then timestamptz '2026-01-05 08:00:00+00' + ((i::bigint * 7919) % (30 * 86400)) * interval '1 second' end,
        b between 95 and 97
      from (select i, i % 100 as b from generate_series(1, ${CONTACTS}::int) as i) g`.execute(db);
    log(`contacts in ${Date.now() - started} ms; attempts…`);
    await sql`
      insert into call_attempts (contact_id, campaign_id, attempt_number, call_id, provider_call_id, created_at, started_at, answered_at, ended_at, outcome)
      select c.id, c.campaign_id, n, gen_random_uuid()::text, 'CA' || md5(c.id::text || n),
        t0, t0,
        case when final and c.state in ('completed', 'refused') then t0 + interval '6 seconds' end,
        case when c.state = 'in_progress' and final then null
             when final and c.state in ('completed', 'refused') then t0 + interval '6 seconds' + (20 + (h % 380)) * interval '1 second'
             else t0 + interval '30 seconds' end,
        (case when c.state = 'in_progress' and final then null
              when final then c.last_outcome::text
              else (array['no_answer', 'busy'])[1 + n % 2] end)::call_outcome
      from contacts c
      cross join lateral generate_series(1, c.attempts_count) as n
      cross join lateral (select n = c.attempts_count as final, abs(hashtext(c.id::text)) as h) x
      cross join lateral (select coalesce(c.last_attempt_at, now()) - (c.attempts_count - n) * interval '1 day' as t0) y
      where c.campaign_id = ${BENCH_CAMPAIGN_ID} and c.attempts_count > 0`.execute(db);
    log(`attempts in ${Date.now() - started} ms; responses…`);
    await sql`
      insert into survey_responses (contact_id, campaign_id, call_attempt_id, q1_answer, q1_confidence, q2_answer, q2_confidence, q3_answer, q3_confidence, completed_at)
      select c.id, c.campaign_id, a.id, (1 + h % 10)::text, 0.9, (h % 31)::text, 0.8,
        'improvement idea number ' || (h % 500), 0.7, a.ended_at
      from contacts c
      join call_attempts a on a.contact_id = c.id and a.attempt_number = c.attempts_count
      cross join lateral (select abs(hashtext(c.id::text)) as h) x
      where c.campaign_id = ${BENCH_CAMPAIGN_ID} and c.state = 'completed'`.execute(db);
  } finally {
    await sql`alter table call_attempts enable trigger call_attempts_reporting_rollup`.execute(db);
    await sql`alter table survey_responses enable trigger survey_responses_reporting_rollup`.execute(db);
  }
  log(`responses in ${Date.now() - started} ms; roll-ups…`);
  await rebuildRollups(db, BENCH_CAMPAIGN_ID);
  await sql`vacuum analyze contacts`.execute(db);
  await sql`vacuum analyze call_attempts`.execute(db);
  await sql`vacuum analyze survey_responses`.execute(db);
  await sql`vacuum analyze reporting_call_hourly, reporting_call_durations, reporting_answer_counts`.execute(db);
  log(`fixture ready in ${Date.now() - started} ms`);
}

export function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
