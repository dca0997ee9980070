/**
 * Loads the demo data in db/seeds (every .sql file, in name order, in one
 * transaction). The files are idempotent, so seeding twice changes nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema/index.js';
import { Migrator } from './migrator.js';

export const DEFAULT_SEEDS_DIR = fileURLToPath(new URL('../../db/seeds/', import.meta.url));

export class SeedError extends Error {
  readonly code = 'seed.schema_not_ready';
}

export async function seedDatabase(db: Kysely<DB>, dir: string = DEFAULT_SEEDS_DIR): Promise<string[]> {
  const pending = (await new Migrator(db).status()).filter((s) => s.state !== 'applied');
  if (pending.length > 0) {
    throw new SeedError(`the database schema is not up to date (${pending.map((p) => `${p.version} ${p.state}`).join(', ')}); run \`voicesurvey db upgrade\` first`);
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  await db.transaction().execute(async (trx) => {
    for (const f of files) await sql.raw(readFileSync(join(dir, f), 'utf8')).execute(trx);
  });
  return files;
}
