/**
 * Both engines return the same JavaScript values and honour transactions the
 * same way; the rest of the code relies on it.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../test/support/db.js';
import { createCampaign, createUser } from '../../test/support/factories.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(() => t.close());

describe(`database engine (${testEngine()})`, () => {
  it('returns the same JavaScript types for every column kind we use', async () => {
    const r = await sql<Record<string, unknown>>`
      select 42::int8 as big, 0.875::numeric(4,3) as num, 3::int2 as small, '2026-03-29'::date as day,
             '09:30'::time as tod, '2026-03-29T01:30:00Z'::timestamptz as ts, '{"a":[1,"x"]}'::jsonb as doc,
             true as flag, gen_random_uuid() as id, count(*) as n from (values (1),(2)) v(x)`.execute(t.db);
    const row = r.rows[0]!;
    expect(row).toMatchObject({ big: 42, num: 0.875, small: 3, day: '2026-03-29', tod: '09:30:00', doc: { a: [1, 'x'] }, flag: true, n: 2 });
    expect(row.ts).toEqual(new Date('2026-03-29T01:30:00Z'));
    expect(typeof row.id).toBe('string');
  });

  it('a failed transaction leaves nothing behind', async () => {
    const before = await t.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await createUser(trx);
        await createCampaign(trx, { max_attempts: 9 });
      }),
    ).rejects.toMatchObject({ code: '23514' });
    const after = await t.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('concurrent transactions each see their own work and both commit', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        t.db.transaction().execute(async (trx) => {
          const u = await createUser(trx, { name: `concurrent ${i}` });
          const seen = await trx.selectFrom('users').select('id').where('id', '=', u.id).executeTakeFirst();
          return seen?.id === u.id;
        }),
      ),
    );
    expect(results).toEqual([true, true, true, true]);
    const n = await t.db.selectFrom('users').where('name', 'like', 'concurrent %').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(n.n).toBe(4);
  });

  it('runs multi-statement scripts without parameters (results of scripts are not used)', async () => {
    await sql.raw('create table script_x (v int); insert into script_x values (7); insert into script_x values (8)').execute(t.db);
    const r = await sql<{ v: number }>`select v from script_x order by v`.execute(t.db);
    expect(r.rows).toEqual([{ v: 7 }, { v: 8 }]);
    await sql`drop table script_x`.execute(t.db);
  });
});
