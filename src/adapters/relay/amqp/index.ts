/**
 * RabbitMQ relay (AMQP 0-9-1 via amqplib). Publishes each event to a durable
 * topic exchange with the event type as routing key (`survey.completed`, …),
 * as a persistent JSON message, on a confirm channel: an event counts as
 * published only after the broker's ack. Consumers bind their own queues
 * (e.g. `survey.*`); a message routed to no queue is acknowledged and dropped
 * by RabbitMQ, so bind before producing.
 *
 * Connection handling: connects lazily on the first publish; when the
 * connection or channel fails, it is dropped and the next publish reconnects
 * (the relay worker's backoff paces the attempts).
 */
import amqp from 'amqplib';
import type { EventRelay, OutgoingEvent, PublishResult } from '../../../domain/ports/event-relay.js';
import type { Logger } from '../../../observability/logger.js';

export interface AmqpRelayOptions {
  readonly url: string;
  /** Durable topic exchange (created if missing). */
  readonly exchange: string;
  /** Give up waiting for confirms after this long (default 30 s). */
  readonly confirmTimeoutMs?: number;
  readonly log?: Logger;
}

interface Session {
  readonly model: amqp.ChannelModel;
  readonly channel: amqp.ConfirmChannel;
}

export class AmqpRelay implements EventRelay {
  readonly name = 'amqp';
  #session: Promise<Session> | null = null;
  #closed = false;

  constructor(private readonly opts: AmqpRelayOptions) {}

  #connect(): Promise<Session> {
    this.#session ??= (async () => {
      const model = await amqp.connect(this.opts.url, { timeout: 10_000 });
      const drop = (err?: unknown) => {
        if (err) this.opts.log?.warn({ err, adapter: 'amqp' }, 'AMQP connection lost');
        this.#session = null;
      };
      model.on('error', drop);
      model.on('close', () => drop());
      try {
        const channel = await model.createConfirmChannel();
        channel.on('error', drop);
        channel.on('close', () => drop());
        await channel.assertExchange(this.opts.exchange, 'topic', { durable: true });
        return { model, channel };
      } catch (err) {
        await model.close().catch(() => {});
        throw err;
      }
    })().catch((err: unknown) => {
      this.#session = null;
      throw err;
    });
    return this.#session;
  }

  async publish(messages: readonly OutgoingEvent[]): Promise<PublishResult> {
    if (this.#closed) throw new Error('AMQP relay closed');
    if (messages.length === 0) return { published: [], failed: [] };
    const { channel } = await this.#connect();
    const outcomes = messages.map((m) => new Promise<{ id: string; error?: string }>((resolve) => {
      const id = m.message.event_id;
      try {
        const ok = channel.publish(this.opts.exchange, m.message.event_type, Buffer.from(JSON.stringify(m.message)), {
          persistent: true,
          contentType: 'application/json',
          messageId: id,
          type: m.message.event_type,
          timestamp: Math.floor(Date.parse(m.message.timestamp) / 1000),
          appId: 'voicesurvey',
          headers: { 'x-deduplication-key': m.dedupKey },
        }, (err: unknown) => resolve(err ? { id, error: `broker did not confirm: ${describe(err)}` } : { id }));
        void ok; // back-pressure: the socket buffers; batches are bounded by the relay.
      } catch (err) {
        resolve({ id, error: describe(err) });
      }
    }));
    const timeoutMs = this.opts.confirmTimeoutMs ?? 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const settled = await Promise.race([Promise.all(outcomes), timeout]);
    clearTimeout(timer);
    if (settled === 'timeout') {
      // Unknown fate: report all as failed; they will be published again (at-least-once).
      this.#session = null;
      return { published: [], failed: messages.map((m) => ({ eventId: m.message.event_id, error: `no broker confirm within ${timeoutMs} ms` })) };
    }
    return {
      published: settled.filter((o) => !o.error).map((o) => o.id),
      failed: settled.filter((o) => o.error).map((o) => ({ eventId: o.id, error: o.error! })),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const s = this.#session;
    this.#session = null;
    if (!s) return;
    try {
      const { model } = await s;
      await model.close();
    } catch {
      // already gone
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
