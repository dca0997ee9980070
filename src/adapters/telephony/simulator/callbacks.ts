/**
 * Outbound, signed HTTP from the fake carrier to the application: status
 * callbacks (with optional chaos) and TwiML fetches. Every request carries
 * `X-Twilio-Signature` computed over exactly the URL requested.
 */
import { formEncode, twilioSignature, type FormParams } from './signature.js';
import type { ChaosOptions, SimCall } from './types.js';

export interface CallbackCounters {
  sent: number;
  failed: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  delayed: number;
}

export interface Outbound {
  /** Sends a signed request; resolves with status and body, or rejects on a network error. */
  request(url: string, method: 'GET' | 'POST', params: FormParams): Promise<{ status: number; body: string }>;
  /** Aborts everything in flight (on stop). */
  abortAll(): void;
}

export function createOutbound(authToken: string, timeoutMs = 15_000): Outbound {
  const stop = new AbortController();
  return {
    async request(url, method, params) {
      let target = url;
      let body: string | undefined;
      let signature: string;
      if (method === 'GET') {
        const qs = formEncode(params);
        target = qs ? `${url}${url.includes('?') ? '&' : '?'}${qs}` : url;
        signature = twilioSignature(authToken, target);
      } else {
        body = formEncode(params);
        signature = twilioSignature(authToken, url, params);
      }
      const res = await fetch(target, {
        method,
        headers: {
          'X-Twilio-Signature': signature,
          'User-Agent': 'TwilioProxy/1.1',
          Accept: '*/*',
          ...(body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
        },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
      });
      return { status: res.status, body: await res.text() };
    },
    abortAll() {
      stop.abort();
    },
  };
}

export interface CallbackDispatcher {
  /** Queues a status callback for `call`, in order; chaos may drop, delay, duplicate or reorder it. */
  send(call: SimCall, params: Record<string, string>, final: boolean): Promise<void>;
  readonly counters: CallbackCounters;
  /** Resolves when every queued and delayed callback has been attempted. */
  drain(): Promise<void>;
}

export function createCallbackDispatcher(deps: {
  outbound: Outbound;
  chaos: ChaosOptions;
  isStopped: () => boolean;
  onError?: (sid: string, err: unknown) => void;
}): CallbackDispatcher {
  const counters: CallbackCounters = { sent: 0, failed: 0, dropped: 0, duplicated: 0, reordered: 0, delayed: 0 };
  const pending = new Set<Promise<void>>();
  const chaos = deps.chaos;
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };

  /** One delivery, retried once on a network error or 5xx (Twilio's default retry count is 1). */
  async function deliver(call: SimCall, params: Record<string, string>): Promise<void> {
    if (deps.isStopped() || !call.statusCallback) return;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const res = await deps.outbound.request(call.statusCallback, call.statusCallbackMethod, params);
        if (res.status < 500) {
          counters.sent++;
          if (res.status >= 400) deps.onError?.(call.sid, new Error(`status callback answered HTTP ${res.status}`));
          return;
        }
      } catch (err) {
        if (deps.isStopped()) return;
        if (attempt === 1) deps.onError?.(call.sid, err);
      }
    }
    counters.failed++;
  }

  async function handle(call: SimCall, params: Record<string, string>, final: boolean): Promise<void> {
    const r = call.rng;
    if (chaos.drop && r() < chaos.drop) {
      counters.dropped++;
    } else if (!final && chaos.reorder && !call.held && r() < chaos.reorder) {
      call.held = params;
      return;
    } else if (chaos.delay && r() < chaos.delay) {
      counters.delayed++;
      const ms = Math.floor(r() * (chaos.delayMs ?? 50)) + 1;
      track(new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => deliver(call, params)));
    } else {
      await deliver(call, params);
      if (chaos.duplicate && r() < chaos.duplicate) {
        counters.duplicated++;
        await deliver(call, params);
      }
    }
    if (call.held && call.held !== params) {
      const held = call.held;
      call.held = undefined;
      counters.reordered++;
      await deliver(call, held);
    }
  }

  return {
    counters,
    send(call, params, final) {
      call.chain = call.chain.then(() => handle(call, params, final)).catch((err: unknown) => deps.onError?.(call.sid, err));
      return track(call.chain);
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
