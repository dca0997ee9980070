/**
 * Follow-up email use cases: derive notifications from outbox events, claim
 * due ones for sending (SKIP LOCKED + a lease), record the result with
 * exponential backoff, and the listing/retry commands the API uses.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB, EmailStatus } from '../../db/schema/index.js';
import { chooseTemplate, requestedLocale, type Locale } from '../../domain/email/locale.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { recordAudit, type AuditActor } from '../audit.js';

type Executor = Kysely<DB> | Transaction<DB>;
export type NotificationRow = Selectable<DB['email_notifications']>;

const TEMPLATE_COLUMN = {
  'survey.completed': 'email_completed_template_id',
  'survey.refused': 'email_refused_template_id',
  'survey.not_reached': 'email_not_reached_template_id',
} as const;

export interface CreateNotificationsResult {
  /** Events examined (each exactly once). */
  readonly events: number;
  readonly created: number;
  /** Of which written in another language than requested (fallback). */
  readonly fallbacks: number;
  /** Events without a template for their outcome, or contacts without an email. */
  readonly skipped: number;
}

/**
 * Turns events not yet examined into email notifications: one per event when
 * the campaign has a template for the outcome and the contact has an email.
 * Each event is examined once (`events.notified_at`, claimed with SKIP LOCKED),
 * and (event, template) is unique, so an event yields at most one email however
 * often it is relayed or this runs. Language: the contact's, else the
 * campaign's; the template's translation in that language when one exists,
 * else the campaign's own template, noted in `locale_note`.
 */
export async function createNotificationsForEvents(trx: Transaction<DB>, opts: { now: Date; limit: number }): Promise<CreateNotificationsResult> {
  const claimed = await sql<{ id: string }>`
    with ev as (
      select id from events where notified_at is null
      order by created_at, id limit ${opts.limit}
      for update skip locked
    )
    update events e set notified_at = ${opts.now} from ev where e.id = ev.id
    returning e.id`.execute(trx);
  if (claimed.rows.length === 0) return { events: 0, created: 0, fallbacks: 0, skipped: 0 };

  const rows = await trx
    .selectFrom('events as e')
    .innerJoin('campaigns as k', 'k.id', 'e.campaign_id')
    .innerJoin('contacts as c', 'c.id', 'e.contact_id')
    .select([
      'e.id', 'e.event_type', 'e.campaign_id', 'e.contact_id', 'c.email', 'c.preferred_language', 'k.language as campaign_language',
      'k.email_completed_template_id', 'k.email_refused_template_id', 'k.email_not_reached_template_id',
    ])
    .where('e.id', 'in', claimed.rows.map((r) => r.id))
    .execute();

  const baseIds = new Set<string>();
  for (const r of rows) {
    const id = r[TEMPLATE_COLUMN[r.event_type]];
    if (id) baseIds.add(id);
  }
  const bases = baseIds.size === 0 ? [] : await trx.selectFrom('email_templates').select(['id', 'name', 'type', 'locale', 'translation_key']).where('id', 'in', [...baseIds]).execute();
  const translations = bases.length === 0 ? [] : await trx
    .selectFrom('email_templates as t')
    .innerJoin('email_templates as b', (j) => j.onRef('t.type', '=', 'b.type').onRef('t.id', '<>', 'b.id'))
    .select(['b.id as base_id', 't.id', 't.locale', 't.updated_at'])
    .where('b.id', 'in', bases.map((b) => b.id))
    .where((eb) => eb.or([
      eb.and([eb('b.translation_key', 'is not', null), eb('t.translation_key', '=', eb.ref('b.translation_key'))]),
      eb('t.name', '=', eb.ref('b.name')),
    ]))
    .orderBy('t.updated_at', 'desc')
    .execute();
  const baseById = new Map(bases.map((b) => [b.id, b]));

  let created = 0;
  let fallbacks = 0;
  let skipped = 0;
  const values = [];
  for (const r of rows) {
    const baseId = r[TEMPLATE_COLUMN[r.event_type]];
    const base = baseId ? baseById.get(baseId) : undefined;
    const email = r.email?.trim();
    if (!base || !email) {
      skipped++;
      continue;
    }
    const choice = chooseTemplate(
      { id: base.id, locale: base.locale },
      translations.filter((t) => t.base_id === base.id).map((t) => ({ id: t.id, locale: t.locale })),
      requestedLocale(r.preferred_language, r.campaign_language),
    );
    if (choice.note) fallbacks++;
    values.push({
      event_id: r.id, contact_id: r.contact_id, campaign_id: r.campaign_id, template_id: choice.templateId, to_email: email,
      locale: choice.locale, requested_locale: choice.requested, locale_note: choice.note, next_attempt_at: opts.now,
    });
  }
  if (values.length > 0) {
    const inserted = await trx.insertInto('email_notifications').values(values)
      .onConflict((oc) => oc.constraint('email_notifications_event_template_key').doNothing())
      .returning('id').execute();
    created = inserted.length;
  }
  return { events: claimed.rows.length, created, fallbacks, skipped };
}

export interface ClaimedNotification extends NotificationRow {
  /** A previous claim expired without a recorded result: that attempt's fate is unknown. */
  readonly reclaimed: boolean;
}

/**
 * Claims up to `limit` due pending notifications for `workerId` until
 * `now + leaseMs`: SKIP LOCKED, so several workers never take the same one,
 * and the attempt is counted in the same statement. A notification whose lease
 * expired (its worker died) becomes claimable again.
 */
export async function claimDueNotifications(
  trx: Transaction<DB>,
  opts: { workerId: string; now: Date; leaseMs: number; limit: number },
): Promise<ClaimedNotification[]> {
  const until = new Date(opts.now.getTime() + opts.leaseMs);
  const r = await sql<NotificationRow & { reclaimed: boolean }>`
    with due as (
      select id, locked_by as previous_owner from email_notifications
      where status = 'pending' and next_attempt_at <= ${opts.now}
        and (locked_until is null or locked_until <= ${opts.now})
      order by next_attempt_at, id
      limit ${opts.limit}
      for update skip locked
    )
    update email_notifications n
       set attempts = n.attempts + 1, locked_by = ${opts.workerId}, locked_until = ${until}, last_attempt_at = ${opts.now}
      from due where n.id = due.id
    returning n.*, (due.previous_owner is not null) as reclaimed`.execute(trx);
  return r.rows;
}

/** Everything rendering needs, for a batch of notifications (one query), by notification id. */
export async function loadRenderContexts(db: Executor, notificationIds: readonly string[]) {
  if (notificationIds.length === 0) return new Map<string, never>();
  const rows = await db
    .selectFrom('email_notifications as n')
    .innerJoin('email_templates as t', 't.id', 'n.template_id')
    .innerJoin('campaigns as k', 'k.id', 'n.campaign_id')
    .innerJoin('contacts as c', 'c.id', 'n.contact_id')
    .innerJoin('events as e', 'e.id', 'n.event_id')
    .leftJoin('survey_responses as r', 'r.contact_id', 'n.contact_id')
    .select([
      't.subject', 't.body_html', 't.body_text', 't.locale as template_locale',
      'k.name as campaign_name', 'k.organization_name', 'k.email_include_answers',
      'k.question_1_text', 'k.question_2_text', 'k.question_3_text',
      'c.external_contact_id', 'e.event_type', 'r.q1_answer', 'r.q2_answer', 'r.q3_answer', 'n.id',
    ])
    .where('n.id', 'in', [...notificationIds])
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export type RenderContext = Awaited<ReturnType<typeof loadRenderContexts>> extends Map<string, infer V> ? V : never;

/** Records a successful send. Recorded whoever holds the lease: the email did go out. */
export async function recordEmailSent(db: Executor, id: string, r: { now: Date; providerMessageId: string; messageId: string }): Promise<void> {
  await db.updateTable('email_notifications')
    .set({ status: 'sent', sent_at: r.now, provider_message_id: r.providerMessageId, message_id: r.messageId, error_message: null, locked_by: null, locked_until: null })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

export interface RetryPolicy {
  /** Total attempts, the first included (1 + retries). */
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly capMs: number;
}

/**
 * Records a failed send: `failed` when the error is permanent or attempts are
 * used up, else back to `pending` after base·2^(attempts−1) (capped).
 * Only the lease owner records a failure. Returns the new status.
 */
export async function recordEmailFailure(
  db: Executor,
  n: { id: string; attempts: number; workerId: string },
  r: { now: Date; error: string; permanent: boolean; messageId: string; policy: RetryPolicy },
): Promise<EmailStatus> {
  const final = r.permanent || n.attempts >= r.policy.maxAttempts;
  const delay = Math.min(r.policy.capMs, r.policy.baseMs * 2 ** Math.max(0, n.attempts - 1));
  await db.updateTable('email_notifications')
    .set({
      status: final ? 'failed' : 'pending',
      error_message: r.error.slice(0, 2000),
      message_id: r.messageId,
      next_attempt_at: new Date(r.now.getTime() + (final ? 0 : delay)),
      locked_by: null,
      locked_until: null,
    })
    .where('id', '=', n.id)
    .where('status', '=', 'pending')
    .where('locked_by', '=', n.workerId)
    .execute();
  return final ? 'failed' : 'pending';
}

// ── Listing and retry (for the API) ─────────────────────────────────────────

/** What the API shows of a notification: no email address in full. */
export interface EmailSummary {
  readonly id: string;
  readonly campaign_id: string;
  readonly contact_id: string;
  readonly event_id: string;
  readonly template_id: string;
  /** Recipient with the local part masked (`g***@example.org`). */
  readonly to_masked: string;
  readonly status: EmailStatus;
  readonly attempts: number;
  readonly locale: Locale | null;
  readonly requested_locale: Locale | null;
  readonly locale_note: string | null;
  readonly error_message: string | null;
  readonly provider_message_id: string | null;
  readonly message_id: string | null;
  readonly next_attempt_at: Date | null;
  readonly sent_at: Date | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export interface Page<T> {
  readonly items: T[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  readonly nextCursor: string | null;
}

export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

function present(n: NotificationRow): EmailSummary {
  return {
    id: n.id, campaign_id: n.campaign_id, contact_id: n.contact_id, event_id: n.event_id, template_id: n.template_id,
    to_masked: maskEmail(n.to_email), status: n.status, attempts: n.attempts, locale: n.locale, requested_locale: n.requested_locale,
    locale_note: n.locale_note, error_message: n.error_message, provider_message_id: n.provider_message_id, message_id: n.message_id,
    next_attempt_at: n.status === 'pending' ? n.next_attempt_at : null, sent_at: n.sent_at, created_at: n.created_at, updated_at: n.updated_at,
  };
}

// Cursors carry created_at in microseconds since the epoch: a JavaScript Date
// (milliseconds) would drop the database's precision and skip or repeat rows.
const encodeCursor = (n: { cursor_us: string; id: string }) => Buffer.from(`${n.cursor_us}|${n.id}`).toString('base64url');
function decodeCursor(cursor: string): { us: string; id: string } {
  const [us, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!us || !/^\d{1,18}$/.test(us) || !id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new DomainError('pagination.bad_cursor', 'cursor is not valid', 'invalid');
  }
  return { us, id };
}
const createdUs = sql<string>`((extract(epoch from created_at) * 1000000)::bigint)::text`;

export interface ListOptions {
  readonly status?: EmailStatus;
  /** 1–200, default 50. */
  readonly limit?: number;
  readonly cursor?: string;
}

async function list(db: Executor, where: { campaignId?: string }, opts: ListOptions): Promise<Page<EmailSummary>> {
  const limit = Math.min(200, Math.max(1, opts.limit ?? 50));
  let q = db.selectFrom('email_notifications').selectAll().select(createdUs.as('cursor_us'));
  if (where.campaignId) q = q.where('campaign_id', '=', where.campaignId);
  if (opts.status) q = q.where('status', '=', opts.status);
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor);
    q = q.where(sql<boolean>`(created_at, id) < (timestamptz 'epoch' + ${c.us}::bigint * interval '1 microsecond', ${c.id}::uuid)`);
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return { items: page.map((row) => present(row)), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}

/** A campaign's follow-up emails, newest first. Throws `campaign.not_found`. */
export async function listCampaignEmails(db: Executor, campaignId: string, opts: ListOptions = {}): Promise<Page<EmailSummary>> {
  const campaign = await db.selectFrom('campaigns').select('id').where('id', '=', campaignId).executeTakeFirst();
  if (!campaign) throw notFound('campaign');
  return list(db, { campaignId }, opts);
}

/** All follow-up emails (admin), e.g. `{ status: 'failed' }`, newest first. */
export function listEmails(db: Executor, opts: ListOptions = {}): Promise<Page<EmailSummary>> {
  return list(db, {}, opts);
}

/**
 * Puts a failed (or still pending) email back in the queue for immediate
 * sending with a fresh set of attempts. A sent email is not re-sent
 * (`email.already_sent`, conflict). `campaignId`, when given, must match
 * (`email.not_found` otherwise). With `audit`, the audit record
 * (`email.retry`) commits in the same transaction as the change.
 */
export async function retryEmail(
  db: Kysely<DB>,
  id: string,
  opts: { now: Date; campaignId?: string; audit?: { actor: AuditActor; correlationId?: string | null } },
): Promise<EmailSummary> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('email_notifications').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row || (opts.campaignId && row.campaign_id !== opts.campaignId)) throw notFound('email');
    if (row.status === 'sent') throw new DomainError('email.already_sent', 'this email was already sent; it is not sent twice', 'conflict');
    if (row.status === 'pending' && row.locked_until && row.locked_until > opts.now) {
      throw new DomainError('email.sending', 'this email is being sent right now', 'conflict');
    }
    const updated = await trx.updateTable('email_notifications')
      .set({ status: 'pending', attempts: 0, next_attempt_at: opts.now, locked_by: null, locked_until: null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (opts.audit) {
      await recordAudit(trx, {
        actor: opts.audit.actor, action: 'email.retry', target: { type: 'email_notification', id },
        before: { status: row.status, attempts: row.attempts, error_message: row.error_message },
        after: { status: 'pending', attempts: 0 },
        details: { campaign_id: row.campaign_id },
        correlationId: opts.audit.correlationId ?? null,
      });
    }
    return present(updated);
  });
}
