/**
 * Twilio webhook parameters → domain values. Pure functions over the
 * form-decoded body.
 */
import type { AnsweredBy, CallEvent, CallStatus, SpeechInput } from '../../../domain/ports/telephony.js';

type Params = Readonly<Record<string, string | string[]>>;

export class WebhookParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookParseError';
  }
}

/** Twilio `CallStatus` → our status (`queued` is never a callback; it maps to null). */
const STATUS: Record<string, CallStatus> = {
  initiated: 'initiated',
  ringing: 'ringing',
  'in-progress': 'answered',
  answered: 'answered',
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'failed',
  canceled: 'canceled',
};

export function mapCallStatus(raw: string): CallStatus | 'queued' | null {
  if (raw === 'queued') return 'queued';
  return STATUS[raw] ?? null;
}

/** Twilio `AnsweredBy` → ours: machine_start / machine_end_* → machine. */
export function mapAnsweredBy(raw: string | undefined): AnsweredBy | undefined {
  if (!raw) return undefined;
  if (raw === 'human') return 'human';
  if (raw.startsWith('machine')) return 'machine';
  if (raw === 'fax') return 'fax';
  return 'unknown';
}

function one(params: Params, key: string): string | undefined {
  const v = params[key];
  if (Array.isArray(v)) return v[v.length - 1];
  return v;
}

function required(params: Params, key: string): string {
  const v = one(params, key);
  if (v === undefined || v === '') throw new WebhookParseError(`missing ${key}`);
  return v;
}

function nonNegativeInt(raw: string | undefined, key: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new WebhookParseError(`${key} is not a non-negative integer`);
  return Number(raw);
}

/** Parses an RFC 2822 `Timestamp`; falls back to `now` when absent or unreadable. */
function parseTimestamp(raw: string | undefined, now: () => Date): Date {
  if (raw) {
    const t = Date.parse(raw);
    if (!Number.isNaN(t)) return new Date(t);
  }
  return now();
}

const FAILURE_STATUSES: ReadonlySet<CallStatus> = new Set(['busy', 'no_answer', 'failed', 'canceled']);

export function parseStatusParams(params: Params, now: () => Date = () => new Date()): CallEvent {
  const providerCallId = required(params, 'CallSid');
  const rawStatus = required(params, 'CallStatus');
  const status = mapCallStatus(rawStatus);
  if (status === null || status === 'queued') throw new WebhookParseError(`unexpected CallStatus "${rawStatus}"`);
  const sequence = nonNegativeInt(one(params, 'SequenceNumber'), 'SequenceNumber');
  const duration = nonNegativeInt(one(params, 'CallDuration'), 'CallDuration');
  const errorCode = one(params, 'ErrorCode') || (FAILURE_STATUSES.has(status) ? one(params, 'SipResponseCode') : undefined);
  const answeredBy = mapAnsweredBy(one(params, 'AnsweredBy'));
  return {
    providerCallId,
    // Without StatusCallbackEvent Twilio sends only `completed`, with no sequence
    // number; rank it after every intermediate event.
    sequence: sequence ?? (status === 'initiated' ? 0 : status === 'ringing' ? 1 : status === 'answered' ? 2 : 3),
    status,
    occurredAt: parseTimestamp(one(params, 'Timestamp'), now),
    rawStatus,
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
    ...(answeredBy ? { answeredBy } : {}),
    ...(errorCode ? { errorCode } : {}),
  };
}

export function parseSpeechParams(params: Params): SpeechInput {
  const providerCallId = required(params, 'CallSid');
  const text = (one(params, 'SpeechResult') ?? '').trim();
  const rawConfidence = one(params, 'Confidence');
  let confidence: number | undefined;
  if (rawConfidence !== undefined && rawConfidence !== '') {
    const c = Number(rawConfidence);
    if (Number.isFinite(c)) confidence = Math.min(1, Math.max(0, c));
  }
  return { providerCallId, text, ...(confidence !== undefined ? { confidence } : {}) };
}
