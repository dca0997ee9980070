/**
 * Chooses the interpreter from configuration: the rules alone, or an LLM
 * (OpenAI-compatible or Anthropic) with the rules as fallback.
 */
import type { Config } from '../../config.js';
import { rulesInterpreter } from '../../domain/interpreter/rules-interpreter.js';
import type { Interpreter } from '../../domain/ports/interpreter.js';
import type { Logger } from '../../observability/logger.js';
import { createAnthropicGateway } from './anthropic/gateway.js';
import { LlmInterpreter } from './llm-interpreter.js';
import { createOpenAiGateway } from './openai/gateway.js';

export function createInterpreter(config: Config, log?: Logger, onFallback?: (reason: string) => void): Interpreter {
  const c = config.llm;
  if (c.provider === 'none') return rulesInterpreter;
  const common = { apiKey: c.apiKey, model: c.model, timeoutMs: Math.max(c.budgetMs * 4, 2000), ...(c.baseUrl ? { baseUrl: c.baseUrl } : {}) };
  const gateway = c.provider === 'openai' ? createOpenAiGateway({ ...common, jsonMode: c.jsonMode }) : createAnthropicGateway(common);
  return new LlmInterpreter({ gateway, budgetMs: c.budgetMs, persistReserveMs: 30, forbiddenTopics: c.forbiddenTopics, ...(log ? { log } : {}), ...(onFallback ? { onFallback } : {}) });
}
