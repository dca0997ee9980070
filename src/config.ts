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
import { parseChaos } from './adapters/telephony/simulator/chaos.js';
import { parseMix } from './adapters/telephony/simulator/personas.js';
import type { ChaosOptions } from './adapters/telephony/simulator/types.js';
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

const int = (min: number, max: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +390612345678');

function validates(parse: (v: string) => unknown): (v: string) => boolean {
  return (v) => {
    try {
      parse(v);
      return true;
    } catch {
      return false;
    }
  };
}

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
  // ── calling engine (scheduler, reconciler, telephony webhooks) ──
  SCHEDULER_TICK_MS: int(50, 60_000).default(1000),
  CALLING_CPS: z.coerce.number({ message: 'must be a number' }).positive('must be positive').max(1000, 'must be at most 1000').default(1),
  CALLING_MAX_CONCURRENT_CALLS: int(1, 10_000).default(10),
  CALLING_WINDOW_GUARD_MINUTES: int(0, 240).default(5),
  CALLING_SLOT_COOLDOWN_MS: int(0, 60_000).default(1000),
  CALLING_RING_TIMEOUT_SECONDS: int(5, 600).default(30),
  CALLING_MAX_CALL_SECONDS: int(30, 14_400).default(600),
  RECONCILER_INTERVAL_MS: int(100, 3_600_000).default(30_000),
  RECONCILER_MARGIN_SECONDS: int(0, 3600).default(120),
  RECONCILER_UNPLACED_AFTER_SECONDS: int(1, 3600).default(120),
  EXCLUSION_RECHECK_INTERVAL_MS: int(0, 86_400_000).default(300_000),

  // Telephony (docs/telephony.md)
  TELEPHONY_PROVIDER: z.enum(['simulator', 'twilio'], { message: 'must be simulator or twilio' }).default('simulator'),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_API_KEY_SID: z.string().regex(/^SK[0-9a-fA-F]{32}$/, 'must be SK followed by 32 hex digits').optional(),
  TWILIO_API_KEY_SECRET: z.string().optional(),
  TWILIO_FROM_NUMBER: e164.optional(),
  TWILIO_API_BASE_URL: httpUrl.optional(),
  TELEPHONY_MACHINE_DETECTION: z
    .enum(['off', 'Enable', 'DetectMessageEnd'], { message: 'must be off, Enable or DetectMessageEnd' })
    .default('off'),
  SIMULATOR_PORT: port.default(0),
  SIMULATOR_FAST: bool.default(false),
  SIMULATOR_SEED: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0, 'must be at least 0').default(1),
  SIMULATOR_MIX: z.string().refine(validates(parseMix), { message: 'must be a named mix (default, all_complete, unreachable) or persona=weight,…' }).default('default'),
  SIMULATOR_CPS: z.coerce.number({ message: 'must be a number' }).min(0, 'must be at least 0').default(1),
  SIMULATOR_MAX_CONCURRENT: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0, 'must be at least 0').default(10),
  SIMULATOR_CHAOS: z.string().refine(validates(parseChaos), { message: 'must be option=value,… (duplicate, reorder, delay, delayMs, drop, create5xx, create429)' }).optional(),
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
  // Dialogue (issue 6)
  DIALOGUE_VOICE_EN: z.string().min(1, 'must not be empty').default('Polly.Joanna-Neural'),
  DIALOGUE_VOICE_IT: z.string().min(1, 'must not be empty').default('Polly.Bianca-Neural'),
  DIALOGUE_AI_DISCLOSURE_EN: z.string().min(1, 'must not be empty').optional(),
  DIALOGUE_AI_DISCLOSURE_IT: z.string().min(1, 'must not be empty').optional(),
  DIALOGUE_GATHER_TIMEOUT_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1, 'must be between 1 and 30').max(30, 'must be between 1 and 30').default(5),
  // LLM interpreter
  LLM_PROVIDER: z.enum(['none', 'openai', 'anthropic'], { message: 'must be none, openai or anthropic' }).default('none'),
  LLM_BASE_URL: z.string().url('must be a URL').optional(),
  LLM_API_KEY: z.string().min(1, 'must not be empty').optional(),
  LLM_MODEL: z.string().min(1, 'must not be empty').optional(),
  LLM_TIMEOUT_MS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(50, 'must be between 50 and 10000').max(10_000, 'must be between 50 and 10000').default(800),
  LLM_FORBIDDEN_TOPICS: z.string().optional(),
  LLM_JSON_MODE: bool.optional(),
  // ── Outbox relay and follow-up email (0008) ──
  RELAY_ADAPTER: z.enum(['none', 'amqp', 'sqs'], { message: 'must be none, amqp or sqs' }).default('none'),
  RELAY_BATCH_SIZE: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(5000, 'must be at most 5000').default(200),
  AMQP_URL: z.string().refine((v) => /^amqps?:\/\//.test(v), 'must be an amqp:// or amqps:// URL').optional(),
  AMQP_EXCHANGE: z.string().min(1, 'must not be empty').default('voicesurvey.events'),
  SQS_QUEUE_URL: z.string().refine((v) => /^https?:\/\//.test(v), 'must be an http(s):// queue URL').optional(),
  SQS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region like eu-south-1').optional(),
  SQS_ENDPOINT: z.string().refine((v) => /^https?:\/\//.test(v), 'must be an http(s):// URL').optional(),
  EMAIL_TRANSPORT: z.enum(['file', 'smtp'], { message: 'must be file or smtp' }).default('file'),
  EMAIL_FROM: z.string().regex(/^([^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be an address, optionally with a name: Name <addr@example.org>').default('Voicesurvey <no-reply@localhost>'),
  EMAIL_MESSAGE_ID_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a domain name').optional(),
  EMAIL_MAX_RETRIES: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0, 'must be between 0 and 10').max(10, 'must be between 0 and 10').default(3),
  EMAIL_RETRY_BASE_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').default(60),
  SMTP_HOST: z.string().min(1, 'must not be empty').optional(),
  SMTP_PORT: port.default(587),
  SMTP_SECURE: z.enum(['tls', 'starttls', 'none'], { message: 'must be tls, starttls or none' }).default('starttls'),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_POOL: bool.default(true),
  SMTP_MAX_CONNECTIONS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(100, 'must be at most 100').default(5),
  SMTP_TLS_REJECT_UNAUTHORIZED: bool.default(true),
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
  readonly dialogue: {
    readonly voices: { readonly en: string; readonly it: string };
    /** Overrides of the AI disclosure sentence, per language. */
    readonly aiDisclosure: { readonly en?: string; readonly it?: string };
    readonly gatherTimeoutSeconds: number;
  };
  readonly llm:
    | { readonly provider: 'none'; readonly budgetMs: number }
    | {
        readonly provider: 'openai' | 'anthropic';
        readonly baseUrl?: string;
        readonly apiKey: string;
        readonly model: string;
        /** Per-turn latency budget; past it the rules answer. */
        readonly budgetMs: number;
        readonly forbiddenTopics: readonly string[];
        readonly jsonMode: boolean;
      };
  readonly database:
    | { readonly engine: 'postgres'; readonly url: string; readonly poolMax: number; readonly migrateOnStart: boolean }
    | { readonly engine: 'pglite'; readonly dataDir: string; readonly migrateOnStart: true };
  readonly calling: CallingConfig;
  readonly telephony: TelephonyConfig;
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
  /** Where outbox events go besides the database (docs/events.md). */
  readonly relay:
    | { readonly adapter: 'none'; readonly batchSize: number }
    | { readonly adapter: 'amqp'; readonly batchSize: number; readonly url: string; readonly exchange: string }
    | { readonly adapter: 'sqs'; readonly batchSize: number; readonly queueUrl: string; readonly region: string; readonly endpoint?: string };
  /** Follow-up emails (docs/email.md). */
  readonly email: {
    readonly from: string;
    readonly messageIdDomain: string;
    readonly maxRetries: number;
    readonly retryBaseMs: number;
    readonly transport:
      | { readonly kind: 'file'; readonly dir: string }
      | {
          readonly kind: 'smtp';
          readonly host: string;
          readonly port: number;
          readonly security: 'tls' | 'starttls' | 'none';
          readonly user?: string;
          readonly password?: string;
          readonly pool: boolean;
          readonly maxConnections: number;
          readonly rejectUnauthorized: boolean;
        };
  };
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

/** Calling engine settings (see docs/calling.md). */
export interface CallingConfig {
  readonly tickMs: number;
  /** Calls per second towards the provider (token bucket). */
  readonly cps: number;
  /** Live calls across all campaigns, unless provider_configs says otherwise. */
  readonly maxConcurrentCalls: number;
  /** No call starts in the last N minutes of a calling window. */
  readonly windowGuardMinutes: number;
  /** A concurrency slot stays taken this long after its call ended (carrier teardown). */
  readonly slotCooldownMs: number;
  readonly ringTimeoutSeconds: number;
  readonly maxCallSeconds: number;
  readonly reconcileIntervalMs: number;
  readonly reconcileMarginSeconds: number;
  /** A claim whose call was never placed (crash in between) is released after this long. */
  readonly unplacedAfterSeconds: number;
  /** How often dialable contacts are re-checked against the exclusion list (0 = never; default 5 minutes). */
  readonly exclusionRecheckIntervalMs?: number;
}

export interface TelephonyConfig {
  /** `twilio`: the real service; `simulator`: the built-in Twilio-protocol simulator, started in-process. */
  readonly provider: 'simulator' | 'twilio';
  /** Base URL the carrier uses to reach our webhooks; signatures are checked against it. Unset: the server's own URL. */
  readonly publicBaseUrl?: string;
  /** Answering-machine detection mode when a call asks for it. */
  readonly machineDetection: 'off' | 'Enable' | 'DetectMessageEnd';
  /** Present when provider is `twilio`. */
  readonly twilio?: {
    readonly accountSid: string;
    readonly authToken: string;
    readonly apiKey?: { readonly sid: string; readonly secret: string };
    readonly fromNumber: string;
    readonly apiBaseUrl?: string;
  };
  readonly simulator: {
    readonly port: number;
    readonly fast: boolean;
    readonly seed: number;
    readonly mix: string;
    readonly cps: number;
    readonly maxConcurrent: number;
    readonly chaos: ChaosOptions;
    /** Caller ID used with the simulator (TWILIO_FROM_NUMBER, or the simulator's default). */
    readonly fromNumber: string;
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
  const telephonyProblems: { variable: string; message: string }[] = [];
  if (e.TELEPHONY_PROVIDER === 'twilio') {
    const need = (variable: keyof typeof e, why: string) => {
      if (e[variable] === undefined) telephonyProblems.push({ variable, message: `is required when TELEPHONY_PROVIDER=twilio (${why})` });
    };
    need('TWILIO_ACCOUNT_SID', 'the account that places calls');
    need('TWILIO_AUTH_TOKEN', 'webhook signatures are checked with it');
    need('TWILIO_FROM_NUMBER', 'the caller ID');
    need('PUBLIC_BASE_URL', 'where Twilio reaches our webhooks');
  }
  if ((e.TWILIO_API_KEY_SID === undefined) !== (e.TWILIO_API_KEY_SECRET === undefined)) {
    const missing = e.TWILIO_API_KEY_SID === undefined ? 'TWILIO_API_KEY_SID' : 'TWILIO_API_KEY_SECRET';
    telephonyProblems.push({ variable: missing, message: 'TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET go together' });
  }
  if (telephonyProblems.length > 0) throw new ConfigError(telephonyProblems);
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
  if (e.LLM_PROVIDER !== 'none') {
    if (!e.LLM_API_KEY) late.push({ variable: 'LLM_API_KEY', message: `is required when LLM_PROVIDER is ${e.LLM_PROVIDER}` });
    if (!e.LLM_MODEL) late.push({ variable: 'LLM_MODEL', message: `is required when LLM_PROVIDER is ${e.LLM_PROVIDER}` });
  }
  if (e.RELAY_ADAPTER === 'amqp' && !e.AMQP_URL) late.push({ variable: 'AMQP_URL', message: 'is required when RELAY_ADAPTER=amqp' });
  if (e.RELAY_ADAPTER === 'sqs' && !e.SQS_QUEUE_URL) late.push({ variable: 'SQS_QUEUE_URL', message: 'is required when RELAY_ADAPTER=sqs' });
  const sqsRegion = e.SQS_REGION ?? /sqs[.-]([a-z]{2}(?:-[a-z]+)+-\d)\./.exec(e.SQS_QUEUE_URL ?? '')?.[1];
  if (e.RELAY_ADAPTER === 'sqs' && e.SQS_QUEUE_URL && !sqsRegion) late.push({ variable: 'SQS_REGION', message: 'is required when it cannot be read from SQS_QUEUE_URL' });
  if (e.EMAIL_TRANSPORT === 'smtp' && !e.SMTP_HOST) late.push({ variable: 'SMTP_HOST', message: 'is required when EMAIL_TRANSPORT=smtp' });
  if (e.SMTP_PASSWORD && !e.SMTP_USER) late.push({ variable: 'SMTP_USER', message: 'is required when SMTP_PASSWORD is set' });
  const fromAddress = /<([^>]+)>/.exec(e.EMAIL_FROM)?.[1] ?? e.EMAIL_FROM;
  const dataDir = e.VSA_DATA_DIR;
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
    dialogue: {
      voices: { en: e.DIALOGUE_VOICE_EN, it: e.DIALOGUE_VOICE_IT },
      aiDisclosure: { ...(e.DIALOGUE_AI_DISCLOSURE_EN ? { en: e.DIALOGUE_AI_DISCLOSURE_EN } : {}), ...(e.DIALOGUE_AI_DISCLOSURE_IT ? { it: e.DIALOGUE_AI_DISCLOSURE_IT } : {}) },
      gatherTimeoutSeconds: e.DIALOGUE_GATHER_TIMEOUT_SECONDS,
    },
    llm:
      e.LLM_PROVIDER === 'none'
        ? { provider: 'none', budgetMs: e.LLM_TIMEOUT_MS }
        : {
            provider: e.LLM_PROVIDER,
            ...(e.LLM_BASE_URL ? { baseUrl: e.LLM_BASE_URL } : {}),
            apiKey: e.LLM_API_KEY!,
            model: e.LLM_MODEL!,
            budgetMs: e.LLM_TIMEOUT_MS,
            forbiddenTopics: (e.LLM_FORBIDDEN_TOPICS ?? '').split(',').map((x) => x.trim()).filter(Boolean),
            jsonMode: e.LLM_JSON_MODE ?? true,
          },
    database: e.DATABASE_URL
      ? { engine: 'postgres', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, migrateOnStart: e.MIGRATE_ON_START ?? false }
      : { engine: 'pglite', dataDir: e.VSA_DATA_DIR, migrateOnStart: true },
    calling: {
      tickMs: e.SCHEDULER_TICK_MS,
      cps: e.CALLING_CPS,
      maxConcurrentCalls: e.CALLING_MAX_CONCURRENT_CALLS,
      windowGuardMinutes: e.CALLING_WINDOW_GUARD_MINUTES,
      slotCooldownMs: e.CALLING_SLOT_COOLDOWN_MS,
      ringTimeoutSeconds: e.CALLING_RING_TIMEOUT_SECONDS,
      maxCallSeconds: e.CALLING_MAX_CALL_SECONDS,
      reconcileIntervalMs: e.RECONCILER_INTERVAL_MS,
      reconcileMarginSeconds: e.RECONCILER_MARGIN_SECONDS,
      unplacedAfterSeconds: e.RECONCILER_UNPLACED_AFTER_SECONDS,
      exclusionRecheckIntervalMs: e.EXCLUSION_RECHECK_INTERVAL_MS,
    },
    telephony: {
      provider: e.TELEPHONY_PROVIDER,
      ...(e.PUBLIC_BASE_URL ? { publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, '') } : {}),
      machineDetection: e.TELEPHONY_MACHINE_DETECTION,
      ...(e.TELEPHONY_PROVIDER === 'twilio'
        ? {
            twilio: {
              accountSid: e.TWILIO_ACCOUNT_SID!,
              authToken: e.TWILIO_AUTH_TOKEN!,
              ...(e.TWILIO_API_KEY_SID && e.TWILIO_API_KEY_SECRET ? { apiKey: { sid: e.TWILIO_API_KEY_SID, secret: e.TWILIO_API_KEY_SECRET } } : {}),
              fromNumber: e.TWILIO_FROM_NUMBER!,
              ...(e.TWILIO_API_BASE_URL ? { apiBaseUrl: e.TWILIO_API_BASE_URL } : {}),
            },
          }
        : {}),
      simulator: {
        port: e.SIMULATOR_PORT,
        fast: e.SIMULATOR_FAST,
        seed: e.SIMULATOR_SEED,
        mix: e.SIMULATOR_MIX,
        cps: e.SIMULATOR_CPS,
        maxConcurrent: e.SIMULATOR_MAX_CONCURRENT,
        chaos: e.SIMULATOR_CHAOS ? parseChaos(e.SIMULATOR_CHAOS) : {},
        fromNumber: e.TWILIO_FROM_NUMBER ?? '+15005550006',
      },
    },
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
    relay:
      e.RELAY_ADAPTER === 'amqp'
        ? { adapter: 'amqp', batchSize: e.RELAY_BATCH_SIZE, url: e.AMQP_URL!, exchange: e.AMQP_EXCHANGE }
        : e.RELAY_ADAPTER === 'sqs'
          ? { adapter: 'sqs', batchSize: e.RELAY_BATCH_SIZE, queueUrl: e.SQS_QUEUE_URL!, region: sqsRegion!, ...(e.SQS_ENDPOINT ? { endpoint: e.SQS_ENDPOINT } : {}) }
          : { adapter: 'none', batchSize: e.RELAY_BATCH_SIZE },
    email: {
      from: e.EMAIL_FROM,
      messageIdDomain: e.EMAIL_MESSAGE_ID_DOMAIN ?? fromAddress.slice(fromAddress.lastIndexOf('@') + 1),
      maxRetries: e.EMAIL_MAX_RETRIES,
      retryBaseMs: e.EMAIL_RETRY_BASE_SECONDS * 1000,
      transport:
        e.EMAIL_TRANSPORT === 'smtp'
          ? {
              kind: 'smtp', host: e.SMTP_HOST!, port: e.SMTP_PORT, security: e.SMTP_SECURE,
              ...(e.SMTP_USER ? { user: e.SMTP_USER, password: e.SMTP_PASSWORD ?? '' } : {}),
              pool: e.SMTP_POOL, maxConnections: e.SMTP_MAX_CONNECTIONS, rejectUnauthorized: e.SMTP_TLS_REJECT_UNAUTHORIZED,
            }
          : { kind: 'file', dir: `${dataDir.replace(/\/+$/, '')}/mail` },
    },
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
