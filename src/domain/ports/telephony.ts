/**
 * The telephony port: everything the core needs from a carrier, in our terms.
 * Adapters (Twilio, the built-in simulator speaking Twilio's protocol) implement
 * it; only the adapters import an SDK.
 */

/** Final and intermediate call states, normalized from the provider's vocabulary. */
export type CallStatus =
  | 'initiated'
  | 'ringing'
  | 'answered' //   Twilio `in-progress`
  | 'completed' //  hung up after an answer
  | 'busy'
  | 'no_answer'
  | 'failed'
  | 'canceled';

/** Who picked up, when answering-machine detection is on. */
export type AnsweredBy = 'human' | 'machine' | 'fax' | 'unknown';

/** One provider status callback, verified and parsed. */
export interface CallEvent {
  readonly providerCallId: string;
  /** Provider's per-call ordering (Twilio `SequenceNumber`); events sort by it. */
  readonly sequence: number;
  readonly status: CallStatus;
  readonly occurredAt: Date;
  /** Seconds of conversation, on the final event. */
  readonly durationSeconds?: number;
  readonly answeredBy?: AnsweredBy;
  /** Provider-specific error or SIP code, when the call failed. */
  readonly errorCode?: string;
  /** The provider's own status word, stored verbatim for diagnosis. */
  readonly rawStatus: string;
}

/** The respondent's reply to a speech prompt (Twilio `<Gather>` action). */
export interface SpeechInput {
  readonly providerCallId: string;
  /** Recognized text; empty when the person said nothing. */
  readonly text: string;
  /** Speech-recognition confidence 0–1, when the provider reports one. */
  readonly confidence?: number;
}

export interface PlaceCallRequest {
  /** E.164 number to call. */
  readonly to: string;
  /** Our internal id for this attempt; echoed in callback URLs. */
  readonly callId: string;
  /** Absolute URL the provider fetches when the call is answered (call control). */
  readonly answerUrl: string;
  /** Absolute URL for status callbacks. */
  readonly statusUrl: string;
  readonly ringTimeoutSeconds?: number;
  readonly timeLimitSeconds?: number;
  readonly machineDetection?: boolean;
}

export interface PlacedCall {
  readonly providerCallId: string;
  readonly status: CallStatus | 'queued';
}

/** Why placing a call failed: permanent (bad number) or worth retrying (429, 5xx, network). */
export class TelephonyError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    /** Provider error code, e.g. Twilio `21211`, or `network`. */
    readonly code: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'TelephonyError';
  }
}

/** What to say and do next on a live call; adapters render it (TwiML, …). */
export interface CallControl {
  /** Spoken in order. */
  readonly say: readonly { readonly text: string; readonly language: 'en' | 'it'; readonly voice?: string }[];
  /**
   * Listen for speech after (and during) the prompts; the provider posts the
   * result to `actionUrl`. Absent: no listening.
   */
  readonly gather?: {
    readonly actionUrl: string;
    readonly language: 'en' | 'it';
    readonly timeoutSeconds: number;
    readonly hints?: readonly string[];
  };
  /** Hang up after speaking. */
  readonly hangup: boolean;
}

/** An incoming webhook as the HTTP edge received it. */
export interface WebhookRequest {
  /** Path and query exactly as requested (the adapter prefixes the public base URL). */
  readonly pathAndQuery: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Form-decoded body parameters (repeated keys → arrays). */
  readonly params: Readonly<Record<string, string | string[]>>;
}

export interface Telephony {
  /** Asks the provider to place a call. Throws TelephonyError. */
  placeCall(req: PlaceCallRequest): Promise<PlacedCall>;
  /** Ends a live call (or cancels a queued/ringing one). Idempotent. */
  hangUp(providerCallId: string): Promise<void>;
  /** Current state at the provider, for reconciliation; null when unknown there. */
  fetchCall(providerCallId: string): Promise<{ status: CallStatus | 'queued'; durationSeconds?: number; answeredBy?: AnsweredBy } | null>;
  /** True when the request carries a valid provider signature. */
  verifyWebhook(req: WebhookRequest): boolean;
  /** Parses a verified status callback. Throws on malformed input. */
  parseStatusCallback(req: WebhookRequest): CallEvent;
  /** Parses a verified speech-result callback. */
  parseSpeechInput(req: WebhookRequest): SpeechInput;
  /** Renders call control as the provider's response body and content type. */
  render(control: CallControl): { contentType: string; body: string };
}
