/**
 * File mailer: writes each email as an RFC 5322 `.eml` file under
 * `<data dir>/mail/`, named after the notification id. Nothing leaves the
 * machine; open the files with any mail client. Writing the same notification
 * twice replaces the file (write to a temporary name, then rename), so a retry
 * never produces a second email.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { MailerError, type Mailer, type OutgoingEmail, type SentEmail } from '../../../domain/ports/mailer.js';
import { toNodemailer } from '../smtp/index.js';

export class FileMailer implements Mailer {
  readonly name = 'file';
  readonly #transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  /** `dir`: where `.eml` files go (the app passes `<VSA_DATA_DIR>/mail`). */
  constructor(readonly dir: string) {}

  async send(email: OutgoingEmail): Promise<SentEmail> {
    if (!/^[0-9a-zA-Z-]+$/.test(email.notificationId)) throw new MailerError('bad notification id', true);
    try {
      const info = (await this.#transport.sendMail(toNodemailer(email))) as { message: Buffer };
      await mkdir(this.dir, { recursive: true });
      const name = `${email.notificationId}.eml`;
      const tmp = join(this.dir, `.${name}.${process.pid}.tmp`);
      await writeFile(tmp, info.message);
      await rename(tmp, join(this.dir, name));
      return { providerMessageId: `file:${name}` };
    } catch (err) {
      throw new MailerError(`cannot write the email file: ${(err as Error).message}`, false, undefined, (err as { code?: string }).code);
    }
  }

  async close(): Promise<void> {}
}
