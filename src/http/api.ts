/**
 * Every area's routes, in one list. Add an area by writing
 * `routes/<area>/routes.ts` exporting `(services) => RouteDef[]` and listing it here.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import type { SessionChecker } from '../commands/auth/sessions.js';
import type { DB } from '../db/schema/index.js';
import type { IdentityProvider } from '../domain/ports/identity.js';
import type { Logger } from '../observability/logger.js';
import type { ReportingServices } from '../reporting-services.js';
import type { TokenService } from './auth/tokens.js';
import type { RouteDef } from './route.js';
import { adminRoutes } from './routes/admin/routes.js';
import { authRoutes } from './routes/auth/routes.js';
import { campaignRoutes } from './routes/campaigns/routes.js';
import { contactRoutes } from './routes/contacts/routes.js';
import { exclusionRoutes } from './routes/exclusions/routes.js';
import { emailRoutes } from './routes/emails/routes.js';
import { healthRoutes } from './routes/health.js';
import { reportingRoutes } from './routes/reporting/routes.js';
import { templateRoutes } from './routes/templates/routes.js';
import { testCallRoutes } from './routes/testcall/routes.js';

/** What route handlers may use. Built once by `buildServer`. */
export interface ApiServices {
  readonly config: Config;
  readonly database: Database;
  readonly db: Kysely<DB>;
  readonly tokens: TokenService;
  readonly log: Logger;
  /** Sign-in: the OIDC client (null when the server was built without one) and the session check. */
  readonly auth: { readonly identity: IdentityProvider | null; readonly sessions: SessionChecker };
  /** Statistics cache, export blob store and audit callback (issue 8). */
  readonly reporting: ReportingServices;
  /** Aborted when the server starts closing: long-lived responses (event streams) end then. */
  readonly closing: AbortSignal;
}

export function apiRoutes(s: ApiServices): RouteDef[] {
  return [
    ...healthRoutes(s),
    ...authRoutes(s),
    ...campaignRoutes(s),
    ...contactRoutes(s),
    ...exclusionRoutes(s),
    ...templateRoutes(s),
    ...adminRoutes(s),
    ...emailRoutes(s),
    ...reportingRoutes(s),
    ...testCallRoutes(s),
  ];
}
