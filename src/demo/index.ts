/**
 * Demo mode (`voicesurvey serve --demo`, what `npm start` runs): the product
 * as a newcomer first sees it. Composes the ordinary app with
 *
 * - the demo data (db/seeds, idempotent) and the demo campaign's contacts,
 *   generated at start and trickled in while it runs (feed.ts);
 * - the built-in simulator answering as scripted respondents in real time
 *   (respondents.ts), with answering-machine detection on;
 * - a demo mailbox keeping a copy of every follow-up email (mailbox.ts) and the
 *   demo-only API routes that show it.
 *
 * Demo mode refuses to run in production or with a real telephony provider:
 * its numbers are fictitious and its campaign calls around the clock.
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import type { App, BuildOptions } from '../app.js';
import type { Config } from '../config.js';
import { createMailer } from '../adapters/email/index.js';
import { seedDatabase } from '../db/seed.js';
import { systemClock } from '../domain/clock.js';
import { demoRoutes } from '../http/routes/demo/routes.js';
import type { Logger } from '../observability/logger.js';
import { createLoop, type Loop } from '../workers/loop.js';
import { createReconciler } from '../workers/reconciler.js';
import { addInitialDemoContacts, DEFAULT_FEED, feedDemoContacts, type FeedPolicy } from './feed.js';
import { DemoMailbox, recordingMailer } from './mailbox.js';
import { DEMO_CAMPAIGN_ID, demoPersonasFor } from './respondents.js';

export { DEMO_CAMPAIGN_ID } from './respondents.js';

export class DemoUnavailableError extends Error {
  readonly code = 'demo.unavailable';
}

export interface DemoOptions {
  /** How often the trickle checks for new contacts (default 15 s; 1 s with a fast simulator). */
  readonly feedIntervalMs?: number;
  readonly feed?: Partial<FeedPolicy>;
}

export interface DemoStatus {
  readonly campaignName: string;
  readonly campaignStatus: string;
  readonly contacts: number;
  /** Calls a previous run left open (its simulator is gone), closed at start. */
  readonly settled: number;
}

export interface DemoMode {
  /** The configuration to build the app with (demo adjustments applied). */
  readonly config: Config;
  readonly mailbox: DemoMailbox;
  /** What demo mode adds to the app: simulator personas, the recording mailer, the demo routes. */
  readonly buildOptions: Pick<BuildOptions, 'simulator' | 'mailer' | 'routes'>;
  /** Loads the demo data and closes calls a previous run left open. After buildApp, before app.start(). */
  prepare(app: App): Promise<DemoStatus>;
  /** Starts the contact trickle (after app.start(); only in a role that runs the scheduler). */
  start(app: App): void;
  stop(): Promise<void>;
}

export function createDemoMode(base: Config, log: Logger, opts: DemoOptions = {}): DemoMode {
  if (base.env === 'production') {
    throw new DemoUnavailableError('demo mode is for trying the product and never runs in production (NODE_ENV=production): it calls fictitious numbers around the clock and signs in without passwords');
  }
  if (base.telephony.provider !== 'simulator') {
    throw new DemoUnavailableError('demo mode calls fictitious numbers, so it runs only with the built-in simulator: unset TELEPHONY_PROVIDER (or set it to simulator)');
  }
  const config: Config = {
    ...base,
    // The simulator's voicemail respondents are recognised as machines, as a real deployment would.
    telephony: { ...base.telephony, machineDetection: base.telephony.machineDetection === 'off' ? 'Enable' : base.telephony.machineDetection },
  };
  const fast = config.telephony.simulator.fast;
  const policy: FeedPolicy = { ...DEFAULT_FEED, ...opts.feed };
  const mailbox = new DemoMailbox(join(config.dataDir, 'demo-mailbox'));
  let loop: Loop | undefined;

  return {
    config,
    mailbox,
    buildOptions: {
      // A new seed per run: the simulator derives call SIDs from it, and a restart that
      // reused the previous run's SIDs would see its status callbacks taken for duplicates.
      simulator: { personas: demoPersonasFor, seed: randomInt(1, 2 ** 31 - 1) },
      mailer: recordingMailer(createMailer(config.email.transport), mailbox, log),
      routes: demoRoutes({ mailbox, campaignId: DEMO_CAMPAIGN_ID, fast }),
    },
    async prepare(app) {
      const db = app.database.db;
      await seedDatabase(db);
      await addInitialDemoContacts(db, policy);
      // The previous run's simulator died with its process, and its calls with it: close
      // them now rather than after the reconciler's usual 12 minutes, so their lines are free.
      let settled = 0;
      if (app.scheduler) {
        const once = createReconciler({
          db, telephony: app.telephony.telephony, clock: systemClock, log, metrics: app.metrics, config: config.calling,
          staleAfterSeconds: 0, unplacedAfterSeconds: 0,
        });
        const r = await once.tick();
        settled = r.released + r.fromProvider + r.timedOut;
      }
      const campaign = await db.selectFrom('campaigns').select(['name', 'status']).where('id', '=', DEMO_CAMPAIGN_ID).executeTakeFirst();
      const count = await db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', DEMO_CAMPAIGN_ID).executeTakeFirstOrThrow();
      return { campaignName: campaign?.name ?? '(deleted)', campaignStatus: campaign?.status ?? 'deleted', contacts: Number(count.n), settled };
    },
    start(app) {
      // Contacts are added where calls are placed.
      if (loop || !app.scheduler) return;
      const db = app.database.db;
      loop = createLoop({
        name: 'demo-feed',
        intervalMs: opts.feedIntervalMs ?? (fast ? 1_000 : 15_000),
        log,
        tick: async () => {
          const added = await feedDemoContacts(db, policy);
          if (added > 0) log.info({ added }, 'demo: new contacts for the demo campaign');
        },
      });
      loop.start();
    },
    async stop() {
      await loop?.stop();
      loop = undefined;
    },
  };
}
