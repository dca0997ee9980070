/**
 * Test call request and response shapes (the console imports them).
 *
 * Start: `{}` or `{ "language": "it" }`. Each next turn: `{ "state": <from the
 * previous reply>, "input": { "speech": "yes" } }` or `{ …, "input": { "silence": true } }`.
 */
import { z } from 'zod';
import { LANGUAGES, QUESTION_TYPES } from '../../../db/schema/core.js';

export const TEST_CALL_MAX_SPEECH = 500;

export const TestCallInput = z
  .strictObject({
    speech: z.string().max(TEST_CALL_MAX_SPEECH, `must be at most ${TEST_CALL_MAX_SPEECH} characters`).optional(),
    confidence: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
    silence: z.literal(true, 'must be true when given').optional(),
  })
  .superRefine((v, ctx) => {
    const spoke = v.speech !== undefined;
    if (spoke && v.silence) ctx.addIssue({ code: 'custom', path: ['silence'], message: 'cannot be given together with speech' });
    else if (!spoke && !v.silence) ctx.addIssue({ code: 'custom', path: ['speech'], message: 'is required (or send "silence": true)' });
    else if (spoke && v.speech!.trim() === '') ctx.addIssue({ code: 'custom', path: ['speech'], message: 'must not be blank (send "silence": true for no answer)' });
    if (v.confidence !== undefined && !spoke) ctx.addIssue({ code: 'custom', path: ['confidence'], message: 'goes with speech' });
  });

export const TestCallBody = z
  .strictObject({
    /** The opaque state from the previous reply; absent to start a test call. */
    state: z.string().min(1, 'must not be empty').max(32_000, 'is too long').optional(),
    /** The call's language (only when starting); default: the campaign's. */
    language: z.enum(LANGUAGES).optional(),
    /** What the respondent said (only when continuing). */
    input: TestCallInput.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.state === undefined && v.input !== undefined) ctx.addIssue({ code: 'custom', path: ['state'], message: 'is required with input: send the state from the previous reply (start without input)' });
    if (v.state !== undefined && v.input === undefined) ctx.addIssue({ code: 'custom', path: ['input'], message: 'is required to continue a test call' });
    if (v.state !== undefined && v.language !== undefined) ctx.addIssue({ code: 'custom', path: ['language'], message: 'is chosen when the test call starts' });
  });
export type TestCallBody = z.output<typeof TestCallBody>;

const Stage = z.enum(['intro', 'consent', 'q1', 'q2', 'q3', 'done']);

export const TestCallOut = z.object({
  state: z.string(),
  state_expires_at: z.string(),
  language: z.enum(LANGUAGES),
  stage: Stage,
  /** What the agent says, in order. */
  prompts: z.array(z.object({ text: z.string(), language: z.enum(LANGUAGES) })),
  /** True while the agent waits for an answer. */
  listening: z.boolean(),
  /** What the interpreter made of the last input; null when starting and for silence. */
  understood: z
    .object({
      heard: z.string(),
      intent: z.enum(['yes', 'no', 'repeat', 'opt_out', 'callback', 'answer', 'unclear']),
      value: z.union([z.number(), z.string()]).nullable(),
      confidence: z.number(),
      source: z.enum(['rules', 'llm', 'fallback']),
      callback_at: z.string().nullable(),
    })
    .nullable(),
  /** The answer expected now (null once the call has ended). */
  expecting: z
    .object({
      kind: z.enum(['consent', 'answer']),
      question: z.number().int().min(1).max(3).nullable(),
      type: z.enum(QUESTION_TYPES).nullable(),
      scale: z.object({ min: z.number(), max: z.number() }).nullable(),
    })
    .nullable(),
  /** Answers so far, as a live call would record them (a test call records nothing). */
  answers: z.array(
    z.object({
      question: z.number().int(),
      type: z.enum(QUESTION_TYPES),
      value: z.union([z.number(), z.string()]).nullable(),
      heard: z.string(),
      confidence: z.number(),
      needs_review: z.boolean(),
    }),
  ),
  ended: z.boolean(),
  /** How the call ended (only when `ended`). */
  outcome: z
    .object({
      kind: z.enum(['completed', 'refused', 'opt_out', 'callback', 'no_response', 'break_off']),
      reason: z.string().nullable(),
      callback_at: z.string().nullable(),
    })
    .nullable(),
});
export type TestCallOut = z.output<typeof TestCallOut>;
