/**
 * The LLM gateway port: one chat completion that must come back as JSON. The
 * OpenAI-compatible and Anthropic adapters implement it; only they import an SDK.
 */

export interface LlmMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

export interface LlmRequest {
  /** System prompt (instructions, context, guardrails). */
  readonly system: string;
  readonly messages: readonly LlmMessage[];
  /** Upper bound on the reply's length. */
  readonly maxTokens?: number;
  /** Cancels the request (the latency budget ran out). */
  readonly signal?: AbortSignal;
  /** Sent as a request header and put on every log line about this request. */
  readonly correlationId?: string;
}

export interface LlmResponse {
  /** The model's reply text (expected to be one JSON object). */
  readonly text: string;
  /** The model that answered, as the provider reports it. */
  readonly model: string;
}

/** Why a completion failed, in provider-neutral terms. */
export type LlmErrorKind = 'rate_limited' | 'timeout' | 'aborted' | 'server' | 'client' | 'network';

export class LlmError extends Error {
  constructor(
    message: string,
    readonly kind: LlmErrorKind,
    readonly status?: number,
    /** From a Retry-After header on 429, when given. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

export interface LlmGateway {
  /** `openai` (any OpenAI-compatible endpoint) or `anthropic`. */
  readonly provider: string;
  /** The configured model name. */
  readonly model: string;
  /** One completion. No retries inside: the caller owns the latency budget. Throws LlmError. */
  complete(req: LlmRequest): Promise<LlmResponse>;
}
