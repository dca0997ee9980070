/**
 * The follow-up email worker. Each tick: derive notifications from new outbox
 * events, claim due notifications (SKIP LOCKED + lease), render and send each
 * through the Mailer, and record `sent` (with the provider's id) or a retry
 * with exponential backoff, or `failed` after the last attempt.
 *
 * Duplicates: the claim commits before sending and the result is recorded
 * right after, so only a crash inside that window (after the server accepted
 * the message, before the result row committed) can send twice — then with
 * the same Message-ID. stop() waits for sends in flight. See docs/email.md.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  claimDueNotifications, createNotificationsForEvents, loadRenderContexts, recordEmailFailure, recordEmailSent,
  type ClaimedNotification, type RenderContext, type RetryPolicy,
} from '../commands/email/notifications.js';
import type { DB } from '../db/schema/index.js';
import type { Clock } from '../domain/clock.js';
import { renderEmail, type TemplateVariables } from '../domain/email/preview.js';
import { isDomainError } from '../domain/errors.js';
import { MailerError, type Mailer } from '../domain/ports/mailer.js';
import type { Logger } from '../observability/logger.js';
import { PollingLoop } from './polling-loop.js';

export interface EmailWorkerOptions {
  readonly db: Kysely<DB>;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly log: Logger;
  /** `From:` header. */
  readonly from: string;
  /** Right-hand side of our Message-IDs (`<notification-id@domain>`). */
  readonly messageIdDomain: string;
  readonly workerId?: string;
  /** Notifications per claim (default 20). */
  readonly batchSize?: number;
  /** Sends in parallel within a claim (default 4). */
  readonly concurrency?: number;
  /** Claim lease (default 5 min): longer than the slowest send. */
  readonly leaseMs?: number;
  /** Default: 4 attempts (3 retries), 60 s doubling, capped at 1 h. */
  readonly retry?: RetryPolicy;
  readonly idleMs?: number;
}

export interface EmailTickResult {
  readonly created: number;
  readonly claimed: number;
  readonly sent: number;
  readonly retrying: number;
  readonly failed: number;
}

export const messageIdFor = (notificationId: string, domain: string): string => `<${notificationId}@${domain}>`;

export class EmailWorker {
  readonly workerId: string;
  readonly #loop: PollingLoop;
  readonly #retry: RetryPolicy;
  readonly totals = { created: 0, claimed: 0, sent: 0, retrying: 0, failed: 0 };

  constructor(private readonly opts: EmailWorkerOptions) {
    this.workerId = opts.workerId ?? `email-${randomUUID()}`;
    this.#retry = opts.retry ?? { maxAttempts: 4, baseMs: 60_000, capMs: 3_600_000 };
    this.#loop = new PollingLoop('email', async () => {
      const r = await this.runOnce();
      return { more: r.claimed === (this.opts.batchSize ?? 20) || r.created > 0 };
    }, opts.idleMs ?? 2_000, opts.log);
  }

  start(): void {
    this.#loop.start();
  }

  /** Stops after the sends in flight are recorded. */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  async runOnce(): Promise<EmailTickResult> {
    const { db, clock } = this.opts;
    const made = await db.transaction().execute((trx) => createNotificationsForEvents(trx, { now: clock.now(), limit: 500 }));
    const claimed = await db.transaction().execute((trx) =>
      claimDueNotifications(trx, { workerId: this.workerId, now: clock.now(), leaseMs: this.opts.leaseMs ?? 300_000, limit: this.opts.batchSize ?? 20 }));
    const r = { created: made.created, claimed: claimed.length, sent: 0, retrying: 0, failed: 0 };
    const contexts = await loadRenderContexts(db, claimed.map((n) => n.id));
    let next = 0;
    const lanes = Array.from({ length: Math.min(this.opts.concurrency ?? 4, claimed.length) }, async () => {
      while (next < claimed.length) {
        const n = claimed[next++]!;
        const outcome = await this.#sendOne(n, contexts.get(n.id));
        r[outcome]++;
      }
    });
    await Promise.all(lanes);
    for (const k of Object.keys(this.totals) as (keyof EmailTickResult)[]) this.totals[k] += r[k];
    return r;
  }

  async #sendOne(n: ClaimedNotification, ctx: RenderContext | undefined): Promise<'sent' | 'retrying' | 'failed'> {
    const { db, clock, log, mailer } = this.opts;
    const messageId = messageIdFor(n.id, this.opts.messageIdDomain);
    const fail = async (error: string, permanent: boolean) => {
      const status = await recordEmailFailure(db, { id: n.id, attempts: n.attempts, workerId: this.workerId }, { now: clock.now(), error, permanent, messageId, policy: this.#retry });
      log.warn({ notification: n.id, attempt: n.attempts, status, permanent }, 'follow-up email not sent');
      return status === 'failed' ? 'failed' as const : 'retrying' as const;
    };
    if (n.reclaimed) log.warn({ notification: n.id }, 'previous send attempt never recorded a result (worker stopped); sending again with the same Message-ID');
    if (!ctx) return fail('notification data disappeared (contact or template deleted)', true);
    const answers = ctx.email_include_answers && ctx.event_type === 'survey.completed';
    const values: TemplateVariables = {
      campaign_name: ctx.campaign_name,
      organization_name: ctx.organization_name,
      contact_external_id: ctx.external_contact_id,
      outcome: ctx.event_type.slice('survey.'.length),
      q1_question: ctx.question_1_text,
      q2_question: ctx.question_2_text,
      q3_question: ctx.question_3_text,
      q1_answer: answers ? ctx.q1_answer : '',
      q2_answer: answers ? ctx.q2_answer : '',
      q3_answer: answers ? ctx.q3_answer : '',
      answers_included: answers ? 'yes' : '',
    };
    let rendered;
    try {
      rendered = renderEmail(ctx, values);
    } catch (err) {
      return fail(isDomainError(err) ? err.message : String(err), true);
    }
    try {
      const sent = await mailer.send({
        notificationId: n.id, messageId, from: this.opts.from, to: n.to_email, language: ctx.template_locale,
        subject: rendered.subject, html: rendered.html, text: rendered.text,
        headers: { 'X-Voicesurvey-Notification': n.id },
      });
      await recordEmailSent(db, n.id, { now: clock.now(), providerMessageId: sent.providerMessageId, messageId });
      log.info({ notification: n.id, attempt: n.attempts, mailer: mailer.name }, 'follow-up email sent');
      return 'sent';
    } catch (err) {
      if (err instanceof MailerError) return fail(err.responseCode ? `${err.responseCode} ${err.message}` : err.message, err.permanent);
      return fail(err instanceof Error ? err.message : String(err), false);
    }
  }
}
