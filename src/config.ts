/**
 * Configuration: parsed once from the environment, validated, frozen and passed
 * down from the composition root. No other module reads `process.env`.
 *
 * Every variable is documented in the README's configuration table; keep the two
 * in step (a test compares them).
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { USER_ROLES, type UserRole } from './db/schema/core.js';
import { DEFAULT_MATRIX, parseMatrix, type PermissionMatrix } from './domain/auth/permissions.js';
import { isSecretEnvName } from './domain/settings/types.js';
import { parseRoleMap, type RoleMap } from './domain/auth/identity.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be an integer')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const httpUrl = z
  .string()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL');

/** The environment variables we read, with their defaults. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production'], {
    message: 'must be development, test or production',
  }).default('development'),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  PORT: port.default(3000),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(500, 'must be at most 500').default(10),
  VSA_DATA_DIR: z.string().min(1, 'must not be empty').default('./.data'),
  MIGRATE_ON_START: bool.optional(),
  // --- HTTP API, sessions, access control (issue 3) ---
  HTTP_BODY_LIMIT_BYTES: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1024, 'must be at least 1024').default(1024 * 1024),
  AUTH_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(30, 'must be at least 30').max(86400, 'must be at most 86400').default(900),
  RBAC_MATRIX: z.string().optional(),
  CONFIG_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  CONFIG_ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .refine((v) => v.split(',').every((k) => Buffer.from(k.trim(), 'base64').length === 32), 'must be a comma-separated list of 32-byte base64 keys')
    .optional(),
  // --- Sign-in (OIDC) and sessions (issue 3) ---
  PUBLIC_BASE_URL: httpUrl.optional(),
  OIDC_ISSUER: httpUrl.optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_REDIRECT_URI: httpUrl.optional(),
  OIDC_SCOPES: z.string().regex(/(^|\s)openid(\s|$)/, 'must include openid').default('openid email profile'),
  OIDC_ROLE_CLAIM: z.string().regex(/^[A-Za-z0-9_:/.-]+$/, 'must be a claim name, e.g. roles, groups or realm_access.roles').optional(),
  OIDC_ROLE_MAP: z.string().optional(),
  OIDC_DEFAULT_ROLE: z.enum(USER_ROLES, { message: `must be one of ${USER_ROLES.join(', ')}` }).default('viewer'),
  SESSION_IDLE_TTL_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(60, 'must be at least 60').default(12 * 3600),
  SESSION_MAX_TTL_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(60, 'must be at least 60').default(7 * 86400),
  DEFAULT_TIMEZONE: z
    .string()
    .refine((v) => isTimeZone(v), 'must be an IANA time zone such as Europe/Rome')
    .default('Europe/Rome'),
  IMPORT_MAX_BYTES: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1024, 'must be at least 1024').default(256 * 1024 * 1024),
  // Reporting (issue 8)
  STATS_CACHE_TTL_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0, 'must be between 0 and 60').max(60, 'must be between 0 and 60').default(30),
  REDIS_URL: z.string().refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL').optional(),
  EXPORT_STORAGE: z.enum(['local', 's3'], { message: 'must be local or s3' }).default('local'),
  EXPORT_DIR: z.string().min(1, 'must not be empty').optional(),
  EXPORT_S3_BUCKET: z.string().min(1, 'must not be empty').optional(),
  EXPORT_S3_REGION: z.string().min(1, 'must not be empty').default('us-east-1'),
  EXPORT_S3_ENDPOINT: z.string().url('must be a URL').optional(),
  EXPORT_S3_FORCE_PATH_STYLE: bool.default(false),
  EXPORT_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  EXPORT_LINK_TTL_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(60, 'must be at least 60').max(7 * 86_400, 'must be at most 604800').default(900),
  EXPORT_RETENTION_HOURS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(24 * 90, 'must be at most 2160').default(24),
  EXPORT_SYNC_MAX_ROWS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0, 'must be at least 0').default(10_000),
}).superRefine((e, ctx) => {
  if (e.EXPORT_STORAGE === 's3' && !e.EXPORT_S3_BUCKET) {
    ctx.addIssue({ code: 'custom', path: ['EXPORT_S3_BUCKET'], message: 'is required when EXPORT_STORAGE=s3' });
  }
});

function isTimeZone(v: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

export type Env = z.input<typeof envSchema>;

export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** The URL browsers use to reach this server; unset → derived from the bound address. */
    readonly publicBaseUrl?: string;
  };
  readonly log: { readonly level: string };
  readonly database:
    | { readonly engine: 'postgres'; readonly url: string; readonly poolMax: number; readonly migrateOnStart: boolean }
    | { readonly engine: 'pglite'; readonly dataDir: string; readonly migrateOnStart: true };
  /** Where the embedded engine and local files (exports, demo mail) live. */
  readonly dataDir: string;
  readonly api: { readonly bodyLimitBytes: number; readonly defaultTimezone: string };
  readonly auth: {
    /** HMAC key for access tokens. Random per process outside production when unset. */
    readonly tokenSecret: string;
    /** True when AUTH_TOKEN_SECRET was unset and the key is random to this process. */
    readonly tokenSecretEphemeral: boolean;
    readonly accessTokenTtlSeconds: number;
    readonly matrix: PermissionMatrix;
    /** Refresh tokens expire after this much inactivity (each refresh renews it). */
    readonly sessionIdleTtlSeconds: number;
    /** A browser session ends this long after sign-in, refreshed or not. */
    readonly sessionMaxTtlSeconds: number;
    readonly oidc: OidcConfig;
  };
  /** AES-256-GCM key for secrets stored in the database (admin configuration). */
  readonly secrets: {
    readonly encryptionKey: Buffer;
    /** Older keys, for opening values sealed before a key rotation (never used to seal). */
    readonly previousKeys: readonly Buffer[];
    readonly ephemeral: boolean;
    /**
     * Snapshot, taken at start-up, of the environment variables an admin setting
     * may reference instead of storing a secret (`{ "env": "TWILIO_AUTH_TOKEN" }`):
     * `VSA_SECRET_*` and the providers' conventional names (see
     * `isSecretEnvName`). Nothing else from the environment is reachable this way.
     */
    readonly env: Readonly<Record<string, string>>;
  };
  /** CSV uploads (contacts, exclusion lists). */
  readonly imports: { readonly maxBytes: number };
  readonly reporting: {
    /** How long campaign statistics are cached (≤ 60 000 ms; 0 disables the cache). */
    readonly statsCacheTtlMs: number;
    /** Shared cache for several API processes; in-memory when unset. */
    readonly redisUrl?: string;
  };
  readonly export: {
    readonly storage:
      | { readonly kind: 'local'; readonly dir: string }
      | { readonly kind: 's3'; readonly bucket: string; readonly region: string; readonly endpoint?: string; readonly forcePathStyle: boolean };
    /** HMAC key of signed download links (EXPORT_LINK_SECRET, else derived from AUTH_TOKEN_SECRET, else random per process). */
    readonly linkSecret: string;
    readonly linkTtlMs: number;
    /** Export files (and their links) are deleted/refused after this long. */
    readonly retentionMs: number;
    /** Above this many contacts GET …/export starts a job instead of streaming. */
    readonly syncMaxRows: number;
  };
}

/**
 * Sign-in. `external`: the organisation's OpenID Connect provider. `dev`: the
 * built-in development identity provider served by this process (never in
 * production).
 */
export type OidcConfig =
  | {
      readonly mode: 'external';
      readonly issuer: string;
      readonly clientId: string;
      readonly clientSecret?: string;
      readonly redirectUri?: string;
      readonly scopes: string;
      readonly roleClaim?: string;
      readonly roleMap?: RoleMap;
      readonly defaultRole: UserRole;
    }
  | {
      readonly mode: 'dev';
      readonly redirectUri?: string;
      readonly scopes: string;
      readonly roleClaim: string;
      readonly roleMap?: RoleMap;
      readonly defaultRole: UserRole;
    };

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses the environment into a frozen Config. Empty strings count as unset, so
 * `PORT=` in a shell behaves like no PORT at all. Throws ConfigError naming every
 * bad variable at once.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') input[key] = v.trim();
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const variable = String(i.path[0] ?? '(environment)');
      const raw = input[variable];
      const shown = raw === undefined || /SECRET|PASSWORD|TOKEN|KEY|URL/.test(variable) ? '' : ` (got "${raw}")`;
      return { variable, message: `${i.message}${shown}` };
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const late: { variable: string; message: string }[] = [];
  let matrix: PermissionMatrix = DEFAULT_MATRIX;
  if (e.RBAC_MATRIX) {
    try {
      matrix = parseMatrix(e.RBAC_MATRIX);
    } catch (err) {
      late.push({ variable: 'RBAC_MATRIX', message: (err as Error).message });
    }
  }
  let roleMap: RoleMap | undefined;
  if (e.OIDC_ROLE_MAP) {
    try {
      roleMap = parseRoleMap(e.OIDC_ROLE_MAP);
    } catch (err) {
      late.push({ variable: 'OIDC_ROLE_MAP', message: (err as Error).message });
    }
  }
  if (e.OIDC_ISSUER && !e.OIDC_CLIENT_ID) late.push({ variable: 'OIDC_CLIENT_ID', message: 'is required when OIDC_ISSUER is set' });
  if (e.SESSION_MAX_TTL_SECONDS < e.SESSION_IDLE_TTL_SECONDS) {
    late.push({ variable: 'SESSION_MAX_TTL_SECONDS', message: 'must be at least SESSION_IDLE_TTL_SECONDS' });
  }
  if (e.NODE_ENV === 'production') {
    if (!e.OIDC_ISSUER) {
      late.push({
        variable: 'OIDC_ISSUER',
        message: "is required in production: set it to your identity provider's issuer URL (the built-in development identity provider never runs in production; see docs/security.md)",
      });
    } else if (!e.OIDC_ISSUER.startsWith('https://')) {
      late.push({ variable: 'OIDC_ISSUER', message: 'must be an https:// URL in production' });
    }
    if (!e.AUTH_TOKEN_SECRET) late.push({ variable: 'AUTH_TOKEN_SECRET', message: 'is required in production' });
    if (!e.CONFIG_ENCRYPTION_KEY) late.push({ variable: 'CONFIG_ENCRYPTION_KEY', message: 'is required in production' });
  }
  if (late.length) throw new ConfigError(late);
  const secretEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '' && isSecretEnvName(name)) secretEnv[name] = value;
  }
  const previousKeys = (e.CONFIG_ENCRYPTION_KEY_PREVIOUS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => Buffer.from(k, 'base64'));
  const config: Config = {
    env: e.NODE_ENV,
    http: { host: e.HOST, port: e.PORT, ...(e.PUBLIC_BASE_URL ? { publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, '') } : {}) },
    log: { level: e.LOG_LEVEL },
    database: e.DATABASE_URL
      ? { engine: 'postgres', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, migrateOnStart: e.MIGRATE_ON_START ?? false }
      : { engine: 'pglite', dataDir: e.VSA_DATA_DIR, migrateOnStart: true },
    dataDir: e.VSA_DATA_DIR,
    api: { bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES, defaultTimezone: e.DEFAULT_TIMEZONE },
    auth: {
      tokenSecret: e.AUTH_TOKEN_SECRET ?? randomBytes(32).toString('base64url'),
      tokenSecretEphemeral: !e.AUTH_TOKEN_SECRET,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      matrix,
      sessionIdleTtlSeconds: e.SESSION_IDLE_TTL_SECONDS,
      sessionMaxTtlSeconds: e.SESSION_MAX_TTL_SECONDS,
      oidc: e.OIDC_ISSUER
        ? {
            mode: 'external',
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID ?? '',
            ...(e.OIDC_CLIENT_SECRET ? { clientSecret: e.OIDC_CLIENT_SECRET } : {}),
            ...(e.OIDC_REDIRECT_URI ? { redirectUri: e.OIDC_REDIRECT_URI } : {}),
            scopes: e.OIDC_SCOPES,
            ...(e.OIDC_ROLE_CLAIM ? { roleClaim: e.OIDC_ROLE_CLAIM } : {}),
            ...(roleMap ? { roleMap } : {}),
            defaultRole: e.OIDC_DEFAULT_ROLE,
          }
        : {
            mode: 'dev',
            ...(e.OIDC_REDIRECT_URI ? { redirectUri: e.OIDC_REDIRECT_URI } : {}),
            scopes: e.OIDC_SCOPES,
            // The development provider puts the role in a `roles` claim.
            roleClaim: e.OIDC_ROLE_CLAIM ?? 'roles',
            ...(roleMap ? { roleMap } : {}),
            defaultRole: e.OIDC_DEFAULT_ROLE,
          },
    },
    secrets: e.CONFIG_ENCRYPTION_KEY
      ? { encryptionKey: Buffer.from(e.CONFIG_ENCRYPTION_KEY, 'base64'), previousKeys, ephemeral: false, env: secretEnv }
      : // Development only (production requires the variable): a fixed, documented key so
        // secrets saved in the embedded demo survive restarts. Never protects anything real.
        { encryptionKey: createHash('sha256').update('voicesurveyagent-development-key').digest(), previousKeys, ephemeral: true, env: secretEnv },
    imports: { maxBytes: e.IMPORT_MAX_BYTES },
    reporting: { statsCacheTtlMs: e.STATS_CACHE_TTL_SECONDS * 1000, ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}) },
    export: {
      storage: e.EXPORT_STORAGE === 's3'
        ? {
            kind: 's3', bucket: e.EXPORT_S3_BUCKET!, region: e.EXPORT_S3_REGION,
            ...(e.EXPORT_S3_ENDPOINT ? { endpoint: e.EXPORT_S3_ENDPOINT } : {}), forcePathStyle: e.EXPORT_S3_FORCE_PATH_STYLE,
          }
        : { kind: 'local', dir: e.EXPORT_DIR ?? join(e.VSA_DATA_DIR, 'exports') },
      // Unset: derived from the access-token key (required in production), so
      // every API process verifies every other's links; random in development.
      linkSecret: e.EXPORT_LINK_SECRET
        ?? (e.AUTH_TOKEN_SECRET ? createHash('sha256').update(`export-links\n${e.AUTH_TOKEN_SECRET}`).digest('hex') : randomBytes(32).toString('hex')),
      linkTtlMs: e.EXPORT_LINK_TTL_SECONDS * 1000,
      retentionMs: e.EXPORT_RETENTION_HOURS * 3_600_000,
      syncMaxRows: e.EXPORT_SYNC_MAX_ROWS,
    },
  };
  return deepFreeze(config);
}
