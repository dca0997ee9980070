/**
 * npm run bench:export — the full CSV export of a 1,000,000-contact campaign
 * (PostgreSQL): rows/s of campaignCsvStream against `COPY (SELECT …) TO
 * STDOUT (FORMAT csv)` of the same columns in the same run, and the peak RSS
 * of this process during our export. Targets: ≥ 0.25 × COPY, ≤ 200 MB RSS.
 */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { campaignCsvStream, DEFAULT_EXPORT_BATCH, type ExportProgress } from '../src/commands/reporting/export.js';
import { BENCH_CAMPAIGN_ID, benchUrl, CONTACTS, openBenchDb, round } from './reporting-fixture.js';

function counter(): Writable & { bytes: number } {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      w.bytes += chunk.length;
      cb();
    },
  }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
}

const BATCH = Number(process.env.BENCH_EXPORT_BATCH ?? DEFAULT_EXPORT_BATCH);
const db = await openBenchDb(2);
try {
  // Ours first, so the peak RSS is not inflated by the COPY run's garbage.
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const progress: ExportProgress = { rows: 0 };
  const sink = counter();
  let t0 = performance.now();
  await pipeline(campaignCsvStream(db, BENCH_CAMPAIGN_ID, { batchSize: BATCH }, progress), sink);
  const exportMs = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);

  // COPY reference: the same SELECT (columns, joins, order) in one statement.
  const client = new pg.Client({ connectionString: benchUrl() });
  await client.connect();
  const copySql = `copy (
    select c.campaign_id, c.id, c.external_contact_id, c.phone_number, c.state, c.last_outcome, c.attempts_count,
           coalesce(fa.started_at, fa.created_at), c.last_attempt_at, sr.completed_at,
           sr.q1_answer, sr.q2_answer, sr.q3_answer, sr.q1_confidence, sr.q2_confidence, sr.q3_confidence
    from contacts c
    left join call_attempts fa on fa.contact_id = c.id and fa.attempt_number = 1
    left join survey_responses sr on sr.contact_id = c.id
    where c.campaign_id = '${BENCH_CAMPAIGN_ID}' order by c.id) to stdout (format csv, header)`;
  const copySink = counter();
  t0 = performance.now();
  await pipeline(client.query(copyTo(copySql)), copySink);
  const copyMs = performance.now() - t0;
  await client.end();

  const copyRate = CONTACTS / (copyMs / 1000);
  const exportRate = progress.rows / (exportMs / 1000);
  const result = {
    bench: 'export',
    date: new Date().toISOString(),
    machine: '2 cores',
    contacts: CONTACTS,
    rows_exported: progress.rows,
    copy: { ms: Math.round(copyMs), rows_per_s: Math.round(copyRate), mb: round(copySink.bytes / 1e6) },
    export: { ms: Math.round(exportMs), rows_per_s: Math.round(exportRate), mb: round(sink.bytes / 1e6) },
    ratio_vs_copy: round(exportRate / copyRate),
    batch: BATCH,
    rss_before_export_mb: round(rssBefore / 1048576, 1),
    peak_rss_mb: round(peak / 1048576, 1),
    targets: { ratio_ge_0_25: exportRate / copyRate >= 0.25, peak_rss_le_200mb: peak / 1048576 <= 200, all_rows: progress.rows === CONTACTS },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await db.destroy();
}
