/**
 * Bulk loading inside one transaction, on either engine.
 *
 * PostgreSQL: a client is taken from the pool, the transaction is opened on it,
 * and both a Kysely instance bound to that client and a `copyFrom` that
 * streams `COPY … FROM STDIN` on the same client are handed over, so the COPY
 * and the set-based SQL after it commit or roll back together.
 * PGlite: a plain Kysely transaction, and no COPY (callers insert in batches).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import { pgPoolOf } from './connect.js';
import type { DB } from './schema/index.js';

/** Streams text in PostgreSQL's COPY text format into `COPY <target> FROM STDIN`. Returns the rows copied. */
export type CopyFrom = (copySql: string, chunks: AsyncIterable<string | Buffer>) => Promise<number>;

/**
 * Runs `fn` in one transaction. `copyFrom` is set on PostgreSQL, null on PGlite.
 * `db` must be a root instance (not a transaction): this opens its own.
 */
export async function withBulkTransaction<T>(
  db: Kysely<DB>,
  fn: (trx: Kysely<DB>, copyFrom: CopyFrom | null) => Promise<T>,
): Promise<T> {
  const pool = pgPoolOf(db);
  if (!pool) return db.transaction().execute((trx) => fn(trx, null));

  const client = await pool.connect();
  let broken: Error | undefined;
  // A Kysely bound to this one client; `end` must not close the shared pool.
  const single = {
    connect: async () => ({ query: client.query.bind(client), release: () => {} }),
    end: async () => {},
  };
  const trx = new Kysely<DB>({ dialect: new PostgresDialect({ pool: single as unknown as pg.Pool }) });
  const copyFrom: CopyFrom = async (copySql, chunks) => {
    const target = client.query(copyFromStream(copySql));
    await pipeline(Readable.from(chunks, { objectMode: false }), target);
    return target.rowCount;
  };
  try {
    await client.query('begin');
    const result = await fn(trx, copyFrom);
    await client.query('commit');
    return result;
  } catch (err) {
    try {
      await client.query('rollback');
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    throw err;
  } finally {
    await trx.destroy();
    client.release(broken);
  }
}

/** Escapes one value for COPY's text format (`\N` is null). */
export function copyText(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v !== 'string') return String(v);
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v;
}
