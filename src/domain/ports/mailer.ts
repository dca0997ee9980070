/**
 * The mailer port: how a rendered follow-up email leaves the system. Adapters:
 * SMTP (nodemailer) and a file writer (`.eml` files, the default, so nothing
 * leaves the machine). Only adapters import a mail library.
 */

/** A fully rendered email, ready to hand to a transport. */
export interface OutgoingEmail {
  /** Our notification id; adapters may use it to make writes idempotent. */
  readonly notificationId: string;
  /** RFC 5322 Message-ID including angle brackets, stable across retries. */
  readonly messageId: string;
  /** `Name <address>` or a bare address. */
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** Content language (`Content-Language` header). */
  readonly language: 'en' | 'it';
  /** Extra headers (e.g. `X-Voicesurvey-Notification`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The transport accepted the email. */
export interface SentEmail {
  /** The provider's id for the message (SMTP queue id, file name, …). */
  readonly providerMessageId: string;
}

/**
 * Sending failed. `permanent` when trying again cannot help (an SMTP 5xx on
 * the recipient or the message); otherwise the caller retries with backoff.
 */
export class MailerError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    /** SMTP reply code, when the server answered. */
    readonly responseCode?: number,
    /** Transport error code (`ECONNECTION`, `ETIMEDOUT`, `EENVELOPE`, …). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'MailerError';
  }
}

export interface Mailer {
  /** Adapter name for logs (`smtp`, `file`). */
  readonly name: string;
  /** Sends one email. Throws MailerError. */
  send(email: OutgoingEmail): Promise<SentEmail>;
  /** Releases pooled connections. Idempotent. */
  close(): Promise<void>;
}
