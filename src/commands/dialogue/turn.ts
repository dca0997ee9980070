/**
 * The dialogue commands the telephony webhooks call:
 *
 * - `startDialogue` when the call is answered (the provider fetches call control),
 * - `runDialogueTurn` for every speech result (or silence),
 * - `abandonDialogue` when the call ends before the dialogue did (break-off).
 *
 * Each loads the call's dialogue state, interprets the speech outside any
 * transaction (the interpreter has its own latency budget), runs the pure step
 * function, and then in ONE transaction stores the new state (optimistic
 * concurrency on `call_dialogues.version`), the turn, the redacted transcript,
 * the consent record and — on a terminal step — the outcome (survey response,
 * attempt, contact, exclusion, event). Once that has committed, a campaign
 * whose last open contact it closed is completed in a short transaction of its
 * own (`completeCampaignsIfFinished`). A duplicate or concurrent webhook for the
 * same turn gets the call control already sent, and changes nothing.
 *
 * Racing the call's final status: a terminal step, `startDialogue` and
 * `abandonDialogue` first lock the attempt row (the lock order of
 * src/commands/calling/outcomes.ts) and ask `settle()` — the outcome is
 * written once, by whichever of the dialogue's ending and the settlement of the
 * final status comes first (docs/dialogue.md, "Ordering guarantees").
 */
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { DialogueInput, DialogueState } from '../../domain/dialogue/step.js';
import { initialState, QUESTION_STAGES, step, toCallControl } from '../../domain/dialogue/step.js';
import { redactTranscript } from '../../domain/dialogue/transcript.js';
import { rulesInterpreter } from '../../domain/interpreter/rules-interpreter.js';
import type { Interpretation } from '../../domain/interpreter/types.js';
import type { CallControl } from '../../domain/ports/telephony.js';
import type { DB } from '../../db/schema/index.js';
import { scrubText } from '../../observability/redact.js';
import { applyPatch, completeCampaignsIfFinished, dialoguePhase, lockAttempt } from '../calling/outcomes.js';
import { settle, type FinalStatus } from '../../domain/calling/settlement.js';
import { isTerminalStatus, type Outcome } from '../../domain/calling/transitions.js';
import type { AnsweredBy, CallStatus } from '../../domain/ports/telephony.js';
import { applyOutcome, honourOptOut } from './outcomes.js';
import { buildScript, consentWording, loadCallContext, scriptHash, sha256, type CallContext, type DialogueDeps } from './context.js';

export interface StartDialogueInput {
  /** Our call id (`call_attempts.call_id`), as carried in the webhook URL. */
  readonly callId: string;
  readonly now: Date;
  readonly correlationId?: string;
}

export interface DialogueTurnInput extends StartDialogueInput {
  /** What speech recognition heard (Twilio `SpeechResult`); empty or absent means silence. */
  readonly speech?: string;
  /** Recognition confidence 0–1 (Twilio `Confidence`). */
  readonly asrConfidence?: number;
  /** Epoch ms the webhook arrived (default: when this function starts); the LLM budget counts from it. */
  readonly receivedAt?: number;
}

const HANG_UP: CallControl = { say: [], hangup: true };

class VersionConflict extends Error {}

const promptText = (c: CallControl) => c.say.map((s) => s.text).join(' ');

function storedControl(ctx: CallContext): CallControl {
  const c = ctx.last_control as unknown as CallControl | null;
  return c && Array.isArray(c.say) ? c : HANG_UP;
}

/** The call was answered: intro, disclosure and consent question. Idempotent per call. */
export async function startDialogue(db: Kysely<DB>, input: StartDialogueInput, deps: DialogueDeps): Promise<CallControl> {
  const t0 = performance.now();
  const ctx = await loadCallContext(db, input.callId);
  if (ctx.state) return storedControl(ctx);
  if (ctx.attempt_outcome !== null) return HANG_UP;
  const script = buildScript(ctx, deps);
  const r = step(script, initialState(script.language), { kind: 'answered' }, input.now);
  const control = toCallControl(r, { actionUrl: deps.actionUrl(input.callId), timeoutSeconds: deps.gatherTimeoutSeconds ?? 5 }) as CallControl;
  const ms = performance.now() - t0;
  const created = await db.transaction().execute(async (trx) => {
    // The call may have ended (and been settled) since the context was read: no dialogue then.
    const attempt = await lockAttempt(trx, { id: ctx.attempt_id });
    if (!attempt || attempt.outcome !== null) return 'ended' as const;
    const row = await trx
      .insertInto('call_dialogues')
      .values({ call_attempt_id: ctx.attempt_id, language: script.language, state: JSON.stringify(r.state), last_control: JSON.stringify(control), script_hash: scriptHash(script) })
      .onConflict((oc) => oc.column('call_attempt_id').doNothing())
      .returning('call_attempt_id')
      .executeTakeFirst();
    if (!row) return false;
    await trx
      .insertInto('dialogue_turns')
      .values({ call_attempt_id: ctx.attempt_id, sequence: 0, stage: 'intro', prompt: promptText(control), processing_ms: Math.round(ms * 1000) / 1000 })
      .execute();
    await trx
      .updateTable('call_attempts')
      .set((eb) => ({ answered_at: eb.fn.coalesce('answered_at', eb.val(input.now)) }))
      .where('id', '=', ctx.attempt_id)
      .execute();
    await trx.insertInto('transcript_snippets').values({ call_attempt_id: ctx.attempt_id, transcript_text: `Agent: ${redactTranscript(promptText(control))}`, language: script.language }).execute();
    return true;
  });
  if (created === 'ended') return HANG_UP;
  if (!created) return storedControl(await loadCallContext(db, input.callId));
  deps.log?.debug({ correlationId: input.correlationId, callAttemptId: ctx.attempt_id, language: script.language }, 'dialogue started');
  deps.onTurn?.({ ms: performance.now() - t0 });
  return control;
}

/** One respondent turn: speech (or silence) in, the next call control out. */
export async function runDialogueTurn(db: Kysely<DB>, input: DialogueTurnInput, deps: DialogueDeps): Promise<CallControl> {
  const t0 = performance.now();
  const wallStart = Date.now();
  const ctx = await loadCallContext(db, input.callId);
  if (!ctx.state || ctx.version === null) return startDialogue(db, input, deps);
  const state = ctx.state as unknown as DialogueState;
  const text = (input.speech ?? '').trim();
  if (state.stage === 'done') {
    // A webhook after the end: a duplicate, or speech that arrived after the call was settled.
    // "Don't call me again" is honoured all the same (decided by the rules alone, as always).
    if (text !== '') {
      const heard = await rulesInterpreter.interpret({ stage: 'consent', language: ctx.dialogue_language ?? 'en', text, now: input.now, timeZone: ctx.contact_timezone ?? ctx.campaign_timezone });
      if (heard.intent === 'opt_out') await optOutThenCompletion(db, ctx);
    }
    return storedControl(ctx);
  }
  const script = buildScript(ctx, deps, ctx.dialogue_language ?? undefined);

  let interpretation: (Interpretation & { source?: string }) | undefined;
  let dialogueInput: DialogueInput;
  if (text === '') dialogueInput = { kind: 'silence' };
  else {
    const stageName = state.stage === 'consent' || state.stage === 'intro' ? 'consent' : 'answer';
    const qi = QUESTION_STAGES.indexOf(state.stage as never);
    const q = qi >= 0 ? script.questions[qi] : undefined;
    interpretation = await (deps.interpreter ?? rulesInterpreter).interpret(
      {
        stage: stageName,
        language: script.language,
        text,
        now: input.now,
        timeZone: ctx.contact_timezone ?? ctx.campaign_timezone,
        ...(q ? { questionType: q.type, scale: [q.scale[0], q.scale[1]] as const, questionText: q.text } : {}),
        ...(input.asrConfidence !== undefined ? { asrConfidence: input.asrConfidence } : {}),
      },
      { turnStartedAt: input.receivedAt ?? wallStart, ...(input.correlationId ? { correlationId: input.correlationId } : {}) },
    );
    dialogueInput = { kind: 'speech', text, interpretation };
  }

  const r = step(script, state, dialogueInput, input.now);
  const control = toCallControl(r, { actionUrl: deps.actionUrl(input.callId), timeoutSeconds: deps.gatherTimeoutSeconds ?? 5 }) as CallControl;
  const ms = performance.now() - t0;

  const heard = text === '' ? null : scrubText(text);
  const asr = input.asrConfidence === undefined ? null : Math.round(Math.min(1, Math.max(0, input.asrConfidence)) * 1000) / 1000;
  const interpretationJson = interpretation ? JSON.stringify({ ...interpretation, ...(interpretation.callbackAt ? { callbackAt: interpretation.callbackAt.toISOString() } : {}) }) : null;
  const snippet = `Respondent: ${text === '' ? '(silence)' : redactTranscript(text)}\nAgent: ${redactTranscript(promptText(control))}`;
  const gaveConsent = state.stage === 'consent' && r.state.stage === 'q1';
  // Whether this turn's ending became the attempt's outcome (not when the call was settled first).
  let ended = false;
  // Campaigns this turn may have finished: checked once its transaction has committed.
  let finished: string[] = [];
  try {
    // State, turn and transcript in ONE statement (one round trip, atomic). The
    // inserts read from the guarded UPDATE, so a lost race writes nothing.
    const writeTurn = async (q: Kysely<DB>) => {
      const res = await sql<{ n: number }>`
        with upd as (
          update call_dialogues set state = ${JSON.stringify(r.state)}::jsonb, last_control = ${JSON.stringify(control)}::jsonb, version = version + 1
          where call_attempt_id = ${ctx.attempt_id} and version = ${ctx.version}
          returning call_attempt_id),
        turn as (
          insert into dialogue_turns (call_attempt_id, sequence, stage, prompt, heard_text, asr_confidence, interpretation, interpreter, processing_ms)
          select call_attempt_id, ${ctx.version}, ${state.stage}, ${promptText(control)}, ${heard}, ${asr}, ${interpretationJson}::jsonb, ${interpretation?.source ?? null}, ${Math.round(ms * 1000) / 1000} from upd),
        snip as (
          insert into transcript_snippets (call_attempt_id, transcript_text, language)
          select call_attempt_id, ${snippet}, ${script.language}::language_code from upd)
        select count(*)::int as n from upd`.execute(q);
      if (Number(res.rows[0]?.n ?? 0) === 0) throw new VersionConflict();
    };
    // The common turn needs no transaction of its own.
    if (!r.outcome && !gaveConsent) await writeTurn(db);
    else finished = await db.transaction().execute(async (trx) => {
      const attempt = r.outcome ? await lockAttempt(trx, { id: ctx.attempt_id }) : undefined;
      await writeTurn(trx);
      if (gaveConsent) {
        const wording = consentWording(script);
        await trx
          .insertInto('consent_records')
          .values({ call_attempt_id: ctx.attempt_id, contact_id: ctx.contact_id, campaign_id: ctx.campaign_id, consented_at: input.now, language: script.language, script_version: sha256(wording), wording, heard_text: redactTranscript(text) })
          .onConflict((oc) => oc.column('call_attempt_id').doNothing())
          .execute();
      }
      if (r.outcome && attempt) {
        const s = settle({ outcome: attempt.outcome as Outcome | null, dialogue: 'live', finalStatus: null }, 'dialogue_ending');
        if (s.kind === 'dialogue') {
          const applied = await applyOutcome(trx, ctx, attempt.attempt_number, script, r.outcome, input.now);
          ended = true;
          return applied.campaigns;
        }
        // The call was settled first (the grace after the hang-up was over, or the reconciler).
        deps.log?.info({ correlationId: input.correlationId, callAttemptId: ctx.attempt_id, outcome: r.outcome.kind }, 'dialogue ending arrived after the call was settled; not applied');
        if (r.outcome.kind === 'opt_out') return honourOptOut(trx, ctx, { includeOwnContact: true });
      }
      return [];
    });
  } catch (err) {
    if (err instanceof VersionConflict) {
      deps.log?.info({ correlationId: input.correlationId, callAttemptId: ctx.attempt_id }, 'dialogue turn raced another webhook for the same call; answering with the stored control');
      // An opt-out is honoured even when the call was closed under it.
      if (r.outcome?.kind === 'opt_out') await optOutThenCompletion(db, ctx);
      return storedControl(await loadCallContext(db, input.callId));
    }
    throw err;
  }
  await completeCampaignsIfFinished(db, finished);
  deps.log?.debug({ correlationId: input.correlationId, callAttemptId: ctx.attempt_id, stage: state.stage, intent: interpretation?.intent, source: interpretation?.source, outcome: r.outcome?.kind, ms }, 'dialogue turn');
  deps.onTurn?.({ ms: performance.now() - t0, ...(interpretation ? { intent: interpretation.intent, source: interpretation.source ?? 'rules' } : {}), ...(r.outcome && ended ? { outcome: r.outcome.kind } : {}) });
  return control;
}

/** An opt-out heard outside a turn's ending, in its own transaction; then the campaigns it may have finished. */
async function optOutThenCompletion(db: Kysely<DB>, ctx: CallContext): Promise<void> {
  await completeCampaignsIfFinished(db, await db.transaction().execute((trx) => honourOptOut(trx, ctx, { includeOwnContact: true })));
}

/**
 * The call ended while the dialogue was still running, and no turn can still
 * be in flight (the grace after the final status is over, or the reconciler):
 * settle the attempt. A person hung up → break-off: partial answers stay in the
 * turn log, the contact is retryable (or not reached for good after its last
 * attempt). Returns false when there was nothing to settle (never started,
 * already over, or the attempt already has its outcome). Once that has
 * committed, the campaign is completed if this was its last open contact.
 */
export async function abandonDialogue(db: Kysely<DB>, input: StartDialogueInput, deps: Omit<DialogueDeps, 'actionUrl'> & { actionUrl?: DialogueDeps['actionUrl'] } = {}): Promise<boolean> {
  const ctx = await loadCallContext(db, input.callId);
  if (!ctx.state || ctx.version === null || ctx.attempt_outcome !== null) return false;
  const script = buildScript(ctx, { ...deps, actionUrl: deps.actionUrl ?? (() => '') }, ctx.dialogue_language ?? undefined);
  const closed = await db.transaction().execute(async (trx): Promise<{ finished: string[] } | null> => {
    const attempt = await lockAttempt(trx, { id: ctx.attempt_id });
    if (!attempt || attempt.outcome !== null) return null;
    if ((await dialoguePhase(trx, attempt.id)) !== 'live') return null;
    // Read under the dialogue row's lock: no turn can change it before this commits.
    const row = await trx.selectFrom('call_dialogues').select(['state', 'version']).where('call_attempt_id', '=', attempt.id).executeTakeFirstOrThrow();
    const state = row.state as unknown as DialogueState;
    // The final status recorded while waiting for the dialogue; none recorded means a hang-up.
    const finalStatus: FinalStatus = attempt.call_status && isTerminalStatus(attempt.call_status)
      ? { status: attempt.call_status as CallStatus, answeredBy: attempt.answered_by as AnsweredBy | null }
      : { status: 'completed', answeredBy: attempt.answered_by as AnsweredBy | null };
    const s = settle({ outcome: null, dialogue: 'live', finalStatus }, 'quiet');
    const r = step(script, state, { kind: 'hangup' }, input.now);
    await trx.updateTable('call_dialogues').set({ state: JSON.stringify(r.state), version: row.version + 1 }).where('call_attempt_id', '=', attempt.id).execute();
    await trx.insertInto('dialogue_turns').values({ call_attempt_id: attempt.id, sequence: row.version, stage: state.stage, prompt: '', heard_text: null, interpretation: JSON.stringify({ event: 'hangup' }) }).execute();
    if (s.kind === 'break_off' && r.outcome) return { finished: (await applyOutcome(trx, ctx, attempt.attempt_number, script, r.outcome, input.now)).campaigns };
    if (s.kind === 'carrier') {
      const applied = await applyPatch(trx, attempt, { outcome: s.outcome, ...(s.errorCode ? { errorCode: s.errorCode } : {}), ...(attempt.ended_at ? {} : { endedAt: input.now }) }, { now: input.now });
      return { finished: applied.contactFinal ? [attempt.campaign_id] : [] };
    }
    return { finished: [] };
  });
  if (!closed) return false;
  await completeCampaignsIfFinished(db, closed.finished);
  deps.log?.info({ correlationId: input.correlationId, callAttemptId: ctx.attempt_id }, 'dialogue closed after the call ended');
  return true;
}
