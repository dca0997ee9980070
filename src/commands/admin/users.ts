/**
 * Users as admins see them: list with name search, and role changes (audited;
 * the last admin cannot be demoted, so the system never loses its admin).
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { DB, UserRole, UsersTable } from '../../db/schema/index.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { recordAudit } from '../audit.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export type UserRow = Selectable<UsersTable>;

const likePattern = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Users ordered by name (then id), a page at a time (keyset). */
export async function listUsers(db: Kysely<DB>, query: { q?: string; role?: UserRole; limit: number; cursor?: string }): Promise<{ items: UserRow[]; next_cursor: string | null }> {
  let q = db.selectFrom('users').selectAll();
  if (query.q) q = q.where(sql<boolean>`name ilike ${likePattern(query.q)} escape '\\'`);
  if (query.role) q = q.where('role', '=', query.role);
  if (query.cursor) {
    const [name, id] = decodeCursor(query.cursor, 2);
    q = q.where(sql<boolean>`(name, id) > (${name}, ${id}::uuid)`);
  }
  const rows = await q.orderBy('name').orderBy('id').limit(query.limit + 1).execute();
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return { items, next_cursor: rows.length > query.limit && last ? encodeCursor([last.name, last.id]) : null };
}

export async function changeUserRole(
  db: Kysely<DB>,
  input: { userId: string; role: UserRole; actor: { userId: string; role: UserRole }; correlationId?: string },
): Promise<UserRow> {
  return db.transaction().execute(async (trx) => {
    // Lock every admin row first (in id order, so concurrent changes queue instead of deadlocking):
    // two admins demoting each other at once must not both succeed.
    const admins = await trx.selectFrom('users').select('id').where('role', '=', 'admin').orderBy('id').forUpdate().execute();
    const user = await trx.selectFrom('users').selectAll().where('id', '=', input.userId).forUpdate().executeTakeFirst();
    if (!user) throw notFound('user', 'user.not_found');
    if (user.role === input.role) return user;
    if (user.role === 'admin' && admins.length <= 1) {
      throw new DomainError('user.last_admin', 'This is the only admin; make someone else an admin before changing this role.', 'conflict');
    }
    const row = await trx.updateTable('users').set({ role: input.role }).where('id', '=', input.userId).returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: input.actor,
      action: 'user.role_change',
      target: { type: 'user', id: input.userId },
      before: { role: user.role },
      after: { role: row.role },
      correlationId: input.correlationId ?? null,
    });
    return row;
  });
}
