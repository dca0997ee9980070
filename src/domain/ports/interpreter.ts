/**
 * The interpreter port: one utterance in, one intent (and value) out. The rules
 * interpreter implements it with no I/O; the LLM interpreter implements it over
 * an LlmGateway with the rules as fallback.
 */
import type { InterpretInput, Interpretation } from '../interpreter/types.js';

export type { InterpretInput, Interpretation } from '../interpreter/types.js';

export interface Interpreter {
  /** Which implementation answered by default (`rules`, `llm`). */
  readonly name: string;
  /**
   * Interprets what the respondent said at this stage. Never rejects for a
   * model failure: implementations fall back to the rules.
   * `opts.correlationId` goes on every log line about this turn;
   * `opts.turnStartedAt` (epoch ms) is when the turn's webhook arrived, so a
   * latency budget counts the whole turn, not just the interpretation.
   */
  interpret(input: InterpretInput, opts?: { correlationId?: string; signal?: AbortSignal; turnStartedAt?: number }): Promise<Interpretation & { source?: 'rules' | 'llm' | 'fallback' }>;
}
