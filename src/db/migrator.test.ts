import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../test/support/db.js';
import { schemaSnapshot } from '../../test/support/schema-snapshot.js';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations, MigrationError, Migrator } from './migrator.js';

const files = loadMigrations();

async function tableCount(t: TestDatabase): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
    where table_schema = 'public' and table_name <> 'schema_migrations'`.execute(t.db);
  return r.rows[0]!.n;
}

describe('migration files', () => {
  it('come in up/down pairs with four-digit versions, 0001_init first', () => {
    expect(files[0]).toMatchObject({ version: '0001', name: 'init' });
    const versions = files.map((f) => f.version);
    expect(versions).toEqual([...versions].sort());
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('rejects a directory with an unpaired or badly named file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vsa-mig-'));
    try {
      writeFileSync(join(dir, '0001_a.up.sql'), 'select 1;');
      writeFileSync(join(dir, '2_b.up.sql'), 'select 1;');
      expect(() => loadMigrations(dir)).toThrowError(/0001_a: missing \.down\.sql/);
      expect(() => loadMigrations(dir)).toThrowError(/2_b\.up\.sql: name must look like 0001_name\.up\.sql/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migrator', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase({ migrated: false });
  });
  afterAll(() => t.close());

  it('up twice, down, down again, up again: no errors, same schema', async () => {
    const m = new Migrator(t.db);
    expect(await m.up()).toEqual(files.map((f) => f.version));
    const first = await schemaSnapshot(t.db);
    expect(await tableCount(t)).toBeGreaterThanOrEqual(11);

    expect(await m.up()).toEqual([]);
    expect(await schemaSnapshot(t.db)).toBe(first);

    expect(await m.down({ to: '0' })).toEqual(files.map((f) => f.version).reverse());
    expect(await tableCount(t)).toBe(0);
    expect(await m.down({ to: '0' })).toEqual([]);
    expect(await m.down()).toEqual([]);

    expect(await m.up()).toEqual(files.map((f) => f.version));
    expect(await schemaSnapshot(t.db)).toBe(first);
    expect((await m.status()).every((s) => s.state === 'applied')).toBe(true);
  });

  it('each SQL file is itself idempotent: running up or down twice outside the ledger is a no-op', async () => {
    const before = await schemaSnapshot(t.db);
    for (const f of files) await sql.raw(f.up).execute(t.db);
    expect(await schemaSnapshot(t.db)).toBe(before);
    for (const f of [...files].reverse()) {
      await sql.raw(f.down).execute(t.db);
      await sql.raw(f.down).execute(t.db);
    }
    expect(await tableCount(t)).toBe(0);
    for (const f of files) {
      await sql.raw(f.up).execute(t.db);
      await sql.raw(f.up).execute(t.db);
    }
    expect(await schemaSnapshot(t.db)).toBe(before);
  });

  it('records version, name, checksum and time in the ledger', async () => {
    const rows = await t.db.selectFrom('schema_migrations').selectAll().orderBy('version').execute();
    expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.version));
    expect(rows[0]).toMatchObject({ name: 'init', checksum: files[0]!.checksum });
    expect(rows[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.applied_at).toBeInstanceOf(Date);
  });

  it('downgrade --to keeps that version and reverts the newer ones', async () => {
    const m = new Migrator(t.db);
    const last = files[files.length - 1]!.version;
    expect(await m.down({ to: last })).toEqual([]);
    await expect(m.down({ to: '9999' })).rejects.toThrowError(/no migration with that version/);
    await expect(m.up({ to: 'abc' })).rejects.toThrowError(/--to must be a migration version/);
  });

  it('refuses to run when an applied file changed, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vsa-mig-'));
    try {
      cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      const up = join(dir, '0001_init.up.sql');
      writeFileSync(up, readFileSync(up, 'utf8') + '\n-- a sneaky edit\n');
      const tampered = new Migrator(t.db, { dir });
      const err = await tampered.up().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as MigrationError).code).toBe('migration.checksum_mismatch');
      expect((err as Error).message).toMatch(/0001_init\.up\.sql changed after it was applied/);
      await expect(tampered.down()).rejects.toThrowError(/changed after it was applied/);
      expect((await tampered.status()).find((s) => s.version === '0001')?.state).toBe('changed');
      // Nothing was reverted or re-applied.
      expect(await tableCount(t)).toBeGreaterThanOrEqual(11);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to run when the database has a version this code does not know', async () => {
    await t.db.insertInto('schema_migrations').values({ version: '9998', name: 'from_the_future', checksum: 'x', execution_ms: 0 }).execute();
    try {
      await expect(new Migrator(t.db).up()).rejects.toThrowError(/9998_from_the_future is applied to the database but its files are missing/);
      expect((await new Migrator(t.db).status()).at(-1)).toMatchObject({ version: '9998', state: 'missing-file' });
    } finally {
      await t.db.deleteFrom('schema_migrations').where('version', '=', '9998').execute();
    }
  });
});

describe.runIf(testEngine() === 'postgres')('concurrent upgrades on PostgreSQL', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase({ migrated: false });
  });
  afterAll(() => t.close());

  it('two processes migrating at once: one applies, the other waits and finds nothing to do', async () => {
    const a = await t.connectAgain(2);
    const b = await t.connectAgain(2);
    const [ra, rb] = await Promise.all([new Migrator(a).up(), new Migrator(b).up()]);
    const all = files.map((f) => f.version);
    // Exactly one of them applied everything; the other had nothing left.
    expect([ra, rb].sort((x, y) => y.length - x.length)).toEqual([all, []]);
    const ledger = await t.db.selectFrom('schema_migrations').select('version').execute();
    expect(ledger.map((r) => r.version).sort()).toEqual(all);
  });
});
