/**
 * Email template use cases: list, read, create, update, delete. Each change is
 * one transaction with its audit record.
 */
import { createHash } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { DB, EmailTemplatesTable, EmailTemplateType, Language, UserRole } from '../../db/schema/index.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { assertValidTemplate, type TemplateInput } from '../../domain/email/templates.js';
import { recordAudit } from '../audit.js';

export type TemplateRow = Selectable<EmailTemplatesTable>;

export interface Actor {
  readonly userId: string;
  readonly role: UserRole;
}

export interface TemplateListQuery {
  readonly type?: EmailTemplateType;
  readonly locale?: Language;
  /** Case-insensitive substring of the name (a literal: % and _ are not wildcards). */
  readonly q?: string;
  readonly page: number;
  readonly page_size: number;
}

const likePattern = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Templates ordered by name (then id), a page at a time, with the total (same shape as the campaign list). */
export async function listTemplates(db: Kysely<DB>, query: TemplateListQuery): Promise<{ items: TemplateRow[]; total: number }> {
  let q = db.selectFrom('email_templates');
  if (query.type) q = q.where('type', '=', query.type);
  if (query.locale) q = q.where('locale', '=', query.locale);
  if (query.q) q = q.where(sql<boolean>`name ilike ${likePattern(query.q)} escape '\\'`);
  const [items, total] = await Promise.all([
    q.selectAll().orderBy('name').orderBy('id').limit(query.page_size).offset((query.page - 1) * query.page_size).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

export async function getTemplate(db: Kysely<DB>, id: string, opts: { forUpdate?: boolean } = {}): Promise<TemplateRow> {
  let q = db.selectFrom('email_templates').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('template', 'template.not_found');
  return row;
}

/** What the audit log keeps of a template: fields, and bodies as size + hash (they can be 100 KB). */
function auditImage(t: TemplateInput): Record<string, unknown> {
  const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
  return {
    name: t.name,
    type: t.type,
    locale: t.locale,
    subject: t.subject,
    body_html: { length: t.body_html.length, sha256: digest(t.body_html) },
    body_text: { length: t.body_text.length, sha256: digest(t.body_text) },
  };
}

export async function createTemplate(db: Kysely<DB>, input: TemplateInput, actor: Actor, correlationId?: string): Promise<TemplateRow> {
  assertValidTemplate(input);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('email_templates')
      .values({ name: input.name.trim(), type: input.type, locale: input.locale, subject: input.subject, body_html: input.body_html, body_text: input.body_text })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: 'template.create', target: { type: 'email_template', id: row.id }, after: auditImage(row), correlationId: correlationId ?? null });
    return row;
  });
}

/** Non-cancelled campaigns that use a template, with the slot (outcome) they use it for. */
async function campaignsUsing(db: Kysely<DB>, id: string): Promise<{ id: string; name: string; status: string; slot: EmailTemplateType }[]> {
  const rows = await db
    .selectFrom('campaigns')
    .select(['id', 'name', 'status', 'email_completed_template_id', 'email_refused_template_id', 'email_not_reached_template_id'])
    .where('status', '<>', 'cancelled')
    .where((eb) => eb.or([eb('email_completed_template_id', '=', id), eb('email_refused_template_id', '=', id), eb('email_not_reached_template_id', '=', id)]))
    .orderBy('created_at')
    .limit(50)
    .execute();
  return rows.flatMap((r) => {
    const slots: EmailTemplateType[] = [];
    if (r.email_completed_template_id === id) slots.push('completed');
    if (r.email_refused_template_id === id) slots.push('refused');
    if (r.email_not_reached_template_id === id) slots.push('not_reached');
    return slots.map((slot) => ({ id: r.id, name: r.name, status: r.status, slot }));
  });
}

export async function updateTemplate(db: Kysely<DB>, id: string, patch: Partial<TemplateInput>, actor: Actor, correlationId?: string): Promise<TemplateRow> {
  return db.transaction().execute(async (trx) => {
    const before = await getTemplate(trx, id, { forUpdate: true });
    const next: TemplateInput = {
      name: patch.name ?? before.name,
      type: patch.type ?? before.type,
      locale: patch.locale ?? before.locale,
      subject: patch.subject ?? before.subject,
      body_html: patch.body_html ?? before.body_html,
      body_text: patch.body_text ?? before.body_text,
    };
    assertValidTemplate(next);
    if (next.type !== before.type) {
      const users = (await campaignsUsing(trx, id)).filter((c) => c.slot !== next.type);
      if (users.length) {
        throw new DomainError(
          'template.in_use',
          `This template is the "${users[0]!.slot}" email of ${users.length} campaign(s) (e.g. "${users[0]!.name}"); choose another template there before changing its type.`,
          'conflict',
          { campaigns: users.map((c) => ({ id: c.id, status: c.status, slot: c.slot })) },
        );
      }
    }
    const row = await trx
      .updateTable('email_templates')
      .set({ ...next, name: next.name.trim() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const b = auditImage(before);
    const a = auditImage(row);
    const changed = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    await recordAudit(trx, {
      actor,
      action: 'template.update',
      target: { type: 'email_template', id },
      before: Object.fromEntries(changed.map((k) => [k, b[k]])),
      after: Object.fromEntries(changed.map((k) => [k, a[k]])),
      correlationId: correlationId ?? null,
    });
    return row;
  });
}

/**
 * Deletes a template unless a non-cancelled campaign uses it (409) or emails
 * were sent with it (409: the notification history keeps its template).
 * Cancelled campaigns that pointed at it lose the reference.
 */
export async function deleteTemplate(db: Kysely<DB>, id: string, actor: Actor, correlationId?: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await getTemplate(trx, id, { forUpdate: true });
    const users = await campaignsUsing(trx, id);
    if (users.length) {
      throw new DomainError(
        'template.in_use',
        `This template is used by ${users.length} campaign(s) that are not cancelled (e.g. "${users[0]!.name}", ${users[0]!.status}); choose another template there first.`,
        'conflict',
        { campaigns: users.map((c) => ({ id: c.id, status: c.status, slot: c.slot })) },
      );
    }
    const sent = await trx.selectFrom('email_notifications').select('id').where('template_id', '=', id).limit(1).executeTakeFirst();
    if (sent) {
      throw new DomainError('template.has_notifications', 'Emails were already sent with this template; it is kept for their history. Rename it or stop using it instead.', 'conflict');
    }
    await trx.deleteFrom('email_templates').where('id', '=', id).execute();
    await recordAudit(trx, { actor, action: 'template.delete', target: { type: 'email_template', id }, before: auditImage(before), correlationId: correlationId ?? null });
  });
}
