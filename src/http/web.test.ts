import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { freshDatabase, type TestDatabase } from '../../test/support/db.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { buildServer } from './server.js';
import { webConsole } from './web.js';

let t: TestDatabase;
let app: FastifyInstance;
let root: string;
beforeAll(async () => {
  t = await freshDatabase();
  root = mkdtempSync(join(tmpdir(), 'vsa-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(root, 'assets', 'app-abc123.js'), 'console.log(1)');
  app = await buildServer({ config: loadConfig({ NODE_ENV: 'test' }), database: t, log: createLogger({ level: 'silent' }), plugins: [webConsole(root)] });
});
afterAll(async () => {
  await app.close();
  await t.close();
  rmSync(root, { recursive: true, force: true });
});

describe('console static files', () => {
  it('serves index.html for client routes and hashed assets as immutable', async () => {
    const page = await app.inject({ method: 'GET', url: '/campaigns/123/edit' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>console</title>');
    const asset = await app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('keeps unknown API paths as 404 problems and never serves files outside the root', async () => {
    const api = await app.inject({ method: 'GET', url: '/api/unknown' });
    expect(api.statusCode).toBe(404);
    expect(api.json().code).toBe('route.not_found');
    const traversal = await app.inject({ method: 'GET', url: '/..%2f..%2fetc%2fpasswd' });
    expect(traversal.body).not.toContain('root:');
  });
});
