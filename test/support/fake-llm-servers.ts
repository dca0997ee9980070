/**
 * TEST DOUBLES — not real LLM services. Small HTTP servers on loopback that
 * speak just enough of the OpenAI chat-completions API (`POST /v1/chat/completions`)
 * and of Anthropic's Messages API (`POST /v1/messages`) for the official SDKs to
 * talk to them, with scripted behaviour: a JSON reply, a slow reply, 500, 429
 * (with Retry-After), a malformed reply, or no reply at all. Every request body
 * is recorded so tests can check what would have left the building.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeBehaviour =
  | { kind: 'reply'; content: string; delayMs?: number }
  | { kind: 'status'; status: number; retryAfterSeconds?: number; delayMs?: number }
  | { kind: 'hang' };

export interface FakeLlmServer {
  readonly url: string;
  /** Request bodies received, in order. */
  readonly requests: { path: string; headers: IncomingMessage['headers']; body: any }[];
  /** Behaviours used in order; the last one repeats. */
  script(...b: FakeBehaviour[]): void;
  close(): Promise<void>;
}

function openAiBody(content: string) {
  return {
    id: 'chatcmpl-test', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: 'fake-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}
function anthropicBody(content: string) {
  return {
    id: 'msg_test', type: 'message', role: 'assistant', model: 'fake-claude', content: [{ type: 'text', text: content }],
    stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 },
  };
}

async function start(flavour: 'openai' | 'anthropic'): Promise<FakeLlmServer> {
  let queue: FakeBehaviour[] = [{ kind: 'reply', content: '{"intent":"unclear","confidence":0.5}' }];
  const requests: FakeLlmServer['requests'] = [];
  const hanging = new Set<ServerResponse>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const expectedPath = flavour === 'openai' ? '/v1/chat/completions' : '/v1/messages';
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => (timers.delete(t), fn()), ms);
    timers.add(t);
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== expectedPath) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      requests.push({ path: req.url, headers: req.headers, body });
      const b = queue.length > 1 ? queue.shift()! : queue[0]!;
      if (b.kind === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      later(b.delayMs ?? 0, () => {
        if (res.destroyed) return;
        if (b.kind === 'status') {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (b.retryAfterSeconds !== undefined) headers['retry-after'] = String(b.retryAfterSeconds);
          const err = flavour === 'openai' ? { error: { message: `status ${b.status}`, type: 'test', code: null } } : { type: 'error', error: { type: 'api_error', message: `status ${b.status}` } };
          res.writeHead(b.status, headers).end(JSON.stringify(err));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(flavour === 'openai' ? openAiBody(b.content) : anthropicBody(b.content)));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: flavour === 'openai' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`,
    requests,
    script: (...b) => {
      queue = [...b];
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A fake OpenAI-compatible server (test double). `url` ends in /v1, ready for `baseURL`. */
export const startFakeOpenAiServer = () => start('openai');
/** A fake Anthropic Messages API server (test double). */
export const startFakeAnthropicServer = () => start('anthropic');
