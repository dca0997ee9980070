/**
 * The composition root: the one place that turns configuration into running
 * parts. Everything else receives what it needs as arguments.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/connect.js';
import { Migrator } from './db/migrator.js';
import { createDevIdentityProvider, devClient } from './adapters/identity/dev-idp/provider.js';
import { createOidcClient } from './adapters/identity/oidc/client.js';
import type { IdentityProvider } from './domain/ports/identity.js';
import { buildServer } from './http/server.js';
import { webConsole } from './http/web.js';
import type { Logger } from './observability/logger.js';
import { createReportingServices, type ReportingServices } from './reporting-services.js';
import { ExportWorker } from './workers/export-worker.js';

export type Role = 'all' | 'api';

export interface App {
  readonly config: Config;
  readonly database: Database;
  readonly http: FastifyInstance;
  readonly reporting: ReportingServices;
  /** Starts listening (and, in later roles, the loops). Returns the bound URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export interface BuildOptions {
  role?: Role;
  /** Use this database instead of opening one from the configuration (tests). */
  database?: Database;
  /** Replace reporting adapters (tests: an S3 test double, a fake clock). */
  reporting?: Parameters<typeof createReportingServices>[3];
  /** Serve the built console at `/` (default true; it is skipped with a warning when not built). */
  web?: boolean;
}

export async function buildApp(config: Config, log: Logger, opts: BuildOptions = {}): Promise<App> {
  const database = opts.database ?? (await openDatabase(config.database, log));
  let reporting: ReportingServices | undefined;
  try {
    if (config.database.migrateOnStart) {
      await new Migrator(database.db, { log }).up();
    }
    const services = createReportingServices(config, database.db, log, opts.reporting);
    reporting = services;
    // The URL browsers use; derived from the bound address when not configured
    // (so it is known only after listen — sign-in resolves it lazily).
    let bound: { port: number } | undefined;
    const baseUrl = () => config.http.publicBaseUrl ?? derivedBaseUrl(config.http.host, bound?.port ?? config.http.port);
    const { identity, plugins } = buildIdentity(config, log, baseUrl);
    const http = await buildServer({ config, database, log, identity, reporting: services, plugins: opts.web === false ? plugins : [...plugins, webConsole()] });
    // Role `all` runs the export jobs in-process; later worker roles can run it alone.
    const exportWorker = (opts.role ?? 'all') === 'all' ? new ExportWorker(database.db, services.exportDeps) : null;
    let stopped = false;
    return {
      config,
      database,
      http,
      reporting: services,
      async start() {
        const url = await http.listen({ host: config.http.host, port: config.http.port });
        const address = http.server.address();
        if (address && typeof address === 'object') bound = { port: address.port };
        if (config.auth.oidc.mode === 'dev') {
          log.warn({ issuer: `${baseUrl()}${DEV_IDP_PREFIX}` }, 'sign-in uses the built-in development identity provider (no passwords; never for production)');
        }
        exportWorker?.start();
        return url;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await exportWorker?.stop();
        await http.close();
        await services.close();
        if (!opts.database) await database.close();
      },
    };
  } catch (err) {
    await reporting?.close();
    if (!opts.database) await database.close();
    throw err;
  }
}

/** Where the built-in development identity provider is mounted. */
export const DEV_IDP_PREFIX = '/dev-idp';

/** `http://HOST:PORT`, with wildcard addresses replaced by loopback (what a local browser can open). */
export function derivedBaseUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** The OIDC client, and (without an issuer, outside production) the built-in provider it signs in against. */
function buildIdentity(config: Config, log: Logger, baseUrl: () => string): { identity: IdentityProvider; plugins: ((app: FastifyInstance) => Promise<void>)[] } {
  const oidc = config.auth.oidc;
  const redirectUri = () => oidc.redirectUri ?? `${baseUrl()}/api/auth/callback`;
  if (oidc.mode === 'external') {
    const identity = createOidcClient({
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      ...(oidc.clientSecret ? { clientSecret: oidc.clientSecret } : {}),
      redirectUri,
      scopes: oidc.scopes,
      allowHttp: config.env !== 'production',
      log,
    });
    return { identity, plugins: [] };
  }
  if (config.env === 'production') throw new Error('the development identity provider cannot run in production');
  const client = devClient(redirectUri);
  const devIdp = createDevIdentityProvider({ prefix: DEV_IDP_PREFIX, baseUrl, client, log });
  const identity = createOidcClient({
    issuer: devIdp.issuer,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    redirectUri,
    scopes: oidc.scopes,
    // Always show the account picker, so switching demo users is one click.
    extraParams: { prompt: 'login' },
    allowHttp: true,
    log,
  });
  return { identity, plugins: [devIdp.plugin] };
}
