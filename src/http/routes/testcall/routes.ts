/**
 * `POST /api/campaigns/:id/test-call` — try a campaign before launch: the real
 * script, dialogue step function and interpreter, no phone and no writes. The
 * server keeps nothing between turns; the signed state travels with the client.
 */
import { createInterpreter } from '../../../adapters/llm/index.js';
import { dialogueDepsFromConfig } from '../../../commands/dialogue/deps.js';
import { loadTestScript, outcomeSummary, recordedAnswers, startTestCall, testCallTurn, type TestTurn } from '../../../commands/testcall/testcall.js';
import { QUESTION_STAGES, type DialogueScript, type QuestionStage } from '../../../domain/dialogue/step.js';
import { DomainError } from '../../../domain/errors.js';
import type { Interpreter } from '../../../domain/ports/interpreter.js';
import type { ApiServices } from '../../api.js';
import { problem, sendProblem } from '../../problem.js';
import { defineRoute, principalOf, type RouteDef } from '../../route.js';
import { IdParams } from '../campaigns/schema.js';
import { TestCallBody, TestCallOut } from './schema.js';
import { createStateSigner } from './state-token.js';

export function testCallRoutes(s: ApiServices): RouteDef[] {
  const signer = createStateSigner(s.config.auth.tokenSecret);
  // The same texts, voices and interpreter configuration as live calls.
  const dialogue = dialogueDepsFromConfig(s.config, { actionUrl: () => '' });
  const scriptDeps = { ...(dialogue.texts ? { texts: dialogue.texts } : {}), ...(dialogue.voices ? { voices: dialogue.voices } : {}) };
  let interpreter: Interpreter | undefined;
  const interpreterOf = () => (interpreter ??= createInterpreter(s.config, s.log));

  return [
    defineRoute({
      method: 'POST',
      url: '/api/campaigns/:id/test-call',
      access: 'campaign:test_call',
      summary: 'Test call: one turn of the campaign’s dialogue, typed instead of spoken',
      description:
        'Runs the campaign’s real script, the dialogue engine and the configured interpreter with no phone call and nothing stored. ' +
        'Start with `{}` (or `{"language":"it"}`); continue with `{"state": <from the previous reply>, "input": {"speech": "…"}}` or `{"input": {"silence": true}}`. ' +
        'The state is signed, bound to the caller and the campaign, and expires after 30 idle minutes. ' +
        'Errors: `test_call.state_invalid` / `test_call.state_expired` (400), `test_call.ended` and `test_call.script_changed` (409): start again.',
      tags: ['campaigns'],
      params: IdParams,
      body: TestCallBody,
      response: { 200: TestCallOut },
      rateLimit: { max: 120, timeWindow: '1 minute' },
      handler: async (req, reply) => {
        const principal = principalOf(req);
        const campaignId = req.params.id;
        const body = req.body;
        const now = new Date();
        let turn: TestTurn;
        let script: DialogueScript;
        let hash: string;
        if (body.state === undefined) {
          const loaded = await loadTestScript(s.db, campaignId, scriptDeps, body.language);
          ({ script, hash } = loaded);
          turn = startTestCall(script, now);
        } else {
          const check = await signer.verify(body.state, { userId: principal.userId, campaignId }, now);
          if (!check.ok) {
            // A 404 for an unknown campaign takes precedence over a state that cannot belong to it.
            await loadTestScript(s.db, campaignId, scriptDeps);
            const expired = check.reason === 'expired';
            return sendProblem(
              reply,
              problem(
                400,
                expired ? 'test_call.state_expired' : 'test_call.state_invalid',
                expired ? 'This test call has been idle too long; start a new one.' : 'The test call state was not issued by this server for you and this campaign, or it was altered; start a new test call.',
                req.id,
                { errors: [{ field: 'state', code: expired ? 'expired' : 'invalid', message: expired ? 'has expired' : 'is not a valid test call state' }] },
              ),
            );
          }
          const { claims } = check;
          const loaded = await loadTestScript(s.db, campaignId, scriptDeps, claims.language);
          ({ script, hash } = loaded);
          if (hash !== claims.scriptHash) {
            throw new DomainError('test_call.script_changed', 'The campaign’s script changed since this test call started; start a new one to hear the new wording.', 'conflict');
          }
          if (claims.state.stage === 'done') throw new DomainError('test_call.ended', 'This test call has ended; start a new one.', 'conflict');
          const input = body.input!;
          const said = input.speech !== undefined ? { speech: input.speech, ...(input.confidence !== undefined ? { confidence: input.confidence } : {}) } : { silence: true as const };
          turn = await testCallTurn(script, claims.state, said, { interpreter: interpreterOf(), now, timeZone: loaded.timeZone, correlationId: req.id });
        }

        const r = turn.result;
        const signed = await signer.sign({ userId: principal.userId, campaignId, language: script.language, scriptHash: hash, state: r.state }, now);
        const qi = QUESTION_STAGES.indexOf(r.state.stage as QuestionStage);
        const q = qi >= 0 ? script.questions[qi]! : undefined;
        const u = turn.understood;
        const ended = r.state.stage === 'done';
        const outcome = r.state.outcome ? outcomeSummary(r.state.outcome) : null;
        req.log.info({ campaignId, stage: r.state.stage, intent: u?.intent, source: u?.source, outcome: outcome?.kind }, 'test call turn');
        return {
          state: signed.token,
          state_expires_at: signed.expiresAt.toISOString(),
          language: script.language,
          stage: r.state.stage,
          prompts: r.say.map((p) => ({ text: p.text, language: p.language })),
          listening: r.listen,
          understood: u ? { heard: u.heard, intent: u.intent, value: u.value, confidence: u.confidence, source: u.source, callback_at: u.callbackAt } : null,
          expecting: ended
            ? null
            : q
              ? { kind: 'answer' as const, question: qi + 1, type: q.type, scale: q.type === 'scale' ? { min: q.scale[0], max: q.scale[1] } : null }
              : { kind: 'consent' as const, question: null, type: null, scale: null },
          answers: recordedAnswers(script, r.state.answers).map((a) => ({ question: a.question, type: a.type, value: a.value, heard: a.heard, confidence: a.confidence, needs_review: a.needsReview })),
          ended,
          outcome: outcome ? { kind: outcome.kind, reason: outcome.reason, callback_at: outcome.callbackAt } : null,
        };
      },
    }),
  ];
}
