/**
 * Reading back a stored import: its report, and its full error list as CSV
 * (`line,field,code,message`), streamed page by page so a file with a
 * hundred thousand rejected rows never sits in memory.
 */
import { stringify } from 'csv-stringify/sync';
import type { Kysely, Selectable } from 'kysely';
import type { ContactImportsTable, DB, ImportKind } from '../../db/schema/index.js';
import { notFound } from '../../domain/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 5000;

export type StoredImport = Selectable<ContactImportsTable>;

/** The import, if it is of this kind (and, for contacts, of this campaign); else not_found. */
export async function getImport(db: Kysely<DB>, importId: string, scope: { kind: ImportKind; campaignId?: string }): Promise<StoredImport> {
  if (!UUID.test(importId)) throw notFound('import');
  let q = db.selectFrom('contact_imports').selectAll().where('id', '=', importId).where('kind', '=', scope.kind);
  if (scope.campaignId) q = q.where('campaign_id', '=', scope.campaignId);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('import');
  return row;
}

/** The error list as CSV text chunks, in line order (header first). */
export async function* importErrorsCsv(db: Kysely<DB>, importId: string): AsyncGenerator<string> {
  yield stringify([['line', 'field', 'code', 'message']]);
  let after: { line: number; id: string } | undefined;
  for (;;) {
    let q = db.selectFrom('contact_import_errors').select(['id', 'line', 'field', 'code', 'message']).where('import_id', '=', importId);
    if (after) {
      const a = after;
      q = q.where((eb) => eb.or([eb('line', '>', a.line), eb.and([eb('line', '=', a.line), eb('id', '>', a.id)])]));
    }
    const rows = await q.orderBy('line').orderBy('id').limit(PAGE).execute();
    if (rows.length === 0) return;
    yield stringify(rows.map((r) => [r.line, r.field, r.code, r.message]));
    const last = rows[rows.length - 1]!;
    after = { line: last.line, id: last.id };
    if (rows.length < PAGE) return;
  }
}
