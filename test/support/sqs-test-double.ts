/**
 * TEST DOUBLE — not AWS. A small HTTP server on loopback that speaks the part of
 * Amazon SQS's JSON protocol (AWS JSON 1.0, `X-Amz-Target: AmazonSQS.<Op>`) the
 * relay uses: `SendMessage` and `SendMessageBatch`, with FIFO semantics for
 * queues whose name ends in `.fifo` (MessageGroupId required, deduplication on
 * MessageDeduplicationId within 5 minutes, per-group order kept). There is no
 * real SQS we can run here, so this stands in for it; it checks what the real
 * service would reject (missing group id on FIFO, more than 10 entries, duplicate
 * entry ids) and answers with the MD5 digests the SDK verifies.
 *
 * `failNext(n, status)` makes the next n requests fail (e.g. 503) to simulate an
 * outage; `down()`/`up()` close and reopen the listening socket on the same port.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredSqsMessage {
  readonly messageId: string;
  readonly queue: string;
  readonly body: string;
  readonly groupId?: string;
  readonly dedupId?: string;
  readonly sequenceNumber?: string;
}

interface Entry {
  Id?: string;
  MessageBody?: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

export class SqsTestDouble {
  readonly messages: StoredSqsMessage[] = [];
  /** Sends accepted but dropped as duplicates (FIFO deduplication). */
  duplicatesDropped = 0;
  requests = 0;
  #server: Server | null = null;
  #port = 0;
  #failures: { remaining: number; status: number } = { remaining: 0, status: 503 };
  #dedup = new Map<string, { at: number; messageId: string }>();
  #seq = 0n;

  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  queueUrl(name: string): string {
    return `${this.endpoint}/000000000000/${name}`;
  }

  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject);
      this.#server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening (connections refused) — the port is kept for up(). */
  async down(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  async up(): Promise<void> {
    await this.start(this.#port);
  }

  stop(): Promise<void> {
    return this.down();
  }

  failNext(n: number, status = 503): void {
    this.#failures = { remaining: n, status };
  }

  bodies<T = unknown>(): T[] {
    return this.messages.map((m) => JSON.parse(m.body) as T);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    this.requests++;
    const target = String(req.headers['x-amz-target'] ?? '');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, type: string, message: string) =>
      send(status, { __type: `com.amazonaws.sqs#${type}`, message });
    if (this.#failures.remaining > 0) {
      this.#failures.remaining--;
      return error(this.#failures.status, this.#failures.status === 400 ? 'InvalidParameterValue' : 'ServiceUnavailable', 'injected failure');
    }
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) return error(403, 'MissingAuthenticationToken', 'unsigned request');
    let input: { QueueUrl?: string; Entries?: Entry[] } & Entry;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof input;
    } catch {
      return error(400, 'InvalidParameterValue', 'body is not JSON');
    }
    const queue = (input.QueueUrl ?? '').split('/').pop() ?? '';
    if (!queue) return error(400, 'MissingParameter', 'QueueUrl is required');

    if (target === 'AmazonSQS.SendMessage') {
      const r = this.#accept(queue, input);
      if ('error' in r) return error(400, r.code, r.error);
      return send(200, { MessageId: r.messageId, MD5OfMessageBody: md5(input.MessageBody ?? ''), ...(r.sequenceNumber ? { SequenceNumber: r.sequenceNumber } : {}) });
    }
    if (target === 'AmazonSQS.SendMessageBatch') {
      const entries = input.Entries ?? [];
      if (entries.length === 0) return error(400, 'EmptyBatchRequest', 'no entries');
      if (entries.length > 10) return error(400, 'TooManyEntriesInBatchRequest', 'at most 10 entries');
      if (new Set(entries.map((e) => e.Id)).size !== entries.length) return error(400, 'BatchEntryIdsNotDistinct', 'entry ids repeat');
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const e of entries) {
        const r = this.#accept(queue, e);
        if ('error' in r) Failed.push({ Id: e.Id, SenderFault: true, Code: r.code, Message: r.error });
        else Successful.push({ Id: e.Id, MessageId: r.messageId, MD5OfMessageBody: md5(e.MessageBody ?? ''), ...(r.sequenceNumber ? { SequenceNumber: r.sequenceNumber } : {}) });
      }
      return send(200, { Successful, Failed });
    }
    return error(400, 'InvalidAction', `unsupported operation ${target}`);
  }

  #accept(queue: string, e: Entry): { messageId: string; sequenceNumber?: string } | { error: string; code: string } {
    if (!e.MessageBody) return { error: 'MessageBody is required', code: 'MissingParameter' };
    const fifo = queue.endsWith('.fifo');
    if (!fifo) {
      if (e.MessageDeduplicationId) return { error: 'MessageDeduplicationId is only for FIFO queues', code: 'InvalidParameterValue' };
      const messageId = randomUUID();
      this.messages.push({ messageId, queue, body: e.MessageBody });
      return { messageId };
    }
    if (!e.MessageGroupId) return { error: 'MessageGroupId is required for FIFO queues', code: 'MissingParameter' };
    if (!e.MessageDeduplicationId) return { error: 'MessageDeduplicationId is required (no content-based deduplication)', code: 'InvalidParameterValue' };
    const now = Date.now();
    const key = `${queue}\u0000${e.MessageDeduplicationId}`;
    const seen = this.#dedup.get(key);
    const sequenceNumber = String(++this.#seq).padStart(20, '0');
    if (seen && now - seen.at < 5 * 60_000) {
      this.duplicatesDropped++;
      return { messageId: seen.messageId, sequenceNumber };
    }
    const messageId = randomUUID();
    this.#dedup.set(key, { at: now, messageId });
    this.messages.push({ messageId, queue, body: e.MessageBody, groupId: e.MessageGroupId, dedupId: e.MessageDeduplicationId, sequenceNumber });
    return { messageId, sequenceNumber };
  }
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');
