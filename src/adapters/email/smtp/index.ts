/**
 * SMTP mailer (nodemailer). Implicit TLS (`tls`, usually port 465), required
 * STARTTLS (`starttls`, usually 587) or plain (`none`, for a relay on the same
 * host); optional AUTH; pooled connections by default.
 *
 * Errors become MailerError: a 5xx reply to the envelope or the message
 * (recipient refused, message rejected) is permanent — RFC 5321 says not to
 * repeat it; 4xx replies, refused or dropped connections, timeouts and
 * authentication problems are temporary and retried with backoff.
 */
import nodemailer from 'nodemailer';
import { MailerError, type Mailer, type OutgoingEmail, type SentEmail } from '../../../domain/ports/mailer.js';

export interface SmtpMailerOptions {
  readonly host: string;
  readonly port: number;
  readonly security: 'tls' | 'starttls' | 'none';
  readonly user?: string;
  readonly password?: string;
  /** Reuse connections (default true). */
  readonly pool?: boolean;
  readonly maxConnections?: number;
  /** Verify the server certificate (default true). */
  readonly rejectUnauthorized?: boolean;
  /** Connection, greeting and socket timeouts (default 10 s / 10 s / 30 s). */
  readonly timeoutsMs?: { connection?: number; greeting?: number; socket?: number };
}

export class SmtpMailer implements Mailer {
  readonly name = 'smtp';
  readonly #transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(opts: SmtpMailerOptions) {
    const pool = opts.pool ?? true;
    this.#transport = nodemailer.createTransport({
      host: opts.host,
      port: opts.port,
      secure: opts.security === 'tls',
      requireTLS: opts.security === 'starttls',
      ignoreTLS: opts.security === 'none',
      ...(opts.user ? { auth: { user: opts.user, pass: opts.password ?? '' } } : {}),
      ...(pool ? { pool: true, maxConnections: opts.maxConnections ?? 5 } : {}),
      tls: { rejectUnauthorized: opts.rejectUnauthorized ?? true },
      connectionTimeout: opts.timeoutsMs?.connection ?? 10_000,
      greetingTimeout: opts.timeoutsMs?.greeting ?? 10_000,
      socketTimeout: opts.timeoutsMs?.socket ?? 30_000,
      disableFileAccess: true,
      disableUrlAccess: true,
    } as Parameters<typeof nodemailer.createTransport>[0]);
  }

  async send(email: OutgoingEmail): Promise<SentEmail> {
    try {
      const info = (await this.#transport.sendMail(toNodemailer(email))) as { messageId?: string; response?: string };
      return { providerMessageId: providerIdFrom(info.response) ?? info.messageId ?? email.messageId };
    } catch (err) {
      throw toMailerError(err);
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}

/** The message as nodemailer builds it (shared with the file mailer). */
export function toNodemailer(email: OutgoingEmail) {
  return {
    from: email.from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: email.messageId,
    headers: { 'Content-Language': email.language, 'Auto-Submitted': 'auto-generated', ...email.headers },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** `250 2.0.0 Ok: queued as 4FzX1` → `4FzX1`; otherwise the whole reply. */
function providerIdFrom(response: string | undefined): string | undefined {
  if (!response) return undefined;
  const m = /queued as\s+([A-Za-z0-9._-]+)/i.exec(response) ?? /\bid=([A-Za-z0-9._-]+)/i.exec(response);
  return m?.[1] ?? response.slice(0, 200);
}

export function toMailerError(err: unknown): MailerError {
  const e = err as { message?: string; code?: string; responseCode?: number; command?: string };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  // Every server reply, 4xx or 5xx, is retried (up to EMAIL_MAX_RETRIES, then failed): a 5xx from a
  // relay is often a passing misconfiguration (auth, policy, greylisting gone wrong), and the retries
  // are few and spaced. Only an envelope the client itself refuses (no server reply) is permanent.
  const permanent = responseCode === undefined && code === 'EENVELOPE';
  const message = e.message ?? String(err);
  return new MailerError(message, permanent, responseCode, code);
}
