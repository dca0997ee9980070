/**
 * bench:import — a 1,000,000-row contacts CSV (10 % invalid rows, 1 %
 * duplicates, 0.5 % on the exclusion list) imported into a campaign on
 * PostgreSQL, against the physical reference measured in the same run: a raw
 * `COPY … FROM STDIN (FORMAT csv)` of the same file into a bare table of the
 * same shape (text columns, no constraints, no indexes). Three more
 * references for reading the result: the accepted rows copied into a table
 * like `contacts` with all its indexes, and into one with none; and inserted
 * once more into `contacts` itself (the floor for any import into it).
 *
 *   npm run bench:import                 # DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres
 *   BENCH_ROWS=200000 npm run bench:import
 *
 * Creates a fresh database, drops it at the end. Prints one JSON object.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { createPgKysely, createPgPool } from '../src/db/connect.js';
import { Migrator } from '../src/db/migrator.js';
import { importContacts } from '../src/commands/contacts/import-contacts.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Writes the file; returns the numbers that belong on the exclusion list. */
async function generate(path: string): Promise<{ excludedNumbers: string[]; expected: { invalid: number; duplicates: number } }> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const excludedNumbers: string[] = [];
  let invalid = 0;
  let duplicates = 0;
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('phone_number,external_contact_id,email,language,has_prior_consent,do_not_call\n');
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    const n = String(1_000_000 + i).padStart(7, '0');
    let phone = `+39 347 ${n}`;
    if (i % 10 === 3) {
      phone = `12${i % 1000}`; // 10 % invalid
      invalid++;
    } else if (i % 100 === 7 && i > 100) {
      phone = `+39 347 ${String(1_000_000 + i - 50).padStart(7, '0')}`; // 1 % duplicates of an earlier valid row
      duplicates++;
    } else if (i % 200 === 11) {
      excludedNumbers.push(`+39347${n}`); // 0.5 % on the exclusion list
    }
    buf += `${phone},ext-${i},person${i}@example.org,${i % 2 ? 'it' : 'en'},${i % 3 ? 'yes' : 'no'},no\n`;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { excludedNumbers, expected: { invalid, duplicates } };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'vsa-bench-import-'));
  const file = join(dir, 'contacts.csv');
  const dbName = `vsa_bench_${randomBytes(4).toString('hex')}`;
  const admin = createPgPool(ADMIN_URL, 1);
  await admin.query(`create database "${dbName}"`);
  const pool = createPgPool(withDatabase(ADMIN_URL, dbName), 4);
  const db = createPgKysely(pool);
  try {
    const genStarted = Date.now();
    const { excludedNumbers, expected } = await generate(file);
    const generateMs = Date.now() - genStarted;
    const bytes = statSync(file).size;

    await new Migrator(db).up();
    const campaign = await db.insertInto('campaigns').values({ name: 'bench' }).returning('id').executeTakeFirstOrThrow();
    for (let i = 0; i < excludedNumbers.length; i += 5000) {
      await db
        .insertInto('exclusion_list_entries')
        .values(excludedNumbers.slice(i, i + 5000).map((phone_number) => ({ phone_number, source: 'import' as const })))
        .execute();
    }
    await sql`checkpoint`.execute(db).catch(() => {});

    // Reference: raw COPY of the same file into a bare table of the same shape.
    await sql`create table bare_contacts (phone_number text, external_contact_id text, email text, language text,
      has_prior_consent text, do_not_call text)`.execute(db);
    const client = await pool.connect();
    const copyStarted = process.hrtime.bigint();
    try {
      await pipeline(createReadStream(file, { highWaterMark: 1 << 18 }), client.query(copyFrom('COPY bare_contacts FROM STDIN (FORMAT csv, HEADER true)')));
    } finally {
      client.release();
    }
    const copySeconds = Number(process.hrtime.bigint() - copyStarted) / 1e9;

    const walBefore = (await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(db)).rows[0]!.lsn;
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const peak = { heapUsed: 0, external: 0, arrayBuffers: 0 };
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
      peak.external = Math.max(peak.external, m.external);
      peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    }, 50);
    const started = process.hrtime.bigint();
    // The last progress call comes when the final batch is staged: what is
    // left after it is the set-based SQL (errors, dedupe, exclusion match, insert).
    let stagedAt = started;
    const report = await importContacts(db, {
      campaignId: campaign.id,
      source: createReadStream(file, { highWaterMark: 1 << 18 }),
      fileName: 'contacts.csv',
      maxBytes: 1 << 30,
      onProgress: () => (stagedAt = process.hrtime.bigint()),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stagingSeconds = Number(stagedAt - started) / 1e9;
    const walBytes = Number(
      (await sql<{ bytes: string }>`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${walBefore}::pg_lsn)::bigint::text as bytes`.execute(db)).rows[0]!.bytes,
    );
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    // Second reference: COPY of the accepted rows into a table with the same
    // columns, defaults, constraints and indexes as contacts (LIKE … INCLUDING
    // ALL): what loading costs once the real table's indexes are paid for.
    await sql`create table contacts_ref (like contacts including all)`.execute(db);
    const out = await pool.connect();
    const into = await pool.connect();
    const refStarted = process.hrtime.bigint();
    try {
      await pipeline(out.query(copyTo('COPY contacts TO STDOUT')), into.query(copyFrom('COPY contacts_ref FROM STDIN')));
    } finally {
      out.release();
      into.release();
    }
    const refSeconds = Number(process.hrtime.bigint() - refStarted) / 1e9;

    // Third reference: the same COPY into a table with contacts' columns,
    // defaults and checks but no index, no foreign key, no trigger — the cost
    // of storing rows of this shape at all, before any index is kept.
    await sql`create table contacts_bare (like contacts including defaults including constraints)`.execute(db);
    const out2 = await pool.connect();
    const into2 = await pool.connect();
    const bareStarted = process.hrtime.bigint();
    try {
      await pipeline(out2.query(copyTo('COPY contacts TO STDOUT')), into2.query(copyFrom('COPY contacts_bare FROM STDIN')));
    } finally {
      out2.release();
      into2.release();
    }
    const bareSeconds = Number(process.hrtime.bigint() - bareStarted) / 1e9;

    // Fourth reference, the floor for any import into this table: the same
    // accepted rows inserted once more into contacts itself (a second
    // campaign, ids kept in time order), with every index, the foreign key and
    // the roll-up triggers — no parsing, no validation, no dedupe. Rolled back.
    const floorClient = await pool.connect();
    let floorSeconds = 0;
    try {
      await floorClient.query('begin');
      const second = await floorClient.query<{ id: string }>(`insert into campaigns (name) values ('bench floor') returning id`);
      const floorStarted = process.hrtime.bigint();
      await floorClient.query(
        `insert into contacts (id, campaign_id, phone_number, external_contact_id, email, preferred_language, has_prior_consent, do_not_call, timezone, state)
         select ('f' || substr(id::text, 2))::uuid, $2, phone_number, external_contact_id, email, preferred_language, has_prior_consent, do_not_call, timezone, state
         from contacts where campaign_id = $1 order by phone_number`,
        [campaign.id, second.rows[0]!.id],
      );
      floorSeconds = Number(process.hrtime.bigint() - floorStarted) / 1e9;
    } finally {
      await floorClient.query('rollback').catch(() => {});
      floorClient.release();
    }

    const rowsPerSecond = ROWS / seconds;
    const copyRowsPerSecond = ROWS / copySeconds;
    const result = {
      bench: 'import',
      date: new Date().toISOString(),
      rows: ROWS,
      file_bytes: bytes,
      generate_ms: generateMs,
      import_seconds: Number(seconds.toFixed(2)),
      rows_per_second: Math.round(rowsPerSecond),
      staging_seconds: Number(stagingSeconds.toFixed(2)),
      set_based_seconds: Number((seconds - stagingSeconds).toFixed(2)),
      wal_mb: Math.round(walBytes / 1048576),
      raw_copy_seconds: Number(copySeconds.toFixed(2)),
      raw_copy_rows_per_second: Math.round(copyRowsPerSecond),
      ratio_to_raw_copy: Number((rowsPerSecond / copyRowsPerSecond).toFixed(3)),
      target_ratio: 0.5,
      indexed_copy_seconds: Number(refSeconds.toFixed(2)),
      indexed_copy_rows: report.accepted,
      indexed_copy_rows_per_second: Math.round(report.accepted / refSeconds),
      unindexed_copy_seconds: Number(bareSeconds.toFixed(2)),
      table_insert_seconds: Number(floorSeconds.toFixed(2)),
      table_insert_ratio_to_raw_copy: Number((report.accepted / floorSeconds / copyRowsPerSecond).toFixed(3)),
      import_seconds_over_table_insert: Number((seconds / floorSeconds).toFixed(2)),
      unindexed_copy_rows_per_second: Math.round(report.accepted / bareSeconds),
      load_average_1m: Number(loadavg()[0]!.toFixed(1)),
      cpus: cpus().length,
      peak_rss_mb: Math.round(peakRss / 1048576),
      peak_heap_used_mb: Math.round(peak.heapUsed / 1048576),
      peak_external_mb: Math.round(peak.external / 1048576),
      peak_rss_process_max_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      rss_limit_mb: 300,
      report: { ...report, errors: report.errors.length },
      expected,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await db.destroy();
    await admin.query(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
