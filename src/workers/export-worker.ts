/**
 * Runs queued export jobs, requeues abandoned ones, deletes expired export
 * files, and compacts the contact-count delta log (reporting housekeeping). Any number of processes may run it: a job is claimed with a
 * conditional UPDATE, so exactly one worker runs each job.
 */
import type { Kysely } from 'kysely';
import { runNextExportJob, type ExportDeps } from '../commands/reporting/export-jobs.js';
import { compactAllContactCounts } from '../commands/reporting/rollups.js';
import type { DB } from '../db/schema/index.js';
import { isRetryableError } from '../db/errors.js';

export interface ExportWorkerOptions {
  /** Pause between polls when there is nothing to do. */
  readonly idleMs?: number;
}

export class ExportWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private stopping = false;

  constructor(private readonly db: Kysely<DB>, private readonly deps: ExportDeps, private readonly opts: ExportWorkerOptions = {}) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopping = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the job in progress (if any) to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass: runs jobs until none is queued (or stop() is called). */
  async tick(): Promise<number> {
    await compactAllContactCounts(this.db);
    let ran = 0;
    while (!this.stopping) {
      const job = await runNextExportJob(this.db, this.deps);
      if (!job) break;
      ran++;
    }
    return ran;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((err: unknown) => {
          if (!isRetryableError(err)) this.deps.log?.error({ err: (err as Error).message }, 'export worker tick failed');
        })
        .finally(() => {
          this.running = null;
          this.schedule(this.opts.idleMs ?? 2_000);
        });
    }, ms);
  }
}
