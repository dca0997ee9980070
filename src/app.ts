/**
 * The composition root: the one place that turns configuration into running
 * parts. Everything else receives what it needs as arguments.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/connect.js';
import { Migrator } from './db/migrator.js';
import { buildServer } from './http/server.js';
import type { Logger } from './observability/logger.js';
// ── calling engine ──
import { createTelephonyRuntime, type TelephonyRuntime } from './adapters/telephony/index.js';
import { systemClock, type Clock } from './domain/clock.js';
import type { Telephony } from './domain/ports/telephony.js';
import { registerTelephonyWebhooks, type AnswerHandler, type SpeechHandler } from './http/webhooks/telephony.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { advisoryLockLeader, singleProcessLeader } from './workers/leader.js';
import { createReconciler, type Reconciler } from './workers/reconciler.js';
import { createScheduler, type Scheduler } from './workers/scheduler.js';

/**
 * What this process runs. `api`: HTTP (incl. telephony webhooks). `scheduler`:
 * the dialler (leader-elected) and the reconciler. `worker`: background loops
 * (the reconciler; later the outbox/email workers). `all`: everything.
 * Every role serves /health, /ready, /live and /metrics.
 */
export type Role = 'all' | 'api' | 'scheduler' | 'worker';
export const ROLES: readonly Role[] = ['all', 'api', 'scheduler', 'worker'];

export interface App {
  readonly config: Config;
  readonly database: Database;
  readonly http: FastifyInstance;
  readonly metrics: Metrics;
  /** The telephony adapter in use (and the in-process simulator, if any). */
  readonly telephony: TelephonyRuntime;
  readonly scheduler?: Scheduler;
  readonly reconciler?: Reconciler;
  /** Starts listening and the loops of this role. Returns the bound URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export interface BuildOptions {
  role?: Role;
  /** Use this database instead of opening one from the configuration (tests). */
  database?: Database;
  /** Use this telephony adapter instead of the configured one (tests). */
  telephony?: Telephony;
  clock?: Clock;
  /** Dialogue handlers for the answer and speech webhooks (the dialogue area provides them). */
  handleAnswer?: AnswerHandler;
  handleSpeech?: SpeechHandler;
  /** Reconciler thresholds (the simulator's fast mode compresses time). */
  reconciler?: { staleAfterSeconds?: number; unplacedAfterSeconds?: number };
}

export async function buildApp(config: Config, log: Logger, opts: BuildOptions = {}): Promise<App> {
  const role = opts.role ?? 'all';
  const database = opts.database ?? (await openDatabase(config.database, log));
  let telephony: TelephonyRuntime | undefined;
  try {
    if (config.database.migrateOnStart) {
      await new Migrator(database.db, { log }).up();
    }
    const http = await buildServer({ config, database, log });

    // ── calling engine: metrics, telephony, webhooks, loops ──
    const metrics = createMetrics();
    http.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
    let listenUrl = '';
    telephony = opts.telephony
      ? { telephony: opts.telephony, close: async () => {} }
      : await createTelephonyRuntime(config.telephony, { fallbackPublicBaseUrl: () => listenUrl, log });
    const clock = opts.clock ?? systemClock;
    const publicBaseUrl = () => config.telephony.publicBaseUrl ?? listenUrl;
    if (role === 'all' || role === 'api') {
      await registerTelephonyWebhooks(http, {
        db: database.db, telephony: telephony.telephony, clock, log, metrics,
        ...(opts.handleAnswer ? { handleAnswer: opts.handleAnswer } : {}),
        ...(opts.handleSpeech ? { handleSpeech: opts.handleSpeech } : {}),
      });
    }
    const scheduler = role === 'all' || role === 'scheduler'
      ? createScheduler({
        db: database.db, telephony: telephony.telephony, clock, log, metrics, config: config.calling, publicBaseUrl,
        machineDetection: config.telephony.machineDetection !== 'off',
        leader: config.database.engine === 'postgres' ? advisoryLockLeader(config.database.url, log) : singleProcessLeader(),
      })
      : undefined;
    const reconciler = role !== 'api'
      ? createReconciler({ db: database.db, telephony: telephony.telephony, clock, log, metrics, config: config.calling, ...opts.reconciler })
      : undefined;
    const tel = telephony;

    let stopped = false;
    return {
      config,
      database,
      http,
      metrics,
      telephony: tel,
      ...(scheduler ? { scheduler } : {}),
      ...(reconciler ? { reconciler } : {}),
      async start() {
        listenUrl = await http.listen({ host: config.http.host, port: config.http.port });
        scheduler?.start();
        reconciler?.start();
        return listenUrl;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await scheduler?.stop();
        await reconciler?.stop();
        await http.close();
        await tel.close();
        if (!opts.database) await database.close();
      },
    };
  } catch (err) {
    await telephony?.close();
    if (!opts.database) await database.close();
    throw err;
  }
}
