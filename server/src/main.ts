import { createPublicKey, randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import { createApp, payApiBase } from './app'
import { loadConfig, type Config } from './config'
import { ensureDemoMerchant, type DemoInfo } from './demo'
import { createLogger, type Logger } from './logger'
import { createTokenService } from './modules/auth/tokens'
import { openDatabase, tokenSecret } from './runtime'
import { createMpClient } from './wechat/mp-client'
import { createPayClient } from './wechat/pay-client'
import * as tenancy from './modules/tenancy/tenancy.service'
import type { Db } from './db/client'
import { scheduledJobs } from './jobs'
import { startScheduler } from './modules/jobs/jobs.service'
import { systemClock } from './lib/clock'
import { listenForConfigChanges } from './lib/cache'
// The sandbox lives with the tests (it is a test double of WeChat); the demo uses it when no WeChat base URL is configured.
import { createSandbox, generateMerchantKeys, type Sandbox } from '../../tests/src/sandbox'

type SandboxHandle = { url: string; close(): Promise<void> }

/**
 * With no WECHAT_API_BASE configured, start the WeChat sandbox in-process (the zero-setup demo):
 * a faithful stand-in for api.weixin.qq.com / api.mch.weixin.qq.com, registered with the demo
 * merchant's credentials. In production, set the real base URLs and this never loads.
 */
async function startSandbox(config: Config, logger: Logger) {
  const sandbox = createSandbox({})
  const url = await sandbox.listen(config.WECHAT_SANDBOX_PORT, '127.0.0.1')
  logger.info({ url }, 'WeChat sandbox started')
  return { sandbox, url }
}

async function main() {
  let config: Config
  try {
    config = loadConfig()
  } catch (e) {
    console.error((e as Error).message)
    process.exit(1)
  }
  const logger = createLogger(config.LOG_LEVEL)
  const database = await openDatabase(config, logger)
  const db: Db = database.db
  // other server processes' configuration writes reach this process's caches (lib/cache.ts)
  const configListener = listenForConfigChanges(database.url, (e) => logger.warn({ err: e }, 'config change listener: connection lost, reconnecting'))

  let sandboxHandle: SandboxHandle | null = null
  let wechatBase: string | undefined = config.WECHAT_API_BASE
  let demo: DemoInfo
  if (!wechatBase) {
    const { sandbox, url } = await startSandbox(config, logger)
    sandboxHandle = { url, close: () => sandbox.close() }
    wechatBase = url
    demo = await ensureDemoMerchant(db, config, logger, () => {
      const k = generateMerchantKeys('1900000109')
      return { privateKeyPem: k.privateKeyPem, serial: k.serial, mchid: '1900000109', apiV3Key: randomApiV3Key() }
    })
    sandbox.registerApp({ appid: demo.appid, secret: demo.appSecret })
    await enableSandboxPay(db, sandbox, demo.appid)
  } else {
    demo = await ensureDemoMerchant(db, config, logger)
  }

  const tokens = createTokenService(tokenSecret(config), config.TOKEN_TTL_SECONDS)
  const mp = createMpClient({ baseUrl: wechatBase! })
  // In sandbox mode the sandbox serves WeChat Pay too (same port).
  const pay = createPayClient({ baseUrl: sandboxHandle ? wechatBase! : payApiBase(config) })
  const { app, deps } = createApp({ config, db, logger, tokens, mp, pay })
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s))
  })
  const port = (server.address() as { port: number }).port
  // WeChat Pay notifications go to PUBLIC_BASE_URL; with the in-process sandbox, to this server itself.
  if (sandboxHandle) deps.publicBaseUrl ??= `http://127.0.0.1:${port}`
  const jobs = scheduledJobs(deps)

  const stopJobs = config.JOBS_ENABLED ? startScheduler(jobs, { db, clock: systemClock, logger }) : () => undefined
  logger.info({ port, jobs: jobs.map((j) => j.name) }, 'Siyu server listening')
  const banner = [
    '',
    `  Siyu is running: http://127.0.0.1:${port}   (health: /healthz, ready: /readyz, metrics: /metrics)`,
    `  Database: ${database.embedded ? `embedded PostgreSQL on port ${database.embedded.port}, data in ${config.SIYU_DATA_DIR}` : 'DATABASE_URL'}`,
    `  WeChat: ${sandboxHandle ? `sandbox at ${sandboxHandle.url}` : wechatBase}`,
    '',
    `  Demo merchant${demo.created ? ' (seeded now)' : ''}:`,
    `    appid:             ${demo.appid}`,
    `    admin API key:     ${demo.adminKey}`,
    `    staff invite code: ${demo.staffInviteCode}`,
    '',
  ].join('\n')
  process.stdout.write(`${banner}\n`)

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    stopJobs()
    server.closeIdleConnections()
    await new Promise<void>((r) => server.close(() => r()))
    await sandboxHandle?.close()
    await configListener.stop()
    await database.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

/**
 * The demo merchant pays through the sandbox: its merchant API key is registered there, and it
 * trusts the sandbox's platform certificate and public key (generated afresh at each start).
 */
async function enableSandboxPay(db: Db, sandbox: Sandbox, appid: string) {
  const app = await tenancy.findApp(db, appid)
  if (!app.mchid || !app.mchSerial || !app.mchPrivateKeyPem || !app.apiV3Key) return
  const merchantPublicKeyPem = createPublicKey(app.mchPrivateKeyPem).export({ type: 'spki', format: 'pem' }).toString()
  sandbox.registerMerchant({ mchid: app.mchid, appids: [appid], merchantSerial: app.mchSerial, merchantPublicKeyPem, apiV3Key: app.apiV3Key })
  const p = sandbox.platform
  await tenancy.setWechatpayKeys(db, appid, { [p.certificateSerial]: p.certificatePem, [p.publicKeyId]: p.publicKeyPem })
}

function randomApiV3Key(): string {
  // 32 ASCII characters, as WeChat Pay's APIv3 key.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  return Array.from(randomBytes(32), (b) => alphabet[b % alphabet.length]).join('')
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
