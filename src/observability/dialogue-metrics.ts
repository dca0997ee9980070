/**
 * Prometheus metrics of the dialogue: our share of each turn's latency,
 * interpreter fallbacks (LLM → rules) and intents. Registered on the registry
 * the composition root passes in.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface DialogueMetrics {
  /** Pass as DialogueDeps.onTurn. */
  onTurn(t: { ms: number; intent?: string; source?: string; outcome?: string }): void;
  /** Pass as the LLM interpreter's onFallback. */
  onFallback(reason: string): void;
}

export function createDialogueMetrics(registry: Registry): DialogueMetrics {
  const latency = new Histogram({
    name: 'voicesurvey_dialogue_turn_seconds',
    help: 'Our processing time per dialogue turn (webhook received to call control returned)',
    buckets: [0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1, 2],
    registers: [registry],
  });
  const intents = new Counter({ name: 'voicesurvey_dialogue_intents_total', help: 'Interpreted intents by source', labelNames: ['intent', 'source'], registers: [registry] });
  const outcomes = new Counter({ name: 'voicesurvey_dialogue_outcomes_total', help: 'Dialogue outcomes', labelNames: ['outcome'], registers: [registry] });
  const fallbacks = new Counter({ name: 'voicesurvey_interpreter_fallbacks_total', help: 'Turns answered by the rules because the LLM was slow, failing or malformed', labelNames: ['reason'], registers: [registry] });
  return {
    onTurn(t) {
      latency.observe(t.ms / 1000);
      if (t.intent) intents.inc({ intent: t.intent, source: t.source ?? 'rules' });
      if (t.outcome) outcomes.inc({ outcome: t.outcome });
    },
    onFallback(reason) {
      fallbacks.inc({ reason });
    },
  };
}
