/**
 * OpenAI-compatible chat completions (OpenAI, Azure OpenAI's v1 endpoint,
 * self-hosted gateways such as vLLM or LiteLLM) through the official `openai`
 * package. JSON mode is requested; the caller validates the JSON.
 */
import OpenAI from 'openai';
import type { LlmGateway, LlmRequest, LlmResponse } from '../../../domain/ports/llm.js';
import { toLlmError } from '../errors.js';

export interface OpenAiGatewayOptions {
  readonly apiKey: string;
  /** e.g. `https://api.openai.com/v1` or a gateway's `/v1` URL. */
  readonly baseUrl?: string;
  readonly model: string;
  /** Hard cap per request (the interpreter's budget is usually shorter). */
  readonly timeoutMs?: number;
  /** Ask for `response_format: json_object` (some self-hosted servers reject it). */
  readonly jsonMode?: boolean;
}

export function createOpenAiGateway(opts: OpenAiGatewayOptions): LlmGateway {
  const client = new OpenAI({ apiKey: opts.apiKey, ...(opts.baseUrl ? { baseURL: opts.baseUrl } : {}), maxRetries: 0, timeout: opts.timeoutMs ?? 10_000 });
  return {
    provider: 'openai',
    model: opts.model,
    async complete(req: LlmRequest): Promise<LlmResponse> {
      try {
        const res = await client.chat.completions.create(
          {
            model: opts.model,
            messages: [{ role: 'system', content: req.system }, ...req.messages.map((m) => ({ role: m.role, content: m.content }))],
            temperature: 0,
            max_tokens: req.maxTokens ?? 200,
            ...(opts.jsonMode === false ? {} : { response_format: { type: 'json_object' as const } }),
          },
          { ...(req.signal ? { signal: req.signal } : {}), ...(req.correlationId ? { headers: { 'x-correlation-id': req.correlationId } } : {}) },
        );
        return { text: res.choices[0]?.message?.content ?? '', model: res.model ?? opts.model };
      } catch (err) {
        throw toLlmError(err, 'openai');
      }
    },
  };
}
