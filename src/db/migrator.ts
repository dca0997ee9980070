/**
 * Applies the plain-SQL migrations in db/migrations.
 *
 * Files come in pairs, `NNNN_name.up.sql` and `NNNN_name.down.sql`. Each up file
 * runs in a transaction together with its ledger row in `schema_migrations`
 * (version, name, sha-256 checksum of the up file, time taken), so a migration is
 * either applied and recorded or neither. A file whose first lines contain
 * `-- voicesurvey:no-transaction` runs outside a transaction (for statements such
 * as `CREATE INDEX CONCURRENTLY`).
 *
 * The whole run holds a PostgreSQL session advisory lock: of two processes
 * migrating at once, one applies and the other waits, then finds nothing to do.
 * An applied file whose checksum changed, or an applied version missing from
 * disk, stops the run before anything is done.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { Logger } from '../observability/logger.js';
import type { DB } from './schema/index.js';

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../db/migrations/', import.meta.url));

/** pg_advisory_lock key: the first 8 bytes of sha-256("voicesurvey:migrate"), as a signed bigint. */
const LOCK_KEY = createHash('sha256').update('voicesurvey:migrate').digest().readBigInt64BE(0).toString();

export interface MigrationFile {
  version: string;
  name: string;
  up: string;
  down: string;
  checksum: string;
  transactional: boolean;
}

export interface MigrationStatus {
  version: string;
  name: string;
  state: 'applied' | 'pending' | 'changed' | 'missing-file';
  appliedAt: Date | null;
}

export class MigrationError extends Error {
  constructor(message: string, readonly code: 'migration.checksum_mismatch' | 'migration.unknown_version' | 'migration.bad_files' | 'migration.bad_target') {
    super(message);
    this.name = 'MigrationError';
  }
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$/;

export function checksumOf(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

/** Reads and validates the migration files, ordered by version. */
export function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  const byVersion = new Map<string, { name?: string; up?: string; down?: string }>();
  const problems: string[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const m = FILE.exec(file);
    if (!m) {
      problems.push(`${file}: name must look like 0001_name.up.sql or 0001_name.down.sql`);
      continue;
    }
    const [, version, name, direction] = m as unknown as [string, string, string, 'up' | 'down'];
    const entry = byVersion.get(version) ?? {};
    if (entry.name !== undefined && entry.name !== name) problems.push(`${version}: two names (${entry.name}, ${name})`);
    entry.name = name;
    entry[direction] = readFileSync(join(dir, file), 'utf8');
    byVersion.set(version, entry);
  }
  const out: MigrationFile[] = [];
  for (const [version, e] of [...byVersion].sort(([a], [b]) => a.localeCompare(b))) {
    if (e.up === undefined) problems.push(`${version}_${e.name}: missing .up.sql`);
    if (e.down === undefined) problems.push(`${version}_${e.name}: missing .down.sql`);
    if (e.up === undefined || e.down === undefined) continue;
    out.push({
      version,
      name: e.name!,
      up: e.up,
      down: e.down,
      checksum: checksumOf(e.up),
      transactional: !/^\s*--\s*voicesurvey:no-transaction\b/m.test(e.up.split('\n').slice(0, 5).join('\n')),
    });
  }
  if (problems.length > 0) throw new MigrationError(`bad migration files:\n  ${problems.join('\n  ')}`, 'migration.bad_files');
  return out;
}

interface LedgerRow {
  version: string;
  name: string;
  checksum: string;
  applied_at: Date;
}

export class Migrator {
  readonly #db: Kysely<DB>;
  readonly #files: MigrationFile[];
  readonly #log: Logger | undefined;

  constructor(db: Kysely<DB>, opts: { dir?: string; files?: MigrationFile[]; log?: Logger } = {}) {
    this.#db = db;
    this.#files = opts.files ?? loadMigrations(opts.dir);
    this.#log = opts.log;
  }

  get files(): readonly MigrationFile[] {
    return this.#files;
  }

  /** Applies every pending migration (or up to and including `to`). Returns the versions applied. */
  async up(opts: { to?: string } = {}): Promise<string[]> {
    if (opts.to !== undefined) this.#checkTarget(opts.to, false);
    return this.#locked(async (conn) => {
      const ledger = await this.#ledger(conn);
      this.#verify(ledger);
      const applied: string[] = [];
      for (const m of this.#files) {
        if (ledger.has(m.version)) continue;
        if (opts.to !== undefined && m.version > opts.to) break;
        const started = Date.now();
        const record = (q: Kysely<DB>) =>
          q.insertInto('schema_migrations')
            .values({ version: m.version, name: m.name, checksum: m.checksum, execution_ms: 0 })
            .execute();
        if (m.transactional) {
          await conn.transaction().execute(async (trx) => {
            await sql.raw(m.up).execute(trx);
            await record(trx);
          });
        } else {
          await sql.raw(m.up).execute(conn);
          await record(conn);
        }
        const ms = Date.now() - started;
        await conn.updateTable('schema_migrations').set({ execution_ms: ms }).where('version', '=', m.version).execute();
        this.#log?.info({ version: m.version, migration: m.name, ms }, 'migration applied');
        applied.push(m.version);
      }
      return applied;
    });
  }

  /**
   * Reverts applied migrations newest first: only the newest when `to` is not
   * given, else every one above `to` (`'0'` or `'0000'` reverts all).
   */
  async down(opts: { to?: string } = {}): Promise<string[]> {
    if (opts.to !== undefined) this.#checkTarget(opts.to, true);
    return this.#locked(async (conn) => {
      const ledger = await this.#ledger(conn);
      this.#verify(ledger);
      const appliedVersions = [...ledger.keys()].sort().reverse();
      const targets = opts.to === undefined ? appliedVersions.slice(0, 1) : appliedVersions.filter((v) => v > opts.to!.padStart(4, '0'));
      const reverted: string[] = [];
      for (const version of targets) {
        const m = this.#files.find((f) => f.version === version)!;
        const started = Date.now();
        const unrecord = (q: Kysely<DB>) => q.deleteFrom('schema_migrations').where('version', '=', version).execute();
        if (m.transactional) {
          await conn.transaction().execute(async (trx) => {
            await sql.raw(m.down).execute(trx);
            await unrecord(trx);
          });
        } else {
          await sql.raw(m.down).execute(conn);
          await unrecord(conn);
        }
        this.#log?.info({ version, migration: m.name, ms: Date.now() - started }, 'migration reverted');
        reverted.push(version);
      }
      return reverted;
    });
  }

  async status(): Promise<MigrationStatus[]> {
    const ledger = await this.#ledger(this.#db, false);
    const rows: MigrationStatus[] = this.#files.map((m) => {
      const row = ledger.get(m.version);
      if (!row) return { version: m.version, name: m.name, state: 'pending', appliedAt: null };
      return { version: m.version, name: m.name, state: row.checksum === m.checksum ? 'applied' : 'changed', appliedAt: row.applied_at };
    });
    for (const row of ledger.values()) {
      if (!this.#files.some((f) => f.version === row.version)) {
        rows.push({ version: row.version, name: row.name, state: 'missing-file', appliedAt: row.applied_at });
      }
    }
    return rows.sort((a, b) => a.version.localeCompare(b.version));
  }

  #checkTarget(to: string, allowZero: boolean): void {
    if (!/^\d{1,4}$/.test(to)) throw new MigrationError(`--to must be a migration version such as 0001 (got "${to}")`, 'migration.bad_target');
    const v = to.padStart(4, '0');
    if (allowZero && v === '0000') return;
    if (!this.#files.some((f) => f.version === v)) {
      throw new MigrationError(`--to ${to}: no migration with that version (known: ${this.#files.map((f) => f.version).join(', ')})`, 'migration.bad_target');
    }
  }

  #verify(ledger: Map<string, LedgerRow>): void {
    const problems: string[] = [];
    for (const row of ledger.values()) {
      const file = this.#files.find((f) => f.version === row.version);
      if (!file) {
        problems.push(`${row.version}_${row.name} is applied to the database but its files are missing here (is this an older version of the application?)`);
      } else if (file.checksum !== row.checksum) {
        problems.push(`${row.version}_${row.name}.up.sql changed after it was applied (checksum ${row.checksum.slice(0, 12)}… recorded, ${file.checksum.slice(0, 12)}… on disk); restore the file and add a new migration instead`);
      }
    }
    if (problems.length > 0) {
      const code = problems.some((p) => p.includes('changed after')) ? 'migration.checksum_mismatch' : 'migration.unknown_version';
      throw new MigrationError(`refusing to migrate:\n  ${problems.join('\n  ')}`, code);
    }
  }

  async #ledger(q: Kysely<DB>, create = true): Promise<Map<string, LedgerRow>> {
    if (create) {
      await sql`
        create table if not exists schema_migrations (
          version      text primary key,
          name         text not null,
          checksum     text not null,
          applied_at   timestamptz not null default now(),
          execution_ms integer not null default 0
        )`.execute(q);
    } else {
      const exists = await sql<{ t: string | null }>`select to_regclass('schema_migrations')::text as t`.execute(q);
      if (!exists.rows[0]?.t) return new Map();
    }
    const rows = await q.selectFrom('schema_migrations').select(['version', 'name', 'checksum', 'applied_at']).execute();
    return new Map(rows.map((r) => [r.version, r]));
  }

  async #locked<T>(fn: (conn: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.#db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${sql.lit(LOCK_KEY)}::bigint)`.execute(conn);
      try {
        return await fn(conn);
      } finally {
        await sql`select pg_advisory_unlock(${sql.lit(LOCK_KEY)}::bigint)`.execute(conn);
      }
    });
  }
}
