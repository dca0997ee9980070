import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnsweredBy, CallStatus } from '../ports/telephony.js';
import { attemptOutcomeOfDialogue, contactAfterDialogue, settle, type Arrival, type DialoguePhase, type FinalStatus, type Settlement } from './settlement.js';
import type { Outcome } from './transitions.js';

const hungUp: FinalStatus = { status: 'completed', answeredBy: 'human' };

describe('settle', () => {
  it('an attempt with an outcome keeps it; a dialogue ending after that is late', () => {
    for (const arrival of ['final_status', 'quiet'] as const) {
      expect(settle({ outcome: 'completed', dialogue: 'done', finalStatus: hungUp }, arrival)).toEqual({ kind: 'keep' });
    }
    expect(settle({ outcome: 'failed', dialogue: 'done', finalStatus: hungUp }, 'dialogue_ending')).toEqual({ kind: 'late' });
  });

  it('the dialogue ending applies whether or not the call already ended', () => {
    expect(settle({ outcome: null, dialogue: 'live', finalStatus: null }, 'dialogue_ending')).toEqual({ kind: 'dialogue' });
    expect(settle({ outcome: null, dialogue: 'live', finalStatus: hungUp }, 'dialogue_ending')).toEqual({ kind: 'dialogue' });
  });

  it('a person hanging up on a live dialogue waits for a turn in flight, then is a break-off', () => {
    expect(settle({ outcome: null, dialogue: 'live', finalStatus: hungUp }, 'final_status')).toEqual({ kind: 'wait' });
    expect(settle({ outcome: null, dialogue: 'live', finalStatus: hungUp }, 'quiet')).toEqual({ kind: 'break_off' });
    expect(settle({ outcome: null, dialogue: 'live', finalStatus: { status: 'completed', answeredBy: 'unknown' } }, 'final_status')).toEqual({ kind: 'wait' });
  });

  it('without a dialogue a hang-up is a break-off at once', () => {
    expect(settle({ outcome: null, dialogue: 'none', finalStatus: hungUp }, 'final_status')).toEqual({ kind: 'carrier', outcome: 'failed', errorCode: 'break_off', closeDialogue: false });
  });

  it('the carrier decides at once what is not a person hanging up, closing a live dialogue', () => {
    const cases: [CallStatus, AnsweredBy | null, Outcome, string | undefined][] = [
      ['completed', 'machine', 'voicemail', undefined],
      ['completed', 'fax', 'voicemail', undefined],
      ['busy', null, 'busy', undefined],
      ['no_answer', null, 'no_answer', undefined],
      ['failed', null, 'failed', undefined],
      ['canceled', null, 'failed', 'canceled'],
    ];
    for (const [status, answeredBy, outcome, errorCode] of cases) {
      expect(settle({ outcome: null, dialogue: 'live', finalStatus: { status, answeredBy } }, 'final_status'))
        .toEqual({ kind: 'carrier', outcome, ...(errorCode ? { errorCode } : {}), closeDialogue: true });
    }
    expect(settle({ outcome: null, dialogue: 'live', finalStatus: { status: 'failed', errorCode: '32005' } }, 'final_status'))
      .toEqual({ kind: 'carrier', outcome: 'failed', errorCode: '32005', closeDialogue: true });
  });

  it('nothing more will come and no final status is known: reconciled_timeout', () => {
    expect(settle({ outcome: null, dialogue: 'live', finalStatus: null }, 'quiet')).toEqual({ kind: 'carrier', outcome: 'failed', errorCode: 'reconciled_timeout', closeDialogue: true });
    expect(settle({ outcome: null, dialogue: 'none', finalStatus: null }, 'quiet')).toEqual({ kind: 'carrier', outcome: 'failed', errorCode: 'reconciled_timeout', closeDialogue: false });
  });

  /**
   * A model of one answered call: the commands lock the attempt, read the facts, apply the
   * settlement. Whatever the order of the final status (possibly duplicated), the dialogue's
   * ending (if the conversation reached one), and the quiet moment after the grace:
   * - the outcome is decided exactly once, by the first deciding arrival;
   * - the dialogue's ending is the outcome iff it arrived before the grace was over;
   * - otherwise the carrier decides (a break-off, closed by the dialogue, for a person hanging up).
   */
  it('property: any order of arrivals decides exactly once, and the dialogue wins iff it came in time', () => {
    const input = fc.record({
      shuffled: fc.shuffledSubarray(['final', 'final_again', 'dialogue', 'quiet'] as const, { minLength: 4, maxLength: 4 }),
      dialogueEnds: fc.boolean(),
      answeredBy: fc.constantFrom<AnsweredBy>('human', 'machine', 'unknown'),
    });
    fc.assert(fc.property(input, ({ shuffled, dialogueEnds, answeredBy }) => {
      const order = [...shuffled];
      // The quiet moment (grace over, or the reconciler) comes after the first final status.
      const firstFinal = Math.min(order.indexOf('final'), order.indexOf('final_again'));
      if (order.indexOf('quiet') < firstFinal) [order[order.indexOf('quiet')], order[firstFinal]] = [order[firstFinal]!, 'quiet'];
      let outcome: string | null = null;
      let dialogue: DialoguePhase = 'live';
      let finalStatus: FinalStatus | null = null;
      const deciding: Settlement[] = [];
      for (const s of order) {
        let arrival: Arrival;
        if (s === 'dialogue') {
          // A closed dialogue's last turn fails its version check: it never reaches settle().
          if (!dialogueEnds || dialogue === 'done') continue;
          arrival = 'dialogue_ending';
        } else if (s === 'quiet') arrival = 'quiet';
        else {
          finalStatus = { status: 'completed', answeredBy };
          arrival = 'final_status';
        }
        const d = settle({ outcome: outcome as Outcome | null, dialogue, finalStatus }, arrival);
        if (d.kind === 'dialogue' || d.kind === 'break_off') [outcome, dialogue] = [d.kind, 'done'];
        else if (d.kind === 'carrier') [outcome, dialogue] = [d.outcome, d.closeDialogue ? 'done' : dialogue];
        else continue;
        deciding.push(d);
      }
      expect(deciding).toHaveLength(1);
      const first = Math.min(order.indexOf('final'), order.indexOf('final_again'));
      if (answeredBy === 'machine') expect(outcome).toBe(dialogueEnds && order.indexOf('dialogue') < first ? 'dialogue' : 'voicemail');
      else expect(outcome).toBe(dialogueEnds && order.indexOf('dialogue') < order.indexOf('quiet') ? 'dialogue' : 'break_off');
    }), { numRuns: 500 });
  });
});

describe('dialogue endings', () => {
  it('map to attempt outcomes', () => {
    expect(attemptOutcomeOfDialogue('completed')).toEqual({ outcome: 'completed', errorCode: null });
    expect(attemptOutcomeOfDialogue('refused')).toEqual({ outcome: 'refused', errorCode: null });
    expect(attemptOutcomeOfDialogue('opt_out')).toEqual({ outcome: 'refused', errorCode: 'opt_out' });
    expect(attemptOutcomeOfDialogue('callback')).toEqual({ outcome: 'failed', errorCode: 'callback_requested' });
    expect(attemptOutcomeOfDialogue('break_off')).toEqual({ outcome: 'failed', errorCode: 'break_off' });
    expect(attemptOutcomeOfDialogue('no_response')).toEqual({ outcome: 'failed', errorCode: 'no_response' });
  });

  it('move the contact only while it is in progress on this attempt; a retryable ending on the last attempt closes it', () => {
    const live = { state: 'in_progress', attemptsCount: 2 };
    expect(contactAfterDialogue(live, 2, 'completed', 3)).toEqual({ kind: 'completed' });
    expect(contactAfterDialogue(live, 2, 'opt_out', 3)).toEqual({ kind: 'refused', optOut: true });
    expect(contactAfterDialogue(live, 2, 'refused', 3)).toEqual({ kind: 'refused', optOut: false });
    for (const e of ['callback', 'break_off', 'no_response'] as const) {
      expect(contactAfterDialogue(live, 2, e, 3)).toEqual({ kind: 'retry' });
      expect(contactAfterDialogue(live, 2, e, 2)).toEqual({ kind: 'not_reached' });
    }
    expect(contactAfterDialogue(live, 1, 'completed', 3)).toEqual({ kind: 'none' });
    expect(contactAfterDialogue({ state: 'pending', attemptsCount: 2 }, 2, 'completed', 3)).toEqual({ kind: 'none' });
  });
});
