/**
 * A provider status callback for a call the dialogue may be running: the one
 * entry point the status webhook uses (`recordCallStatus`).
 */
import type { Kysely } from 'kysely';
import { recordCallEvent, type CallEventResult } from '../calling/outcomes.js';
import { isTerminalStatus } from '../../domain/calling/transitions.js';
import type { CallEvent } from '../../domain/ports/telephony.js';
import type { DB } from '../../db/schema/index.js';
import type { Logger } from '../../observability/logger.js';
import { abandonDialogue } from './turn.js';

export interface CallStatusDeps {
  /** How long a dialogue turn already in flight gets to finish after the call ended. */
  readonly graceMs: number;
  readonly now: () => Date;
  /** Waits `ms` (default: a timer). Tests pass a gate. */
  readonly wait?: (ms: number) => Promise<void>;
  readonly log?: Logger;
}

export async function recordCallStatus(db: Kysely<DB>, input: { callId: string; event: CallEvent }, deps: CallStatusDeps): Promise<CallEventResult> {
  if (isTerminalStatus(input.event.status)) {
    await abandonDialogue(db, { callId: input.callId, now: deps.now() }).catch((err: unknown) => deps.log?.error({ err, callId: input.callId }, 'closing the dialogue on hang-up failed'));
  }
  return recordCallEvent(db, { callId: input.callId, event: input.event, now: deps.now() });
}
