/**
 * The fake carrier's call registry: validates create requests like Twilio,
 * applies the concurrency limit and chaos on create, dials through the CPS
 * queue, and answers fetch/modify requests. HTTP lives in server.ts.
 */
import { randomBytes } from 'node:crypto';
import { runCall, type CallRuntime } from './call.js';
import type { CallbackDispatcher } from './callbacks.js';
import type { Dialer } from './dialer.js';
import type { PersonaSelector } from './personas.js';
import { hash32, mulberry32 } from './rng.js';
import { rfc2822 } from './signature.js';
import { FINAL_STATUSES, type CallLog, type ChaosOptions, type SimCall, type SimStatus } from './types.js';

/** A Twilio REST error: HTTP status plus `{code, message, more_info, status}`. */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
  toJSON() {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
  }
}

const E164 = /^\+[1-9]\d{6,14}$/;
const EVENTS = new Set(['initiated', 'ringing', 'answered', 'completed']);

type Form = Record<string, string | string[] | undefined>;
const one = (f: Form, k: string): string | undefined => {
  const v = f[k];
  return Array.isArray(v) ? v[v.length - 1] : v;
};
const list = (f: Form, k: string): string[] => {
  const v = f[k];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
};
const httpMethod = (raw: string | undefined): 'GET' | 'POST' => (raw?.toUpperCase() === 'GET' ? 'GET' : 'POST');

export interface CarrierDeps {
  readonly accountSid: string;
  readonly seed: number;
  readonly chaos: ChaosOptions;
  readonly maxConcurrent: number;
  readonly maxQueueSeconds: number;
  readonly callerIds?: readonly string[];
  /** Finished calls kept for fetch and stats; older ones are forgotten. */
  readonly keepCalls: number;
  readonly personas: PersonaSelector;
  readonly dialer: Dialer;
  readonly runtime: CallRuntime;
  readonly callbacks: CallbackDispatcher;
}

export interface Carrier {
  create(form: Form): SimCall;
  get(sid: string): SimCall | undefined;
  modify(sid: string, form: Form): SimCall;
  toJson(call: SimCall): Record<string, unknown>;
  /** Errors to return, in order, from the next create requests (tests). */
  injectCreateErrors(errors: readonly { status: number; code: number; message?: string }[]): void;
  readonly calls: ReadonlyMap<string, SimCall>;
  /** Calls created since start (including forgotten ones). */
  created(): number;
  readonly rejected: Record<string, number>;
  /** Resolves when every dialled call has ended. */
  idle(): Promise<void>;
}

export function createCarrier(deps: CarrierDeps): Carrier {
  const calls = new Map<string, SimCall>();
  const attemptsByNumber = new Map<string, number>();
  const rejected: Record<string, number> = {};
  const injected: TwilioApiError[] = [];
  const running = new Set<Promise<void>>();
  const chaosRng = mulberry32(hash32(deps.seed, 'create-chaos'));
  let counter = 0;

  const reject = (status: number, code: number, message: string): never => {
    rejected[String(code)] = (rejected[String(code)] ?? 0) + 1;
    throw new TwilioApiError(status, code, message);
  };

  function newSid(): string {
    counter++;
    const a = hash32(deps.seed, `sid-a-${counter}`).toString(16).padStart(8, '0');
    const b = hash32(deps.seed, `sid-b-${counter}`).toString(16).padStart(8, '0');
    const c = randomBytes(8).toString('hex');
    // Unique per simulator instance; the first half is reproducible for a seed.
    return `CA${a}${b}${c}`;
  }

  function create(form: Form): SimCall {
    const next = injected.shift();
    if (next) reject(next.status, next.code, next.message);
    const to = one(form, 'To');
    const from = one(form, 'From');
    if (!to) reject(400, 21201, "No 'To' number is specified");
    if (!from) reject(400, 21603, "A 'From' phone number is required.");
    if (!E164.test(to!)) reject(400, 21211, "The 'To' number is not a valid phone number.");
    if (!E164.test(from!)) reject(400, 21212, "The 'From' number is not a valid phone number.");
    if (deps.callerIds && !deps.callerIds.includes(from!)) reject(400, 21210, "The source phone number provided, 'From', is not yet verified for your account.");
    const url = one(form, 'Url');
    const twiml = one(form, 'Twiml');
    if (!url && !twiml) reject(400, 21205, 'Url or Twiml parameter is required.');
    if (url && !/^https?:\/\//.test(url)) reject(400, 21205, 'Url is not a valid URL.');
    if (twiml && twiml.length > 4000) reject(400, 21205, 'Twiml exceeds 4000 characters.');
    const statusCallback = one(form, 'StatusCallback');
    if (statusCallback && !/^https?:\/\//.test(statusCallback)) reject(400, 21609, 'StatusCallback is not a valid URL.');
    const events = list(form, 'StatusCallbackEvent');
    for (const e of events) if (!EVENTS.has(e)) reject(400, 21626, `Invalid StatusCallbackEvent '${e}'.`);
    const timeout = one(form, 'Timeout') !== undefined ? Number(one(form, 'Timeout')) : 60;
    if (!Number.isInteger(timeout) || timeout < 1) reject(400, 21218, 'Timeout must be a positive integer.');
    const timeLimit = one(form, 'TimeLimit') !== undefined ? Number(one(form, 'TimeLimit')) : 14_400;
    if (!Number.isInteger(timeLimit) || timeLimit < 1) reject(400, 21219, 'TimeLimit must be a positive integer.');
    const amd = one(form, 'MachineDetection');
    if (amd !== undefined && amd !== 'Enable' && amd !== 'DetectMessageEnd') reject(400, 21233, 'MachineDetection must be Enable or DetectMessageEnd.');

    if (deps.chaos.create429 && chaosRng() < deps.chaos.create429) reject(429, 20429, 'Too Many Requests');
    if (deps.chaos.create5xx && chaosRng() < deps.chaos.create5xx) reject(500, 20500, 'Internal Server Error');
    if (deps.maxConcurrent > 0 && deps.dialer.stats.active >= deps.maxConcurrent) reject(429, 10004, 'Call concurrency limit exceeded.');
    if (deps.dialer.backlogSeconds() > deps.maxQueueSeconds) reject(429, 22005, 'Outbound call queue is full.');

    const attempt = attemptsByNumber.get(to!) ?? 0;
    attemptsByNumber.set(to!, attempt + 1);
    const persona = deps.personas.choose(to!, attempt);
    if (persona.pickup === 'reject_invalid') reject(400, 21211, "The 'To' number is not a valid phone number.");
    if (persona.pickup === 'reject_unreachable') reject(400, 21214, "'To' phone number cannot be reached.");
    if (persona.pickup === 'reject_geo') reject(400, 21215, 'Account not authorized to call this number (geo permissions).');

    const sid = newSid();
    const now = new Date();
    const log: CallLog = { sid, to: to!, persona: persona.name, status: 'queued', events: [], transcript: [], errors: [] };
    const call: SimCall = {
      sid,
      accountSid: deps.accountSid,
      to: to!,
      from: from!,
      ...(url ? { url } : {}),
      method: httpMethod(one(form, 'Method')),
      ...(twiml ? { twiml } : {}),
      ...(statusCallback ? { statusCallback } : {}),
      statusCallbackMethod: httpMethod(one(form, 'StatusCallbackMethod')),
      events: new Set(events.length > 0 ? events : ['completed']),
      timeoutSeconds: Math.min(600, timeout),
      timeLimitSeconds: timeLimit,
      ...(amd ? { machineDetection: amd as 'Enable' | 'DetectMessageEnd' } : {}),
      persona,
      rng: mulberry32(hash32(deps.seed, `call-${counter}`)),
      speechRng: mulberry32(hash32(deps.seed, `speech-${counter}`)),
      status: 'queued',
      dateCreated: now,
      dateUpdated: now,
      queueTimeMs: 0,
      talkSeconds: 0,
      sequence: 0,
      wake: new AbortController(),
      chain: Promise.resolve(),
      log,
    };
    calls.set(sid, call);
    if (calls.size > deps.keepCalls) forgetOldFinished();
    deps.dialer.admit();
    const queuedAt = performance.now();
    deps.dialer.schedule(() => {
      call.queueTimeMs = Math.round(performance.now() - queuedAt);
      const p = runCall(call, deps.runtime).finally(() => {
        deps.dialer.release();
        running.delete(p);
      });
      running.add(p);
    });
    return call;
  }

  function forgetOldFinished() {
    for (const [sid, c] of calls) {
      if (calls.size <= deps.keepCalls) return;
      if (FINAL_STATUSES.has(c.status)) calls.delete(sid);
    }
  }

  function modify(sid: string, form: Form): SimCall {
    const call = calls.get(sid);
    if (!call) return reject(404, 20404, `The requested resource /Calls/${sid}.json was not found`);
    const status = one(form, 'Status');
    const url = one(form, 'Url');
    const twiml = one(form, 'Twiml');
    if (status !== undefined && status !== 'completed' && status !== 'canceled') reject(400, 21218, `Invalid Status '${status}'.`);
    if (FINAL_STATUSES.has(call.status)) {
      if (url || twiml) reject(400, 21220, 'Call is not in-progress. Cannot redirect.');
      return call;
    }
    if (status === 'canceled' || (status === 'completed' && call.status !== 'in-progress')) {
      if (call.status === 'in-progress') return call; // canceling an answered call has no effect
      call.request = { kind: 'hangup', status: 'canceled' };
      if (call.status === 'queued') finishQueued(call);
      call.wake.abort();
      return call;
    }
    if (status === 'completed') {
      call.request = { kind: 'hangup', status: 'completed' };
      call.wake.abort();
      return call;
    }
    if (url || twiml) {
      if (call.status !== 'in-progress') reject(400, 21220, 'Call is not in-progress. Cannot redirect.');
      call.request = { kind: 'redirect', method: httpMethod(one(form, 'Method')), ...(url ? { url } : {}), ...(twiml ? { twiml } : {}) };
      call.wake.abort();
    }
    return call;
  }

  /** A queued call canceled before dialling: it ends at once (the dialer will skip it). */
  function finishQueued(call: SimCall) {
    call.status = 'canceled' as SimStatus;
    call.log.status = 'canceled';
    call.endTime = new Date();
    call.dateUpdated = call.endTime;
    call.durationSeconds = 0;
    deps.runtime.onStatus(call, 'canceled');
    if (call.statusCallback && call.events.has('completed')) {
      const sequence = call.sequence++;
      call.log.events.push({ sequence, status: 'canceled' });
      void deps.callbacks.send(
        call,
        {
          AccountSid: call.accountSid, ApiVersion: '2010-04-01', CallSid: call.sid, CallStatus: 'canceled', Called: call.to, Caller: call.from,
          Direction: 'outbound-api', From: call.from, To: call.to, CallbackSource: 'call-progress-events', SequenceNumber: String(sequence),
          Timestamp: rfc2822(call.endTime), CallDuration: '0', Duration: '0', SipResponseCode: '487',
        },
        true,
      );
    }
  }

  function toJson(call: SimCall): Record<string, unknown> {
    const uri = `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}.json`;
    return {
      sid: call.sid,
      date_created: rfc2822(call.dateCreated),
      date_updated: rfc2822(call.dateUpdated),
      parent_call_sid: null,
      account_sid: call.accountSid,
      to: call.to,
      to_formatted: call.to,
      from: call.from,
      from_formatted: call.from,
      phone_number_sid: null,
      status: call.status,
      start_time: call.startTime ? rfc2822(call.startTime) : null,
      end_time: call.endTime ? rfc2822(call.endTime) : null,
      duration: call.durationSeconds !== undefined && FINAL_STATUSES.has(call.status) ? String(call.durationSeconds) : null,
      price: null,
      price_unit: 'USD',
      direction: 'outbound-api',
      answered_by: call.answeredBy ?? null,
      api_version: '2010-04-01',
      forwarded_from: null,
      group_sid: null,
      caller_name: null,
      queue_time: String(call.queueTimeMs),
      trunk_sid: null,
      uri,
      subresource_uris: {
        notifications: uri.replace('.json', '/Notifications.json'),
        recordings: uri.replace('.json', '/Recordings.json'),
        events: uri.replace('.json', '/Events.json'),
      },
    };
  }

  return {
    create,
    get: (sid) => calls.get(sid),
    modify,
    toJson,
    injectCreateErrors(errors) {
      for (const e of errors) injected.push(new TwilioApiError(e.status, e.code, e.message ?? `Injected error ${e.code}`));
    },
    calls,
    created: () => counter,
    rejected,
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
