import { client, loginAs, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'

let t: TestApp
let a: SeededMerchant
let b: SeededMerchant
beforeAll(async () => {
  t = await startTestApp()
  a = await seedMerchant(t)
  b = await seedMerchant(t)
})
afterAll(() => t.close())

describe('stores and staff invites', () => {
  it('creates and lists stores; a duplicate code is a 409', async () => {
    const s = await a.admin.post('/admin/v1/stores', { name: '徐汇店', code: 'XH01' })
    expect(s.status).toBe(201)
    expect(s.body).toMatchObject({ name: '徐汇店', code: 'XH01' })
    expect((await a.admin.post('/admin/v1/stores', { name: '另一家', code: 'XH01' })).status).toBe(409)
    const list = await a.admin.get('/admin/v1/stores')
    expect(list.body.items.map((x: { code: string }) => x.code)).toContain('XH01')
  })

  it('a consumer joins with an invite and gets staff scope with the same token; the code is single-use', async () => {
    const inv = await a.admin.post('/admin/v1/staff/invites', { storeId: a.storeId, role: 'guide' })
    expect(inv.status).toBe(201)
    expect(inv.body.code).toMatch(/^[A-Z2-9]{8}$/)
    const u = await loginAs(t, a)
    expect((await u.api.get('/staff/v1/me')).status).toBe(403)
    const j = await u.api.post('/api/v1/staff/join', { code: inv.body.code.toLowerCase() })
    expect(j.status).toBe(201)
    expect(j.body).toMatchObject({ storeId: a.storeId, role: 'guide' })
    const me = await u.api.get('/staff/v1/me')
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ role: 'guide', store: { id: a.storeId } })
    expect((await u.api.get('/api/v1/me')).body.isStaff).toBe(true)

    const other = await loginAs(t, a)
    const reuse = await other.api.post('/api/v1/staff/join', { code: inv.body.code })
    expect(reuse.status).toBe(400)
    expect(reuse.body.error.code).toBe('INVITE_INVALID')
    const again = await u.api.post('/api/v1/staff/join', { code: inv.body.code })
    expect(again.body.error.code).toBe('ALREADY_STAFF')
  })

  it('ten consumers racing for one invite: exactly one joins', async () => {
    const inv = await a.admin.post('/admin/v1/staff/invites', { storeId: a.storeId, role: 'manager' })
    const users = await Promise.all(Array.from({ length: 10 }, () => loginAs(t, a)))
    const results = await Promise.all(users.map((u) => u.api.post('/api/v1/staff/join', { code: inv.body.code })))
    expect(results.filter((r) => r.status === 201)).toHaveLength(1)
    expect(results.filter((r) => r.status === 400).every((r) => r.body.error.code === 'INVITE_INVALID')).toBe(true)
  })

  it("an invite of merchant A does not work for merchant B's users", async () => {
    const inv = await a.admin.post('/admin/v1/staff/invites', { storeId: a.storeId, role: 'guide' })
    const ub = await loginAs(t, b)
    expect((await ub.api.post('/api/v1/staff/join', { code: inv.body.code })).body.error.code).toBe('INVITE_INVALID')
  })

  it('an expired invite is rejected', async () => {
    const inv = await a.admin.post('/admin/v1/staff/invites', { storeId: a.storeId, role: 'guide' })
    await t.pool.query(`update staff_invites set expires_at = now() - interval '1 minute' where code = $1`, [inv.body.code])
    const u = await loginAs(t, a)
    expect((await u.api.post('/api/v1/staff/join', { code: inv.body.code })).body.error.code).toBe('INVITE_INVALID')
  })

  it('validates invites: unknown store, bad role', async () => {
    const r = await a.admin.post('/admin/v1/staff/invites', { storeId: b.storeId, role: 'guide' })
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('STORE_NOT_FOUND')
    const role = await a.admin.post('/admin/v1/staff/invites', { storeId: a.storeId, role: 'owner' })
    expect(role.status).toBe(400)
    expect(role.body.error.details.issues[0].path).toBe('role')
  })
})

describe('admin authentication and tenant isolation', () => {
  it('no key → 401, unknown key → 401, consumer token on admin routes → 403', async () => {
    expect((await client(t.url).get('/admin/v1/stores')).status).toBe(401)
    const unknown = await client(t.url, 'sk_not_a_real_key_at_all_000000').get('/admin/v1/stores')
    expect(unknown.status).toBe(401)
    expect(unknown.body.error.code).toBe('UNAUTHENTICATED')
    const u = await loginAs(t, a)
    const r = await u.api.get('/admin/v1/stores')
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('FORBIDDEN')
  })

  it("merchant A's key gets 404 for every id of merchant B", async () => {
    const ub = await loginAs(t, b)
    expect((await a.admin.get(`/admin/v1/users/${ub.user.id}`)).status).toBe(404)
    expect((await a.admin.get(`/admin/v1/stores/${b.storeId}`)).status).toBe(404)
    expect((await a.admin.post('/admin/v1/funnel/events', { userId: ub.user.id, type: 'followed' })).status).toBe(404)
    expect((await a.admin.post('/admin/v1/staff/invites', { storeId: b.storeId, role: 'guide' })).status).toBe(404)
    // and B's own key sees them
    expect((await b.admin.get(`/admin/v1/users/${ub.user.id}`)).status).toBe(200)
    // B's stores are not listed for A
    const list = await a.admin.get('/admin/v1/stores')
    expect(list.body.items.map((s: { id: string }) => s.id)).not.toContain(b.storeId)
  })

  it("a consumer token of merchant A cannot reach merchant B's data: the token carries its tenant", async () => {
    const ua = await loginAs(t, a)
    const me = await ua.api.get('/api/v1/me')
    expect(me.body.id).toBe(ua.user.id)
    // a token forged to say merchant B fails the HMAC
    const [v, payload] = ua.token.split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
    claims.m = b.merchantId
    const forged = `${v}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${ua.token.split('.')[2]}`
    expect((await client(t.url, forged).get('/api/v1/me')).status).toBe(401)
  })

  it('malformed ids are 404, not 500', async () => {
    expect((await a.admin.get('/admin/v1/users/not-a-uuid')).status).toBe(404)
    expect((await a.admin.get('/admin/v1/stores/1')).status).toBe(404)
    expect((await a.admin.get('/admin/v1/jobs/xyz')).status).toBe(404)
  })
})
