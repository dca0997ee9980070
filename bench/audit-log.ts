/**
 * Audit log paging at scale: the API's keyset cursor versus OFFSET paging, on a
 * log of N entries (default 200,000; BENCH_AUDIT_ROWS to change). The physical
 * reference is the first page (an index range scan of one page), measured in the
 * same run: a deep keyset page should cost about the same, a deep OFFSET page
 * grows with its depth.
 *
 *   npm run bench:audit                       # embedded PGlite (in memory)
 *   DATABASE_URL=postgres://… npm run bench:audit   # a scratch database on that server
 *
 * Prints one JSON object.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { listAudit } from '../src/commands/admin/audit-log.js';
import { openDatabase, type Database } from '../src/db/connect.js';
import { Migrator } from '../src/db/migrator.js';

const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 200_000);
const PAGE = 50;
const REPEAT = 15;

async function open(): Promise<{ database: Database; dispose(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { database: await openDatabase({ engine: 'pglite', dataDir: 'memory', inMemory: true }), dispose: async () => {} };
  const name = `vsa_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = await openDatabase({ engine: 'postgres', url: u.toString(), poolMax: 2, migrateOnStart: false });
  return {
    database,
    async dispose() {
      await database.close();
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

async function time(fn: () => Promise<unknown>): Promise<{ p50_ms: number; max_ms: number }> {
  const xs: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return { p50_ms: Number(xs[Math.floor(xs.length / 2)]!.toFixed(2)), max_ms: Number(xs[xs.length - 1]!.toFixed(2)) };
}

async function main() {
  const { database, dispose } = await open();
  const db = database.db;
  try {
    await new Migrator(db).up();
    const users = await db
      .insertInto('users')
      .values(Array.from({ length: 20 }, (_, i) => ({ oidc_sub: `bench-${i}`, email: `bench${i}@example.org`, name: `Bench ${i}` })))
      .returning('id')
      .execute();
    const t0 = performance.now();
    // Spread over 30 days, 20 actors, a handful of actions.
    await sql`
      insert into audit_log (occurred_at, actor_user_id, actor_role, action, target_type, target_id, outcome)
      select now() - (g * interval '13 seconds'),
             (${sql.raw(`array[${users.map((u) => `'${u.id}'::uuid`).join(',')}]`)})[1 + g % 20],
             'admin',
             (array['campaign.update','template.update','config.update','access.denied','export.create'])[1 + g % 5],
             'campaign', g::text,
             case when g % 5 = 3 then 'denied' else 'success' end
      from generate_series(1, ${ROWS}) g`.execute(db);
    await sql`analyze audit_log`.execute(db);
    const loadMs = performance.now() - t0;

    // Walk to a deep page once to get its cursor (depth = 2,000 pages when the log is big enough).
    const depth = Math.min(2000, Math.floor(ROWS / PAGE) - 1);
    const deepCursor = (
      await sql<{ k: string; id: string }>`
        select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as k, id from audit_log
        order by occurred_at desc, id desc offset ${depth * PAGE - 1} limit 1`.execute(db)
    ).rows[0]!;
    const cursor = Buffer.from(JSON.stringify([deepCursor.k, deepCursor.id])).toString('base64url');

    const reference = await time(() => listAudit(db, { limit: PAGE }));
    const keysetDeep = await time(() => listAudit(db, { limit: PAGE, cursor }));
    const offsetDeep = await time(() =>
      sql`select * from audit_log a left join users u on u.id = a.actor_user_id order by a.occurred_at desc, a.id desc offset ${depth * PAGE} limit ${PAGE}`.execute(db),
    );
    const byActor = await time(() => listAudit(db, { limit: PAGE, actor: users[3]!.id }));
    const byPrefix = await time(() => listAudit(db, { limit: PAGE, action: 'export' }));

    // The keyset page must be the same rows OFFSET returns.
    const a = (await listAudit(db, { limit: PAGE, cursor })).items.map((r) => r.id);
    const b = (await sql<{ id: string }>`select id from audit_log order by occurred_at desc, id desc offset ${depth * PAGE} limit ${PAGE}`.execute(db)).rows.map((r) => r.id);
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('keyset page differs from the OFFSET page');

    process.stdout.write(
      `${JSON.stringify({
        bench: 'audit-log-paging',
        engine: database.engine,
        rows: ROWS,
        page_size: PAGE,
        deep_page: depth + 1,
        load_ms: Math.round(loadMs),
        reference_first_page: reference,
        keyset_deep_page: keysetDeep,
        offset_deep_page: offsetDeep,
        keyset_vs_reference: Number((keysetDeep.p50_ms / reference.p50_ms).toFixed(2)),
        offset_vs_reference: Number((offsetDeep.p50_ms / reference.p50_ms).toFixed(2)),
        filter_actor_first_page: byActor,
        filter_action_prefix_first_page: byPrefix,
      })}\n`,
    );
  } finally {
    await dispose();
  }
}

await main();
