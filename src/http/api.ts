/**
 * Every area's routes, in one list. Add an area by writing
 * `routes/<area>/routes.ts` exporting `(services) => RouteDef[]` and listing it here.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import type { DB } from '../db/schema/index.js';
import type { Logger } from '../observability/logger.js';
import type { ReportingServices } from '../reporting-services.js';
import type { TokenService } from './auth/tokens.js';
import type { RouteDef } from './route.js';
import { campaignRoutes } from './routes/campaigns/routes.js';
import { healthRoutes } from './routes/health.js';
import { reportingRoutes } from './routes/reporting/routes.js';

/** What route handlers may use. Built once by `buildServer`. */
export interface ApiServices {
  readonly config: Config;
  readonly database: Database;
  readonly db: Kysely<DB>;
  readonly tokens: TokenService;
  readonly log: Logger;
  /** Statistics cache, export blob store and audit callback (issue 8). */
  readonly reporting: ReportingServices;
}

export function apiRoutes(s: ApiServices): RouteDef[] {
  return [...healthRoutes(s), ...campaignRoutes(s), ...reportingRoutes(s)];
}
