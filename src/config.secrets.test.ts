import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('configuration: secrets', () => {
  it('snapshots only allow-listed secret variables, frozen', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      TWILIO_AUTH_TOKEN: 'tw',
      VSA_SECRET_SMTP_EU: 'smtp',
      OPENAI_API_KEY: '',
      AUTH_TOKEN_SECRET: 'x'.repeat(40),
      DATABASE_URL: 'postgres://u:p@h/db',
      HOME: '/somewhere',
    });
    expect(config.secrets.env).toEqual({ TWILIO_AUTH_TOKEN: 'tw', VSA_SECRET_SMTP_EU: 'smtp' });
    expect(Object.isFrozen(config.secrets.env)).toBe(true);
  });

  it('parses previous encryption keys and names a bad one', () => {
    const a = randomBytes(32).toString('base64');
    const b = randomBytes(32).toString('base64');
    expect(loadConfig({ NODE_ENV: 'test', CONFIG_ENCRYPTION_KEY_PREVIOUS: `${a}, ${b}` }).secrets.previousKeys.map((k) => k.toString('base64'))).toEqual([a, b]);
    expect(() => loadConfig({ NODE_ENV: 'test', CONFIG_ENCRYPTION_KEY_PREVIOUS: `${a},short` })).toThrow(/CONFIG_ENCRYPTION_KEY_PREVIOUS: must be a comma-separated list of 32-byte base64 keys/);
  });
});
