import type { Server } from 'node:http'
import { createApp, type AppDeps } from '../../../server/src/app'
import { loadConfig } from '../../../server/src/config'
import { createLogger } from '../../../server/src/logger'
import { createTokenService } from '../../../server/src/modules/auth/tokens'
import * as tenancy from '../../../server/src/modules/tenancy/tenancy.service'
import { createMpClient } from '../../../server/src/wechat/mp-client'
import { createSandbox, generateMerchantKeys, type Sandbox, type SandboxOptions } from '../sandbox'
import { randomAlphanumeric } from '../sandbox/crypto'
import { createManualClock, type ManualClock } from '../../../server/src/lib/clock'
import { createTestDatabase } from './db'

export type TestApp = {
  url: string
  sandbox: Sandbox
  deps: AppDeps
  db: AppDeps['db']
  pool: import('pg').Pool
  /** The server's clock: tests move it (business days, expiry). Follows real time until set. */
  clock: ManualClock
  close(): Promise<void>
}

/** The real server (Koa on a real port) on a fresh real database, talking to an in-process WeChat sandbox. */
export async function startTestApp(opts: { tokenTtlSeconds?: number; sandbox?: SandboxOptions } = {}): Promise<TestApp> {
  const database = await createTestDatabase()
  const sandbox = createSandbox({ retryScale: 0.001, ...opts.sandbox })
  const sandboxUrl = await sandbox.listen(0, '127.0.0.1')
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, LOG_LEVEL: 'silent', WECHAT_API_BASE: sandboxUrl, JOBS_ENABLED: 'false' })
  const logger = createLogger(process.env.LOG_LEVEL ?? 'silent')
  const tokens = createTokenService('test-secret-test-secret-test-secret!', opts.tokenTtlSeconds ?? 3600)
  const mp = createMpClient({ baseUrl: sandboxUrl })
  const clock = createManualClock()
  const { app, deps } = createApp({ config, db: database.db, logger, tokens, mp, clock })
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const port = (server.address() as { port: number }).port
  // WeChat Pay notifications come back to this server (notify_url = publicBaseUrl + /wechat/pay/notify).
  deps.publicBaseUrl = `http://127.0.0.1:${port}`
  return {
    url: `http://127.0.0.1:${port}`,
    sandbox,
    deps,
    db: database.db,
    pool: database.pool,
    clock,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      await sandbox.close()
      await database.close()
    },
  }
}

export type Res<T = any> = { status: number; body: T; headers: Headers }

/** Minimal JSON HTTP client for tests. */
export function client(baseUrl: string, token?: string) {
  async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const h: Record<string, string> = { ...headers }
    if (token) h.authorization = `Bearer ${token}`
    let payload: string | undefined
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body)
      h['content-type'] ??= 'application/json'
    }
    const res = await fetch(baseUrl + path, { method, headers: h, body: payload })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers }
  }
  return {
    get: <T = any>(p: string, h?: Record<string, string>) => call<T>('GET', p, undefined, h),
    post: <T = any>(p: string, b?: unknown, h?: Record<string, string>) => call<T>('POST', p, b, h),
    patch: <T = any>(p: string, b?: unknown, h?: Record<string, string>) => call<T>('PATCH', p, b, h),
    put: <T = any>(p: string, b?: unknown, h?: Record<string, string>) => call<T>('PUT', p, b, h),
    del: <T = any>(p: string, h?: Record<string, string>) => call<T>('DELETE', p, undefined, h),
    call,
  }
}

let seq = 0
/** The merchant row, its app registered in the sandbox, a store and an admin client (WeChat Pay settings when `pay`). */
async function createSeededMerchant(t: TestApp, name: string, appid: string, pay?: tenancy.WechatPayCredentials) {
  const secret = `secret_${appid}`
  const m = await tenancy.createMerchant(t.db, { name, appid, appSecret: secret, ...(pay ? { pay } : {}) })
  t.sandbox.registerApp({ appid, secret })
  const admin = client(t.url, m.adminKey)
  const store = (await admin.post('/admin/v1/stores', { name: '测试门店', code: `S${seq}` })).body as { id: string }
  return { ...m, secret, storeId: store.id, admin }
}

/** A new merchant with its app registered in the sandbox, a store, and an admin key. */
export async function seedMerchant(t: TestApp, name = `商户${++seq}`) {
  return createSeededMerchant(t, name, `wx_test_${Date.now().toString(36)}_${++seq}`)
}

export type SeededMerchant = Awaited<ReturnType<typeof seedMerchant>>

/** Logs a WeChat user in through the sandbox (mint code -> POST /api/v1/auth/login). */
export async function loginAs(t: TestApp, m: { appid: string }, openid = `o${Math.random().toString(36).slice(2, 14)}`, attribution?: Record<string, string>) {
  const code = t.sandbox.mintLoginCode(m.appid, openid)
  const r = await client(t.url).post('/api/v1/auth/login', { appid: m.appid, code, ...(attribution ? { attribution } : {}) })
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`)
  return { token: r.body.token as string, user: r.body.user as { id: string; stage: string }, openid, api: client(t.url, r.body.token) }
}

/** A consumer who redeemed a staff invite: same token, now with staff scope. */
export async function staffOf(t: TestApp, m: SeededMerchant, role: 'guide' | 'manager' = 'guide') {
  const u = await loginAs(t, m)
  const inv = await m.admin.post('/admin/v1/staff/invites', { storeId: m.storeId, role })
  const j = await u.api.post('/api/v1/staff/join', { code: inv.body.code })
  if (j.status !== 201) throw new Error(`join failed: ${j.status} ${JSON.stringify(j.body)}`)
  return { ...u, staffId: j.body.staffId as string }
}

let mchSeq = 0
/**
 * A merchant that accepts WeChat Pay: seedMerchant plus merchant API keys (generated like the merchant
 * portal does), an APIv3 key, the sandbox's platform certificate and public key in wechatpay_keys
 * (`keys` picks which: both by default, as during the migration window), and its registration as a
 * WeChat Pay merchant in the sandbox.
 */
export async function seedPayMerchant(t: TestApp, opts: { keys?: 'both' | 'certificate' | 'publicKey'; mchid?: string } = {}) {
  const mchid = opts.mchid ?? `19${String(Date.now() % 10 ** 6).padStart(6, '0')}${String(++mchSeq).padStart(2, '0')}`
  const mk = generateMerchantKeys(mchid)
  const apiV3Key = randomAlphanumeric(32)
  const p = t.sandbox.platform
  const which = opts.keys ?? 'both'
  const wechatpayKeys: Record<string, string> = {}
  if (which !== 'publicKey') wechatpayKeys[p.certificateSerial] = p.certificatePem
  if (which !== 'certificate') wechatpayKeys[p.publicKeyId] = p.publicKeyPem
  const name = `支付商户${++seq}`
  const appid = `wx_pay_${Date.now().toString(36)}_${seq}`
  const m = await createSeededMerchant(t, name, appid, { mchid, mchSerial: mk.serial, mchPrivateKeyPem: mk.privateKeyPem, apiV3Key, wechatpayKeys })
  t.sandbox.registerMerchant({ mchid, appids: [appid], merchantSerial: mk.serial, merchantPublicKeyPem: mk.certificatePem, apiV3Key })
  return { ...m, mchid, apiV3Key, merchantKeys: mk, wechatpayKeys }
}

export type SeededPayMerchant = Awaited<ReturnType<typeof seedPayMerchant>>
