import type { Config } from '../../config.js';
import type { Interpreter } from '../../domain/ports/interpreter.js';
import type { Logger } from '../../observability/logger.js';
import type { DialogueDeps } from './context.js';

/** Dialogue wiring from configuration (voices, disclosure texts, gather timeout). */
export function dialogueDepsFromConfig(
  config: Config,
  extra: { actionUrl: (callId: string) => string; interpreter?: Interpreter; log?: Logger; onTurn?: DialogueDeps['onTurn'] },
): DialogueDeps {
  const d = config.dialogue;
  return {
    actionUrl: extra.actionUrl,
    voices: d.voices,
    texts: {
      ...(d.aiDisclosure.en ? { en: { aiDisclosure: d.aiDisclosure.en } } : {}),
      ...(d.aiDisclosure.it ? { it: { aiDisclosure: d.aiDisclosure.it } } : {}),
    },
    gatherTimeoutSeconds: d.gatherTimeoutSeconds,
    ...(extra.interpreter ? { interpreter: extra.interpreter } : {}),
    ...(extra.log ? { log: extra.log } : {}),
    ...(extra.onTurn ? { onTurn: extra.onTurn } : {}),
  };
}
