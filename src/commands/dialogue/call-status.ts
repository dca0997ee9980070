/**
 * A provider status callback for a call the dialogue may be running: the one
 * entry point the status webhook uses (`recordCallStatus`).
 *
 * The final status is recorded and settled with the dialogue in one
 * transaction (`recordCallEvent`). When a person hung up while the dialogue was
 * still live, a turn may be in flight — its webhook left the carrier before the
 * hang-up, and what the person said there counts (a last answer, a refusal, an
 * opt-out). So the callback is answered at once, and `settlement` waits
 * `graceMs` (longer than a turn can take) before the dialogue is closed as a
 * break-off — unless that turn ended it first. Whichever commits first decides;
 * the other changes nothing. If the process dies while waiting, the reconciler
 * settles the call.
 *
 * Answering before settling also keeps the concurrency accounting on the safe
 * side: the carrier frees the call's slot when its final callback is answered,
 * we free ours only when the attempt has its outcome.
 */
import type { Kysely } from 'kysely';
import { recordCallEvent, type CallEventResult } from '../calling/outcomes.js';
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

export type CallStatusResult = CallEventResult & {
  /**
   * Set when the call ended on a live dialogue: resolves once the call is settled
   * (after the grace). Never rejects; failures are logged and left to the reconciler.
   */
  readonly settlement?: Promise<void>;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function recordCallStatus(db: Kysely<DB>, input: { callId: string; event: CallEvent }, deps: CallStatusDeps): Promise<CallStatusResult> {
  const result = await recordCallEvent(db, { callId: input.callId, event: input.event, now: deps.now() });
  if (result.status !== 'recorded' || !result.awaitingDialogue) return result;
  const settlement = (async () => {
    await (deps.wait ?? sleep)(deps.graceMs);
    await abandonDialogue(db, { callId: input.callId, now: deps.now() }, deps.log ? { log: deps.log } : {});
  })().catch((err: unknown) => deps.log?.error({ err, callId: input.callId }, 'settling a call that ended mid-dialogue failed; the reconciler will'));
  return { ...result, settlement };
}
