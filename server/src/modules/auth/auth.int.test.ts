import { client, loginAs, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'

let t: TestApp
let m: SeededMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedMerchant(t)
})
afterAll(() => t.close())

describe('POST /api/v1/auth/login', () => {
  it('creates a visitor on first login and returns a token, never the session_key', async () => {
    const code = t.sandbox.mintLoginCode(m.appid, 'oFirstLogin0001')
    const r = await client(t.url).post('/api/v1/auth/login', { appid: m.appid, code })
    expect(r.status).toBe(200)
    expect(r.body.token).toMatch(/^v1\./)
    expect(r.body.user).toMatchObject({ stage: 'visitor', phoneBound: false, isStaff: false })
    expect(JSON.stringify(r.body)).not.toMatch(/session_?key/i)
    const { rows } = await t.pool.query('select session_key, stage from users where id = $1', [r.body.user.id])
    expect(rows[0].session_key).toEqual(expect.any(String))
    const tr = await t.pool.query('select from_stage, to_stage, cause from funnel_transitions where user_id = $1', [r.body.user.id])
    expect(tr.rows).toEqual([{ from_stage: null, to_stage: 'visitor', cause: 'login' }])
  })

  it('logs the same openid into the same user', async () => {
    const a = await loginAs(t, m, 'oSameUser000001')
    const b = await loginAs(t, m, 'oSameUser000001')
    expect(b.user.id).toBe(a.user.id)
  })

  it('rejects an unknown appid with 404 APP_NOT_FOUND', async () => {
    const r = await client(t.url).post('/api/v1/auth/login', { appid: 'wx_nobody', code: 'x' })
    expect(r.status).toBe(404)
    expect(r.body.error).toMatchObject({ code: 'APP_NOT_FOUND', details: { appid: 'wx_nobody' } })
    expect(r.body.error.requestId).toEqual(expect.any(String))
  })

  it('rejects an invalid code and a reused code with 401 WECHAT_CODE_INVALID', async () => {
    const bad = await client(t.url).post('/api/v1/auth/login', { appid: m.appid, code: 'not-a-code' })
    expect(bad.status).toBe(401)
    expect(bad.body.error.code).toBe('WECHAT_CODE_INVALID')
    const code = t.sandbox.mintLoginCode(m.appid, 'oReuse000000001')
    expect((await client(t.url).post('/api/v1/auth/login', { appid: m.appid, code })).status).toBe(200)
    const again = await client(t.url).post('/api/v1/auth/login', { appid: m.appid, code })
    expect(again.status).toBe(401)
    expect(again.body.error).toMatchObject({ code: 'WECHAT_CODE_INVALID', details: { errcode: 40163 } })
  })

  it('validates the body: unknown fields, wrong types, malformed JSON', async () => {
    const c = client(t.url)
    const extra = await c.post('/api/v1/auth/login', { appid: m.appid, code: 'x', admin: true })
    expect(extra.status).toBe(400)
    expect(extra.body.error.code).toBe('VALIDATION_FAILED')
    const wrong = await c.post('/api/v1/auth/login', { appid: 42, code: 'x' })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.details.issues[0].path).toBe('appid')
    const malformed = await c.post('/api/v1/auth/login', '{"appid":', { 'content-type': 'application/json' })
    expect(malformed.status).toBe(400)
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED')
    const users = await t.pool.query('select count(*)::int as n from users')
    const before = users.rows[0].n
    await c.post('/api/v1/auth/login', { appid: m.appid })
    expect((await t.pool.query('select count(*)::int as n from users')).rows[0].n).toBe(before)
  })

  it('keeps first-touch attribution from the share that brought the user', async () => {
    const sharer = await loginAs(t, m)
    const u = await loginAs(t, m, undefined, { channel: 'share', sharerId: sharer.user.id, storeId: m.storeId })
    const r = await m.admin.get(`/admin/v1/users/${u.user.id}`)
    expect(r.body.acquisition).toMatchObject({ channel: 'share', sharerId: sharer.user.id, storeId: m.storeId })
  })
})

describe('GET /api/v1/me and phone binding', () => {
  it('returns the profile; 401 without a token, with a forged token, with an expired token', async () => {
    const u = await loginAs(t, m)
    const me = await u.api.get('/api/v1/me')
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ id: u.user.id, stage: 'visitor' })
    // GET /me reads the profile in one statement; login builds it from the user row: the same profile
    expect(me.body).toEqual(u.user)
    expect((await client(t.url).get('/api/v1/me')).body.error.code).toBe('UNAUTHENTICATED')
    const forged = u.token.slice(0, -2) + (u.token.endsWith('AA') ? 'BB' : 'AA')
    expect((await client(t.url, forged).get('/api/v1/me')).status).toBe(401)
    const expired = t.deps.tokens.issue(u.user.id, m.merchantId, Date.now() - 7200 * 1000).token
    const r = await client(t.url, expired).get('/api/v1/me')
    expect(r.status).toBe(401)
    expect(r.body.error.code).toBe('TOKEN_EXPIRED')
  })

  it('binds the phone from a getPhoneNumber code and masks it', async () => {
    const u = await loginAs(t, m)
    const code = t.sandbox.mintPhoneCode(m.appid, '13812345678')
    const r = await u.api.post('/api/v1/me/phone', { code })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ phoneBound: true, phoneMasked: '138****5678' })
    const again = await u.api.post('/api/v1/me/phone', { code })
    expect(again.status).toBe(400)
    expect(again.body.error.code).toBe('PHONE_CODE_INVALID')
  })

  it('an admin key is the wrong scope for consumer routes (403)', async () => {
    const r = await m.admin.get('/api/v1/me')
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('FORBIDDEN')
  })
})
