/**
 * A Twilio-compatible fake carrier on loopback, for tests, benchmarks and the
 * demo: REST call creation, signed status callbacks, TwiML execution with
 * scripted respondents, CPS queueing, a concurrency limit, and chaos.
 *
 *   const sim = createSimulator({ fast: true, seed: 7, personas: { '+393471234567': 'refuses' } });
 *   await sim.start();            // listens on 127.0.0.1, port 0 by default
 *   const telephony = createTwilioTelephony({ accountSid: sim.accountSid, authToken: sim.authToken,
 *     apiBaseUrl: sim.url, fromNumber: SIMULATOR_FROM_NUMBER, publicBaseUrl: appUrl });
 *   …
 *   sim.stats();                  // counts, observed max concurrency / CPS, per-call logs
 *   await sim.stop();
 */
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../../observability/logger.js';
import { createCarrier, type Carrier } from './carrier.js';
import { createCallbackDispatcher, createOutbound, type CallbackCounters } from './callbacks.js';
import { createDialer } from './dialer.js';
import { createPersonaSelector, type PersonaName, type PersonasByNumber } from './personas.js';
import { hash32 } from './rng.js';
import { buildSimulatorServer } from './server.js';
import type { CallLog, ChaosOptions } from './types.js';

export { PERSONAS, DEFAULT_MIX, MIXES, parseMix, type PersonaName, type PersonaScript, type PersonaChoice, type PersonasByNumber } from './personas.js';
export type { CallLog, ChaosOptions, TranscriptLine } from './types.js';

/** The caller ID the simulator accepts by default (Twilio's magic test number). */
export const SIMULATOR_FROM_NUMBER = '+15005550006';

export interface SimulatorOptions {
  /** Interface to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** Port. Default 0 (a free one). */
  readonly port?: number;
  /** Default: derived from the seed (`AC` + 32 hex). */
  readonly accountSid?: string;
  /** Default: random per instance. */
  readonly authToken?: string;
  /** Extra REST credentials: API key SID (`SK…`) → secret. */
  readonly apiKeys?: Readonly<Record<string, string>>;
  /** No real waiting: ring, speech, pauses and timeouts take a tick (order preserved). CPS pacing stays real. */
  readonly fast?: boolean;
  /** Seed for personas, SIDs and chaos. Default 1. */
  readonly seed?: number;
  /** Persona mix: `default`, `all_complete`, `unreachable`, or `name=weight,…`, or an object. Default `default`. */
  readonly mix?: string | Readonly<Partial<Record<PersonaName, number>>>;
  /** Personas per E.164 number (a map or a function); a list gives one per successive attempt (the last repeats). Wins over the mix. */
  readonly personas?: PersonasByNumber;
  /** Calls dialled per second; more wait in the queue. Default 1 (Twilio's default); 0 = unlimited. */
  readonly cps?: number;
  /** Live calls (queued included) before creates fail with 10004. Default 10; 0 = unlimited. */
  readonly maxConcurrent?: number;
  /** Queue backlog (seconds at the CPS) before creates fail with 22005. Default 86 400. */
  readonly maxQueueSeconds?: number;
  /** When set, From must be one of these (else 21210). */
  readonly callerIds?: readonly string[];
  readonly chaos?: ChaosOptions;
  /** Finished calls kept for REST fetches and per-call logs; older ones are forgotten. Default 100 000. */
  readonly keepCalls?: number;
  /** Timeout for each request to the application (TwiML and callbacks), ms. Default 15 000. */
  readonly webhookTimeoutMs?: number;
  /** Logs ids and error summaries only. */
  readonly log?: Logger;
}

export interface SimulatorStats {
  readonly callsCreated: number;
  /** Create requests refused, by Twilio error code. */
  readonly callsRejected: Readonly<Record<string, number>>;
  readonly activeCalls: number;
  readonly queuedCalls: number;
  /** Most calls live at once (creation → final status). */
  readonly maxConcurrency: number;
  /** Most calls dialled within any one-second window. */
  readonly maxCps: number;
  /** Final statuses so far, by Twilio status (completed, busy, no-answer, failed, canceled). */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly callbacks: Readonly<CallbackCounters>;
  /** One entry per created call still kept (see `keepCalls`), in creation order. */
  readonly calls: readonly CallLog[];
}

export interface Simulator {
  /** Base URL of the REST API (e.g. `http://127.0.0.1:41234`); set by start(). */
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  start(): Promise<string>;
  /** Stops dialling, abandons live calls (no further callbacks), closes the server. */
  stop(): Promise<void>;
  stats(): SimulatorStats;
  /** The log of one call. */
  call(sid: string): CallLog | undefined;
  /** Resolves when every dialled call has ended and its callbacks were attempted. */
  idle(): Promise<void>;
  /** Makes the next create requests fail with these errors, in order (e.g. a 429 then success). */
  injectCreateErrors(errors: readonly { status: number; code: number; message?: string }[]): void;
}

export function createSimulator(opts: SimulatorOptions = {}): Simulator {
  const seed = opts.seed ?? 1;
  const accountSid =
    opts.accountSid ?? `AC${[0, 1, 2, 3].map((i) => hash32(seed, `account-${i}`).toString(16).padStart(8, '0')).join('')}`;
  const authToken = opts.authToken ?? randomBytes(16).toString('hex');
  let stopped = false;
  let server: FastifyInstance | undefined;
  let url = '';
  const outcomes: Record<string, number> = {};
  const log = opts.log;

  const outbound = createOutbound(authToken, opts.webhookTimeoutMs);
  const callbacks = createCallbackDispatcher({
    outbound,
    chaos: opts.chaos ?? {},
    isStopped: () => stopped,
    onError: (sid, err) => log?.warn({ callSid: sid, err: err instanceof Error ? err.message : String(err) }, 'simulator: status callback failed'),
  });
  const dialer = createDialer(opts.cps ?? 1);
  const carrier: Carrier = createCarrier({
    accountSid,
    seed,
    chaos: opts.chaos ?? {},
    maxConcurrent: opts.maxConcurrent ?? 10,
    maxQueueSeconds: opts.maxQueueSeconds ?? 86_400,
    keepCalls: opts.keepCalls ?? 100_000,
    ...(opts.callerIds ? { callerIds: opts.callerIds } : {}),
    personas: createPersonaSelector({ seed, ...(opts.mix ? { mix: opts.mix } : {}), ...(opts.personas ? { byNumber: opts.personas } : {}) }),
    dialer,
    callbacks,
    runtime: {
      fast: opts.fast ?? false,
      outbound,
      callbacks,
      isStopped: () => stopped,
      onStatus(call, status) {
        if (['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(status)) {
          outcomes[status] = (outcomes[status] ?? 0) + 1;
          if (call.log.errors.length > 0) log?.warn({ callSid: call.sid, errors: call.log.errors.length }, 'simulator: call had TwiML errors');
        }
      },
    },
  });

  return {
    get url() {
      return url;
    },
    accountSid,
    authToken,
    async start() {
      if (server) return url;
      server = await buildSimulatorServer(carrier, { accountSid, authToken, ...(opts.apiKeys ? { apiKeys: opts.apiKeys } : {}) });
      const address = await server.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
      url = address;
      return url;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      dialer.stop();
      for (const call of carrier.calls.values()) call.wake.abort();
      outbound.abortAll();
      await carrier.idle();
      await callbacks.drain();
      await server?.close();
    },
    stats() {
      return {
        callsCreated: carrier.created(),
        callsRejected: { ...carrier.rejected },
        activeCalls: dialer.stats.active,
        queuedCalls: dialer.stats.queued,
        maxConcurrency: dialer.stats.maxConcurrency,
        maxCps: dialer.stats.maxCps,
        outcomes: { ...outcomes },
        callbacks: { ...callbacks.counters },
        calls: [...carrier.calls.values()].map((c) => c.log),
      };
    },
    call: (sid) => carrier.get(sid)?.log,
    async idle() {
      // a call may still be waiting in the CPS queue: poll until none is live
      while (dialer.stats.active > 0 && !stopped) {
        await carrier.idle();
        if (dialer.stats.active > 0) await new Promise((r) => setTimeout(r, 10));
      }
      await callbacks.drain();
    },
    injectCreateErrors: (errors) => carrier.injectCreateErrors(errors),
  };
}
