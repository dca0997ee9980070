/**
 * Amazon SQS relay (AWS SDK v3). Sends events with SendMessageBatch (10 per
 * request). On a FIFO queue (URL ending in `.fifo`) each message carries
 * `MessageGroupId` = campaign id (SQS keeps order within a campaign) and
 * `MessageDeduplicationId` = `<call_id>:<event_type>` (SQS drops a repeat
 * within its 5-minute window, so a relay retry rarely reaches consumers twice).
 * A campaign's messages go out in order, one request after another; different
 * campaigns are sent in parallel.
 *
 * Credentials come from the AWS SDK's default chain (environment, shared
 * config, instance/task role) unless given explicitly.
 */
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { EventRelay, OutgoingEvent, PublishResult } from '../../../domain/ports/event-relay.js';

export interface SqsRelayOptions {
  readonly queueUrl: string;
  readonly region: string;
  /** Custom endpoint (VPC endpoint, LocalStack, the test double). */
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Campaign groups sent at once (default 4). */
  readonly concurrency?: number;
}

export class SqsRelay implements EventRelay {
  readonly name = 'sqs';
  readonly #client: SQSClient;
  readonly #fifo: boolean;

  constructor(private readonly opts: SqsRelayOptions) {
    this.#client = new SQSClient({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      maxAttempts: 2,
    });
    this.#fifo = opts.queueUrl.endsWith('.fifo');
  }

  async publish(messages: readonly OutgoingEvent[]): Promise<PublishResult> {
    const byCampaign = new Map<string, OutgoingEvent[]>();
    for (const m of messages) {
      const list = byCampaign.get(m.message.campaign_id) ?? [];
      list.push(m);
      byCampaign.set(m.message.campaign_id, list);
    }
    const published: string[] = [];
    const failed: { eventId: string; error: string }[] = [];
    const groups = [...byCampaign.values()];
    let transportErrors = 0;
    let lastError: unknown;
    const sendGroup = async (group: OutgoingEvent[]) => {
      for (let i = 0; i < group.length; i += 10) {
        const chunk = group.slice(i, i + 10);
        try {
          const r = await this.#client.send(new SendMessageBatchCommand({ QueueUrl: this.opts.queueUrl, Entries: chunk.map((m, j) => this.#entry(m, j)) }));
          for (const s of r.Successful ?? []) published.push(chunk[Number(s.Id)]!.message.event_id);
          for (const f of r.Failed ?? []) failed.push({ eventId: chunk[Number(f.Id)]!.message.event_id, error: `${f.Code ?? 'error'}: ${f.Message ?? ''}` });
          // Keep the campaign's order: once a message fails, the rest of its group waits for the retry.
          if ((r.Failed ?? []).length > 0) {
            for (const m of group.slice(i + 10)) failed.push({ eventId: m.message.event_id, error: 'held back: an earlier event of the campaign failed' });
            return;
          }
        } catch (err) {
          transportErrors++;
          lastError = err;
          const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          for (const m of group.slice(i)) failed.push({ eventId: m.message.event_id, error });
          return;
        }
      }
    };
    const concurrency = Math.max(1, this.opts.concurrency ?? 4);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, groups.length) }, async () => {
      while (next < groups.length) await sendGroup(groups[next++]!);
    }));
    if (published.length === 0 && transportErrors > 0) throw lastError instanceof Error ? lastError : new Error(String(lastError));
    return { published, failed };
  }

  #entry(m: OutgoingEvent, index: number): SendMessageBatchRequestEntry {
    return {
      Id: String(index),
      MessageBody: JSON.stringify(m.message),
      ...(this.#fifo ? { MessageGroupId: m.message.campaign_id, MessageDeduplicationId: m.dedupKey } : {}),
    };
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}
