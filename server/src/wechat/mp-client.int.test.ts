import http from 'node:http'
import { createSandbox, type Sandbox } from '../../../tests/src/sandbox'
import { createManualClock } from '../lib/clock'
import { createMpClient } from './mp-client'

/** A counting pass-through in front of the sandbox, to see what our client actually sends. */
async function countingProxy(target: string) {
  const counts = new Map<string, number>()
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!
    counts.set(path, (counts.get(path) ?? 0) + 1)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const r = await fetch(target + req.url, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, body: chunks.length ? Buffer.concat(chunks) : undefined })
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' })
      res.end(Buffer.from(await r.arrayBuffer()))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as { port: number }).port
  return { url: `http://127.0.0.1:${port}`, counts, close: () => new Promise<void>((r) => server.close(() => r())) }
}

let sandbox: Sandbox
let proxy: Awaited<ReturnType<typeof countingProxy>>
const app = { appid: 'wx_client_test', secret: 'client_secret' }
beforeAll(async () => {
  sandbox = createSandbox({})
  const url = await sandbox.listen(0, '127.0.0.1')
  sandbox.registerApp(app)
  proxy = await countingProxy(url)
})
afterAll(async () => {
  await proxy.close()
  await sandbox.close()
})

describe('mini-program API client', () => {
  it('caches the access token and refreshes it once for many concurrent callers', async () => {
    const clock = createManualClock()
    const mp = createMpClient({ baseUrl: proxy.url, now: () => clock.now().getTime() })
    const tokens = await Promise.all(Array.from({ length: 20 }, () => mp.getAccessToken(app)))
    expect(new Set(tokens).size).toBe(1)
    expect(proxy.counts.get('/cgi-bin/stable_token')).toBe(1)
    await mp.getAccessToken(app)
    expect(proxy.counts.get('/cgi-bin/stable_token')).toBe(1)
    // 5 minutes before expiry (7200 s) the token is refreshed, again once for many callers
    clock.advance((7200 - 299) * 1000)
    await Promise.all(Array.from({ length: 10 }, () => mp.getAccessToken(app)))
    expect(proxy.counts.get('/cgi-bin/stable_token')).toBe(2)
  })

  it('exchanges a login code; invalid and reused codes are WECHAT_CODE_INVALID', async () => {
    const mp = createMpClient({ baseUrl: proxy.url })
    const code = sandbox.mintLoginCode(app.appid, 'oClient0000001', 'uClient01')
    const s = await mp.code2Session(app, code)
    expect(s).toEqual({ openid: 'oClient0000001', unionid: 'uClient01', sessionKey: expect.any(String) })
    await expect(mp.code2Session(app, code)).rejects.toMatchObject({ code: 'WECHAT_CODE_INVALID', details: { errcode: 40163 } })
    await expect(mp.code2Session(app, 'nope')).rejects.toMatchObject({ code: 'WECHAT_CODE_INVALID', details: { errcode: 40029 } })
  })

  it('a wrong secret is WECHAT_UNAVAILABLE (our misconfiguration, not the user’s fault)', async () => {
    const mp = createMpClient({ baseUrl: proxy.url })
    const code = sandbox.mintLoginCode(app.appid, 'oClient0000002')
    await expect(mp.code2Session({ ...app, secret: 'wrong' }, code)).rejects.toMatchObject({ code: 'WECHAT_UNAVAILABLE' })
  })

  it('WeChat unreachable is WECHAT_UNAVAILABLE', async () => {
    const mp = createMpClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 })
    await expect(mp.code2Session(app, 'x')).rejects.toMatchObject({ code: 'WECHAT_UNAVAILABLE' })
  })

  it('gets the phone number with a token, checked against the openid', async () => {
    const mp = createMpClient({ baseUrl: proxy.url })
    const code = sandbox.mintPhoneCode(app.appid, '13900001111')
    const p = await mp.getPhoneNumber(app, code)
    expect(p).toMatchObject({ purePhoneNumber: '13900001111', countryCode: '86' })
    await expect(mp.getPhoneNumber(app, code)).rejects.toMatchObject({ code: 'PHONE_CODE_INVALID' })
  })
})
