import { describe, expect, it } from 'vitest';
import { interpretRules } from '../interpreter/rules.js';
import type { Interpretation } from '../interpreter/types.js';
import { callLanguage, initialState, step, toCallControl, type DialogueScript, type DialogueState, type StepResult } from './step.js';
import { DEFAULT_TEXTS } from './texts.js';

const now = new Date('2026-11-27T09:00:00Z');
const script = (over: Partial<DialogueScript> = {}): DialogueScript => ({
  language: 'en',
  introScript: 'Hello, this is Example Ltd calling about your recent visit. It takes two minutes.',
  questions: [
    { text: 'From 1 to 10, how satisfied are you?', type: 'scale', scale: [1, 10] },
    { text: 'How many times did you visit us this year?', type: 'numeric', scale: [1, 10] },
    { text: 'What should we improve?', type: 'free_text', scale: [1, 10] },
  ],
  ...over,
});

/** Runs a conversation of utterances (null = silence) through the rules interpreter. */
function run(s: DialogueScript, said: (string | null)[]): { results: StepResult[]; state: DialogueState } {
  let state = initialState(s.language);
  const results: StepResult[] = [];
  let r = step(s, state, { kind: 'answered' }, now);
  results.push(r);
  state = r.state;
  for (const text of said) {
    if (state.stage === 'done') break;
    if (text === null) r = step(s, state, { kind: 'silence' }, now);
    else {
      const qi = state.stage === 'consent' ? -1 : Number(state.stage.slice(1)) - 1;
      const q = qi >= 0 ? s.questions[qi] : undefined;
      const interpretation = interpretRules({ stage: qi < 0 ? 'consent' : 'answer', language: s.language, text, questionType: q?.type, scale: q?.scale as [number, number], now });
      r = step(s, state, { kind: 'speech', text, interpretation }, now);
    }
    results.push(r);
    state = r.state;
  }
  return { results, state };
}
const spoken = (r: StepResult) => r.say.map((u) => u.text).join(' ');

describe('dialogue step', () => {
  it('opens with the intro verbatim, the AI disclosure and the consent question, listening', () => {
    const r = step(script(), initialState('en'), { kind: 'answered' }, now);
    expect(r.say.map((u) => u.text)).toEqual([script().introScript, DEFAULT_TEXTS.en.aiDisclosure, DEFAULT_TEXTS.en.consentQuestion]);
    expect(r.listen).toBe(true);
    expect(r.state.stage).toBe('consent');
  });

  it('omits the disclosure when the intro already says the call is automated, and uses configured text', () => {
    const auto = step(script({ introScript: 'Buongiorno, sono un assistente virtuale di Esempio.', language: 'it' }), initialState('it'), { kind: 'answered' }, now);
    expect(auto.say).toHaveLength(2);
    const custom = step(script({ texts: { aiDisclosure: 'You are talking to a computer.' }, voice: 'Polly.Joanna-Neural' }), initialState('en'), { kind: 'answered' }, now);
    expect(custom.say[1]).toEqual({ text: 'You are talking to a computer.', language: 'en', voice: 'Polly.Joanna-Neural' });
  });

  it('completes after consent and three answers, normalized by type, with acknowledgements', () => {
    const { results, state } = run(script(), ['yes sure', 'eight', 'about twenty', 'Shorter queues']);
    expect(spoken(results[1]!)).toContain('how satisfied');
    expect(spoken(results[2]!)).toMatch(/^Thank you\. How many times/);
    const outcome = results.at(-1)!.outcome!;
    expect(outcome.kind).toBe('completed');
    if (outcome.kind !== 'completed') return;
    expect(outcome.answers.map((a) => a.value)).toEqual([8, 20, 'Shorter queues']);
    expect(results.at(-1)!.hangup).toBe(true);
    expect(state.consentAt).toBe(now.toISOString());
  });

  it('never asks a question before consent', () => {
    for (const said of [['no'], ['what?', 'what?', 'hmm'], [null, null], ['eight', 'nine']]) {
      const { results } = run(script(), said as (string | null)[]);
      for (const r of results) for (const q of script().questions) expect(spoken(r)).not.toContain(q.text);
    }
  });

  it('refuses politely on no, and hangs up', () => {
    const { results } = run(script(), ['no thanks']);
    expect(results.at(-1)!.outcome).toEqual({ kind: 'refused', reason: 'declined_consent', answers: {} });
    expect(spoken(results.at(-1)!)).toBe(DEFAULT_TEXTS.en.refusedGoodbye);
    expect(results.at(-1)!.hangup).toBe(true);
  });

  it('repeats once per stage; a second repeat counts as unclear', () => {
    const { results } = run(script(), ['yes', 'can you repeat?', 'can you repeat?']);
    expect(spoken(results[2]!)).toBe('From 1 to 10, how satisfied are you?');
    expect(spoken(results[3]!)).toBe('Sorry, I didn\'t catch that. Please answer with a number from 1 to 10.');
  });

  it('clarifies once, then keeps the heard text flagged for review and moves on', () => {
    const { results, state } = run(script(), ['yes', 'very good', 'really good', '3', 'nothing']);
    expect(spoken(results[2]!)).toContain('a number from 1 to 10');
    expect(state.answers.q1).toEqual({ value: null, heard: 'really good', confidence: expect.any(Number), needsReview: true });
    expect(state.answers.q1!.confidence).toBeLessThanOrEqual(0.2);
    expect(results.at(-1)!.outcome?.kind).toBe('completed');
  });

  it('reprompts after silence once; silence again at consent is no_response', () => {
    const { results } = run(script(), [null, null]);
    expect(spoken(results[1]!)).toContain('Are you still there?');
    expect(results[1]!.listen).toBe(true);
    expect(results.at(-1)!.outcome).toEqual({ kind: 'no_response', reason: 'silence' });
  });

  it('ends on opt-out at any stage with an apology, keeping partial answers', () => {
    const { results } = run(script(), ['yes', 'seven', "don't call me again"]);
    const last = results.at(-1)!;
    expect(last.outcome?.kind).toBe('opt_out');
    expect(spoken(last)).toContain('apologise');
    if (last.outcome?.kind === 'opt_out') expect(last.outcome.answers.q1?.value).toBe(7);
  });

  it('ends on a callback request with the requested time', () => {
    const { results } = run(script({ language: 'it' }), ['mi richiami domani']);
    const o = results.at(-1)!.outcome!;
    expect(o.kind).toBe('callback');
    if (o.kind === 'callback') expect(o.at).toBe('2026-11-28T10:00:00.000Z');
  });

  it('treats "basta, arrivederci" mid-survey as stopping, and a hang-up as a break-off', () => {
    const stop = run(script({ language: 'it' }), ['sì', 'otto', 'basta, arrivederci']);
    expect(stop.results.at(-1)!.outcome).toMatchObject({ kind: 'refused', reason: 'stopped_mid_survey', answers: { q1: { value: 8 } } });
    const mid = run(script(), ['yes', 'six']);
    const hung = step(script(), mid.state, { kind: 'hangup' }, now);
    expect(hung.outcome).toMatchObject({ kind: 'break_off', answers: { q1: { value: 6 } } });
  });

  it('rejects a value outside the question bounds through a clarification', () => {
    const s = script();
    const st: DialogueState = { ...initialState('en'), stage: 'q1', consentAt: now.toISOString() };
    const forged: Interpretation = { intent: 'answer', value: 42, confidence: 0.9 };
    expect(step(s, st, { kind: 'speech', text: '42', interpretation: forged }, now).state.clarifications.q1).toBe(1);
  });

  it('renders call control with a gather while listening', () => {
    const r = step(script(), initialState('en'), { kind: 'answered' }, now);
    const cc = toCallControl(r, { actionUrl: '/webhooks/x', timeoutSeconds: 6 });
    expect(cc.gather).toMatchObject({ actionUrl: '/webhooks/x', language: 'en', timeoutSeconds: 6 });
    expect(cc.hangup).toBe(false);
  });

  it('picks the contact language, else the campaign language', () => {
    expect(callLanguage('it', 'en')).toBe('it');
    expect(callLanguage('auto', 'en')).toBe('en');
    expect(callLanguage(null, 'it')).toBe('it');
  });
});
