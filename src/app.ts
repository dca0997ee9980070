/**
 * The composition root: the one place that turns configuration into running
 * parts. Everything else receives what it needs as arguments.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/connect.js';
import { Migrator } from './db/migrator.js';
import { createDevIdentityProvider, devClient } from './adapters/identity/dev-idp/provider.js';
import { createOidcClient } from './adapters/identity/oidc/client.js';
import type { IdentityProvider } from './domain/ports/identity.js';
import { buildServer } from './http/server.js';
import type { RouteDef } from './http/route.js';
import { webConsole } from './http/web.js';
import type { Logger } from './observability/logger.js';
// ── calling engine ──
import { createTelephonyRuntime, type SimulatorOptions, type TelephonyRuntime } from './adapters/telephony/index.js';
import { systemClock, type Clock } from './domain/clock.js';
import type { Telephony } from './domain/ports/telephony.js';
import { registerTelephonyWebhooks, type AnswerHandler, type SpeechHandler } from './http/webhooks/telephony.js';
import { createMetrics, metricsPlugin, type Metrics } from './observability/metrics.js';
import { advisoryLockLeader, singleProcessLeader } from './workers/leader.js';
import { createReconciler, type Reconciler } from './workers/reconciler.js';
import { sweepStaleUploads } from './http/routes/contacts/upload.js';
import { createExclusionRecheck, DEFAULT_EXCLUSION_RECHECK_MS } from './workers/exclusion-recheck.js';
import { callbackUrl, createScheduler, type Scheduler, WEBHOOK_PATHS } from './workers/scheduler.js';
import { dialogueDepsFromConfig, recordCallStatus, runDialogueTurn, startDialogue } from './commands/dialogue/index.js';
import { createInterpreter } from './adapters/llm/index.js';
import { createDialogueMetrics } from './observability/dialogue-metrics.js';
// ── events and email ──
import { createMailer } from './adapters/email/index.js';
import type { Mailer } from './domain/ports/mailer.js';
import { createEventRelay } from './adapters/relay/index.js';
import { buildOutboxWorkers, type OutboxWorkers } from './workers/outbox.js';
// ── reporting ──
import { createReportingServices, type ReportingServices } from './reporting-services.js';
import { ExportWorker } from './workers/export-worker.js';

/**
 * What this process runs. `api`: HTTP (console, API, telephony webhooks).
 * `scheduler`: the dialler (leader-elected) and the reconciler. `worker`:
 * background loops (the reconciler, the outbox relay and the email sender). `all`:
 * everything. Every role serves /health, /ready, /live and /metrics.
 */
export type Role = 'all' | 'api' | 'scheduler' | 'worker';
export const ROLES: readonly Role[] = ['all', 'api', 'scheduler', 'worker'];

export interface App {
  readonly config: Config;
  readonly database: Database;
  readonly http: FastifyInstance;
  // ── calling engine ──
  readonly metrics: Metrics;
  /** The telephony adapter in use (and the in-process simulator, if any). */
  readonly telephony: TelephonyRuntime;
  readonly scheduler?: Scheduler;
  readonly reconciler?: Reconciler;
  /** Relay and email workers (roles `all` and `worker`), else null. */
  readonly outbox: OutboxWorkers | null;
  /** Statistics cache, export storage and signed links. */
  readonly reporting: ReportingServices;
  /** Starts listening and the loops of this role. Returns the bound URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export interface BuildOptions {
  role?: Role;
  /** Use this database instead of opening one from the configuration (tests). */
  database?: Database;
  /** Replace reporting adapters (tests: an S3 test double, a fake clock). */
  reporting?: Parameters<typeof createReportingServices>[3];
  /** Serve the built console at `/` (default true; it is skipped with a warning when not built). */
  web?: boolean;
  // ── calling engine ──
  /** Use this telephony adapter instead of the configured one (tests). */
  telephony?: Telephony;
  clock?: Clock;
  /** Dialogue handlers for the answer and speech webhooks (the dialogue area provides them). */
  handleAnswer?: AnswerHandler;
  handleSpeech?: SpeechHandler;
  /**
   * How long a dialogue turn already in flight gets to finish after the call ended mid-dialogue,
   * before the call is settled as a break-off (default: the LLM budget + 1 s; the simulator's fast mode compresses it).
   */
  hangUpGraceMs?: number;
  /** Reconciler thresholds (the simulator's fast mode compresses time). */
  reconciler?: { staleAfterSeconds?: number; unplacedAfterSeconds?: number };
  /** Extra options for the in-process simulator (personas per number: the demo, tests). */
  simulator?: Partial<SimulatorOptions>;
  // ── events and email ──
  /** Use this mailer instead of the configured one (the demo's recording mailbox, tests). */
  mailer?: Mailer;
  /** Extra API routes (demo mode). */
  routes?: readonly RouteDef[];
}

export async function buildApp(config: Config, log: Logger, opts: BuildOptions = {}): Promise<App> {
  const role = opts.role ?? 'all';
  const database = opts.database ?? (await openDatabase(config.database, log));
  let telephony: TelephonyRuntime | undefined;
  let reporting: ReportingServices | undefined;
  try {
    if (config.database.migrateOnStart) {
      await new Migrator(database.db, { log }).up();
    }
    const services = createReportingServices(config, database.db, log, opts.reporting);
    reporting = services;
    // The URL browsers use; derived from the bound address when not configured
    // (so it is known only after listen — sign-in resolves it lazily).
    let bound: { port: number } | undefined;
    const baseUrl = () => config.http.publicBaseUrl ?? derivedBaseUrl(config.http.host, bound?.port ?? config.http.port);
    const { identity, plugins } = buildIdentity(config, log, baseUrl);

    // ── calling engine: metrics, telephony, webhooks, loops ──
    const metrics = createMetrics();
    const clock = opts.clock ?? systemClock;
    telephony = opts.telephony
      ? { telephony: opts.telephony, close: async () => {} }
      : await createTelephonyRuntime(config.telephony, { fallbackPublicBaseUrl: baseUrl, log, ...(opts.simulator ? { simulator: opts.simulator } : {}) });
    const tel = telephony;
    const callingPlugins = [metricsPlugin(metrics)];
    if (role === 'all' || role === 'api') {
      // The conversation: the dialogue engine answers the answer and speech webhooks.
      const dialogueMetrics = createDialogueMetrics(metrics.registry);
      const dialogueDeps = dialogueDepsFromConfig(config, {
        actionUrl: (callId) => callbackUrl(config.telephony.publicBaseUrl ?? baseUrl(), WEBHOOK_PATHS.speech, callId),
        interpreter: createInterpreter(config, log, dialogueMetrics.onFallback),
        log,
        onTurn: dialogueMetrics.onTurn,
      });
      const db = database.db;
      // A turn already in flight when the call ends gets the interpreter's budget and a second to finish.
      const hangUpGraceMs = opts.hangUpGraceMs ?? config.llm.budgetMs + 1000;
      const handleAnswer: AnswerHandler = opts.handleAnswer ?? (({ callId }) => startDialogue(db, { callId, now: clock.now() }, dialogueDeps));
      const handleSpeech: SpeechHandler = opts.handleSpeech ??
        (({ callId, input }) => runDialogueTurn(db, { callId, speech: input.text, ...(input.confidence !== undefined ? { asrConfidence: input.confidence } : {}), now: clock.now(), receivedAt: Date.now() }, dialogueDeps));
      callingPlugins.push((app: FastifyInstance) => registerTelephonyWebhooks(app, {
        db, telephony: tel.telephony, clock, log, metrics, handleAnswer, handleSpeech,
        recordStatus: (input) => recordCallStatus(db, input, { graceMs: hangUpGraceMs, now: () => clock.now(), log }),
      }));
    }
    const scheduler = role === 'all' || role === 'scheduler'
      ? createScheduler({
        db: database.db, telephony: tel.telephony, clock, log, metrics, config: config.calling,
        publicBaseUrl: () => config.telephony.publicBaseUrl ?? baseUrl(),
        machineDetection: config.telephony.machineDetection !== 'off',
        leader: config.database.engine === 'postgres' ? advisoryLockLeader(config.database.url, log) : singleProcessLeader(),
      })
      : undefined;
    const reconciler = role !== 'api'
      ? createReconciler({ db: database.db, telephony: tel.telephony, clock, log, metrics, config: config.calling, ...opts.reconciler })
      : undefined;

    // The periodic exclusion re-check runs beside the dialler (docs/compliance.md).
    const recheckMs = config.calling.exclusionRecheckIntervalMs ?? DEFAULT_EXCLUSION_RECHECK_MS;
    const exclusionRecheck = (role === 'all' || role === 'scheduler') && recheckMs > 0
      ? createExclusionRecheck({ db: database.db, log, intervalMs: recheckMs })
      : undefined;

    const outbox = role === 'all' || role === 'worker'
      ? buildOutboxWorkers({ config, db: database.db, log, clock, relay: createEventRelay(config.relay, log), mailer: opts.mailer ?? createMailer(config.email.transport) })
      : null;

    const allPlugins = [...plugins, ...(opts.web === false ? [] : [webConsole()]), ...callingPlugins];
    const http = await buildServer({ config, database, log, identity, reporting: services, plugins: allPlugins, ...(opts.routes ? { routes: opts.routes } : {}) });
    // Export jobs run in the roles that run background work.
    const exportWorker = role === 'all' || role === 'worker' ? new ExportWorker(database.db, services.exportDeps) : null;
    let stopped = false;
    return {
      config,
      database,
      http,
      metrics,
      telephony: tel,
      outbox,
      reporting: services,
      ...(scheduler ? { scheduler } : {}),
      ...(reconciler ? { reconciler } : {}),
      async start() {
        const url = await http.listen({ host: config.http.host, port: config.http.port });
        const address = http.server.address();
        if (address && typeof address === 'object') bound = { port: address.port };
        scheduler?.start();
        reconciler?.start();
        exclusionRecheck?.start();
        outbox?.start();
        exportWorker?.start();
        // Upload spool files a crashed process left behind hold personal data.
        void sweepStaleUploads().then(
          (removed) => removed > 0 && log.info({ removed }, 'removed stale upload spool files'),
          () => undefined,
        );
        if (config.auth.oidc.mode === 'dev') {
          log.warn({ issuer: `${baseUrl()}${DEV_IDP_PREFIX}` }, 'sign-in uses the built-in development identity provider (no passwords; never for production)');
        }
        return url;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await scheduler?.stop();
        await reconciler?.stop();
        await exclusionRecheck?.stop();
        await outbox?.stop();
        await exportWorker?.stop();
        await http.close();
        await tel.close();
        await services.close();
        if (!opts.database) await database.close();
      },
    };
  } catch (err) {
    await telephony?.close();
    await reporting?.close();
    if (!opts.database) await database.close();
    throw err;
  }
}

/** Where the built-in development identity provider is mounted. */
export const DEV_IDP_PREFIX = '/dev-idp';

/** `http://HOST:PORT`, with wildcard addresses replaced by loopback (what a local browser can open). */
export function derivedBaseUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** The OIDC client, and (without an issuer, outside production) the built-in provider it signs in against. */
function buildIdentity(config: Config, log: Logger, baseUrl: () => string): { identity: IdentityProvider; plugins: ((app: FastifyInstance) => Promise<void>)[] } {
  const oidc = config.auth.oidc;
  const redirectUri = () => oidc.redirectUri ?? `${baseUrl()}/api/auth/callback`;
  if (oidc.mode === 'external') {
    const identity = createOidcClient({
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      ...(oidc.clientSecret ? { clientSecret: oidc.clientSecret } : {}),
      redirectUri,
      scopes: oidc.scopes,
      allowHttp: config.env !== 'production',
      log,
    });
    return { identity, plugins: [] };
  }
  if (config.env === 'production') throw new Error('the development identity provider cannot run in production');
  const client = devClient(redirectUri);
  const devIdp = createDevIdentityProvider({ prefix: DEV_IDP_PREFIX, baseUrl, client, log });
  const identity = createOidcClient({
    issuer: devIdp.issuer,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    redirectUri,
    scopes: oidc.scopes,
    // Always show the account picker, so switching demo users is one click.
    extraParams: { prompt: 'login' },
    allowHttp: true,
    log,
  });
  return { identity, plugins: [devIdp.plugin] };
}
