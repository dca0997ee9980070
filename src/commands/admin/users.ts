/**
 * Users as admins see them: list with name search, and role changes (audited;
 * the last admin cannot be demoted, so the system never loses its admin).
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { DB, UserRole, UsersTable } from '../../db/schema/index.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { recordAudit } from '../audit.js';

export type UserRow = Selectable<UsersTable>;

const likePattern = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Users ordered by name (then id), a page at a time, with the total (same shape as the campaign list). */
export async function listUsers(db: Kysely<DB>, query: { q?: string; role?: UserRole; page: number; page_size: number }): Promise<{ items: UserRow[]; total: number }> {
  let q = db.selectFrom('users');
  if (query.q) q = q.where(sql<boolean>`name ilike ${likePattern(query.q)} escape '\\'`);
  if (query.role) q = q.where('role', '=', query.role);
  const [items, total] = await Promise.all([
    q.selectAll().orderBy('name').orderBy('id').limit(query.page_size).offset((query.page - 1) * query.page_size).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
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
