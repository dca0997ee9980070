/**
 * The simulator's REST face: Twilio's Calls resource under /2010-04-01, with
 * HTTP Basic auth (account SID + auth token, or API key SID + secret) and
 * Twilio's error JSON.
 */
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { TwilioApiError, type Carrier } from './carrier.js';

export interface ServerAuth {
  readonly accountSid: string;
  readonly authToken: string;
  /** API keys: SID (`SK…`) → secret. */
  readonly apiKeys?: Readonly<Record<string, string>>;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function authenticate(req: FastifyRequest, auth: ServerAuth): boolean {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const pass = decoded.slice(colon + 1);
  if (user === auth.accountSid) return safeEqual(pass, auth.authToken);
  const secret = auth.apiKeys?.[user];
  return secret !== undefined && safeEqual(pass, secret);
}

function sendError(reply: FastifyReply, err: TwilioApiError) {
  return reply.code(err.status).type('application/json').send(err.toJSON());
}

export async function buildSimulatorServer(carrier: Carrier, auth: ServerAuth): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024, forceCloseConnections: true });
  await app.register(formbody);

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/2010-04-01/')) return;
    if (!authenticate(req, auth)) {
      return sendError(reply.header('WWW-Authenticate', 'Basic realm="Twilio API"'), new TwilioApiError(401, 20003, 'Authenticate'));
    }
    const account = /^\/2010-04-01\/Accounts\/([^/]+)\//.exec(req.url)?.[1];
    if (account !== auth.accountSid) return sendError(reply, new TwilioApiError(404, 20404, 'The requested resource was not found'));
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof TwilioApiError) return sendError(reply, err);
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status < 500) return sendError(reply, new TwilioApiError(status, 20001, (err as Error).message));
    return sendError(reply, new TwilioApiError(500, 20500, 'Internal Server Error'));
  });
  app.setNotFoundHandler((_req, reply) => sendError(reply, new TwilioApiError(404, 20404, 'The requested resource was not found')));

  type Form = Record<string, string | string[] | undefined>;
  const form = (req: FastifyRequest): Form => (req.body && typeof req.body === 'object' ? (req.body as Form) : {});
  const sidOf = (file: string) => file.replace(/\.json$/, '');

  app.post('/2010-04-01/Accounts/:account/Calls.json', async (req, reply) => {
    const call = carrier.create(form(req));
    return reply.code(201).send(carrier.toJson(call));
  });

  app.get<{ Params: { file: string } }>('/2010-04-01/Accounts/:account/Calls/:file', async (req, reply) => {
    const call = carrier.get(sidOf(req.params.file));
    if (!call) return sendError(reply, new TwilioApiError(404, 20404, `The requested resource /Calls/${sidOf(req.params.file)}.json was not found`));
    return reply.send(carrier.toJson(call));
  });

  app.post<{ Params: { file: string } }>('/2010-04-01/Accounts/:account/Calls/:file', async (req, reply) => {
    const call = carrier.modify(sidOf(req.params.file), form(req));
    return reply.send(carrier.toJson(call));
  });

  app.get('/health', async () => ({ status: 'ok' }));
  return app;
}
