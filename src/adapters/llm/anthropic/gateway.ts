/**
 * Anthropic's Messages API through the official `@anthropic-ai/sdk`. The system
 * prompt asks for one JSON object; the caller extracts and validates it.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { LlmGateway, LlmRequest, LlmResponse } from '../../../domain/ports/llm.js';
import { toLlmError } from '../errors.js';

export interface AnthropicGatewayOptions {
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly model: string;
  readonly timeoutMs?: number;
}

export function createAnthropicGateway(opts: AnthropicGatewayOptions): LlmGateway {
  const client = new Anthropic({ apiKey: opts.apiKey, ...(opts.baseUrl ? { baseURL: opts.baseUrl } : {}), maxRetries: 0, timeout: opts.timeoutMs ?? 10_000 });
  return {
    provider: 'anthropic',
    model: opts.model,
    async complete(req: LlmRequest): Promise<LlmResponse> {
      try {
        const res = await client.messages.create(
          {
            model: opts.model,
            max_tokens: req.maxTokens ?? 200,
            system: req.system,
            messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
          },
          { ...(req.signal ? { signal: req.signal } : {}), ...(req.correlationId ? { headers: { 'x-correlation-id': req.correlationId } } : {}) },
        );
        const text = res.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
        return { text, model: res.model ?? opts.model };
      } catch (err) {
        throw toLlmError(err, 'anthropic');
      }
    },
  };
}
