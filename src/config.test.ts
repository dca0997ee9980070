import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, envSchema, loadConfig } from './config.js';

describe('configuration', () => {
  it('defaults to the embedded database on 127.0.0.1:3000', () => {
    const c = loadConfig({});
    expect(c.http).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(c.database).toEqual({ engine: 'pglite', dataDir: './.data', migrateOnStart: true });
    expect(c.env).toBe('development');
  });

  it('uses PostgreSQL when DATABASE_URL is set, migrating at start only when asked', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/app', DATABASE_POOL_MAX: '4' });
    expect(c.database).toEqual({ engine: 'postgres', url: 'postgres://u@db:5432/app', poolMax: 4, migrateOnStart: false });
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/app', MIGRATE_ON_START: 'true' }).database.migrateOnStart).toBe(true);
  });

  it('is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.http)).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '  ' }).database.engine).toBe('pglite');
  });

  it('names every bad variable at once, with the reason', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', NODE_ENV: 'prod', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', DATABASE_POOL_MAX: '0' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toMatch(/PORT: must be a number \(got "eighty"\)/);
    expect(message).toMatch(/NODE_ENV: must be development, test or production/);
    expect(message).toMatch(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(message).toMatch(/LOG_LEVEL: must be one of/);
    expect(message).toMatch(/DATABASE_POOL_MAX: must be at least 1/);
    // Values of URLs (which may hold passwords) are not echoed.
    expect(message).not.toContain('mysql://x');
    expect((err as ConfigError).problems).toHaveLength(5);
  });

  it('rejects out-of-range ports', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrowError(/PORT: must be between 0 and 65535/);
  });

  it('every variable is documented in the README configuration table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of Object.keys(envSchema.shape)) expect(readme, name).toMatch(new RegExp(`\\|\\s*\`${name}\`\\s*\\|`));
  });
});
