/**
 * The demo mailbox: a copy of every follow-up email sent in demo mode, kept as
 * one JSON file per message under `<data dir>/demo-mailbox/`, for the console's
 * demo mailbox view. The configured mailer still sends (by default the file
 * mailer's `.eml` files, which need a mail client to read); this only records
 * what it was given, so the view shows exactly the rendered subject and body.
 *
 * Files are named after the notification id and written atomically (temporary
 * name, then rename), so a retried send replaces its copy instead of adding one.
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mailer, OutgoingEmail, SentEmail } from '../domain/ports/mailer.js';
import type { Logger } from '../observability/logger.js';

export interface MailboxMessage {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly language: 'en' | 'it';
  readonly sent_at: string;
  readonly text: string;
  readonly html: string;
}

export type MailboxSummary = Pick<MailboxMessage, 'id' | 'to' | 'subject' | 'language' | 'sent_at'>;

const ID = /^[0-9a-zA-Z-]{1,100}$/;

export class DemoMailbox {
  constructor(readonly dir: string) {}

  async record(email: OutgoingEmail, sentAt: Date): Promise<void> {
    if (!ID.test(email.notificationId)) throw new Error('bad notification id');
    const message: MailboxMessage = {
      id: email.notificationId, from: email.from, to: email.to, subject: email.subject,
      language: email.language, sent_at: sentAt.toISOString(), text: email.text, html: email.html,
    };
    await mkdir(this.dir, { recursive: true });
    const name = `${email.notificationId}.json`;
    const tmp = join(this.dir, `.${name}.${process.pid}.tmp`);
    await writeFile(tmp, JSON.stringify(message));
    await rename(tmp, join(this.dir, name));
  }

  /** Newest first. */
  async list(opts: { limit: number; offset: number }): Promise<{ items: MailboxSummary[]; total: number }> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { items: [], total: 0 };
      throw err;
    }
    // Modification time orders the files without reading them all (one file per message).
    const dated = await Promise.all(names.map(async (name) => {
      const s = await stat(join(this.dir, name)).catch(() => null);
      return { name, at: s?.mtimeMs ?? 0 };
    }));
    dated.sort((a, b) => b.at - a.at || (a.name < b.name ? -1 : 1));
    const page = dated.slice(opts.offset, opts.offset + opts.limit);
    const items = (await Promise.all(page.map((f) => this.#read(f.name)))).filter((m): m is MailboxMessage => m !== null);
    return { items: items.map(({ id, to, subject, language, sent_at }) => ({ id, to, subject, language, sent_at })), total: dated.length };
  }

  /** One message, or null when there is none with this id. */
  async get(id: string): Promise<MailboxMessage | null> {
    if (!ID.test(id)) return null;
    return this.#read(`${id}.json`);
  }

  async #read(name: string): Promise<MailboxMessage | null> {
    try {
      return JSON.parse(await readFile(join(this.dir, name), 'utf8')) as MailboxMessage;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || err instanceof SyntaxError) return null;
      throw err;
    }
  }
}

/**
 * Sends through `inner`, then keeps a copy in the mailbox. A copy that cannot
 * be written is logged, not retried: sending the email again would be worse
 * than a gap in the demo view.
 */
export function recordingMailer(inner: Mailer, mailbox: DemoMailbox, log: Logger, now: () => Date = () => new Date()): Mailer {
  return {
    name: inner.name,
    async send(email: OutgoingEmail): Promise<SentEmail> {
      const sent = await inner.send(email);
      await mailbox.record(email, now()).catch((err: unknown) =>
        log.warn({ notification: email.notificationId, code: (err as { code?: string }).code }, 'demo mailbox: could not keep a copy of a sent email'));
      return sent;
    },
    close: () => inner.close(),
  };
}
