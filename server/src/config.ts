import path from 'node:path'
import { z } from 'zod'

/**
 * The only place that reads process.env. Parsed once at start-up; a bad or missing variable
 * stops the process with a message naming it.
 */
const Env = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** External PostgreSQL. When unset, an embedded PostgreSQL is started under SIYU_DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  SIYU_DATA_DIR: z.string().default(path.resolve(__dirname, '../../.siyu-data')),
  /** HMAC secret for consumer/staff session tokens; generated and kept in SIYU_DATA_DIR when unset (not in production). */
  SIYU_TOKEN_SECRET: z.string().min(32).optional(),
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(7 * 24 * 3600),
  /** Base URLs of WeChat. Unset: the built-in WeChat sandbox is started and used (demo and development). */
  WECHAT_API_BASE: z.string().url().optional(),
  WECHAT_PAY_API_BASE: z.string().url().optional(),
  WECHAT_SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  /** Public base URL WeChat Pay posts notifications to. */
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** Unpaid orders close after this many minutes (payments reconciliation). */
  PAY_ORDER_TTL_MINUTES: z.coerce.number().int().min(2).max(7 * 24 * 60).default(15),
  /** Payments still pending after this many minutes are queried at WeChat (lost callbacks). */
  PAY_RECONCILE_AFTER_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(5),
  /** Cash-wallet withdrawals (merchant transfer): WeChat's minimum is 10 fen; the maximum stays below 2,000 yuan (no real-name field). */
  WALLET_MIN_WITHDRAWAL_FEN: z.coerce.number().int().min(10).max(199_999).default(10),
  WALLET_MAX_WITHDRAWAL_FEN: z.coerce.number().int().min(10).max(199_999).default(20_000),
  /** Merchant-transfer scene: 1000 现金营销 (cash marketing), reported with 活动名称 + 奖励说明. */
  TRANSFER_SCENE_ID: z.string().regex(/^\d{1,36}$/).default('1000'),
  /** Transfers with no final answer after this many minutes are queried at WeChat (lost callbacks). */
  TRANSFER_RECONCILE_AFTER_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(5),
  DEMO_APPID: z.string().min(1).max(64).default('wx_demo_siyu'),
  DEMO_ADMIN_KEY: z.string().min(16).optional(),
  /** Origins allowed to call the API from a browser (the H5 build): comma-separated, or * (default outside production). */
  CORS_ORIGINS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JOBS_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
})

export type Config = z.infer<typeof Env>

/** Secrets never logged. */
export const SECRET_KEYS: readonly (keyof Config)[] = ['DATABASE_URL', 'SIYU_TOKEN_SECRET', 'DEMO_ADMIN_KEY']

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`)
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  if (parsed.data.NODE_ENV === 'production' && !parsed.data.SIYU_TOKEN_SECRET) {
    throw new Error('Invalid configuration:\n  SIYU_TOKEN_SECRET: required in production')
  }
  return parsed.data
}

export const DEFAULT_DEMO_ADMIN_KEY = 'sk_demo_siyu_local_development_only'
