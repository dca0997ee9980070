/**
 * The Twilio telephony adapter: REST call control through the official
 * twilio-node client, webhook verification with twilio-node's validateRequest,
 * TwiML through its VoiceResponse. Works unchanged against real Twilio and
 * against the built-in simulator (set `apiBaseUrl`).
 */
import twilio from 'twilio';
import type {
  CallControl,
  CallEvent,
  PlaceCallRequest,
  PlacedCall,
  SpeechInput,
  Telephony,
  WebhookRequest,
} from '../../../domain/ports/telephony.js';
import { toTelephonyError } from './errors.js';
import { RedirectingRequestClient } from './http-client.js';
import { mapAnsweredBy, mapCallStatus, parseSpeechParams, parseStatusParams } from './parse.js';
import { renderTwiml } from './twiml.js';

export type MachineDetectionMode = 'off' | 'Enable' | 'DetectMessageEnd';

export interface TwilioTelephonyOptions {
  /** `AC…`: always in the REST path. */
  readonly accountSid: string;
  /** Signs webhooks (Twilio signs with the account's auth token, even when REST uses an API key). */
  readonly authToken: string;
  /** REST credentials as an API key (`SK…` + secret) instead of account SID + auth token. */
  readonly apiKey?: { readonly sid: string; readonly secret: string };
  /** Caller ID, E.164. */
  readonly fromNumber: string;
  /**
   * The public base URL Twilio uses to reach us (e.g. `https://surveys.example.org`),
   * or a function returning it (when the port is known only after listen).
   * Signatures are checked against this, never against the request's Host header.
   */
  readonly publicBaseUrl: string | (() => string);
  /** Send REST requests here instead of api.twilio.com (the simulator). */
  readonly apiBaseUrl?: string;
  /** Answering-machine detection when a request asks for it or leaves it open. Default `off`. */
  readonly machineDetection?: MachineDetectionMode;
  /** REST request timeout, ms. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Clock for events without a Timestamp. */
  readonly now?: () => Date;
}

const TERMINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Joins the public base URL and a request's path+query without doubling or dropping slashes. */
export function publicUrl(base: string, pathAndQuery: string): string {
  return `${base.replace(/\/+$/, '')}/${pathAndQuery.replace(/^\/+/, '')}`;
}

export function createTwilioTelephony(opts: TwilioTelephonyOptions): Telephony {
  const [user, password] = opts.apiKey ? [opts.apiKey.sid, opts.apiKey.secret] : [opts.accountSid, opts.authToken];
  const client = twilio(user, password, {
    accountSid: opts.accountSid,
    env: {}, // credentials come from our configuration only, never from TWILIO_* variables
    ...(opts.apiBaseUrl
      ? { httpClient: new RedirectingRequestClient(opts.apiBaseUrl, { timeoutMs: opts.requestTimeoutMs }) }
      : { timeout: opts.requestTimeoutMs ?? 10_000 }),
  });
  const base = typeof opts.publicBaseUrl === 'function' ? opts.publicBaseUrl : () => opts.publicBaseUrl as string;
  const now = opts.now ?? (() => new Date());
  const amdDefault = opts.machineDetection ?? 'off';

  const call = (sid: string) => client.calls(sid);

  async function update(sid: string, status: 'completed' | 'canceled'): Promise<string | null> {
    try {
      const c = await call(sid).update({ status });
      return c.status;
    } catch (err) {
      const e = err as { status?: number; code?: number };
      // Unknown call, or no longer modifiable (21220): nothing left to end.
      if (e.status === 404 || e.code === 20404 || e.code === 21220) return null;
      throw toTelephonyError(err);
    }
  }

  return {
    async placeCall(req: PlaceCallRequest): Promise<PlacedCall> {
      const amd: MachineDetectionMode =
        req.machineDetection === false ? 'off' : req.machineDetection === true && amdDefault === 'off' ? 'Enable' : amdDefault;
      try {
        const created = await client.calls.create({
          to: req.to,
          from: opts.fromNumber,
          url: req.answerUrl,
          method: 'POST',
          statusCallback: req.statusUrl,
          statusCallbackMethod: 'POST',
          statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
          ...(req.ringTimeoutSeconds !== undefined ? { timeout: req.ringTimeoutSeconds } : {}),
          ...(req.timeLimitSeconds !== undefined ? { timeLimit: req.timeLimitSeconds } : {}),
          ...(amd !== 'off' ? { machineDetection: amd } : {}),
        });
        const status = mapCallStatus(created.status);
        return { providerCallId: created.sid, status: status ?? 'queued' };
      } catch (err) {
        throw toTelephonyError(err);
      }
    },

    async hangUp(providerCallId: string): Promise<void> {
      let current: string;
      try {
        current = (await call(providerCallId).fetch()).status;
      } catch (err) {
        const e = err as { status?: number };
        if (e.status === 404) return;
        throw toTelephonyError(err);
      }
      if (TERMINAL.has(current)) return;
      if (current === 'in-progress') {
        await update(providerCallId, 'completed');
        return;
      }
      // queued / initiated / ringing: cancel; if it was answered meanwhile, hang up.
      const after = await update(providerCallId, 'canceled');
      if (after === 'in-progress') await update(providerCallId, 'completed');
    },

    async fetchCall(providerCallId: string) {
      try {
        const c = await call(providerCallId).fetch();
        const status = mapCallStatus(c.status) ?? 'failed';
        const duration = c.duration !== null && c.duration !== undefined && c.duration !== '' ? Number(c.duration) : undefined;
        const answeredBy = mapAnsweredBy(c.answeredBy ?? undefined);
        return {
          status,
          ...(duration !== undefined && Number.isFinite(duration) ? { durationSeconds: duration } : {}),
          ...(answeredBy ? { answeredBy } : {}),
        };
      } catch (err) {
        const e = err as { status?: number };
        if (e.status === 404) return null;
        throw toTelephonyError(err);
      }
    },

    verifyWebhook(req: WebhookRequest): boolean {
      const signature = header(req.headers, 'x-twilio-signature');
      if (!signature) return false;
      const url = publicUrl(base(), req.pathAndQuery);
      try {
        return twilio.validateRequest(opts.authToken, signature, url, req.params as Record<string, string>);
      } catch {
        return false;
      }
    },

    parseStatusCallback(req: WebhookRequest): CallEvent {
      return parseStatusParams(req.params, now);
    },

    parseSpeechInput(req: WebhookRequest): SpeechInput {
      return parseSpeechParams(req.params);
    },

    render(control: CallControl) {
      return { contentType: 'text/xml', body: renderTwiml(control) };
    },
  };
}
