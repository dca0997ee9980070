import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createDialogueMetrics } from './dialogue-metrics.js';

describe('dialogue metrics', () => {
  it('records turn latency, intents, outcomes and fallbacks', async () => {
    const registry = new Registry();
    const m = createDialogueMetrics(registry);
    m.onTurn({ ms: 4, intent: 'yes', source: 'llm' });
    m.onTurn({ ms: 12, intent: 'answer', source: 'fallback', outcome: 'completed' });
    m.onFallback('budget_exceeded');
    const text = await registry.metrics();
    expect(text).toMatch(/voicesurvey_dialogue_turn_seconds_count 2/);
    expect(text).toMatch(/voicesurvey_dialogue_intents_total\{intent="yes",source="llm"\} 1/);
    expect(text).toMatch(/voicesurvey_dialogue_outcomes_total\{outcome="completed"\} 1/);
    expect(text).toMatch(/voicesurvey_interpreter_fallbacks_total\{reason="budget_exceeded"\} 1/);
  });
});
