/**
 * Runs once per `vitest run`: prepares a migrated template database that every
 * test file clones (fresh database per file), and removes everything at the end.
 *
 * - DATABASE_URL set → real PostgreSQL. The URL's database is only used to
 *   create and drop `vsa_t_<run>_*` databases; the template is one of them.
 * - otherwise → embedded PGlite. Template data directories (blank and migrated)
 *   are made once in a temporary folder and copied per test file.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createPgPool } from '../../src/db/connect.js';
import { Migrator } from '../../src/db/migrator.js';
import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from '../../src/db/schema/index.js';
import { valueParsers } from '../../src/db/types.js';

export interface TestDbInfo {
  engine: 'postgres' | 'pglite';
  runId: string;
  /** postgres: admin connection URL (the URL from DATABASE_URL). */
  adminUrl?: string;
  /** postgres: name of the migrated template database. */
  templateDb?: string;
  /** pglite: blank and migrated template data directories. */
  blankDir?: string;
  migratedDir?: string;
  /** pglite: where per-file copies go. */
  workDir?: string;
  requireServices: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDb: TestDbInfo;
  }
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const requireServices = process.env.VSA_TEST_REQUIRE_SERVICES === '1';
  const url = process.env.DATABASE_URL;

  if (url) {
    const admin = createPgPool(url, 2);
    const templateDb = `vsa_t_${runId}_template`;
    await admin.query(`create database "${templateDb}"`);
    const pool = createPgPool(withDatabase(url, templateDb), 2);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    await new Migrator(db).up();
    await db.destroy();
    project.provide('testDb', { engine: 'postgres', runId, adminUrl: url, templateDb, requireServices });
    return async () => {
      const { rows } = await admin.query<{ datname: string }>(
        `select datname from pg_database where datname like $1`,
        [`vsa_t_${runId}_%`],
      );
      for (const r of rows) await admin.query(`drop database if exists "${r.datname}" with (force)`);
      await admin.end();
    };
  }

  const { PGlite } = await import('@electric-sql/pglite');
  const workDir = mkdtempSync(join(tmpdir(), `vsa-test-${runId}-`));
  const blankDir = join(workDir, 'blank');
  const migratedDir = join(workDir, 'migrated');
  const blank = await PGlite.create({ dataDir: blankDir });
  await blank.close();
  cpSync(blankDir, migratedDir, { recursive: true });
  const { PGliteDialect } = await import('../../src/db/pglite-dialect.js');
  const pg = await PGlite.create({ dataDir: migratedDir, parsers: valueParsers });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pg) });
  await new Migrator(db).up();
  await db.destroy();
  project.provide('testDb', { engine: 'pglite', runId, blankDir, migratedDir, workDir, requireServices });
  return async () => {
    rmSync(workDir, { recursive: true, force: true });
  };
}
