/**
 * npm run bench:turn — our share of a dialogue turn on PostgreSQL.
 *
 * 50 simulated calls run at once, each: answered → "yes" → scale answer →
 * numeric answer → free text (5 webhooks), with a random 100–600 ms pause
 * between turns (real turns are seconds apart; the pause only spreads load).
 * Each turn's time is runDialogueTurn/startDialogue wall time: load state,
 * interpret, step, persist (turn, transcript, consent, outcome transaction).
 *
 * Scenarios: the rules interpreter; an LLM stub answering in 300 ms; an LLM
 * stub that never answers (every turn must still end within budget + 50 ms).
 * Reference measured in the same run: a one-row INSERT transaction under the
 * same concurrency. Needs DATABASE_URL (a server where we may create a database).
 * Prints one JSON object.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { LlmInterpreter } from '../src/adapters/llm/llm-interpreter.js';
import { runDialogueTurn, startDialogue, type DialogueDeps } from '../src/commands/dialogue/index.js';
import { createPgPool } from '../src/db/connect.js';
import { Migrator } from '../src/db/migrator.js';
import type { DB } from '../src/db/schema/index.js';
import { interpretRules } from '../src/domain/interpreter/rules.js';
import { rulesInterpreter } from '../src/domain/interpreter/rules-interpreter.js';
import type { Interpreter } from '../src/domain/ports/interpreter.js';
import { LlmError, type LlmGateway } from '../src/domain/ports/llm.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 50);
const DEBUG = process.env.BENCH_DEBUG === "1";
const BUDGET_MS = 800;
const url = process.env.DATABASE_URL;
if (!url) {
  console.log(JSON.stringify({ error: 'set DATABASE_URL to a PostgreSQL server (the bench creates and drops its own database)' }));
  process.exit(1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};
const summary = (xs: number[]) => ({ n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), max: pct(xs, 100) });

/** An in-process LLM stand-in: answers like the rules after `delayMs`, or never (until aborted). */
function stubGateway(delayMs: number | 'never'): LlmGateway {
  return {
    provider: 'stub',
    model: 'stub',
    complete(req) {
      return new Promise((resolve, reject) => {
        const onAbort = () => reject(new LlmError('aborted', 'aborted'));
        req.signal?.addEventListener('abort', onAbort, { once: true });
        if (delayMs === 'never') return;
        setTimeout(() => {
          const utterance = (JSON.parse(req.messages[0]!.content) as { utterance: string }).utterance;
          const stage = req.system.includes('agrees to answer') ? 'consent' : 'answer';
          const expected = /Expected answer: ([^.]*)\./.exec(req.system)?.[1] ?? '';
          const type = expected.startsWith('an integer') ? 'scale' : expected === 'a number' ? 'numeric' : 'free_text';
          const r = interpretRules({ stage, questionType: type, scale: [1, 10], language: 'en', text: utterance });
          resolve({ text: JSON.stringify({ intent: r.intent, value: r.value ?? null, confidence: r.confidence }), model: 'stub' });
        }, delayMs);
      });
    },
  };
}

async function main() {
  const admin = createPgPool(url!, 1);
  const name = `vsa_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database "${name}"`);
  const u = new URL(url!);
  u.pathname = `/${name}`;
  const pool = createPgPool(u.toString(), 10);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  try {
    await new Migrator(db).up();
    await sql`create table bench_reference (id serial primary key, v text)`.execute(db);

    async function makeCalls(n: number): Promise<string[]> {
      const [campaign] = await db
        .insertInto('campaigns')
        .values({ name: `bench ${randomBytes(3).toString('hex')}`, status: 'running', intro_script: 'Hello, this is an automated assistant calling for Example Ltd. Three questions, two minutes.', question_1_text: 'From 1 to 10, how satisfied are you?', question_1_type: 'scale', question_2_text: 'How many times did you call us this year?', question_2_type: 'numeric', question_3_text: 'What should we improve?', question_3_type: 'free_text' })
        .returning('id')
        .execute();
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const phone = `+39347${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
        const c = await db.insertInto('contacts').values({ campaign_id: campaign!.id, phone_number: phone, state: 'in_progress', attempts_count: 1 }).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
        if (!c) {
          i--;
          continue;
        }
        const a = await db.insertInto('call_attempts').values({ contact_id: c.id, campaign_id: campaign!.id, attempt_number: 1, started_at: new Date() }).returning('call_id').executeTakeFirstOrThrow();
        ids.push(a.call_id);
      }
      return ids;
    }

    async function scenario(interpreter: Interpreter) {
      const callIds = await makeCalls(CALLS);
      const deps: DialogueDeps = { actionUrl: (id) => `/webhooks/speech/${id}`, interpreter };
      const turns: number[] = [];
      let completed = 0;
      await Promise.all(
        callIds.map(async (callId) => {
          await sleep(Math.random() * 500);
          let t0 = performance.now();
          await startDialogue(db, { callId, now: new Date() }, deps);
          turns.push(performance.now() - t0);
          let last;
          for (const speech of ['yes, go ahead', 'I would say eight', 'about twelve times', 'shorter waiting times on the phone']) {
            await sleep(100 + Math.random() * 500);
            t0 = performance.now();
            last = await runDialogueTurn(db, { callId, speech, asrConfidence: 0.9, now: new Date() }, deps);
            turns.push(performance.now() - t0);
            if (DEBUG) console.error(speech, '→', JSON.stringify(last.say.map((x) => x.text)), Math.round(performance.now() - t0));
          }
          if (last?.hangup) completed++;
        }),
      );
      return { turns_ms: summary(turns), completed_calls: completed };
    }

    async function reference() {
      const xs: number[] = [];
      await Promise.all(
        Array.from({ length: CALLS }, async () => {
          for (let i = 0; i < 5; i++) {
            await sleep(100 + Math.random() * 500);
            const t0 = performance.now();
            await db.transaction().execute((trx) => trx.insertInto('bench_reference' as never).values({ v: 'x' } as never).execute());
            xs.push(performance.now() - t0);
          }
        }),
      );
      return summary(xs);
    }

    // Warm-up: JIT, connection pool, catalog caches; not measured.
    await scenario(rulesInterpreter);
    const ref = await reference();
    const rules = await scenario(rulesInterpreter);
    const slowLlm = new LlmInterpreter({ gateway: stubGateway(300), budgetMs: BUDGET_MS, persistReserveMs: 30 });
    const llm300 = await scenario(slowLlm);
    const deadLlm = new LlmInterpreter({ gateway: stubGateway('never'), budgetMs: BUDGET_MS, persistReserveMs: 30 });
    const llmNever = await scenario(deadLlm);
    const result = {
      bench: 'turn',
      date: new Date().toISOString(),
      calls: CALLS,
      turns_per_call: 5,
      pool_max: 10,
      reference_insert_txn_ms: ref,
      rules: { ...rules, target_p95_ms: 15, ok: rules.turns_ms.p95 <= 15 },
      llm_stub_300ms: { ...llm300, fallbacks: slowLlm.fallbacks, target_p95_ms: 330, ok: llm300.turns_ms.p95 <= 330 },
      llm_stub_never: { ...llmNever, fallbacks: deadLlm.fallbacks, budget_ms: BUDGET_MS, target_max_ms: BUDGET_MS + 50, ok: llmNever.turns_ms.max <= BUDGET_MS + 50 },
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await db.destroy();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

await main();
