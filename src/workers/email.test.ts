import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/clock.js';
import { freshDatabase, testEngine, type TestDatabase } from '../../test/support/db.js';
import { createOutcomeEvent } from '../../test/support/event-factories.js';
import { createCampaign, createTemplate } from '../../test/support/factories.js';
import { startSmtpServer, type TestSmtpServer } from '../../test/support/smtp.js';
import { FileMailer } from '../adapters/email/file/index.js';
import { SmtpMailer } from '../adapters/email/smtp/index.js';
import { createNotificationsForEvents, listCampaignEmails, listEmails, retryEmail } from '../commands/email/notifications.js';
import type { DB } from '../db/schema/index.js';
import type { EventRelay, OutgoingEvent } from '../domain/ports/event-relay.js';
import { createLogger } from '../observability/logger.js';
import { EmailWorker } from './email.js';
import { RelayWorker } from './relay.js';

const log = createLogger({ level: 'silent' });
const FROM = 'Example Surveys <surveys@example.org>';

let t: TestDatabase;
let db: Kysely<DB>;
let smtp: TestSmtpServer;
let mailer: SmtpMailer;
const workers: EmailWorker[] = [];

beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
  smtp = await startSmtpServer();
  mailer = new SmtpMailer({ host: '127.0.0.1', port: smtp.port, security: 'none', pool: false });
});
afterAll(async () => {
  await mailer.close();
  await smtp.close();
  await t.close();
});
beforeEach(async () => {
  await db.deleteFrom('email_notifications').execute();
  await db.deleteFrom('events').execute();
  smtp.messages.length = 0;
  smtp.failures = [];
  smtp.rejectRecipients.clear();
  smtp.dataDelayMs = 0;
});
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
});

function worker(opts: Partial<ConstructorParameters<typeof EmailWorker>[0]> = {}): EmailWorker {
  const w = new EmailWorker({ db, mailer, clock: new FakeClock(), log, from: FROM, messageIdDomain: 'mail.example.org', ...opts });
  workers.push(w);
  return w;
}

/** A campaign with completed/refused templates in English and (optionally) Italian. */
async function setup(opts: { italian?: boolean; language?: 'en' | 'it'; includeAnswers?: boolean; name?: string } = {}) {
  const key = `k-${Math.random()}`;
  const en = await createTemplate(db, {
    type: 'completed', locale: 'en', translation_key: key, subject: 'Thank you, {{organization_name}}',
    body_text: 'Hello,\nthanks for answering {{campaign_name}}.{{#answers_included}} You said: {{q3_answer}}{{/answers_included}}',
    body_html: '<p>Thanks for answering <b>{{campaign_name}}</b>.</p>{{#answers_included}}<p>You said: {{q3_answer}}</p>{{/answers_included}}',
  } as never);
  const it = opts.italian === false ? null : await createTemplate(db, {
    type: 'completed', locale: 'it', translation_key: key, subject: 'Grazie, {{organization_name}}',
    body_text: 'Buongiorno,\ngrazie per aver risposto a {{campaign_name}}.', body_html: '<p>Grazie per aver risposto a <b>{{campaign_name}}</b>.</p>',
  } as never);
  const refused = await createTemplate(db, { type: 'refused', locale: 'en', subject: 'Sorry', body_text: 'We will not call again.', body_html: '<p>We will not call again.</p>' });
  const campaign = await createCampaign(db, {
    name: opts.name ?? 'Branch survey', organization_name: 'Demo Bank', language: opts.language ?? 'en',
    email_completed_template_id: en.id, email_refused_template_id: refused.id, email_include_answers: opts.includeAnswers ?? false,
  } as never);
  return { campaign, en, it, refused };
}

describe('creating notifications from events', () => {
  it('one per event with a template and an email, in the contact\'s language, falling back and saying so', async () => {
    const { campaign, en, it: itTpl, refused } = await setup();
    const enEvent = await createOutcomeEvent(db, campaign.id, { preferredLanguage: 'en' });
    const itEvent = await createOutcomeEvent(db, campaign.id, { preferredLanguage: 'it' });
    const autoEvent = await createOutcomeEvent(db, campaign.id, { preferredLanguage: 'auto' });
    const refusedIt = await createOutcomeEvent(db, campaign.id, { type: 'survey.refused', preferredLanguage: 'it' });
    await createOutcomeEvent(db, campaign.id, { email: null });
    await createOutcomeEvent(db, campaign.id, { type: 'survey.not_reached' }); // no template for this outcome

    const r = await db.transaction().execute((trx) => createNotificationsForEvents(trx, { now: new Date(), limit: 100 }));
    expect(r).toMatchObject({ events: 6, created: 4, fallbacks: 1, skipped: 2 });
    const rows = await db.selectFrom('email_notifications').selectAll().execute();
    const byEvent = new Map(rows.map((x) => [x.event_id, x]));
    expect(byEvent.get(enEvent.id)).toMatchObject({ template_id: en.id, locale: 'en', requested_locale: 'en', locale_note: null, status: 'pending' });
    expect(byEvent.get(itEvent.id)).toMatchObject({ template_id: itTpl!.id, locale: 'it', requested_locale: 'it', locale_note: null });
    expect(byEvent.get(autoEvent.id)).toMatchObject({ template_id: en.id, locale: 'en', requested_locale: 'en' });
    expect(byEvent.get(refusedIt.id)).toMatchObject({ template_id: refused.id, locale: 'en', requested_locale: 'it', locale_note: expect.stringContaining('no it version') });

    // Running again examines nothing new and creates nothing.
    expect(await db.transaction().execute((trx) => createNotificationsForEvents(trx, { now: new Date(), limit: 100 }))).toMatchObject({ events: 0, created: 0 });
    // Even if an event is examined again, (event, template) stays unique.
    await db.updateTable('events').set({ notified_at: null }).execute();
    expect(await db.transaction().execute((trx) => createNotificationsForEvents(trx, { now: new Date(), limit: 100 }))).toMatchObject({ events: 6, created: 0 });
    expect(await db.selectFrom('email_notifications').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 4 });
  });
});

describe('sending over SMTP (real server on loopback)', () => {
  it('sends each language with the right content and headers, records sent and the provider id', async () => {
    const { campaign } = await setup();
    const enEvent = await createOutcomeEvent(db, campaign.id, { preferredLanguage: 'en', email: 'anna@example.org' });
    const itEvent = await createOutcomeEvent(db, campaign.id, { preferredLanguage: 'it', email: 'marco@example.org' });
    const r = await worker().runOnce();
    expect(r).toMatchObject({ created: 2, claimed: 2, sent: 2, failed: 0 });
    await smtp.waitFor(2);
    const rows = await db.selectFrom('email_notifications').selectAll().execute();
    for (const row of rows) {
      const mail = smtp.messages.find((m) => m.envelope.to[0] === row.to_email)!;
      expect(row).toMatchObject({ status: 'sent', attempts: 1, message_id: `<${row.id}@mail.example.org>`, error_message: null });
      expect(row.provider_message_id).toMatch(/^Q\d$/);
      expect(row.sent_at).toBeInstanceOf(Date);
      expect(mail.parsed.messageId).toBe(row.message_id);
      expect(mail.parsed.headers.get('x-voicesurvey-notification')).toBe(row.id);
      expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
      expect(mail.parsed.from?.value[0]).toMatchObject({ name: 'Example Surveys', address: 'surveys@example.org' });
      if (row.event_id === enEvent.id) {
        expect(mail.parsed.subject).toBe('Thank you, Demo Bank');
        expect(mail.parsed.headers.get('content-language')).toBe('en');
        expect(mail.parsed.text).toContain('thanks for answering Branch survey.');
        expect(mail.parsed.html).toContain('<b>Branch survey</b>');
      } else {
        expect(row.event_id).toBe(itEvent.id);
        expect(mail.parsed.subject).toBe('Grazie, Demo Bank');
        expect(mail.parsed.headers.get('content-language')).toBe('it');
        expect(mail.parsed.text).toContain('grazie per aver risposto a Branch survey.');
      }
    }
  });

  it('escapes hostile variables in the HTML part; the text part stays literal', async () => {
    const { campaign } = await setup({ includeAnswers: true, name: 'Q&A <img src=x onerror=alert(1)>' });
    await createOutcomeEvent(db, campaign.id, { preferredLanguage: 'en', answers: ['1', '2', '<script>alert("pwned")</script>'] });
    expect(await worker().runOnce()).toMatchObject({ sent: 1 });
    await smtp.waitFor(1);
    const mail = smtp.messages[0]!.parsed;
    const html = String(mail.html);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('You said: &lt;script&gt;alert(&quot;pwned&quot;)&lt;&#x2F;script&gt;');
    expect(html).toContain('Q&amp;A &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(mail.text).toContain('You said: <script>alert("pwned")</script>');
    expect(mail.text).toContain('Q&A <img src=x onerror=alert(1)>');
  });

  it('4xx replies: retries with exponential backoff, then failed with the error after 4 attempts', async () => {
    const { campaign } = await setup();
    await createOutcomeEvent(db, campaign.id);
    smtp.failures = Array.from({ length: 4 }, () => ({ code: 451, message: 'Temporary local problem' }));
    const clock = new FakeClock();
    const w = worker({ clock, retry: { maxAttempts: 4, baseMs: 60_000, capMs: 3_600_000 } });
    const delays: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const r = await w.runOnce();
      expect(r.claimed).toBe(1);
      const row = await db.selectFrom('email_notifications').selectAll().executeTakeFirstOrThrow();
      expect(row.attempts).toBe(i);
      expect(row.error_message).toMatch(/^451 /);
      if (i < 4) {
        expect(row.status).toBe('pending');
        delays.push(row.next_attempt_at.getTime() - clock.now().getTime());
        expect((await w.runOnce()).claimed).toBe(0); // not due yet
        clock.set(row.next_attempt_at);
      } else {
        expect(row.status).toBe('failed');
      }
    }
    expect(delays).toEqual([60_000, 120_000, 240_000]);
    expect(smtp.dataReceived).toBeGreaterThanOrEqual(4);
    expect(smtp.messages).toHaveLength(0);
  });

  it('5xx replies: retried with backoff like 4xx, then failed with the server\'s reply', async () => {
    const { campaign } = await setup();
    await createOutcomeEvent(db, campaign.id, { email: 'nobody@example.org' });
    smtp.rejectRecipients.set('nobody@example.org', { code: 550, message: 'No such user' });
    const clock = new FakeClock();
    const w = worker({ clock, retry: { maxAttempts: 4, baseMs: 1_000, capMs: 60_000 } });
    for (let i = 1; i <= 4; i++) {
      expect((await w.runOnce()).claimed).toBe(1);
      const row = await db.selectFrom('email_notifications').selectAll().executeTakeFirstOrThrow();
      expect(row.status).toBe(i < 4 ? 'pending' : 'failed');
      clock.advance(60_000);
    }
    const row = await db.selectFrom('email_notifications').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: 4 });
    expect(row.error_message).toMatch(/^550 .*No such user/);
    expect(smtp.messages).toHaveLength(0);
  });

  it('refused connection: retries, then failed', async () => {
    const { campaign } = await setup();
    await createOutcomeEvent(db, campaign.id);
    const closed = await startSmtpServer();
    const port = closed.port;
    await closed.close();
    const dead = new SmtpMailer({ host: '127.0.0.1', port, security: 'none', pool: false });
    const clock = new FakeClock();
    const w = worker({ mailer: dead, clock, retry: { maxAttempts: 4, baseMs: 1_000, capMs: 60_000 } });
    for (let i = 1; i <= 4; i++) {
      expect((await w.runOnce()).claimed).toBe(1);
      clock.advance(60_000);
    }
    const row = await db.selectFrom('email_notifications').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: 4 });
    expect(row.error_message).toMatch(/ECONNREFUSED|connect/i);
    await dead.close();
  });

  it('worker restart: a send in flight is recorded before stop() returns; the next worker sends nothing again', async () => {
    const { campaign } = await setup();
    await createOutcomeEvent(db, campaign.id);
    smtp.dataDelayMs = 400;
    const a = worker({ clock: { now: () => new Date() }, idleMs: 10 });
    a.start();
    for (let i = 0; i < 200 && smtp.dataReceived === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await a.stop(); // while the server holds the DATA reply
    const row = await db.selectFrom('email_notifications').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
    const b = worker({ clock: { now: () => new Date(Date.now() + 3_600_000) } });
    expect(await b.runOnce()).toMatchObject({ claimed: 0, sent: 0 });
    expect(smtp.messages).toHaveLength(1);
  });

  it('a claimed notification is not taken by another worker while the lease holds', async () => {
    const { campaign } = await setup();
    await createOutcomeEvent(db, campaign.id);
    await db.transaction().execute((trx) => createNotificationsForEvents(trx, { now: new Date(), limit: 10 }));
    const clock = new FakeClock(new Date(Date.now() + 1000));
    // A crashed worker: claimed, never recorded.
    const { claimDueNotifications } = await import('../commands/email/notifications.js');
    await db.transaction().execute((trx) => claimDueNotifications(trx, { workerId: 'dead', now: clock.now(), leaseMs: 300_000, limit: 10 }));
    const b = worker({ clock });
    expect((await b.runOnce()).claimed).toBe(0);
    clock.advance(300_001);
    expect(await b.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    const row = await db.selectFrom('email_notifications').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('one email per event even when the event is relayed twice', async () => {
    const { campaign } = await setup();
    await createOutcomeEvent(db, campaign.id);
    const seen: string[] = [];
    const relay: EventRelay = { name: 'rec', async publish(m: readonly OutgoingEvent[]) { seen.push(...m.map((x) => x.message.event_id)); return { published: m.map((x) => x.message.event_id), failed: [] }; }, async close() {} };
    const relayWorker = new RelayWorker({ db, relay, clock: { now: () => new Date(Date.now() + 1000) }, log });
    const w = worker();
    await relayWorker.runOnce();
    await w.runOnce();
    await db.updateTable('events').set({ published_at: null, next_attempt_at: new Date(Date.now() - 1000) }).execute(); // relayed again
    await relayWorker.runOnce();
    await w.runOnce();
    await w.runOnce();
    expect(seen).toHaveLength(2);
    expect(new Set(seen).size).toBe(1);
    expect(smtp.messages).toHaveLength(1);
  });
});

describe('file mailer', () => {
  it('writes one .eml per notification; sending it again replaces the file, never adds one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vsa-mail-'));
    try {
      const fileMailer = new FileMailer(join(dir, 'mail'));
      const email = { notificationId: '8d7f5a9e-0000-4000-8000-000000000001', messageId: '<8d7f5a9e-0000-4000-8000-000000000001@x.org>', from: FROM, to: 'a@example.org', subject: 'Grazie', html: '<p>Ciao</p>', text: 'Ciao', language: 'it' as const };
      expect(await fileMailer.send(email)).toEqual({ providerMessageId: 'file:8d7f5a9e-0000-4000-8000-000000000001.eml' });
      await fileMailer.send(email);
      const files = readdirSync(join(dir, 'mail'));
      expect(files).toEqual(['8d7f5a9e-0000-4000-8000-000000000001.eml']);
      const parsed = await simpleParser(readFileSync(join(dir, 'mail', files[0]!)));
      expect(parsed.subject).toBe('Grazie');
      expect(parsed.messageId).toBe(email.messageId);
      expect(parsed.headers.get('content-language')).toBe('it');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('listing and retry', () => {
  it('lists by campaign and status with keyset pages, masks addresses, retries a failed email once', async () => {
    const { campaign } = await setup();
    for (let i = 0; i < 5; i++) await createOutcomeEvent(db, campaign.id, { email: `p${i}@example.org` });
    smtp.rejectRecipients.set('p0@example.org', { code: 550, message: 'No such user' });
    await worker({ retry: { maxAttempts: 1, baseMs: 1_000, capMs: 60_000 } }).runOnce(); // one attempt: the 550 fails it at once
    const p1 = await listCampaignEmails(db, campaign.id, { limit: 3 });
    expect(p1.items).toHaveLength(3);
    expect(p1.nextCursor).not.toBeNull();
    const p2 = await listCampaignEmails(db, campaign.id, { limit: 3, cursor: p1.nextCursor! });
    expect(p2.items).toHaveLength(2);
    expect(p2.nextCursor).toBeNull();
    expect(new Set([...p1.items, ...p2.items].map((x) => x.id)).size).toBe(5);
    expect(JSON.stringify([p1, p2])).not.toMatch(/p\d@example\.org/);
    const failed = await listEmails(db, { status: 'failed' });
    expect(failed.items).toHaveLength(1);
    expect(failed.items[0]).toMatchObject({ to_masked: 'p***@example.org', status: 'failed' });

    smtp.rejectRecipients.clear();
    const retried = await retryEmail(db, failed.items[0]!.id, { now: new Date(), campaignId: campaign.id });
    expect(retried).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await worker({ clock: { now: () => new Date(Date.now() + 1000) } }).runOnce()).toMatchObject({ sent: 1 });
    await expect(retryEmail(db, failed.items[0]!.id, { now: new Date() })).rejects.toMatchObject({ code: 'email.already_sent', kind: 'conflict' });
    await expect(retryEmail(db, failed.items[0]!.id, { now: new Date(), campaignId: (await createCampaign(db)).id })).rejects.toMatchObject({ code: 'email.not_found' });
    await expect(listCampaignEmails(db, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'campaign.not_found' });
    await expect(listEmails(db, { cursor: 'garbage' })).rejects.toMatchObject({ code: 'pagination.bad_cursor' });
  });
});

describe.runIf(testEngine() === 'postgres')('several email workers at once (PostgreSQL)', () => {
  it('three workers on their own connections send 60 emails exactly once', async () => {
    const { campaign } = await setup();
    for (let i = 0; i < 60; i++) await createOutcomeEvent(db, campaign.id, { email: `many${i}@example.org` });
    const pool = new SmtpMailer({ host: '127.0.0.1', port: smtp.port, security: 'none', pool: true, maxConnections: 3 });
    try {
      const ws = await Promise.all([0, 1, 2].map(async (i) => worker({ db: await t.connectAgain(3), mailer: pool, workerId: `w${i}`, batchSize: 5, clock: { now: () => new Date() } })));
      await Promise.all(ws.map(async (w) => {
        for (let k = 0; k < 100; k++) {
          await w.runOnce();
          const left = await db.selectFrom('email_notifications').select(db.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
          const unexamined = await db.selectFrom('events').select(db.fn.countAll<number>().as('n')).where('notified_at', 'is', null).executeTakeFirstOrThrow();
          if (left.n === 0 && unexamined.n === 0) break;
        }
      }));
      await smtp.waitFor(60);
      const to = smtp.messages.map((m) => m.envelope.to[0]);
      expect(new Set(to).size).toBe(60);
      expect(to).toHaveLength(60);
      // Exactly once across the workers too (how the 60 split between them depends on timing).
      expect(ws.reduce((a, w) => a + w.totals.sent, 0)).toBe(60);
    } finally {
      await pool.close();
    }
  });
});
