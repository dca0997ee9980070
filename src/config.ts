/**
 * Configuration: parsed once from the environment, validated, frozen and passed
 * down from the composition root. No other module reads `process.env`.
 *
 * Every variable is documented in the README's configuration table; keep the two
 * in step (a test compares them).
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_MATRIX, parseMatrix, type PermissionMatrix } from './domain/auth/permissions.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be an integer')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

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
  DEFAULT_TIMEZONE: z
    .string()
    .refine((v) => isTimeZone(v), 'must be an IANA time zone such as Europe/Rome')
    .default('Europe/Rome'),
  IMPORT_MAX_BYTES: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1024, 'must be at least 1024').default(256 * 1024 * 1024),
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
  readonly http: { readonly host: string; readonly port: number };
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
    readonly accessTokenTtlSeconds: number;
    readonly matrix: PermissionMatrix;
  };
  /** AES-256-GCM key for secrets stored in the database (admin configuration). */
  readonly secrets: { readonly encryptionKey: Buffer; readonly ephemeral: boolean };
  /** CSV uploads (contacts, exclusion lists). */
  readonly imports: { readonly maxBytes: number };
}

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
  if (e.NODE_ENV === 'production') {
    if (!e.AUTH_TOKEN_SECRET) late.push({ variable: 'AUTH_TOKEN_SECRET', message: 'is required in production' });
    if (!e.CONFIG_ENCRYPTION_KEY) late.push({ variable: 'CONFIG_ENCRYPTION_KEY', message: 'is required in production' });
  }
  if (late.length) throw new ConfigError(late);
  const config: Config = {
    env: e.NODE_ENV,
    http: { host: e.HOST, port: e.PORT },
    log: { level: e.LOG_LEVEL },
    database: e.DATABASE_URL
      ? { engine: 'postgres', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, migrateOnStart: e.MIGRATE_ON_START ?? false }
      : { engine: 'pglite', dataDir: e.VSA_DATA_DIR, migrateOnStart: true },
    dataDir: e.VSA_DATA_DIR,
    api: { bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES, defaultTimezone: e.DEFAULT_TIMEZONE },
    auth: {
      tokenSecret: e.AUTH_TOKEN_SECRET ?? randomBytes(32).toString('base64url'),
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      matrix,
    },
    secrets: e.CONFIG_ENCRYPTION_KEY
      ? { encryptionKey: Buffer.from(e.CONFIG_ENCRYPTION_KEY, 'base64'), ephemeral: false }
      : // Development only (production requires the variable): a fixed, documented key so
        // secrets saved in the embedded demo survive restarts. Never protects anything real.
        { encryptionKey: createHash('sha256').update('voicesurveyagent-development-key').digest(), ephemeral: true },
    imports: { maxBytes: e.IMPORT_MAX_BYTES },
  };
  return deepFreeze(config);
}
