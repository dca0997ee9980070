/**
 * Campaign use cases: create, edit, change status, read, list. Each change runs in
 * one transaction with its audit record.
 */
import { sql, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { CampaignsTable, CampaignStatus, ContactState, DB } from '../../db/schema/index.js';
import { CONTACT_STATES } from '../../db/schema/index.js';
import { assertEditable, type CampaignField, CAMPAIGN_FIELDS } from '../../domain/campaigns/fields.js';
import { type CampaignAction, nextStatus } from '../../domain/campaigns/status.js';
import { activationProblems } from '../../domain/campaigns/validate.js';
import { type FieldProblem, notFound, ValidationError } from '../../domain/errors.js';
import { type AuditActor, recordAudit } from '../audit.js';
import { closeContactsBeyondMaxAttempts } from '../calling/exhausted.js';
import { completeCampaignIfFinished } from '../calling/outcomes.js';

export type CampaignRow = Selectable<CampaignsTable>;
export type StateCounts = Record<ContactState | 'total', number>;

/** The editable settings of a campaign, in API terms (all optional on update). */
export interface CampaignSettings {
  name?: string;
  description?: string | null;
  language?: 'en' | 'it';
  timezone?: string;
  organization_name?: string;
  intro_script?: string;
  questions?: { text: string; type: 'free_text' | 'numeric' | 'scale'; scale?: { min: number; max: number } | undefined }[];
  retry_policy?: { max_attempts: number; retry_interval_minutes: number };
  calling_window?: { start: string; end: string; weekdays?: number[] | undefined };
  require_prior_consent?: boolean;
  phone_region?: string;
  scheduled_start_at?: string | null;
  email_templates?: { completed?: string | null | undefined; refused?: string | null | undefined; not_reached?: string | null | undefined };
}

export interface CommandContext {
  readonly actor: AuditActor;
  readonly correlationId?: string;
  readonly now?: Date;
}

const OUTCOMES = ['completed', 'refused', 'not_reached'] as const;

function toRow(s: CampaignSettings): Updateable<CampaignsTable> {
  const v: Updateable<CampaignsTable> = {};
  if (s.name !== undefined) v.name = s.name;
  if (s.description !== undefined) v.description = s.description;
  if (s.language !== undefined) v.language = s.language;
  if (s.timezone !== undefined) v.timezone = s.timezone;
  if (s.organization_name !== undefined) v.organization_name = s.organization_name;
  if (s.intro_script !== undefined) v.intro_script = s.intro_script;
  if (s.questions) {
    s.questions.forEach((q, i) => {
      const n = (i + 1) as 1 | 2 | 3;
      v[`question_${n}_text`] = q.text;
      v[`question_${n}_type`] = q.type;
      v[`question_${n}_scale_min`] = q.scale?.min ?? 1;
      v[`question_${n}_scale_max`] = q.scale?.max ?? 10;
    });
  }
  if (s.retry_policy) {
    v.max_attempts = s.retry_policy.max_attempts;
    v.retry_interval_minutes = s.retry_policy.retry_interval_minutes;
  }
  if (s.calling_window) {
    v.allowed_call_start_local = s.calling_window.start;
    v.allowed_call_end_local = s.calling_window.end;
    if (s.calling_window.weekdays) v.allowed_weekdays = [...s.calling_window.weekdays].sort((a, b) => a - b);
  }
  if (s.require_prior_consent !== undefined) v.require_prior_consent = s.require_prior_consent;
  if (s.phone_region !== undefined) v.phone_region = s.phone_region;
  if (s.scheduled_start_at !== undefined) v.scheduled_start_at = s.scheduled_start_at === null ? null : new Date(s.scheduled_start_at);
  if (s.email_templates) {
    for (const o of OUTCOMES) {
      const id = s.email_templates[o];
      if (id !== undefined) v[`email_${o}_template_id`] = id;
    }
  }
  return v;
}

/** Settings of a row in API terms (for audit before/after images). */
export function settingsOf(r: CampaignRow): Required<CampaignSettings> {
  return {
    name: r.name,
    description: r.description,
    language: r.language,
    timezone: r.timezone,
    organization_name: r.organization_name,
    intro_script: r.intro_script,
    questions: ([1, 2, 3] as const).map((n) => ({
      text: r[`question_${n}_text`],
      type: r[`question_${n}_type`],
      scale: r[`question_${n}_type`] === 'scale' ? { min: r[`question_${n}_scale_min`], max: r[`question_${n}_scale_max`] } : undefined,
    })),
    retry_policy: { max_attempts: r.max_attempts, retry_interval_minutes: r.retry_interval_minutes },
    calling_window: { start: r.allowed_call_start_local.slice(0, 5), end: r.allowed_call_end_local.slice(0, 5), weekdays: r.allowed_weekdays },
    require_prior_consent: r.require_prior_consent,
    phone_region: r.phone_region,
    scheduled_start_at: r.scheduled_start_at ? r.scheduled_start_at.toISOString() : null,
    email_templates: { completed: r.email_completed_template_id, refused: r.email_refused_template_id, not_reached: r.email_not_reached_template_id },
  };
}

/** Each referenced template must exist and be for its outcome. */
async function templateProblems(db: Kysely<DB>, refs: CampaignSettings['email_templates']): Promise<FieldProblem[]> {
  const wanted = OUTCOMES.flatMap((o) => (refs?.[o] ? [{ outcome: o, id: refs[o]! }] : []));
  if (wanted.length === 0) return [];
  const rows = await db.selectFrom('email_templates').select(['id', 'type']).where('id', 'in', wanted.map((w) => w.id)).execute();
  const byId = new Map(rows.map((r) => [r.id, r.type]));
  return wanted.flatMap(({ outcome, id }) => {
    const type = byId.get(id);
    if (type === undefined) return [{ field: `email_templates.${outcome}`, code: 'unknown_template', message: `Email template ${id} does not exist.` }];
    if (type !== outcome) return [{ field: `email_templates.${outcome}`, code: 'wrong_template_type', message: `Template ${id} is for "${type}" emails, not "${outcome}".` }];
    return [];
  });
}

export async function createCampaign(db: Kysely<DB>, input: CampaignSettings & { name: string }, ctx: CommandContext & { defaultTimezone: string }): Promise<CampaignRow> {
  const problems = await templateProblems(db, input.email_templates);
  if (problems.length) throw new ValidationError('campaign.invalid', 'The campaign refers to email templates that cannot be used.', problems);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('campaigns')
      .values({ ...toRow(input), name: input.name, timezone: input.timezone ?? ctx.defaultTimezone, created_by_user_id: ctx.actor.userId })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor: ctx.actor, action: 'campaign.create', target: { type: 'campaign', id: row.id }, after: settingsOf(row), correlationId: ctx.correlationId ?? null });
    return row;
  });
}

/**
 * The campaign row, locked `FOR NO KEY UPDATE` (what an UPDATE of it takes):
 * campaign writers, the claim (`FOR SHARE`) and the completion check take
 * their turns with it, but the foreign-key checks of rows referring to the
 * campaign (a call ending's event, a claim's attempt) do not wait for it —
 * which lowering `max_attempts` relies on: it waits for the calls ending
 * (`closeContactsBeyondMaxAttempts`), so they must not wait for it.
 */
async function lockCampaign(trx: Transaction<DB>, id: string): Promise<CampaignRow> {
  const row = await trx.selectFrom('campaigns').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
  if (!row) throw notFound('campaign');
  return row;
}

/**
 * Edits a campaign (the fields editable in its status), audited. Lowering
 * `retry_policy.max_attempts` also closes, in the same transaction, every
 * waiting contact the new limit leaves without an attempt, as a final
 * not-reached outcome would (`closeContactsBeyondMaxAttempts`; the audit's
 * `details.contacts_closed` says how many), and once that has committed
 * completes the campaign if nothing is left to dial (the returned row then says
 * `completed`). Raising it reopens no contact already closed: those were
 * closed for good, with their final event (and perhaps email) already out.
 */
export async function updateCampaign(db: Kysely<DB>, id: string, patch: CampaignSettings, ctx: CommandContext): Promise<CampaignRow> {
  const fields = (Object.keys(patch) as CampaignField[]).filter((k) => CAMPAIGN_FIELDS.includes(k) && patch[k] !== undefined);
  const now = ctx.now ?? new Date();
  const { row, closed } = await db.transaction().execute(async (trx) => {
    const before = await lockCampaign(trx, id);
    assertEditable(before.status, fields);
    const problems = await templateProblems(trx, patch.email_templates);
    if (problems.length) throw new ValidationError('campaign.invalid', 'The campaign refers to email templates that cannot be used.', problems);
    if (fields.length === 0) return { row: before, closed: 0 };
    const after = await trx.updateTable('campaigns').set(toRow(patch)).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    const lowered = after.max_attempts < before.max_attempts;
    const closed = lowered ? await closeContactsBeyondMaxAttempts(trx, id, now) : 0;
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'campaign.update',
      target: { type: 'campaign', id },
      before: pick(settingsOf(before), fields),
      after: pick(settingsOf(after), fields),
      ...(lowered ? { details: { contacts_closed: closed } } : {}),
      correlationId: ctx.correlationId ?? null,
    });
    return { row: after, closed };
  });
  // Like a call ending's check: after the commit, in a short transaction of its own.
  if (closed === 0 || !(await completeCampaignIfFinished(db, id))) return row;
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

const pick = (o: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));

export async function changeCampaignStatus(db: Kysely<DB>, id: string, action: CampaignAction, ctx: CommandContext): Promise<CampaignRow> {
  const now = ctx.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const row = await lockCampaign(trx, id);
    const to = nextStatus(row.status, action, { startsAt: row.scheduled_start_at, now });
    if (action === 'activate') {
      const s = settingsOf(row);
      const refs = OUTCOMES.flatMap((o) => (s.email_templates[o] ? [{ outcome: o, id: s.email_templates[o]! }] : []));
      const templates = refs.length
        ? await trx.selectFrom('email_templates').select(['id', 'type']).where('id', 'in', refs.map((r) => r.id)).execute()
        : [];
      const contactCount = await trx
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('campaign_id', '=', id)
        .where('state', '<>', 'excluded')
        .executeTakeFirstOrThrow();
      const problems = activationProblems({
        introScript: row.intro_script,
        questions: s.questions.map((q, i) => ({ text: q.text, type: q.type, scaleMin: row[`question_${(i + 1) as 1 | 2 | 3}_scale_min`], scaleMax: row[`question_${(i + 1) as 1 | 2 | 3}_scale_max`] })),
        maxAttempts: row.max_attempts,
        retryIntervalMinutes: row.retry_interval_minutes,
        windowStart: row.allowed_call_start_local,
        windowEnd: row.allowed_call_end_local,
        weekdays: row.allowed_weekdays,
        timezone: row.timezone,
        templates: refs.map((r) => {
          const t = templates.find((x) => x.id === r.id);
          return t ? { ...r, found: true, type: t.type } : { ...r, found: false };
        }),
        contactCount: Number(contactCount.n),
      });
      if (problems.length) {
        throw new ValidationError('campaign.activation_invalid', `The campaign cannot be activated: ${problems.length} problem${problems.length > 1 ? 's' : ''} to fix.`, problems);
      }
    }
    const after = await trx.updateTable('campaigns').set({ status: to }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: ctx.actor,
      action: `campaign.${action}`,
      target: { type: 'campaign', id },
      before: { status: row.status },
      after: { status: to },
      correlationId: ctx.correlationId ?? null,
    });
    return after;
  });
}

/**
 * Contacts per state for each campaign, from the contact-count roll-ups that
 * 0009's statement triggers keep (compacted counts plus pending deltas): a few
 * rows per campaign however many contacts it has, so the campaign list costs
 * the same for a 1,000,000-contact campaign as for an empty one.
 */
export async function countsByState(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, StateCounts>> {
  const out = new Map<string, StateCounts>();
  for (const id of ids) out.set(id, Object.fromEntries([['total', 0], ...CONTACT_STATES.map((s) => [s, 0])]) as StateCounts);
  if (ids.length === 0) return out;
  const rows = await sql<{ campaign_id: string; state: ContactState; n: string }>`
    select campaign_id, state, sum(n) as n
    from (
      select campaign_id, state, contacts as n from reporting_contact_counts where campaign_id in (${sql.join([...ids])})
      union all
      select campaign_id, state, delta from reporting_contact_deltas where campaign_id in (${sql.join([...ids])})
    ) x
    group by 1, 2
    having sum(n) <> 0`.execute(db);
  for (const r of rows.rows) {
    const c = out.get(r.campaign_id)!;
    c[r.state] = Number(r.n);
    c.total += Number(r.n);
  }
  return out;
}

export async function getCampaign(db: Kysely<DB>, id: string): Promise<{ row: CampaignRow; counts: StateCounts }> {
  const row = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('campaign');
  return { row, counts: (await countsByState(db, [id])).get(id)! };
}

export interface CampaignFilter {
  status?: CampaignStatus[] | undefined;
  q?: string | undefined;
  created_from?: string | undefined;
  created_to?: string | undefined;
  page: number;
  page_size: number;
}

/** Newest first. `q` matches the name, case- and accent-insensitively as far as ILIKE goes. */
export async function listCampaigns(db: Kysely<DB>, f: CampaignFilter): Promise<{ rows: CampaignRow[]; counts: Map<string, StateCounts>; total: number }> {
  let base = db.selectFrom('campaigns');
  if (f.status?.length) base = base.where('status', 'in', f.status);
  if (f.q?.trim()) base = base.where('name', 'ilike', `%${f.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (f.created_from) base = base.where('created_at', '>=', new Date(f.created_from));
  if (f.created_to) base = base.where('created_at', '<', new Date(f.created_to));
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.page_size).offset((f.page - 1) * f.page_size).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, counts: await countsByState(db, rows.map((r) => r.id)), total: Number(total.n) };
}

/** Soft delete: a cancelled campaign keeps its data but never calls again. */
export const cancelCampaign = (db: Kysely<DB>, id: string, ctx: CommandContext) => changeCampaignStatus(db, id, 'cancel', ctx);
