import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('relay and email configuration', () => {
  it('defaults: no relay, file mailer under the data directory', () => {
    const c = loadConfig({ VSA_DATA_DIR: '/srv/vsa/' });
    expect(c.relay).toEqual({ adapter: 'none', batchSize: 200 });
    expect(c.email).toMatchObject({ from: 'Voicesurvey <no-reply@localhost>', messageIdDomain: 'localhost', maxRetries: 3, retryBaseMs: 60_000, transport: { kind: 'file', dir: '/srv/vsa/mail' } });
  });

  it('amqp, sqs (region from the queue URL) and smtp', () => {
    expect(loadConfig({ RELAY_ADAPTER: 'amqp', AMQP_URL: 'amqp://u:p@mq:5672' }).relay).toEqual({ adapter: 'amqp', batchSize: 200, url: 'amqp://u:p@mq:5672', exchange: 'voicesurvey.events' });
    expect(loadConfig({ RELAY_ADAPTER: 'sqs', SQS_QUEUE_URL: 'https://sqs.eu-south-1.amazonaws.com/123/ev.fifo' }).relay).toMatchObject({ adapter: 'sqs', region: 'eu-south-1' });
    const c = loadConfig({ EMAIL_TRANSPORT: 'smtp', SMTP_HOST: 'mail.example.org', SMTP_SECURE: 'tls', SMTP_PORT: '465', SMTP_USER: 'u', SMTP_PASSWORD: 'p', EMAIL_FROM: 'Acme <surveys@acme.example>' });
    expect(c.email.transport).toEqual({ kind: 'smtp', host: 'mail.example.org', port: 465, security: 'tls', user: 'u', password: 'p', pool: true, maxConnections: 5, rejectUnauthorized: true });
    expect(c.email.messageIdDomain).toBe('acme.example');
  });

  it('names every missing dependent variable, without echoing secrets', () => {
    let err: unknown;
    try {
      loadConfig({ RELAY_ADAPTER: 'sqs', SQS_QUEUE_URL: 'http://127.0.0.1:9/q', EMAIL_TRANSPORT: 'smtp' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['SMTP_HOST', 'SQS_REGION']);
    expect(() => loadConfig({ RELAY_ADAPTER: 'amqp' })).toThrowError(/AMQP_URL: is required when RELAY_ADAPTER=amqp/);
    expect(() => loadConfig({ AMQP_URL: 'http://secret@x' })).toThrowError(/AMQP_URL: must be an amqp/);
    expect(() => loadConfig({ AMQP_URL: 'http://secret@x' })).not.toThrowError(/secret/);
    expect(() => loadConfig({ SMTP_SECURE: 'yes' })).toThrowError(/SMTP_SECURE: must be tls, starttls or none/);
  });
});
