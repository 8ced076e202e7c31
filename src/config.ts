import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './lib/errors.ts';

/**
 * Configuration: environment variables, optionally a JSON config file
 * (KINETIC_CONFIG, default ./kinetic.config.json). Environment wins over the
 * file. Validated once at start-up; a bad value names the variable.
 */
const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const port = z.coerce.number().int().min(0).max(65535);

const databaseUrl = z
  .string()
  .refine((v) => /^(postgres|postgresql):\/\//.test(v) || /^(sqlite|file):/.test(v), {
    message: 'must start with postgres:// or postgresql:// (PostgreSQL) or sqlite: / file: (SQLite file path)',
  });

export const envSchema = z.object({
  DATABASE_URL: databaseUrl.optional(),
  KINETIC_DATA_DIR: z.string().min(1).default('./data'),
  PORT: port.default(3000),
  KINETIC_HOST: z.string().min(1).default('127.0.0.1'),
  KINETIC_PUBLIC_URL: z.url({ message: 'must be an absolute http(s) URL, e.g. https://crm.example.com' }).optional(),
  KINETIC_DEMO: boolish.default(true),
  KINETIC_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KINETIC_SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(24 * 14),
  KINETIC_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
  KINETIC_IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 ** 3).default(200 * 1024 * 1024),
  KINETIC_DORMANT_AFTER_MONTHS: z.coerce.number().int().min(1).max(120).default(18),
  KINETIC_WORKER_INTERVAL_SECONDS: z.coerce.number().positive().max(86400).default(60),
  KINETIC_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  TWILIO_FROM_NUMBER: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +15125550100').optional(),
  TWILIO_MESSAGING_SERVICE_SID: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must look like MG followed by 32 hex digits').optional(),
  TWILIO_API_BASE_URL: z.url().optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  SMTP_FROM: z.string().min(3).optional(),
  KINETIC_SMTP_RECEIVER_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  KINETIC_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  KINETIC_ENGINE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  KINETIC_WEBHOOKS_ALLOW_PRIVATE: boolish.default(false),
  KINETIC_TRUST_PROXY: z
    .string()
    .regex(/^(0|1|true|false|yes|no|on|off|\d{1,2}|[0-9a-fA-F:.,/ ]+)$/, 'must be 0/1, a number of proxy hops, or proxy addresses/CIDRs (comma-separated)')
    .default('0'),
  KINETIC_LLM_PROVIDER: z.enum(['openai', 'anthropic']).optional(),
  KINETIC_LLM_BASE_URL: z.url({ message: 'must be an absolute http(s) URL, e.g. https://api.openai.com/v1' }).optional(),
  KINETIC_LLM_API_KEY: z.string().min(1).optional(),
  KINETIC_LLM_MODEL: z.string().min(1).max(200).optional(),
  KINETIC_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
});

/** Keys a config file may use (camelCase mirrors of the env names). */
const fileKeys: Record<string, keyof z.input<typeof envSchema>> = {
  databaseUrl: 'DATABASE_URL',
  dataDir: 'KINETIC_DATA_DIR',
  port: 'PORT',
  host: 'KINETIC_HOST',
  publicUrl: 'KINETIC_PUBLIC_URL',
  demo: 'KINETIC_DEMO',
  logLevel: 'KINETIC_LOG_LEVEL',
  sessionTtlHours: 'KINETIC_SESSION_TTL_HOURS',
  bodyLimitBytes: 'KINETIC_BODY_LIMIT_BYTES',
  importMaxBytes: 'KINETIC_IMPORT_MAX_BYTES',
  dormantAfterMonths: 'KINETIC_DORMANT_AFTER_MONTHS',
  workerIntervalSeconds: 'KINETIC_WORKER_INTERVAL_SECONDS',
  secret: 'KINETIC_SECRET',
  twilioAccountSid: 'TWILIO_ACCOUNT_SID',
  twilioAuthToken: 'TWILIO_AUTH_TOKEN',
  twilioFromNumber: 'TWILIO_FROM_NUMBER',
  twilioMessagingServiceSid: 'TWILIO_MESSAGING_SERVICE_SID',
  twilioApiBaseUrl: 'TWILIO_API_BASE_URL',
  smtpUrl: 'SMTP_URL',
  smtpFrom: 'SMTP_FROM',
  smtpReceiverPort: 'KINETIC_SMTP_RECEIVER_PORT',
  dbPoolSize: 'KINETIC_DB_POOL_SIZE',
  enginePollMs: 'KINETIC_ENGINE_POLL_MS',
  webhooksAllowPrivate: 'KINETIC_WEBHOOKS_ALLOW_PRIVATE',
  trustProxy: 'KINETIC_TRUST_PROXY',
  llmProvider: 'KINETIC_LLM_PROVIDER',
  llmBaseUrl: 'KINETIC_LLM_BASE_URL',
  llmApiKey: 'KINETIC_LLM_API_KEY',
  llmModel: 'KINETIC_LLM_MODEL',
  llmTimeoutMs: 'KINETIC_LLM_TIMEOUT_MS',
};

export interface Config {
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  dataDir: string;
  port: number;
  host: string;
  publicUrl: string;
  /** Whether KINETIC_PUBLIC_URL was set (rather than the localhost default): a CLI without it uses the address the server recorded. */
  publicUrlConfigured?: boolean;
  demo: boolean;
  logLevel: z.infer<typeof envSchema>['KINETIC_LOG_LEVEL'];
  sessionTtlHours: number;
  bodyLimitBytes: number;
  /** Largest CSV file a streamed upload (POST /imports) may be; kept on disk under dataDir/imports while it is imported. */
  importMaxBytes: number;
  dormantAfterMonths: number;
  workerIntervalSeconds: number;
  /** Signs links (unsubscribe, booking) and webhook payloads; generated into the data dir when not given. */
  secret: string | null;
  /** Twilio SMS/voice; null → the dev outbox records what would have been sent. */
  twilio: { accountSid: string; authToken: string; fromNumber: string | null; messagingServiceSid: string | null; apiBaseUrl: string | null } | null;
  /** TWILIO_API_BASE_URL: where Twilio API calls go (the install's account and businesses' own accounts alike); null → Twilio. */
  twilioApiBaseUrl: string | null;
  /** SMTP email; null → the dev outbox. */
  smtp: { url: string; from: string } | null;
  /** Port of the built-in SMTP receiver for inbound email; null = off. */
  smtpReceiverPort: number | null;
  /** PostgreSQL connections per process. */
  dbPoolSize: number;
  /** How often an idle engine worker looks for due work (PostgreSQL also wakes it with NOTIFY). */
  enginePollMs: number;
  /** Let webhooks reach private/loopback addresses (development only). */
  webhooksAllowPrivate: boolean;
  /**
   * Which X-Forwarded-For hops to believe for the client's address (login throttling, logs): false (the
   * socket's address), true (any), a number of hops, or proxy addresses. Believing a header no proxy of
   * ours set would let a client pick its own address and dodge the per-address login limit.
   */
  trustProxy: boolean | number | string;
  /** Optional LLM for drafting replies and reading free text; null → offline classifier and templates only. */
  llm: LlmConfig | null;
}

export interface LlmConfig {
  provider: 'openai' | 'anthropic';
  baseUrl: string;
  apiKey: string | null;
  model: string;
  timeoutMs: number;
}

function readConfigFile(env: NodeJS.ProcessEnv, cwd: string): Record<string, string> {
  const explicit = env.KINETIC_CONFIG;
  const file = path.resolve(cwd, explicit ?? 'kinetic.config.json');
  if (!existsSync(file)) {
    if (explicit) throw new AppError('CONFIG_INVALID', `KINETIC_CONFIG: file ${file} does not exist`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError('CONFIG_INVALID', `${file}: must hold a JSON object`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const envName = fileKeys[key] ?? (key in envSchema.shape ? key : undefined);
    if (!envName) {
      throw new AppError('CONFIG_INVALID', `${file}: unknown key "${key}" (known: ${Object.keys(fileKeys).join(', ')})`);
    }
    out[envName] = String(value);
  }
  return out;
}

/** Reads and validates configuration; throws AppError(CONFIG_INVALID) naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const merged: Record<string, string | undefined> = { ...readConfigFile(env, cwd) };
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const result = envSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const name = String(i.path[0] ?? 'config');
      return `${name}=${JSON.stringify(merged[name] ?? '')} is invalid: ${i.message}`;
    });
    throw new AppError('CONFIG_INVALID', `Invalid configuration: ${lines.join('; ')}`, { issues: lines });
  }
  const c = result.data;
  const dataDir = path.resolve(cwd, c.KINETIC_DATA_DIR);
  let database: Config['database'];
  if (!c.DATABASE_URL) database = { kind: 'sqlite', file: path.join(dataDir, 'kinetic.db') };
  else if (/^postgres(ql)?:\/\//.test(c.DATABASE_URL)) database = { kind: 'postgres', url: c.DATABASE_URL };
  else database = { kind: 'sqlite', file: path.resolve(cwd, c.DATABASE_URL.replace(/^(sqlite|file):(\/\/)?/, '')) };
  return {
    database,
    dataDir,
    port: c.PORT,
    host: c.KINETIC_HOST,
    publicUrl: (c.KINETIC_PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    publicUrlConfigured: c.KINETIC_PUBLIC_URL !== undefined,
    demo: c.KINETIC_DEMO,
    logLevel: c.KINETIC_LOG_LEVEL,
    sessionTtlHours: c.KINETIC_SESSION_TTL_HOURS,
    bodyLimitBytes: c.KINETIC_BODY_LIMIT_BYTES,
    importMaxBytes: c.KINETIC_IMPORT_MAX_BYTES,
    dormantAfterMonths: c.KINETIC_DORMANT_AFTER_MONTHS,
    workerIntervalSeconds: c.KINETIC_WORKER_INTERVAL_SECONDS,
    secret: c.KINETIC_SECRET ?? null,
    twilio: twilioConfig(c),
    twilioApiBaseUrl: c.TWILIO_API_BASE_URL ?? null,
    smtp: c.SMTP_URL ? { url: c.SMTP_URL, from: c.SMTP_FROM ?? 'Kinetic <no-reply@localhost>' } : null,
    smtpReceiverPort: c.KINETIC_SMTP_RECEIVER_PORT ?? null,
    dbPoolSize: c.KINETIC_DB_POOL_SIZE,
    enginePollMs: c.KINETIC_ENGINE_POLL_MS,
    webhooksAllowPrivate: c.KINETIC_WEBHOOKS_ALLOW_PRIVATE,
    trustProxy: trustProxyOf(c.KINETIC_TRUST_PROXY),
    llm: llmConfig(c),
  };
}

function trustProxyOf(v: string): boolean | number | string {
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  if (['1', 'true', 'yes', 'on'].includes(v)) return /^1$/.test(v) ? 1 : true;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  return v;
}

function llmConfig(c: z.infer<typeof envSchema>): Config['llm'] {
  if (!c.KINETIC_LLM_PROVIDER) return null;
  const openai = c.KINETIC_LLM_PROVIDER === 'openai';
  // A custom base URL (a local OpenAI-compatible server) may need no key; the hosted APIs do.
  if (!c.KINETIC_LLM_API_KEY && !c.KINETIC_LLM_BASE_URL) {
    throw new AppError('CONFIG_INVALID', `Invalid configuration: KINETIC_LLM_API_KEY is required when KINETIC_LLM_PROVIDER=${c.KINETIC_LLM_PROVIDER} uses the hosted API`);
  }
  return {
    provider: c.KINETIC_LLM_PROVIDER,
    baseUrl: (c.KINETIC_LLM_BASE_URL ?? (openai ? 'https://api.openai.com/v1' : 'https://api.anthropic.com')).replace(/\/$/, ''),
    apiKey: c.KINETIC_LLM_API_KEY ?? null,
    model: c.KINETIC_LLM_MODEL ?? (openai ? 'gpt-4o-mini' : 'claude-3-5-haiku-latest'),
    timeoutMs: c.KINETIC_LLM_TIMEOUT_MS,
  };
}

function twilioConfig(c: z.infer<typeof envSchema>): Config['twilio'] {
  const given = [c.TWILIO_ACCOUNT_SID, c.TWILIO_AUTH_TOKEN].filter(Boolean).length;
  if (given === 0) return null;
  if (given === 1) {
    throw new AppError('CONFIG_INVALID', `Invalid configuration: ${c.TWILIO_ACCOUNT_SID ? 'TWILIO_AUTH_TOKEN' : 'TWILIO_ACCOUNT_SID'} is missing (Twilio needs both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)`);
  }
  if (!c.TWILIO_FROM_NUMBER && !c.TWILIO_MESSAGING_SERVICE_SID) {
    throw new AppError('CONFIG_INVALID', 'Invalid configuration: TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID is required to send SMS');
  }
  return {
    accountSid: c.TWILIO_ACCOUNT_SID!,
    authToken: c.TWILIO_AUTH_TOKEN!,
    fromNumber: c.TWILIO_FROM_NUMBER ?? null,
    messagingServiceSid: c.TWILIO_MESSAGING_SERVICE_SID ?? null,
    apiBaseUrl: c.TWILIO_API_BASE_URL ?? null,
  };
}
