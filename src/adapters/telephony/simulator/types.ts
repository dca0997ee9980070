/**
 * The simulator's internal records: one per call, with everything the REST
 * API reports and everything a test may want to inspect afterwards.
 */
import type { PersonaScript } from './personas.js';

export type SimStatus = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

export const FINAL_STATUSES: ReadonlySet<SimStatus> = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export interface ChaosOptions {
  /** Probability that a status callback is delivered twice. */
  readonly duplicate?: number;
  /** Probability that a (non-final) status callback is held back and delivered after the next one. */
  readonly reorder?: number;
  /** Probability that a status callback is delivered late (up to `delayMs`), outside the call's ordered stream. */
  readonly delay?: number;
  /** Maximum extra delay for delayed callbacks, ms. Default 50. */
  readonly delayMs?: number;
  /** Probability that a status callback is never delivered. */
  readonly drop?: number;
  /** Probability that a create request fails with HTTP 500 (code 20500). */
  readonly create5xx?: number;
  /** Probability that a create request fails with HTTP 429 (code 20429). */
  readonly create429?: number;
}

/** One line of what was said on a call, in order. */
export interface TranscriptLine {
  readonly who: 'agent' | 'respondent';
  /** What was said; `null` for a respondent's silence. */
  readonly text: string | null;
  readonly language?: string;
  /** True for an agent prompt played inside a `<Gather>`. */
  readonly listening?: boolean;
  readonly confidence?: number;
}

/** What a test or benchmark can inspect about one call. */
export interface CallLog {
  readonly sid: string;
  readonly to: string;
  readonly persona: string;
  status: SimStatus;
  answeredBy?: string;
  durationSeconds?: number;
  /** Status callbacks as generated (before chaos), in order. */
  readonly events: { sequence: number; status: SimStatus }[];
  /** Agent prompts and respondent answers, interleaved in call order. */
  readonly transcript: TranscriptLine[];
  /** TwiML fetch or parse failures (Twilio 11200/12100-style). */
  readonly errors: string[];
}

export interface SimCall {
  readonly sid: string;
  readonly accountSid: string;
  readonly to: string;
  readonly from: string;
  readonly url?: string;
  readonly method: 'GET' | 'POST';
  readonly twiml?: string;
  readonly statusCallback?: string;
  readonly statusCallbackMethod: 'GET' | 'POST';
  readonly events: ReadonlySet<string>;
  readonly timeoutSeconds: number;
  readonly timeLimitSeconds: number;
  readonly machineDetection?: 'Enable' | 'DetectMessageEnd';
  readonly persona: PersonaScript;
  /** Per-call deterministic randomness for callback chaos. */
  readonly rng: () => number;
  /** Per-call deterministic randomness for speech (confidence jitter), separate so chaos draws stay reproducible. */
  readonly speechRng: () => number;
  status: SimStatus;
  readonly dateCreated: Date;
  dateUpdated: Date;
  startTime?: Date;
  endTime?: Date;
  answeredBy?: string;
  durationSeconds?: number;
  sipResponseCode?: number;
  queueTimeMs: number;
  /** Seconds of conversation so far (simulated time: also counts in fast mode). */
  talkSeconds: number;
  /** Next status-callback SequenceNumber. */
  sequence: number;
  /** Remote control requests (REST hang-up or redirect). */
  request?: { kind: 'hangup'; status: 'completed' | 'canceled' } | { kind: 'redirect'; url?: string; method: 'GET' | 'POST'; twiml?: string };
  /** Aborted to cut short a wait when a remote request arrives. */
  wake: AbortController;
  /** Ordered delivery of this call's status callbacks. */
  chain: Promise<void>;
  /** A callback held back by the reorder chaos, sent after the next one. */
  held?: Record<string, string>;
  readonly log: CallLog;
}
