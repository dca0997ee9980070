import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { freshDatabase, testEngine, type TestDatabase } from '../../test/support/db.js';

let t: TestDatabase;
let app: App;
beforeAll(async () => {
  t = await freshDatabase();
  app = await buildApp(loadConfig({ NODE_ENV: 'test', PORT: '0' }), createLogger({ level: 'silent' }), { database: t });
});
afterAll(async () => {
  await app.stop();
  await t.close();
});

describe('health endpoints', () => {
  it('/health and /live answer without touching the database', async () => {
    const health = await app.http.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect((await app.http.inject({ method: 'GET', url: '/live' })).json()).toEqual({ status: 'ok' });
  });

  it('/ready checks the database', async () => {
    const ready = await app.http.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', database: testEngine() });
  });

  it('/ready answers 503 when the database is gone', async () => {
    const broken = await buildApp(loadConfig({ NODE_ENV: 'test' }), createLogger({ level: 'silent' }), {
      database: { ...t, ping: () => Promise.reject(Object.assign(new Error('gone'), { code: 'ECONNREFUSED' })) },
    });
    try {
      const ready = await broken.http.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'unavailable' });
    } finally {
      await broken.http.close();
    }
  });
});
