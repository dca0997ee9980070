/**
 * Opens the database: PostgreSQL through a node-postgres pool when a URL is
 * configured, otherwise embedded PGlite persisted under the data directory.
 * Same SQL, same migrations, same JavaScript values (see types.ts).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { DB } from './schema/index.js';
import { PGliteDialect } from './pglite-dialect.js';
import { valueParsers } from './types.js';
import { acquireDirLock } from './dir-lock.js';

export type DatabaseEngine = 'postgres' | 'pglite';

export interface Database {
  readonly engine: DatabaseEngine;
  readonly db: Kysely<DB>;
  /** Checks that a query round-trips (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseOptions = Config['database'] | { engine: 'pglite'; dataDir: string; inMemory?: boolean };

const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    const parser = valueParsers[oid];
    if (parser) return parser;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as unknown as pg.CustomTypesConfig;

const pgPools = new WeakMap<Kysely<DB>, pg.Pool>();

/**
 * A Kysely instance over a node-postgres pool. The pool stays reachable through
 * `pgPoolOf(db)` for the few operations Kysely cannot express (COPY).
 */
export function createPgKysely(pool: pg.Pool): Kysely<DB> {
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  pgPools.set(db, pool);
  return db;
}

/** The pool behind a root `db` made by createPgKysely; undefined for PGlite and for transactions. */
export function pgPoolOf(db: Kysely<DB>): pg.Pool | undefined {
  return pgPools.get(db);
}

export function createPgPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: pgTypes,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'voicesurvey',
  });
  // An idle client losing its connection must not crash the process; the pool
  // discards it and the next checkout reconnects.
  pool.on('error', () => {});
  return pool;
}

export async function openDatabase(opts: DatabaseOptions, log?: Logger): Promise<Database> {
  if (opts.engine === 'postgres') {
    const pool = createPgPool(opts.url, opts.poolMax);
    const db = createPgKysely(pool);
    const database: Database = {
      engine: 'postgres',
      db,
      ping: async () => void (await sql`select 1`.execute(db)),
      close: () => db.destroy(),
    };
    return database;
  }

  const { PGlite } = await import('@electric-sql/pglite');
  const inMemory = 'inMemory' in opts && opts.inMemory === true;
  let unlock = () => {};
  let dataDir = 'memory://';
  if (!inMemory) {
    const root = resolve(opts.dataDir);
    dataDir = join(root, 'pglite');
    mkdirSync(dataDir, { recursive: true });
    unlock = acquireDirLock(root);
  }
  try {
    const started = Date.now();
    const pglite = await PGlite.create({ dataDir, parsers: valueParsers });
    log?.debug({ ms: Date.now() - started }, 'embedded database opened');
    const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
    return {
      engine: 'pglite',
      db,
      ping: async () => void (await sql`select 1`.execute(db)),
      close: async () => {
        await db.destroy();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}
