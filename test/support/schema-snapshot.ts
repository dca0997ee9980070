/**
 * A textual snapshot of the public schema (tables, columns, types, defaults,
 * constraints, indexes, enum values, triggers), for "same schema" comparisons.
 */
import { sql, type Kysely } from 'kysely';

export async function schemaSnapshot(db: Kysely<any>): Promise<string> {
  const parts: string[] = [];
  const cols = await sql<{ line: string }>`
    select table_name || '.' || column_name || ' ' || data_type || '/' || udt_name || ' null=' || is_nullable
           || ' default=' || coalesce(column_default, '') as line
    from information_schema.columns where table_schema = 'public' and table_name <> 'schema_migrations'
    order by table_name, column_name`.execute(db);
  parts.push(...cols.rows.map((r) => r.line));
  const cons = await sql<{ line: string }>`
    select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) as line
    from pg_constraint where connamespace = 'public'::regnamespace order by 1`.execute(db);
  parts.push(...cons.rows.map((r) => r.line));
  const idx = await sql<{ line: string }>`
    select indexdef as line from pg_indexes where schemaname = 'public' and tablename <> 'schema_migrations' order by indexname`.execute(db);
  parts.push(...idx.rows.map((r) => r.line));
  const enums = await sql<{ line: string }>`
    select t.typname || ': ' || string_agg(e.enumlabel, ',' order by e.enumsortorder) as line
    from pg_type t join pg_enum e on e.enumtypid = t.oid
    where t.typnamespace = 'public'::regnamespace group by t.typname order by t.typname`.execute(db);
  parts.push(...enums.rows.map((r) => r.line));
  const trg = await sql<{ line: string }>`
    select tgrelid::regclass::text || ' ' || tgname as line from pg_trigger
    where not tgisinternal order by 1`.execute(db);
  parts.push(...trg.rows.map((r) => r.line));
  return parts.join('\n');
}
