/**
 * Configuration: parsed once from the environment, validated, frozen and passed
 * down from the composition root. No other module reads `process.env`.
 *
 * Every variable is documented in the README's configuration table; keep the two
 * in step (a test compares them).
 */
import { z } from 'zod';

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
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly http: { readonly host: string; readonly port: number };
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
  if (value && typeof value === 'object') {
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
  if (e.LLM_PROVIDER !== 'none') {
    const missing = [
      ...(e.LLM_API_KEY ? [] : [{ variable: 'LLM_API_KEY', message: `is required when LLM_PROVIDER is ${e.LLM_PROVIDER}` }]),
      ...(e.LLM_MODEL ? [] : [{ variable: 'LLM_MODEL', message: `is required when LLM_PROVIDER is ${e.LLM_PROVIDER}` }]),
    ];
    if (missing.length) throw new ConfigError(missing);
  }
  const config: Config = {
    env: e.NODE_ENV,
    http: { host: e.HOST, port: e.PORT },
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
  };
  return deepFreeze(config);
}
