/**
 * Telephony webhooks: status callbacks, and the call-control URLs the provider
 * fetches on answer and after each speech input. Public routes, authenticated
 * by the provider's signature (verified through the Telephony port against the
 * configured public base URL).
 *
 * Status callback: verify → 403 (nothing written) | parse → 400 | record the raw
 * event and apply it in one transaction → 200 (a duplicate is a 200 no-op) |
 * unknown call → 404, logged. When a person hung up on a live dialogue the 200
 * comes at once and the call is settled after a grace, in the background
 * (`recordStatus`, docs/calling.md "Ordering guarantees").
 *
 * Answer / speech: the dialogue owns them. `handleAnswer` and `handleSpeech`
 * are single functions passed in deps, so the dialogue replaces them without
 * touching this file; the defaults below speak a short notice and hang up.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Kysely } from 'kysely';
import { recordCallEvent, type CallEventResult } from '../../commands/calling/outcomes.js';
import type { DB } from '../../db/schema/index.js';
import type { Clock } from '../../domain/clock.js';
import type { CallControl, CallEvent, SpeechInput, Telephony, WebhookRequest } from '../../domain/ports/telephony.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { WEBHOOK_PATHS } from '../../workers/scheduler.js';

export interface AnswerContext {
  readonly callId: string;
  readonly providerCallId?: string;
  readonly db: Kysely<DB>;
}
export type AnswerHandler = (ctx: AnswerContext) => Promise<CallControl>;
export type SpeechHandler = (ctx: AnswerContext & { readonly input: SpeechInput }) => Promise<CallControl>;

export interface TelephonyWebhookDeps {
  readonly db: Kysely<DB>;
  readonly telephony: Telephony;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Call control when the call is answered (the dialogue's first turn). */
  readonly handleAnswer?: AnswerHandler;
  /** Call control after a speech input (the dialogue's next turn). */
  readonly handleSpeech?: SpeechHandler;
  /**
   * Records a verified status callback (default: `recordCallEvent`). The dialogue
   * replaces it (`recordCallStatus`) to settle calls that end while it is running:
   * a returned `settlement` finishes after the callback is answered (it is awaited
   * when the server closes).
   */
  readonly recordStatus?: (input: { callId: string; event: CallEvent }) => Promise<CallEventResult & { settlement?: Promise<void> }>;
}

/** Placeholder until the dialogue lands: a short notice, then hang up. */
export const defaultHandleAnswer: AnswerHandler = async () => ({
  say: [{ text: 'Thank you for your time. Goodbye.', language: 'en' }],
  hangup: true,
});
export const defaultHandleSpeech: SpeechHandler = async () => ({
  say: [{ text: 'Thank you. Goodbye.', language: 'en' }],
  hangup: true,
});

/** Public routes: the provider's signature is the authentication (src/http/server.ts requires `config.access`). */
// Rate limited per source address: generous enough for a carrier's burst of callbacks at high CPS,
// low enough that a flood of forged requests cannot tie up the signature check and the database.
const PUBLIC = { schema: { hide: true }, config: { access: 'public', rateLimit: { max: 6000, timeWindow: '1 minute' } } } as RouteShorthandOptions;

function toWebhookRequest(req: FastifyRequest): WebhookRequest {
  const body = (req.body ?? {}) as Record<string, string | string[]>;
  return { pathAndQuery: req.url, headers: req.headers, params: typeof body === 'object' ? body : {} };
}

function callIdOf(req: FastifyRequest): string | undefined {
  const q = (req.query ?? {}) as Record<string, unknown>;
  return typeof q.call_id === 'string' && q.call_id.length > 0 ? q.call_id : undefined;
}

export async function registerTelephonyWebhooks(app: FastifyInstance, deps: TelephonyWebhookDeps): Promise<void> {
  const handleAnswer = deps.handleAnswer ?? defaultHandleAnswer;
  const handleSpeech = deps.handleSpeech ?? defaultHandleSpeech;
  const { telephony, log, metrics } = deps;

  // Settlements still running after their callback was answered; the server waits for them on close.
  const settling = new Set<Promise<void>>();

  await app.register(async (scope) => {
    await scope.register(formbody);
    scope.addHook('onClose', async () => {
      await Promise.allSettled([...settling]);
    });

    const timed = (route: string, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) =>
      async (req: FastifyRequest, reply: FastifyReply) => {
        const end = metrics.webhookLatency.startTimer({ route });
        try {
          const r = await handler(req, reply);
          end({ status: String(reply.statusCode) });
          return r;
        } catch (err) {
          end({ status: '500' });
          throw err;
        }
      };

    scope.post(WEBHOOK_PATHS.status, PUBLIC, timed('status', async (req, reply) => {
      const wr = toWebhookRequest(req);
      if (!telephony.verifyWebhook(wr)) {
        log.warn({ reqId: req.id, route: 'status' }, 'telephony webhook with an invalid signature rejected');
        return reply.code(403).send({ error: 'invalid signature' });
      }
      const callId = callIdOf(req);
      if (!callId) return reply.code(404).send({ error: 'unknown call' });
      let event;
      try {
        event = telephony.parseStatusCallback(wr);
      } catch (err) {
        log.warn({ err, callId }, 'malformed status callback');
        return reply.code(400).send({ error: 'malformed status callback' });
      }
      const result: CallEventResult & { settlement?: Promise<void> } = deps.recordStatus
        ? await deps.recordStatus({ callId, event })
        : await recordCallEvent(deps.db, { callId, event, now: deps.clock.now() });
      if (result.status === 'unknown_call') {
        log.warn({ callId, sequence: event.sequence }, 'status callback for an unknown call');
        return reply.code(404).send({ error: 'unknown call' });
      }
      if (result.status === 'recorded' && result.outcome) metrics.callOutcomes.inc({ outcome: result.outcome });
      if (result.settlement) {
        const p = result.settlement.finally(() => settling.delete(p));
        settling.add(p);
      }
      return reply.code(200).send();
    }));

    const control = (route: 'answer' | 'speech') => timed(route, async (req, reply) => {
      const wr = toWebhookRequest(req);
      if (!telephony.verifyWebhook(wr)) {
        log.warn({ reqId: req.id, route }, 'telephony webhook with an invalid signature rejected');
        return reply.code(403).send({ error: 'invalid signature' });
      }
      const callId = callIdOf(req);
      if (!callId) return reply.code(404).send({ error: 'unknown call' });
      const providerCallId = typeof wr.params.CallSid === 'string' ? wr.params.CallSid : undefined;
      const ctx: AnswerContext = { callId, providerCallId, db: deps.db };
      const next = route === 'answer' ? await handleAnswer(ctx) : await handleSpeech({ ...ctx, input: telephony.parseSpeechInput(wr) });
      const rendered = telephony.render(next);
      return reply.code(200).header('content-type', rendered.contentType).send(rendered.body);
    });
    scope.post(WEBHOOK_PATHS.answer, PUBLIC, control('answer'));
    scope.post(WEBHOOK_PATHS.speech, PUBLIC, control('speech'));
  });
}
