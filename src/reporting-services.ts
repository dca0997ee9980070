/**
 * Reporting's adapters, chosen from configuration in one place (called by the
 * composition root, app.ts, and by the CLI): the statistics cache (memory or
 * Redis), the export blob store (local directory or S3) and the audit
 * callback wired to the audit log.
 */
import type { Kysely } from 'kysely';
import { MemoryCacheStore } from './adapters/cache/memory/memory-cache-store.js';
import { RedisCacheStore } from './adapters/cache/redis/redis-cache-store.js';
import { LocalBlobStore } from './adapters/storage/local/local-blob-store.js';
import { S3BlobStore } from './adapters/storage/s3/s3-blob-store.js';
import { recordAudit } from './commands/audit.js';
import type { ExportDeps } from './commands/reporting/export-jobs.js';
import { StatsCache } from './commands/reporting/stats-cache.js';
import type { Config } from './config.js';
import type { DB } from './db/schema/index.js';
import { systemClock, type Clock } from './domain/clock.js';
import type { RecordAudit } from './domain/ports/audit.js';
import type { BlobStore } from './domain/ports/blob-store.js';
import type { CacheStore } from './domain/ports/cache-store.js';
import type { Logger } from './observability/logger.js';

export interface ReportingServices {
  readonly stats: StatsCache;
  readonly blobs: BlobStore;
  readonly recordAudit: RecordAudit;
  readonly clock: Clock;
  /** Everything the export commands need. */
  readonly exportDeps: ExportDeps;
  readonly export: Config['export'];
  close(): Promise<void>;
}

export function createBlobStore(config: Config): BlobStore & { close?(): void } {
  const s = config.export.storage;
  return s.kind === 's3'
    ? new S3BlobStore({ bucket: s.bucket, region: s.region, ...(s.endpoint ? { endpoint: s.endpoint } : {}), forcePathStyle: s.forcePathStyle })
    : new LocalBlobStore(s.dir);
}

/** The audit callback: writes `export.create` (and friends) to audit_log. */
export const auditRecorder = (db: Kysely<DB>): RecordAudit => (e) =>
  recordAudit(db, {
    actor: e.actorUserId || e.actorRole ? { userId: e.actorUserId, role: e.actorRole ?? null } : null,
    action: e.action,
    target: { type: e.targetType, id: e.targetId },
    details: e.details,
  });

export function createReportingServices(
  config: Config,
  db: Kysely<DB>,
  log: Logger,
  overrides: { blobs?: BlobStore; cache?: CacheStore; clock?: Clock } = {},
): ReportingServices {
  const clock = overrides.clock ?? systemClock;
  const cache = overrides.cache ?? (config.reporting.redisUrl ? new RedisCacheStore(config.reporting.redisUrl) : new MemoryCacheStore(clock));
  const blobs = overrides.blobs ?? createBlobStore(config);
  const audit = auditRecorder(db);
  return {
    stats: new StatsCache(cache, { ttlMs: config.reporting.statsCacheTtlMs, clock, log }),
    blobs,
    recordAudit: audit,
    clock,
    exportDeps: { blobs, recordAudit: audit, clock, retentionMs: config.export.retentionMs, log },
    export: config.export,
    async close() {
      await cache.close();
      (blobs as { close?(): void }).close?.();
    },
  };
}
