/**
 * npm run bench:rollup-triggers — what migration 0012's roll-up triggers add to
 * the writes they watch, on PostgreSQL (DATABASE_URL: the server's admin URL;
 * a scratch database is created and dropped).
 *
 * Server-side (a DO block inserting into N distinct calls, so the trigger's
 * work is timed without client round trips), triggers on and off, alternated:
 *   - a dialogue turn that only feeds the latency histogram (intro, consent);
 *   - a Q1 turn whose contact reaches Q1 for the first time (mark + delta);
 *   - a Q1 turn of a contact already marked (one index probe, nothing written);
 *   - a consent record (mark, delta, the contact's group read FOR SHARE);
 *   - the claim-like update of 100 contacts (the consented-group statement trigger).
 * Client-side: single-row autocommit turn inserts, p50/p95, on vs off.
 * Prints one JSON object.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { createPgPool } from '../src/db/connect.js';
import { Migrator } from '../src/db/migrator.js';
import type { DB } from '../src/db/schema/index.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const admin = process.env.DATABASE_URL;
if (!admin) {
  console.error('bench:rollup-triggers needs DATABASE_URL (PostgreSQL)');
  process.exit(2);
}
const withDb = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const r2 = (n: number) => Math.round(n * 100) / 100;

const TRIGGERS = {
  turns: 'alter table dialogue_turns %s trigger dialogue_turns_reporting_rollup_insert',
  consent: 'alter table consent_records %s trigger consent_records_reporting_rollup',
  contacts: 'alter table contacts %s trigger contacts_reporting_consented_update',
} as const;
const toggle = (db: Kysely<DB>, which: keyof typeof TRIGGERS, on: boolean) =>
  sql.raw(TRIGGERS[which].replace('%s', on ? 'enable' : 'disable')).execute(db);

/** Runs a DO block and returns its server-side duration in ms (clock_timestamp around the loop). */
async function timedBlock(db: Kysely<DB>, body: string): Promise<number> {
  await sql.raw(`do $$ declare t0 timestamptz := clock_timestamp(); begin ${body}
    perform set_config('bench.ms', (extract(epoch from clock_timestamp() - t0) * 1000)::text, false); end $$`).execute(db);
  const r = await sql<{ ms: string }>`select current_setting('bench.ms') as ms`.execute(db);
  return Number(r.rows[0]!.ms);
}

async function main() {
  const name = `vsa_bench_rollup_${randomBytes(4).toString('hex')}`;
  const adminPool = createPgPool(admin!, 1);
  await adminPool.query(`create database "${name}"`);
  // One connection: the DO blocks and the session setting that carries their timing share it.
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPgPool(withDb(admin!, name), 1) }) });
  try {
    await new Migrator(db).up();
    const campaign = await sql<{ id: string }>`
      insert into campaigns (name, status, question_1_text, question_1_type, question_2_text, question_2_type, question_3_text, question_3_type)
      values ('bench', 'running', 'Q1', 'scale', 'Q2', 'numeric', 'Q3', 'free_text') returning id`.execute(db);
    const c = campaign.rows[0]!.id;
    await sql`
      insert into contacts (campaign_id, phone_number, state, attempts_count)
      select ${c}::uuid, '+3934' || lpad(i::text, 8, '0'), 'in_progress', 1 from generate_series(1, ${CALLS}::int) i`.execute(db);
    await sql`
      insert into call_attempts (contact_id, campaign_id, attempt_number, started_at, answered_at, answered_by)
      select id, campaign_id, 1, now(), now(), 'human' from contacts where campaign_id = ${c}`.execute(db);
    // Half of the contacts consented (the claim update then probes a mix of marked and unmarked rows).
    await sql`
      insert into consent_records (call_attempt_id, contact_id, campaign_id, consented_at, language, script_version, wording)
      select a.id, a.contact_id, a.campaign_id, now(), 'en', 'v1', 'May I?'
      from call_attempts a join contacts k on k.id = a.contact_id where a.campaign_id = ${c} and k.phone_number ~ '[02468]$'`.execute(db);
    await sql`vacuum analyze`.execute(db);

    let seq = 10;
    const turnLoop = (stage: string) => {
      seq++;
      return `for r in select id from call_attempts where campaign_id = '${c}' loop
        insert into dialogue_turns (call_attempt_id, sequence, stage, prompt, processing_ms) values (r.id, ${seq}, '${stage}', 'prompt', 7.5);
      end loop;`;
    };
    const declareLoop = (body: string) => body.replace('for r in', 'declare r record; begin for r in').replace(/end loop;$/, 'end loop; end;');
    const scenario = async (which: keyof typeof TRIGGERS, prepare: () => Promise<void>, body: () => string, rows: number, per = 'row') => {
      const on: number[] = [];
      const off: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        for (const enabled of i % 2 === 0 ? [true, false] : [false, true]) {
          await prepare();
          await toggle(db, which, enabled);
          (enabled ? on : off).push((await timedBlock(db, declareLoop(body()))) * 1000 / rows);
        }
      }
      await toggle(db, which, true);
      return { per, on_us: r2(median(on)), off_us: r2(median(off)), added_us: r2(median(on) - median(off)) };
    };
    const none = async () => {};
    const forgetQ1 = async () => void (await sql`delete from reporting_funnel_marks where step = 'q1'`.execute(db));

    const latencyOnly = await scenario('turns', none, () => turnLoop('consent'), CALLS);
    const firstQ1 = await scenario('turns', forgetQ1, () => turnLoop('q1'), CALLS);
    await sql.raw(`do $$ ${declareLoop(turnLoop('q1'))} $$`).execute(db); // every contact marked at Q1
    const repeatQ1 = await scenario('turns', none, () => turnLoop('q1'), CALLS);
    const consent = await scenario('consent', async () => {
      await toggle(db, 'consent', false);
      await sql`delete from consent_records`.execute(db);
      await sql`delete from reporting_funnel_marks where step = 'consent'`.execute(db);
    }, () => `for r in select id, contact_id, campaign_id from call_attempts where campaign_id = '${c}' loop
        insert into consent_records (call_attempt_id, contact_id, campaign_id, consented_at, language, script_version, wording)
        values (r.id, r.contact_id, r.campaign_id, now(), 'en', 'v1', 'May I?');
      end loop;`, CALLS);
    // Restore half consented for the contacts scenario.
    await toggle(db, 'consent', true);
    await sql`delete from consent_records`.execute(db);
    await sql`insert into consent_records (call_attempt_id, contact_id, campaign_id, consented_at, language, script_version, wording)
      select a.id, a.contact_id, a.campaign_id, now(), 'en', 'v1', 'May I?'
      from call_attempts a join contacts k on k.id = a.contact_id where a.campaign_id = ${c} and k.phone_number ~ '[02468]$'`.execute(db);
    const batches = Math.floor(CALLS / 100);
    // Vacuumed before each run: every run rewrites every contact, and the growing heap would favour whichever ran first.
    const vacuumContacts = async () => void (await sql`vacuum contacts`.execute(db));
    const claim = await scenario('contacts', vacuumContacts, () => `for r in select g from generate_series(0, ${batches - 1}) g loop
        update contacts set attempts_count = attempts_count + 1, state = 'in_progress'
        where id in (select id from contacts where campaign_id = '${c}' order by id offset r.g * 100 limit 100);
      end loop;`, batches, 'statement of 100 contacts');

    // Client-side: single-row autocommit inserts, interleaved on/off in blocks of 50.
    const ids = (await sql<{ id: string }>`select id from call_attempts where campaign_id = ${c} order by id`.execute(db)).rows.map((r) => r.id);
    const client = { on: [] as number[], off: [] as number[] };
    seq = 1000;
    for (let block = 0; block < 20; block++) {
      const enabled = block % 2 === 0;
      await toggle(db, 'turns', enabled);
      seq++;
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        await sql`insert into dialogue_turns (call_attempt_id, sequence, stage, prompt, processing_ms) values (${ids[(block * 50 + i) % ids.length]!}, ${seq}, 'q2', 'prompt', 7.5)`.execute(db);
        (enabled ? client.on : client.off).push(performance.now() - t0);
      }
    }
    await toggle(db, 'turns', true);
    const load = await import('node:os').then((os) => os.loadavg().map((x) => r2(x)));
    process.stdout.write(`${JSON.stringify({
      bench: 'rollup-triggers',
      date: new Date().toISOString(),
      machine: '2 cores',
      load_average: load,
      calls: CALLS,
      rounds: ROUNDS,
      server_side: {
        turn_latency_only: latencyOnly,
        turn_first_q1: firstQ1,
        turn_repeat_q1: repeatQ1,
        consent_record: consent,
        update_100_contacts: claim,
      },
      client_single_row_turn_insert_ms: {
        on: { p50: r2(pct(client.on, 0.5)), p95: r2(pct(client.on, 0.95)) },
        off: { p50: r2(pct(client.off, 0.5)), p95: r2(pct(client.off, 0.95)) },
      },
    })}\n`);
  } finally {
    await db.destroy();
    await adminPool.query(`drop database if exists "${name}" with (force)`);
    await adminPool.end();
  }
}

await main();
