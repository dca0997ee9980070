/**
 * A tiny voice application on loopback for telephony tests: it serves TwiML
 * through a Telephony adapter (intro + consent, three questions, goodbye) and
 * records verified status callbacks. Every request must carry a valid
 * signature; forged ones get 403 and are counted.
 */
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { CallEvent, Telephony, WebhookRequest } from '../../src/domain/ports/telephony.js';

export const INTRO = 'Hello, this is the city library calling about a short survey. It takes two minutes.';
export const CONSENT = 'May we ask you three questions?';
export const QUESTIONS = ['How would you rate us from one to ten?', 'What did you like most?', 'How likely are you to come back?'];

export interface SurveyApp {
  readonly url: string;
  /** Verified status callbacks, in arrival order. */
  readonly events: CallEvent[];
  /** Speech results received, per provider call id. */
  readonly answers: Map<string, { text: string; confidence?: number }[]>;
  /** Requests refused for a bad signature. */
  forged: number;
  /** Set by the test once the adapter exists (it needs the app's URL first). */
  telephony?: Telephony;
  close(): Promise<void>;
}

function toWebhook(req: FastifyRequest): WebhookRequest {
  return {
    pathAndQuery: req.url,
    headers: req.headers,
    params: (req.body ?? {}) as Record<string, string | string[]>,
  };
}

export async function startSurveyApp(language: 'en' | 'it' = 'en'): Promise<SurveyApp> {
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(formbody);
  const state: SurveyApp = {
    url: '',
    events: [],
    answers: new Map(),
    forged: 0,
    close: () => app.close(),
  };
  const tel = () => {
    if (!state.telephony) throw new Error('survey app: telephony not set');
    return state.telephony;
  };

  app.addHook('preHandler', async (req, reply) => {
    if (!tel().verifyWebhook(toWebhook(req))) {
      state.forged++;
      return reply.code(403).send('forbidden');
    }
  });

  const twiml = (reply: FastifyReply, control: Parameters<Telephony['render']>[0]) => {
    const out = tel().render(control);
    return reply.type(out.contentType).send(out.body);
  };

  app.post<{ Params: { id: string } }>('/calls/:id/answer', async (req, reply) =>
    twiml(reply, {
      say: [{ text: INTRO, language }, { text: CONSENT, language }],
      gather: { actionUrl: `${state.url}/calls/${req.params.id}/turn?step=0`, language, timeoutSeconds: 5, hints: ['yes', 'no'] },
      hangup: false,
    }),
  );

  app.post<{ Params: { id: string }; Querystring: { step: string; retry?: string } }>('/calls/:id/turn', async (req, reply) => {
    const input = tel().parseSpeechInput(toWebhook(req));
    const list = state.answers.get(input.providerCallId) ?? [];
    list.push({ text: input.text, ...(input.confidence !== undefined ? { confidence: input.confidence } : {}) });
    state.answers.set(input.providerCallId, list);
    const step = Number(req.query.step);
    const retry = Number(req.query.retry ?? 0);
    const base = `${state.url}/calls/${req.params.id}/turn`;
    if (input.text === '' || /repeat|again|pardon/i.test(input.text)) {
      if (retry >= 1) return twiml(reply, { say: [{ text: 'Sorry, goodbye.', language }], hangup: true });
      const prompt = step === 0 ? CONSENT : QUESTIONS[step - 1]!;
      return twiml(reply, {
        say: [{ text: prompt, language }],
        gather: { actionUrl: `${base}?step=${step}&retry=1`, language, timeoutSeconds: 5 },
        hangup: false,
      });
    }
    if (step === 0 && /^\s*no\b/i.test(input.text)) {
      return twiml(reply, { say: [{ text: 'No problem. Goodbye.', language }], hangup: true });
    }
    if (step >= QUESTIONS.length) return twiml(reply, { say: [{ text: 'Thank you, goodbye.', language }], hangup: true });
    return twiml(reply, {
      say: [{ text: QUESTIONS[step]!, language }],
      gather: { actionUrl: `${base}?step=${step + 1}`, language, timeoutSeconds: 5 },
      hangup: false,
    });
  });

  app.post('/calls/:id/status', async (req, reply) => {
    state.events.push(tel().parseStatusCallback(toWebhook(req)));
    return reply.code(204).send();
  });

  (state as { url: string }).url = await app.listen({ host: '127.0.0.1', port: 0 });
  return state;
}

/** Polls until `fn` returns true (or fails after `ms`). */
export async function until(fn: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
