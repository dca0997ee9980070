import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropicServer, startFakeOpenAiServer, type FakeLlmServer } from '../../../test/support/fake-llm-servers.js';
import type { InterpretInput } from '../../domain/interpreter/types.js';
import { createAnthropicGateway } from './anthropic/gateway.js';
import { extractJson, LlmInterpreter } from './llm-interpreter.js';
import { createOpenAiGateway } from './openai/gateway.js';

let openai: FakeLlmServer;
let anthropic: FakeLlmServer;
beforeAll(async () => {
  openai = await startFakeOpenAiServer();
  anthropic = await startFakeAnthropicServer();
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
});
afterEach(() => {
  openai.requests.length = 0;
  anthropic.requests.length = 0;
});

const scaleInput: InterpretInput = { stage: 'answer', questionType: 'scale', scale: [1, 10], language: 'en', text: 'hmm I would say seven', questionText: 'How satisfied are you?' };
const oa = (budgetMs = 800, forbiddenTopics: string[] = []) =>
  new LlmInterpreter({ gateway: createOpenAiGateway({ apiKey: 'test-key', baseUrl: openai.url, model: 'gpt-test' }), budgetMs, forbiddenTopics });

describe('LLM interpreter over an OpenAI-compatible server (test double)', () => {
  it('uses the model reply when it is valid JSON of the expected shape', async () => {
    openai.script({ kind: 'reply', content: '{"intent":"answer","value":7,"confidence":0.93}' });
    const r = await oa().interpret(scaleInput, { correlationId: 'corr-1' });
    expect(r).toMatchObject({ intent: 'answer', value: 7, confidence: 0.93, source: 'llm' });
    const req = openai.requests[0]!;
    expect(req.body.model).toBe('gpt-test');
    expect(req.body.response_format).toEqual({ type: 'json_object' });
    expect(req.headers['x-correlation-id']).toBe('corr-1');
    const system = req.body.messages[0].content as string;
    expect(system).toContain('an integer from 1 to 10');
    expect(system).toContain('How satisfied are you?');
    expect(system).toMatch(/opt_out/);
  });

  it('falls back to the rules within the budget when the model is slow, and counts it', async () => {
    openai.script({ kind: 'reply', content: '{"intent":"answer","value":2,"confidence":0.9}', delayMs: 1500 });
    const llm = oa(200);
    const t0 = Date.now();
    const r = await llm.interpret(scaleInput);
    expect(Date.now() - t0).toBeLessThan(200 + 100);
    expect(r).toMatchObject({ intent: 'answer', value: 7, source: 'fallback' });
    expect(llm.fallbacks).toBe(1);
  });

  it('falls back when the server never answers at all', async () => {
    openai.script({ kind: 'hang' });
    const t0 = Date.now();
    const r = await oa(150).interpret(scaleInput);
    expect(Date.now() - t0).toBeLessThan(250);
    expect(r.source).toBe('fallback');
  });

  it('counts the budget from when the turn started, not from when interpretation started', async () => {
    openai.script({ kind: 'reply', content: '{"intent":"answer","value":2,"confidence":0.9}', delayMs: 400 });
    const t0 = Date.now();
    const r = await oa(800).interpret(scaleInput, { turnStartedAt: t0 - 700 });
    expect(r.source).toBe('fallback');
    expect(Date.now() - t0).toBeLessThan(250);
  });

  it('falls back on a 500 without retrying', async () => {
    openai.script({ kind: 'status', status: 500 });
    const r = await oa().interpret(scaleInput);
    expect(r.source).toBe('fallback');
    expect(openai.requests).toHaveLength(1);
  });

  it('retries a 429 with backoff while the budget allows', async () => {
    openai.script({ kind: 'status', status: 429 }, { kind: 'reply', content: '{"intent":"answer","value":8,"confidence":0.9}' });
    const r = await oa(800).interpret(scaleInput);
    expect(r).toMatchObject({ value: 8, source: 'llm' });
    expect(openai.requests).toHaveLength(2);
  });

  it('does not wait for a Retry-After longer than the budget', async () => {
    openai.script({ kind: 'status', status: 429, retryAfterSeconds: 5 });
    const t0 = Date.now();
    const r = await oa(400).interpret(scaleInput);
    expect(r.source).toBe('fallback');
    expect(openai.requests).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(400);
  });

  it('falls back on malformed replies: not JSON, wrong intent, answer without a number', async () => {
    for (const content of ['Sure! The answer is seven.', '{"intent":"maybe","confidence":0.5}', '{"intent":"answer","value":"lots","confidence":0.8}', '{"intent":"answer","value":7,"confidence":3}']) {
      openai.script({ kind: 'reply', content });
      expect((await oa().interpret(scaleInput)).source, content).toBe('fallback');
    }
  });

  it('accepts JSON wrapped in prose or a code fence', () => {
    expect(extractJson('Here you go:\n```json\n{"intent":"yes","confidence":0.9,"x":"}"}\n```')).toEqual({ intent: 'yes', confidence: 0.9, x: '}' });
  });

  it('never sends phone numbers or emails to the model, and carries the guardrails', async () => {
    openai.script({ kind: 'reply', content: '{"intent":"answer","value":"call me","confidence":0.8}' });
    await oa(800, ['politics', 'religion']).interpret({ stage: 'answer', questionType: 'free_text', language: 'it', text: 'scrivetemi a mario.rossi@example.it o al +39 347 123 4567' });
    const sent = JSON.stringify(openai.requests[0]!.body);
    expect(sent).not.toMatch(/mario\.rossi|347 123 4567|3471234567/);
    expect(sent).toContain('[email]');
    expect(sent).toContain('politics, religion');
  });

  it('leaves opt-outs to the rules: no model call at all', async () => {
    const r = await oa().interpret({ stage: 'consent', language: 'it', text: 'non chiamatemi più' });
    expect(r).toMatchObject({ intent: 'opt_out', source: 'rules' });
    expect(openai.requests).toHaveLength(0);
  });

  it('parses a callback time from the model', async () => {
    openai.script({ kind: 'reply', content: '{"intent":"callback","value":null,"confidence":0.9,"callback_at":"2026-11-28T16:00:00+01:00"}' });
    const r = await oa().interpret({ stage: 'consent', language: 'it', text: 'mi senta domani pomeriggio', now: new Date('2026-11-27T09:00:00Z') });
    expect(r.callbackAt?.toISOString()).toBe('2026-11-28T15:00:00.000Z');
  });
});

describe('LLM interpreter over the Anthropic Messages API (test double)', () => {
  const an = (budgetMs = 800) => new LlmInterpreter({ gateway: createAnthropicGateway({ apiKey: 'test-key', baseUrl: anthropic.url, model: 'claude-test' }), budgetMs });

  it('uses a valid reply', async () => {
    anthropic.script({ kind: 'reply', content: '{"intent":"yes","confidence":0.97}' });
    const r = await an().interpret({ stage: 'consent', language: 'en', text: 'go on then' });
    expect(r).toMatchObject({ intent: 'yes', source: 'llm' });
    expect(anthropic.requests[0]!.body).toMatchObject({ model: 'claude-test', max_tokens: 150 });
    expect(anthropic.requests[0]!.body.system).toContain('exactly one JSON object');
  });

  it('falls back on 500, 429 past the budget, slow and malformed replies', async () => {
    for (const b of [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 429, retryAfterSeconds: 10 },
      { kind: 'reply', content: '{"intent":"yes","confidence":0.9}', delayMs: 600 },
      { kind: 'reply', content: 'yes' },
    ] as const) {
      anthropic.script(b);
      expect((await an(300).interpret({ stage: 'consent', language: 'en', text: 'yes sure' })).source, JSON.stringify(b)).toBe('fallback');
    }
  });
});
