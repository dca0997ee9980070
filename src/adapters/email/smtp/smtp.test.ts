import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from '../../../../test/support/smtp.js';
import { MailerError } from '../../../domain/ports/mailer.js';
import { SmtpMailer } from './index.js';

const email = (to: string) => ({
  notificationId: '8d7f5a9e-0000-4000-8000-0000000000aa', messageId: '<8d7f5a9e-0000-4000-8000-0000000000aa@example.org>',
  from: 'Surveys <surveys@example.org>', to, subject: 'Grazie', html: '<p>Ciao</p>', text: 'Ciao', language: 'it' as const,
});

describe('SMTP mailer: STARTTLS and AUTH against a real server on loopback', () => {
  let tls: TestSmtpServer;
  let plain: TestSmtpServer;
  beforeAll(async () => {
    tls = await startSmtpServer({ starttls: true, auth: { user: 'mailer', pass: 's3cret' } });
    plain = await startSmtpServer();
  });
  afterAll(async () => {
    await tls.close();
    await plain.close();
  });

  it('upgrades with STARTTLS, logs in, and returns the queue id from the 250 reply', async () => {
    const m = new SmtpMailer({ host: '127.0.0.1', port: tls.port, security: 'starttls', user: 'mailer', password: 's3cret', rejectUnauthorized: false, pool: false });
    try {
      expect(await m.send(email('a@example.org'))).toEqual({ providerMessageId: 'Q1' });
    } finally {
      await m.close();
    }
    await tls.waitFor(1);
    expect(tls.messages[0]).toMatchObject({ secure: true, user: 'mailer' });
    expect(tls.messages[0]!.parsed.messageId).toBe('<8d7f5a9e-0000-4000-8000-0000000000aa@example.org>');
  });

  it('a wrong password is a temporary failure (configuration, not the recipient)', async () => {
    const m = new SmtpMailer({ host: '127.0.0.1', port: tls.port, security: 'starttls', user: 'mailer', password: 'wrong', rejectUnauthorized: false, pool: false });
    try {
      const err = await m.send(email('a@example.org')).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(MailerError);
      expect(err).toMatchObject({ permanent: false, responseCode: 535 });
    } finally {
      await m.close();
    }
  });

  it('starttls refuses a server that does not offer it; the certificate is checked by default', async () => {
    const m = new SmtpMailer({ host: '127.0.0.1', port: plain.port, security: 'starttls', pool: false });
    try {
      const err = await m.send(email('a@example.org')).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(MailerError);
      expect((err as MailerError).permanent).toBe(false);
      expect(plain.messages).toHaveLength(0);
    } finally {
      await m.close();
    }
    const strict = new SmtpMailer({ host: '127.0.0.1', port: tls.port, security: 'starttls', user: 'mailer', password: 's3cret', pool: false });
    try {
      await expect(strict.send(email('a@example.org'))).rejects.toBeInstanceOf(MailerError); // self-signed certificate
    } finally {
      await strict.close();
    }
  });
});
