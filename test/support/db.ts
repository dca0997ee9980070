/**
 * A fresh database for a test file, on whichever engine this run uses
 * (see global-setup.ts): a clone of the migrated template, or a blank one.
 *
 *   let t: TestDatabase;
 *   beforeAll(async () => { t = await freshDatabase(); });
 *   afterAll(() => t.close());
 */
import { randomBytes } from 'node:crypto';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, type Transaction } from 'kysely';
import { inject } from 'vitest';
import { createPgKysely, createPgPool, type Database } from '../../src/db/connect.js';
import { PGliteDialect } from '../../src/db/pglite-dialect.js';
import type { DB } from '../../src/db/schema/index.js';
import { valueParsers } from '../../src/db/types.js';
import { withDatabase } from './global-setup.js';

export interface TestDatabase extends Database {
  /** postgres: a connection URL for this database (for child processes). */
  readonly url?: string;
  /** pglite: the data directory (VSA_DATA_DIR-style root is its parent). */
  readonly dataDir?: string;
  /** Opens another, independent connection pool to the same database (postgres only). */
  connectAgain(poolMax?: number): Promise<Kysely<DB>>;
}

export const testEngine = (): 'postgres' | 'pglite' => inject('testDb').engine;

export async function freshDatabase(opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const info = inject('testDb');
  const migrated = opts.migrated ?? true;
  const suffix = randomBytes(5).toString('hex');

  if (info.engine === 'postgres') {
    const name = `vsa_t_${info.runId}_${suffix}`;
    const admin = createPgPool(info.adminUrl!, 1);
    try {
      const template = migrated ? info.templateDb! : 'template0';
      // Cloning fails while another session is connected to the template; retry briefly.
      for (let attempt = 0; ; attempt++) {
        try {
          await admin.query(`create database "${name}" template "${template}"`);
          break;
        } catch (err) {
          if ((err as { code?: string }).code !== '55006' || attempt > 20) throw err;
          await new Promise((r) => setTimeout(r, 100 + attempt * 50));
        }
      }
    } finally {
      await admin.end();
    }
    const url = withDatabase(info.adminUrl!, name);
    const pool = createPgPool(url, 10);
    const db = createPgKysely(pool);
    const extra: Kysely<DB>[] = [];
    return {
      engine: 'postgres',
      db,
      url,
      ping: async () => void (await pool.query('select 1')),
      async connectAgain(poolMax = 10) {
        const k = createPgKysely(createPgPool(url, poolMax));
        extra.push(k);
        return k;
      },
      async close() {
        for (const k of extra) await k.destroy();
        await db.destroy();
        const a = createPgPool(info.adminUrl!, 1);
        try {
          await a.query(`drop database if exists "${name}" with (force)`);
        } finally {
          await a.end();
        }
      },
    };
  }

  const { PGlite } = await import('@electric-sql/pglite');
  const root = join(info.workDir!, suffix);
  const dataDir = join(root, 'pglite');
  cpSync(migrated ? info.migratedDir! : info.blankDir!, dataDir, { recursive: true });
  const pg = await PGlite.create({ dataDir, parsers: valueParsers, relaxedDurability: true });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pg) });
  return {
    engine: 'pglite',
    db,
    dataDir: root,
    ping: async () => void (await pg.query('select 1')),
    connectAgain() {
      return Promise.reject(new Error('PGlite is a single in-process session; use the postgres engine for multi-connection tests'));
    },
    close: () => db.destroy(),
  };
}

/**
 * pglite runs: a data-directory root (the layout VSA_DATA_DIR expects) holding a
 * copy of the blank or migrated template, not opened by this process, for child
 * processes such as the CLI. postgres runs: a fresh database URL instead.
 */
export async function freshTarget(opts: { migrated?: boolean } = {}): Promise<{ env: Record<string, string>; dispose(): Promise<void> }> {
  const info = inject('testDb');
  if (info.engine === 'postgres') {
    const t = await freshDatabase(opts);
    const url = t.url!;
    await t.db.destroy();
    return {
      env: { DATABASE_URL: url },
      dispose: async () => {
        const a = createPgPool(info.adminUrl!, 1);
        try {
          await a.query(`drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`);
        } finally {
          await a.end();
        }
      },
    };
  }
  const root = join(info.workDir!, randomBytes(5).toString('hex'));
  cpSync((opts.migrated ?? true) ? info.migratedDir! : info.blankDir!, join(root, 'pglite'), { recursive: true });
  return { env: { VSA_DATA_DIR: root }, dispose: async () => {} };
}

class RolledBack extends Error {}

/** Runs `fn` in a transaction that is then rolled back (the data stays as it was) and returns what it returned. */
export async function inRolledBackTransaction<T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await db
    .transaction()
    .execute(async (trx) => {
      result = await fn(trx);
      throw new RolledBack();
    })
    .catch((e: unknown) => {
      if (!(e instanceof RolledBack)) throw e;
    });
  return result as T;
}
