import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';
import { createInterpreter } from '../../adapters/llm/index.js';
import { dialogueDepsFromConfig } from './deps.js';

describe('dialogue and LLM configuration', () => {
  it('defaults to the rules interpreter, an 800 ms budget and a voice per language', () => {
    const c = loadConfig({});
    expect(c.llm).toEqual({ provider: 'none', budgetMs: 800 });
    expect(createInterpreter(c).name).toBe('rules');
    const d = dialogueDepsFromConfig(c, { actionUrl: (id) => `/x/${id}` });
    expect(d.voices).toEqual({ en: 'Polly.Joanna-Neural', it: 'Polly.Bianca-Neural' });
    expect(d.gatherTimeoutSeconds).toBe(5);
  });

  it('requires a key and a model for an LLM provider, naming both', () => {
    try {
      loadConfig({ LLM_PROVIDER: 'openai' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['LLM_API_KEY', 'LLM_MODEL']);
    }
  });

  it('builds the LLM interpreter with the configured budget, topics and disclosure text', () => {
    const c = loadConfig({ LLM_PROVIDER: 'anthropic', LLM_API_KEY: 'k', LLM_MODEL: 'm', LLM_TIMEOUT_MS: '300', LLM_FORBIDDEN_TOPICS: 'politics, health', DIALOGUE_AI_DISCLOSURE_IT: 'Sono un sistema automatico.' });
    expect(c.llm).toMatchObject({ provider: 'anthropic', budgetMs: 300, forbiddenTopics: ['politics', 'health'] });
    expect(createInterpreter(c).name).toBe('llm');
    expect(dialogueDepsFromConfig(c, { actionUrl: () => '' }).texts).toEqual({ it: { aiDisclosure: 'Sono un sistema automatico.' } });
  });
});
