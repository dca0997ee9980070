/**
 * A real SMTP server on loopback (smtp-server) that parses what arrives
 * (mailparser). Tests can make it answer with an error reply, hold the DATA
 * reply (a slow server), require AUTH, or go away entirely.
 *
 *   const smtp = await startSmtpServer();
 *   … SmtpMailer({ host: '127.0.0.1', port: smtp.port, security: 'none' }) …
 *   await smtp.waitFor(1); smtp.messages[0].subject
 *   await smtp.close();
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  readonly envelope: { from: string; to: string[] };
  /** The session was upgraded with STARTTLS (or began in TLS). */
  readonly secure: boolean;
  /** The authenticated user, if the client logged in. */
  readonly user?: string;
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

export interface TestSmtpServer {
  readonly port: number;
  readonly messages: ReceivedMail[];
  /** Next replies to DATA: an SMTP error (e.g. `{ code: 451, message: 'try later' }`) per message; empty = accept. */
  failures: { code: number; message: string }[];
  /** Replies to RCPT TO for specific addresses. */
  rejectRecipients: Map<string, { code: number; message: string }>;
  /** Milliseconds to wait before answering DATA. */
  dataDelayMs: number;
  /** Messages whose DATA was received (whatever the reply). */
  dataReceived: number;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpServer(opts: { auth?: { user: string; pass: string }; starttls?: boolean; /** false: count messages without parsing (benchmarks) */ parse?: boolean } = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const state = { failures: [] as { code: number; message: string }[], rejectRecipients: new Map<string, { code: number; message: string }>(), dataDelayMs: 0, dataReceived: 0 };
  const smtpError = (f: { code: number; message: string }) => Object.assign(new Error(f.message), { responseCode: f.code });
  const options: SMTPServerOptions = {
    secure: false,
    logger: false,
    disableReverseLookup: true,
    authOptional: !opts.auth,
    ...(opts.starttls ? {} : { disabledCommands: opts.auth ? [] : ['AUTH'], hideSTARTTLS: true }),
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
      cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      const f = state.rejectRecipients.get(address.address);
      cb(f ? smtpError(f) : undefined);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.dataReceived++;
        const raw = Buffer.concat(chunks);
        const fail = state.failures.shift();
        setTimeout(() => {
          if (fail) return cb(smtpError(fail));
          if (opts.parse === false) {
            messages.push({ envelope: { from: '', to: session.envelope.rcptTo.map((r) => r.address) }, secure: session.secure, raw, parsed: undefined as unknown as ParsedMail });
            return cb(null, `Ok: queued as Q${messages.length}`);
          }
          simpleParser(raw).then((parsed) => {
            messages.push({
              envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
              secure: session.secure,
              ...(typeof session.user === 'string' ? { user: session.user } : {}),
              raw,
              parsed,
            });
            cb(null, `Ok: queued as Q${messages.length}`);
          }, (err: Error) => cb(err));
        }, state.dataDelayMs);
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {});
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
  const api: TestSmtpServer = {
    port,
    messages,
    get failures() { return state.failures; },
    set failures(v) { state.failures = v; },
    get rejectRecipients() { return state.rejectRecipients; },
    set rejectRecipients(v) { state.rejectRecipients = v; },
    get dataDelayMs() { return state.dataDelayMs; },
    set dataDelayMs(v) { state.dataDelayMs = v; },
    get dataReceived() { return state.dataReceived; },
    set dataReceived(v) { state.dataReceived = v; },
    async waitFor(count, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} emails, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return api;
}
