import type { Kysely, Selectable } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../../test/support/db.js';
import { createCallAttempt } from '../../../test/support/event-factories.js';
import { createCampaign, createContact, createTemplate } from '../../../test/support/factories.js';
import type { CallOutcome, ContactState, DB } from '../../db/schema/index.js';
import { checkCallingInvariants } from '../calling/invariants.js';
import { createNotificationsForEvents } from '../email/notifications.js';
import { applyPatch, completeCampaignIfFinished, lockAttempt, recordCallEvent, releaseClaim } from '../calling/outcomes.js';
import { updateCampaign, type CommandContext } from './campaigns.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

beforeEach(async () => {
  await db.updateTable('campaigns').set({ status: 'cancelled' }).where('status', 'in', ['running', 'paused']).execute();
});

const NOW = new Date('2026-03-02T10:00:00Z');
const EARLIER = new Date('2026-03-01T10:00:00Z');
const ctx: CommandContext = { actor: { userId: null, role: 'campaign_manager' }, now: NOW, correlationId: 'max-attempts-test' };
const setMax = (campaignId: string, max: number) => updateCampaign(db, campaignId, { retry_policy: { max_attempts: max, retry_interval_minutes: 60 } }, ctx);

type ContactRow = Selectable<DB['contacts']>;

/**
 * A contact of `campaignId` with `attempts` attempt rows as the calling code
 * leaves them: the earlier ones ended `no_answer`, the last one `last` (null:
 * still on its call), with `errorCode`.
 */
async function contactWith(campaignId: string, state: ContactState, attempts: number, last: CallOutcome | null = 'no_answer', opts: { errorCode?: string; closed?: boolean } = {}) {
  const k = await createContact(db, campaignId, {
    state, attempts_count: attempts, last_attempt_at: attempts > 0 ? EARLIER : null,
    last_outcome: attempts > 0 && state !== 'in_progress' ? last : attempts > 1 ? 'no_answer' : null,
  });
  if (opts.closed) await db.updateTable('contacts').set({ closed_at: EARLIER }).where('id', '=', k.id).execute();
  const rows = [];
  for (let n = 1; n <= attempts; n++) {
    const final = n === attempts;
    rows.push(await createCallAttempt(db, k, {
      attempt_number: n, started_at: EARLIER, outcome: final ? last : 'no_answer', ended_at: final && last === null ? null : EARLIER,
      error_code: final ? opts.errorCode ?? null : null,
    }));
  }
  if (opts.closed && state === 'not_reached') {
    await db.insertInto('events').values({
      event_type: 'survey.not_reached', campaign_id: campaignId, contact_id: k.id, call_attempt_id: rows.at(-1)!.id,
      payload: JSON.stringify({ attempts, last_outcome: last, error_code: null }),
    }).execute();
  }
  return { k, attempts: rows };
}

const contactRows = async (campaignId: string) =>
  new Map((await db.selectFrom('contacts').selectAll().where('campaign_id', '=', campaignId).execute()).map((r) => [r.id, r]));
const eventsOf = (campaignId: string) =>
  db.selectFrom('events').selectAll().where('campaign_id', '=', campaignId).where('event_type', '=', 'survey.not_reached').orderBy('created_at').execute();
const statusOf = async (id: string) => (await db.selectFrom('campaigns').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const lastAudit = async (id: string) =>
  db.selectFrom('audit_log').selectAll().where('target_id', '=', id).where('action', '=', 'campaign.update').orderBy('occurred_at', 'desc').executeTakeFirstOrThrow();

describe('updateCampaign: lowering retry_policy.max_attempts', () => {
  it('closes exactly the waiting contacts without an attempt left, as a final not-reached outcome would', async () => {
    const c = await createCampaign(db, { status: 'running', max_attempts: 4 });
    const fresh = await contactWith(c.id, 'pending', 0);
    const below = await contactWith(c.id, 'not_reached', 1, 'no_answer');
    const atMax = await contactWith(c.id, 'not_reached', 2, 'busy', { errorCode: '486' });
    const retryAbove = await contactWith(c.id, 'pending', 3, 'failed', { errorCode: 'no_response' });
    const onCall = await contactWith(c.id, 'in_progress', 3, null);
    const completed = await contactWith(c.id, 'completed', 2, 'completed');
    const refused = await contactWith(c.id, 'refused', 2, 'refused');
    const excluded = await contactWith(c.id, 'excluded', 2, 'no_answer');
    const closed = await contactWith(c.id, 'not_reached', 4, 'no_answer', { closed: true });
    const before = await contactRows(c.id);
    const eventsBefore = await eventsOf(c.id);

    const after = await setMax(c.id, 2);
    expect(after).toMatchObject({ max_attempts: 2, status: 'running' });

    const rows = await contactRows(c.id);
    const closedNow = [atMax, retryAbove];
    for (const { k, attempts } of closedNow) {
      expect(rows.get(k.id)).toEqual({
        ...before.get(k.id)!, state: 'not_reached', closed_at: NOW, retry_not_before: null, updated_at: rows.get(k.id)!.updated_at,
      } satisfies ContactRow);
      expect(attempts.at(-1)!.outcome).toBe(before.get(k.id)!.last_outcome);
    }
    for (const { k } of [fresh, below, onCall, completed, refused, excluded, closed]) expect(rows.get(k.id)).toEqual(before.get(k.id));

    const events = (await eventsOf(c.id)).filter((e) => !eventsBefore.some((b) => b.id === e.id));
    const got = events.map((e) => ({ contact: e.contact_id, attempt: e.call_attempt_id, payload: e.payload as { attempts: number } }));
    expect(got.sort((a, b) => a.payload.attempts - b.payload.attempts)).toEqual([
      { contact: atMax.k.id, attempt: atMax.attempts[1]!.id, payload: { attempts: 2, last_outcome: 'busy', error_code: '486', reason: 'max_attempts_lowered' } },
      { contact: retryAbove.k.id, attempt: retryAbove.attempts[2]!.id, payload: { attempts: 3, last_outcome: 'failed', error_code: 'no_response', reason: 'max_attempts_lowered' } },
    ]);
    // Each new event is the outbox row a final outcome writes: not yet relayed, not yet turned into email.
    for (const e of events) expect(e).toMatchObject({ published_at: null, notified_at: null });

    expect((await lastAudit(c.id)).details).toEqual({ contacts_closed: 2 });
    // Still to do: the fresh contact, the one below the new limit, and the call in progress.
    expect(await statusOf(c.id)).toBe('running');
    // The call in progress ends on its own, reading the new limit: 3 attempts of 2, closed for good.
    const ended = await recordCallEvent(db, { callId: onCall.attempts[2]!.call_id, event: { providerCallId: 'CA-oncall', sequence: 0, status: 'no_answer', rawStatus: 'no-answer', occurredAt: NOW }, now: NOW });
    expect(ended).toMatchObject({ status: 'recorded', outcome: 'no_answer', contactFinal: true, campaignCompleted: false });
    expect(await db.selectFrom('contacts').select(['state', 'closed_at']).where('id', '=', onCall.k.id).executeTakeFirstOrThrow()).toEqual({ state: 'not_reached', closed_at: NOW });
    // Every contact above the new limit now exceeds it by construction ("bounded" holds only while the limit is not lowered).
    expect((await checkCallingInvariants(db, c.id, { settled: true })).filter((v) => v.rule !== 'bounded')).toEqual([]);
  });

  it('completes the campaign at once when nothing is left to dial, and says so in the response', async () => {
    const c = await createCampaign(db, { status: 'paused', max_attempts: 3 });
    const waiting = await contactWith(c.id, 'not_reached', 2, 'no_answer');
    await contactWith(c.id, 'completed', 1, 'completed');
    await contactWith(c.id, 'excluded', 0);

    const after = await setMax(c.id, 2);
    expect(after).toMatchObject({ max_attempts: 2, status: 'completed' });
    expect(await statusOf(c.id)).toBe('completed');
    expect(await db.selectFrom('contacts').select(['state', 'closed_at']).where('id', '=', waiting.k.id).executeTakeFirstOrThrow()).toEqual({ state: 'not_reached', closed_at: NOW });
    expect(await eventsOf(c.id)).toHaveLength(1);
    expect((await lastAudit(c.id)).details).toEqual({ contacts_closed: 1 });
    expect(await checkCallingInvariants(db, c.id, { settled: true })).toEqual([]);
  });

  it('leaves a contact on a call to its ending, which then completes the campaign', async () => {
    const c = await createCampaign(db, { status: 'running', max_attempts: 3 });
    const onCall = await contactWith(c.id, 'in_progress', 2, null);
    expect(await setMax(c.id, 2)).toMatchObject({ status: 'running' });
    expect((await lastAudit(c.id)).details).toEqual({ contacts_closed: 0 });
    expect(await db.selectFrom('contacts').select('state').where('id', '=', onCall.k.id).executeTakeFirstOrThrow()).toEqual({ state: 'in_progress' });
    const ended = await recordCallEvent(db, { callId: onCall.attempts[1]!.call_id, event: { providerCallId: 'CA-last', sequence: 0, status: 'busy', rawStatus: 'busy', occurredAt: NOW }, now: NOW });
    expect(ended).toMatchObject({ outcome: 'busy', contactFinal: true, campaignCompleted: true });
  });

  it('a claim given back after the limit was lowered closes its contact when no attempt is left', async () => {
    const c = await createCampaign(db, { status: 'running', max_attempts: 4 });
    // Claimed for its third attempt before the change; the call is never placed.
    const claimed = await contactWith(c.id, 'in_progress', 3, null);
    await db.updateTable('call_attempts').set({ metadata: JSON.stringify({ prev_state: 'not_reached', prev_last_attempt_at: EARLIER.toISOString() }) })
      .where('id', '=', claimed.attempts[2]!.id).execute();
    await setMax(c.id, 2);
    expect(await releaseClaim(db, { attemptId: claimed.attempts[2]!.id, retryNotBefore: null })).toBe(true);
    expect(await db.selectFrom('contacts').select(['state', 'attempts_count', 'closed_at']).where('id', '=', claimed.k.id).executeTakeFirstOrThrow())
      .toEqual({ state: 'not_reached', attempts_count: 2, closed_at: expect.any(Date) });
    const [e] = await eventsOf(c.id);
    expect(e).toMatchObject({ contact_id: claimed.k.id, call_attempt_id: claimed.attempts[1]!.id, payload: { attempts: 2, last_outcome: 'no_answer', reason: 'max_attempts_lowered' } });
    expect(await statusOf(c.id)).toBe('completed');
    expect(await checkCallingInvariants(db, c.id, { settled: true })).toEqual([]);
  });

  it('the closed contacts get the follow-up email of a final not-reached outcome, unless the template is cleared with the change', async () => {
    const template = await createTemplate(db, { type: 'not_reached' });
    const mailed = await createCampaign(db, { status: 'running', max_attempts: 3, email_not_reached_template_id: template.id });
    const quiet = await createCampaign(db, { status: 'running', max_attempts: 3, email_not_reached_template_id: template.id });
    const a = await contactWith(mailed.id, 'not_reached', 2);
    const b = await contactWith(quiet.id, 'not_reached', 2);
    await db.updateTable('contacts').set({ email: 'someone@example.test' }).where('id', 'in', [a.k.id, b.k.id]).execute();
    await setMax(mailed.id, 2);
    await updateCampaign(db, quiet.id, { retry_policy: { max_attempts: 2, retry_interval_minutes: 60 }, email_templates: { not_reached: null } }, ctx);
    await db.transaction().execute((trx) => createNotificationsForEvents(trx, { now: NOW, limit: 1000 }));
    const mails = await db.selectFrom('email_notifications').select(['contact_id', 'template_id']).where('campaign_id', 'in', [mailed.id, quiet.id]).execute();
    expect(mails).toEqual([{ contact_id: a.k.id, template_id: template.id }]);
  });

  it('raising it (or sending the same value) changes no contact and reopens none', async () => {
    const c = await createCampaign(db, { status: 'running', max_attempts: 2 });
    await contactWith(c.id, 'not_reached', 2, 'no_answer', { closed: true });
    await contactWith(c.id, 'not_reached', 1, 'busy');
    await contactWith(c.id, 'pending', 0);
    const before = await contactRows(c.id);
    const eventsBefore = await eventsOf(c.id);
    await setMax(c.id, 2);
    expect((await lastAudit(c.id)).details).toBeNull();
    await setMax(c.id, 5);
    expect((await lastAudit(c.id)).details).toBeNull();
    expect(await contactRows(c.id)).toEqual(before);
    expect(await eventsOf(c.id)).toEqual(eventsBefore);
    expect(await statusOf(c.id)).toBe('running');
  });

  /**
   * A call ending's transaction (a busy line, as `recordCallEvent` writes it),
   * paused until `commit()`: after its decision, or (`holdBeforeDeciding`) with
   * only its attempt locked.
   */
  async function openEnding(attemptId: string, opts: { holdBeforeDeciding?: boolean } = {}) {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let paused!: () => void;
    const ready = new Promise<void>((r) => (paused = r));
    const done = db.transaction().execute(async (trx) => {
      const a = await lockAttempt(trx, { id: attemptId });
      if (opts.holdBeforeDeciding) {
        paused();
        await gate;
      }
      const change = await applyPatch(trx, a!, { outcome: 'busy', callStatus: 'busy', endedAt: NOW }, { now: NOW });
      paused();
      await gate;
      return change;
    });
    await Promise.race([ready, done]);
    return { commit: () => (release(), done) };
  }

  it.runIf(testEngine() === 'postgres')('a call ending that read the old limit and commits during the change does not leave its contact open', async () => {
    const c = await createCampaign(db, { status: 'running', max_attempts: 5 });
    const onCall = await contactWith(c.id, 'in_progress', 3, null);
    // The ending decides with the old limit (3 of 5: retry later) and has not committed yet.
    const ending = await openEnding(onCall.attempts[2]!.id);
    const other = await t.connectAgain(2);
    const update = updateCampaign(other, c.id, { retry_policy: { max_attempts: 2, retry_interval_minutes: 60 } }, ctx);
    let updated = false;
    void update.then(() => (updated = true), () => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const updatedBeforeEnding = updated;
    // Decided under the old limit: not final, back to waiting.
    expect(await ending.commit()).toEqual({ outcome: 'busy' });
    expect(await update).toMatchObject({ max_attempts: 2, status: 'completed' });
    expect(await db.selectFrom('contacts').select(['state', 'closed_at']).where('id', '=', onCall.k.id).executeTakeFirstOrThrow()).toEqual({ state: 'not_reached', closed_at: NOW });
    // The change waited for the call in flight rather than deciding without it.
    expect(updatedBeforeEnding).toBe(false);
    const [e] = await eventsOf(c.id);
    expect(e).toMatchObject({ call_attempt_id: onCall.attempts[2]!.id, payload: { attempts: 3, last_outcome: 'busy', reason: 'max_attempts_lowered' } });
    expect((await lastAudit(c.id)).details).toEqual({ contacts_closed: 1 });
    expect((await checkCallingInvariants(db, c.id, { settled: true })).filter((v) => v.rule !== 'bounded')).toEqual([]);
  });

  it.runIf(testEngine() === 'postgres')('a call ending that must wait for the change while it holds its attempt does not deadlock with it', async () => {
    const c = await createCampaign(db, { status: 'running', max_attempts: 4 });
    // On its last allowed attempt under either limit: its ending writes a final event.
    const onCall = await contactWith(c.id, 'in_progress', 4, null);
    const ending = await openEnding(onCall.attempts[3]!.id, { holdBeforeDeciding: true });
    const other = await t.connectAgain(2);
    const update = updateCampaign(other, c.id, { retry_policy: { max_attempts: 2, retry_interval_minutes: 60 } }, ctx);
    // The change is now waiting for the attempt; the ending decides, writes its event
    // (whose foreign key reads the campaign row the change holds) and commits.
    await new Promise((r) => setTimeout(r, 300));
    expect(await ending.commit()).toEqual({ outcome: 'busy', contactFinal: true });
    // The change closed nothing itself; the ending's own check (as `recordCallEvent` runs it after its commit) completes the campaign.
    expect(await update).toMatchObject({ max_attempts: 2, status: 'running' });
    expect((await lastAudit(c.id)).details).toEqual({ contacts_closed: 0 });
    expect(await completeCampaignIfFinished(db, c.id)).toBe(true);
    expect(await eventsOf(c.id)).toHaveLength(1);
    expect((await checkCallingInvariants(db, c.id, { settled: true })).filter((v) => v.rule !== 'bounded')).toEqual([]);
  });
});
