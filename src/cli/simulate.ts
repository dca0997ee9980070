/**
 * `voicesurvey simulate`: an end-to-end run of the calling engine against the
 * built-in Twilio-protocol simulator, on the configured database (embedded or
 * DATABASE_URL, migrated on the way). Creates its own campaign and contacts,
 * runs the product (`all` role: webhooks, scheduler, reconciler) until the
 * campaign completes, and prints a JSON summary as its last line.
 */
import { Option, type Command } from 'commander';
import { sql } from 'kysely';
import { buildApp } from '../app.js';
import type { Config } from '../config.js';
import { campaignCounts, checkCallingInvariants, type Violation } from '../commands/calling/invariants.js';
import type { Database } from '../db/connect.js';
import { openDatabase } from '../db/connect.js';
import { Migrator } from '../db/migrator.js';
import type { Logger } from '../observability/logger.js';
import { useDemoEmailTemplates } from '../commands/email/demo.js';
import { defaultHandleAnswer, defaultHandleSpeech } from '../http/webhooks/telephony.js';
import { CliError, EXIT, type CliContext } from './context.js';

export interface SimulateOptions {
  readonly contacts: number;
  readonly mix: string;
  readonly seed: number;
  readonly fast: boolean;
  /** Our calls per second (the simulator itself is unlimited, so it measures ours). */
  readonly cps: number;
  /** Our live-call limit (the simulator is unlimited, so it measures ours). */
  readonly maxConcurrent: number;
  readonly maxAttempts: number;
  /** Simulator chaos, e.g. `duplicate=0.1,reorder=0.1,drop=0.02`. */
  readonly chaos?: Config['telephony']['simulator']['chaos'];
  readonly timeoutMs: number;
  /** false: answered calls get a short placeholder instead of the survey (calling-engine tests). */
  readonly dialogue?: boolean;
}

export interface SimulationSummary {
  readonly campaignId: string;
  readonly contacts: number;
  readonly campaignStatus: string;
  readonly contactsByState: Record<string, number>;
  readonly attemptsByOutcome: Record<string, number>;
  readonly closedNotReached: number;
  readonly limits: { readonly cps: number; readonly maxConcurrent: number };
  readonly observed: { readonly maxConcurrency: number; readonly maxCps: number; readonly maxLiveAttemptsPerContact: number };
  readonly simulator: { readonly callsCreated: number; readonly callsRejected: Record<string, number>; readonly outcomes: Record<string, number>; readonly callbacks: Record<string, number> };
  /** Follow-up emails (file mailer: `.eml` files under the data directory). */
  readonly emails: Record<string, number>;
  readonly durationMs: number;
  readonly violations: number;
  readonly violationDetails: readonly Violation[];
}

/** Runs one simulation on `database` (migrated here). */
export async function runSimulation(base: Config, log: Logger, database: Database, o: SimulateOptions): Promise<SimulationSummary> {
  await new Migrator(database.db, { log }).up();
  const config: Config = {
    ...base,
    http: { host: '127.0.0.1', port: 0 },
    database: base.database.engine === 'postgres' ? { ...base.database, migrateOnStart: false } : base.database,
    calling: {
      ...base.calling,
      cps: o.cps,
      maxConcurrentCalls: o.maxConcurrent,
      windowGuardMinutes: 0,
      tickMs: o.fast ? 25 : base.calling.tickMs,
      reconcileIntervalMs: o.fast ? 250 : base.calling.reconcileIntervalMs,
      // Fast mode: waiting for a final callback that never comes (chaos drops it) is compressed too.
      reconcileMarginSeconds: o.fast ? 5 : base.calling.reconcileMarginSeconds,
    },
    telephony: {
      ...base.telephony,
      provider: 'simulator',
      machineDetection: 'Enable',
      simulator: { ...base.telephony.simulator, port: 0, fast: o.fast, seed: o.seed, mix: o.mix, cps: 0, maxConcurrent: 0, chaos: o.chaos ?? {} },
    },
  };
  // Fresh contacts every run: numbers derived from the seed and the run.
  const run = Date.now() % 1_000_000;
  const campaign = await database.db
    .insertInto('campaigns')
    .values({
      name: `Simulation seed ${o.seed} (${new Date().toISOString()})`,
      status: 'running',
      intro_script: 'Hello, this is a simulated survey call.',
      question_1_text: 'How satisfied are you from 1 to 10?', question_1_type: 'scale',
      question_2_text: 'How many times did you visit us?', question_2_type: 'numeric',
      question_3_text: 'What should we improve?', question_3_type: 'free_text',
      max_attempts: o.maxAttempts,
      retry_interval_minutes: o.fast ? 0 : 1,
      allowed_call_start_local: '00:00', allowed_call_end_local: '23:59:59',
      allowed_weekdays: [1, 2, 3, 4, 5, 6, 7],
      require_prior_consent: true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (let i = 0; i < o.contacts; i += 1000) {
    const rows = [];
    for (let j = i; j < Math.min(o.contacts, i + 1000); j++) {
      rows.push({ campaign_id: campaign.id, phone_number: `+3934${String(run).padStart(6, '0')}${String(j).padStart(5, '0')}`.slice(0, 16), has_prior_consent: true, email: `respondent-${j}@example.org` });
    }
    await database.db.insertInto('contacts').values(rows).execute();
  }

  // The demo templates, so every outcome sends a follow-up email (file mailer unless configured).
  await useDemoEmailTemplates(database.db, campaign.id);

  const started = Date.now();
  const staleAfter = o.fast ? 5 : undefined;
  const app = await buildApp(config, log, {
    role: 'all', database,
    ...(o.dialogue === false ? { handleAnswer: defaultHandleAnswer, handleSpeech: defaultHandleSpeech } : {}),
    // Fast mode: a turn in flight when the person hangs up gets 300 ms (turns take milliseconds here).
    ...(o.fast ? { hangUpGraceMs: 300 } : {}),
    ...(staleAfter ? { reconciler: { staleAfterSeconds: staleAfter, unplacedAfterSeconds: 5 } } : {}),
  });
  let maxLive = 0;
  let status = 'running';
  try {
    await app.start();
    while (Date.now() - started < o.timeoutMs) {
      const live = await sql<{ n: number }>`SELECT coalesce(max(n), 0)::int AS n FROM (SELECT count(*) AS n FROM call_attempts
        WHERE campaign_id = ${campaign.id} AND outcome IS NULL GROUP BY contact_id) x`.execute(database.db);
      maxLive = Math.max(maxLive, Number(live.rows[0]?.n ?? 0));
      status = (await database.db.selectFrom('campaigns').select('status').where('id', '=', campaign.id).executeTakeFirstOrThrow()).status;
      if (status === 'completed') break;
      await new Promise((r) => setTimeout(r, o.fast ? 50 : 500));
    }
    // Let the outbox turn the final events into emails and send them.
    const drainUntil = Date.now() + (o.fast ? 20_000 : 60_000);
    while (status === 'completed' && Date.now() < drainUntil) {
      const pending = await sql<{ n: number }>`SELECT
          (SELECT count(*) FROM events WHERE campaign_id = ${campaign.id} AND notified_at IS NULL)
        + (SELECT count(*) FROM email_notifications WHERE campaign_id = ${campaign.id} AND status = 'pending') AS n`.execute(database.db);
      if (Number(pending.rows[0]?.n ?? 0) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await app.scheduler?.stop();
    await app.telephony.simulator?.idle().catch(() => {});
    await app.stop();
  }
  const sim = app.telephony.simulator!.stats();
  const counts = await campaignCounts(database.db, campaign.id);
  const details: Violation[] = [
    ...(await checkCallingInvariants(database.db, campaign.id, { settled: status === 'completed' })),
    ...(await checkSurveyInvariants(database, campaign.id, { settled: status === 'completed' })),
  ];
  const emails = Object.fromEntries(
    (await database.db.selectFrom('email_notifications').select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('campaign_id', '=', campaign.id).groupBy('status').execute()).map((r) => [r.status, Number(r.n)]),
  );
  if (maxLive > 1) details.push({ rule: 'two_live_calls_for_one_contact', count: maxLive });
  if (sim.maxConcurrency > o.maxConcurrent) details.push({ rule: 'max_concurrency_exceeded', count: sim.maxConcurrency });
  if (sim.maxCps > Math.ceil(o.cps)) details.push({ rule: 'cps_exceeded', count: sim.maxCps });
  if (status !== 'completed') details.push({ rule: 'not_finished_in_time', count: 1 });
  return {
    campaignId: campaign.id,
    contacts: o.contacts,
    campaignStatus: status,
    ...counts,
    limits: { cps: o.cps, maxConcurrent: o.maxConcurrent },
    observed: { maxConcurrency: sim.maxConcurrency, maxCps: sim.maxCps, maxLiveAttemptsPerContact: maxLive },
    simulator: { callsCreated: sim.callsCreated, callsRejected: { ...sim.callsRejected }, outcomes: { ...sim.outcomes }, callbacks: { ...sim.callbacks } as Record<string, number> },
    emails: { sent: 0, failed: 0, pending: 0, ...emails },
    durationMs: Date.now() - started,
    violations: details.reduce((a, v) => a + v.count, 0),
    violationDetails: details,
  };
}

/**
 * What the conversation must guarantee, checked on the stored data:
 * - `one_response`: each completed contact has exactly one survey response, linked to its last attempt
 *   (an answer may be empty when it was flagged for review after repeated silence);
 * - `one_final_event`: each completed or refused contact has exactly one matching final event;
 * - `final_events`: each finished contact (completed, refused, or closed as not reached) has exactly
 *   one final event of any kind, on its last attempt, and every other contact none;
 * - `question_before_consent`: no attempt heard a question without a consent record first;
 * - `dialogue_open` (settled runs): no attempt with an outcome whose dialogue is still running.
 */
async function checkSurveyInvariants(database: Database, campaignId: string, opts: { settled: boolean }): Promise<Violation[]> {
  const checks: [string, ReturnType<typeof sql<{ n: number }>>][] = [
    ['one_response', sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts c
      WHERE c.campaign_id = ${campaignId} AND c.state = 'completed'
        AND ((SELECT count(*) FROM survey_responses r WHERE r.contact_id = c.id) <> 1
          OR NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.contact_id = c.id
                           AND r.call_attempt_id = (SELECT a.id FROM call_attempts a WHERE a.contact_id = c.id
                                                    ORDER BY a.attempt_number DESC LIMIT 1)))`],
    ['one_final_event', sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts c
      WHERE c.campaign_id = ${campaignId} AND c.state IN ('completed', 'refused')
        AND (SELECT count(*) FROM events e WHERE e.contact_id = c.id
              AND e.event_type = CASE c.state WHEN 'completed' THEN 'survey.completed'::event_type ELSE 'survey.refused'::event_type END) <> 1`],
    ['final_events', sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts c
      WHERE c.campaign_id = ${campaignId}
        AND ((SELECT count(*) FROM events e WHERE e.contact_id = c.id)
               <> CASE WHEN c.state IN ('completed', 'refused') OR (c.state = 'not_reached' AND c.closed_at IS NOT NULL) THEN 1 ELSE 0 END
             OR EXISTS (SELECT 1 FROM events e WHERE e.contact_id = c.id
                          AND e.call_attempt_id IS DISTINCT FROM (SELECT a.id FROM call_attempts a WHERE a.contact_id = c.id
                                                                   ORDER BY a.attempt_number DESC LIMIT 1)))`],
    ['question_before_consent', sql<{ n: number }>`SELECT count(DISTINCT t.call_attempt_id)::int AS n
      FROM dialogue_turns t JOIN call_attempts a ON a.id = t.call_attempt_id
      WHERE a.campaign_id = ${campaignId} AND t.stage IN ('q1', 'q2', 'q3')
        AND NOT EXISTS (SELECT 1 FROM consent_records k WHERE k.call_attempt_id = t.call_attempt_id)`],
  ];
  if (opts.settled) {
    checks.push(['dialogue_open', sql<{ n: number }>`SELECT count(*)::int AS n FROM call_dialogues d JOIN call_attempts a ON a.id = d.call_attempt_id
      WHERE a.campaign_id = ${campaignId} AND a.outcome IS NOT NULL AND d.state->>'stage' <> 'done'`]);
  }
  const out: Violation[] = [];
  for (const [rule, q] of checks) {
    const n = Number((await q.execute(database.db)).rows[0]?.n ?? 0);
    if (n > 0) out.push({ rule, count: n });
  }
  return out;
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
};

export function registerSimulateCommand(program: Command, ctx: CliContext): void {
  program
    .command('simulate')
    .description('run a campaign end to end against the built-in telephony simulator and print a JSON summary')
    .option('--contacts <n>', 'number of contacts', positiveInt('--contacts'), 100)
    .option('--mix <mix>', 'persona mix: default, all_complete, unreachable, or name=weight,…', 'default')
    .option('--seed <n>', 'seed for personas and chaos', (v) => Number(v), 1)
    .option('--fast', 'no real waiting in calls (ringing, speech, pauses)')
    .option('--cps <n>', 'calls per second', (v) => Number(v), 20)
    .option('--max-concurrent <n>', 'live-call limit', positiveInt('--max-concurrent'), 10)
    .option('--max-attempts <n>', 'attempts per contact (1–5)', positiveInt('--max-attempts'), 3)
    .option('--chaos <spec>', 'simulator chaos, e.g. duplicate=0.1,reorder=0.1,drop=0.02')
    .addOption(new Option('--timeout <ms>', 'give up after this long').argParser((v) => Number(v)).default(600_000))
    .action(async (opts: { contacts: number; mix: string; seed: number; fast?: boolean; cps: number; maxConcurrent: number; maxAttempts: number; chaos?: string; timeout: number }) => {
      const config = ctx.config();
      const log = ctx.log();
      const { parseChaos } = await import('../adapters/telephony/simulator/chaos.js');
      const database = await openDatabase(config.database, log);
      try {
        const summary = await runSimulation(config, log, database, {
          contacts: opts.contacts, mix: opts.mix, seed: opts.seed, fast: opts.fast === true, cps: opts.cps,
          maxConcurrent: opts.maxConcurrent, maxAttempts: Math.min(5, opts.maxAttempts), timeoutMs: opts.timeout,
          ...(opts.chaos ? { chaos: parseChaos(opts.chaos) } : {}),
        });
        ctx.print(JSON.stringify(summary));
        if (summary.violations > 0) throw new CliError(`simulation found ${summary.violations} violation(s)`, EXIT.failure);
      } finally {
        await database.close();
      }
    });
}
