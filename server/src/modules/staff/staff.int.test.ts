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

describe('staff management (admin)', () => {
  type Consumer = Awaited<ReturnType<typeof loginAs>>
  const newStore = async (m: SeededMerchant) => (await m.admin.post('/admin/v1/stores', { name: '新店' })).body.id as string
  /** `u` (a new consumer by default) redeems a fresh invite of `storeId` with `role`. */
  async function join(m: SeededMerchant, storeId: string, role: 'guide' | 'manager' = 'guide', u?: Consumer) {
    const c = u ?? (await loginAs(t, m))
    const inv = await m.admin.post('/admin/v1/staff/invites', { storeId, role })
    const j = await c.api.post('/api/v1/staff/join', { code: inv.body.code })
    expect(j.status).toBe(201)
    return { ...c, staffId: j.body.staffId as string }
  }
  /** Consumers whose guide is `staffId` (null: no guide), seeded straight in the table. */
  async function customersOf(m: SeededMerchant, staffId: string | null, n: number) {
    const us = await Promise.all(Array.from({ length: n }, () => loginAs(t, m)))
    await t.pool.query('update users set guide_staff_id = $1 where id = any($2::uuid[])', [staffId, us.map((u) => u.user.id)])
    return us
  }
  const guideOf = async (m: SeededMerchant, userId: string) => (await m.admin.get(`/admin/v1/users/${userId}`)).body.guideStaffId as string | null
  const listed = async (m: SeededMerchant, query = '') => (await m.admin.get(`/admin/v1/staff${query}`)).body.items as { id: string }[]
  const ids = (items: { id: string }[]) => items.map((s) => s.id)

  it('lists staff newest first with nickname, store, role and customer count; filters by store and active', async () => {
    const m = await seedMerchant(t)
    const store2 = await newStore(m)
    const g1 = await join(m, m.storeId)
    await g1.api.patch('/api/v1/me', { nickname: '王小明' })
    const g2 = await join(m, store2, 'manager')
    // one customer through the counter (the real way a guide is bound), two more seeded; one of g2, one with no guide
    const buyer = await loginAs(t, m)
    expect((await buyer.api.post('/api/v1/membership')).status).toBe(201)
    const code = (await buyer.api.get('/api/v1/membership/code')).body.code
    expect((await g1.api.post('/staff/v1/purchases', { memberCode: code, amountFen: 1_000, receiptNo: `R-${g1.staffId}`, storeId: m.storeId })).status).toBe(201)
    await customersOf(m, g1.staffId, 2)
    await customersOf(m, g2.staffId, 1)
    await customersOf(m, null, 1)

    const r = await m.admin.get('/admin/v1/staff')
    expect(r.status).toBe(200)
    expect(r.body.items).toEqual([
      { id: g2.staffId, userId: g2.user.id, nickname: null, storeId: store2, role: 'manager', active: true, createdAt: expect.any(String), customers: 1 },
      { id: g1.staffId, userId: g1.user.id, nickname: '王小明', storeId: m.storeId, role: 'guide', active: true, createdAt: expect.any(String), customers: 3 },
    ])
    expect(Date.parse(r.body.items[0].createdAt)).toBeGreaterThanOrEqual(Date.parse(r.body.items[1].createdAt))

    expect(ids(await listed(m, `?storeId=${store2}`))).toEqual([g2.staffId])
    expect(ids(await listed(m, `?storeId=${m.storeId}`))).toEqual([g1.staffId])
    expect((await m.admin.patch(`/admin/v1/staff/${g2.staffId}`, { active: false })).status).toBe(200)
    expect(ids(await listed(m, '?active=false'))).toEqual([g2.staffId])
    expect(ids(await listed(m, '?active=true'))).toEqual([g1.staffId])
    expect(ids(await listed(m, `?active=true&storeId=${store2}`))).toEqual([])
    // another merchant sees none of them
    expect(ids(await listed(b))).not.toContain(g1.staffId)

    for (const q of ['?active=yes', '?storeId=XH01', '?page=2']) {
      const bad = await m.admin.get(`/admin/v1/staff${q}`)
      expect(bad.status).toBe(400)
      expect(bad.body.error.code).toBe('VALIDATION_FAILED')
    }
  })

  it('PATCH moves a staff member and changes their role; their next staff request sees it', async () => {
    const m = await seedMerchant(t)
    const store2 = await newStore(m)
    const g = await join(m, m.storeId)
    expect((await g.api.get('/staff/v1/me')).body).toMatchObject({ role: 'guide', store: { id: m.storeId } })
    const r = await m.admin.patch(`/admin/v1/staff/${g.staffId}`, { storeId: store2, role: 'manager' })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ id: g.staffId, userId: g.user.id, storeId: store2, role: 'manager', active: true, customers: 0 })
    expect((await g.api.get('/staff/v1/me')).body).toMatchObject({ staffId: g.staffId, role: 'manager', store: { id: store2 } })
  })

  it('PATCH validates the body and the ids: empty 400, unknown fields 400, malformed/unknown/other tenant 404, unknown store 404', async () => {
    const m = await seedMerchant(t)
    const g = await join(m, m.storeId)
    const gb = await join(b, b.storeId)
    for (const body of [{}, { role: 'owner' }, { active: 'no' }, { storeId: 'XH01' }, { active: false, userId: g.user.id }]) {
      const r = await m.admin.patch(`/admin/v1/staff/${g.staffId}`, body)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
    }
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000', gb.staffId]) {
      const r = await m.admin.patch(`/admin/v1/staff/${id}`, { active: false })
      expect(r.status).toBe(404)
      expect(r.body.error.code).toBe('STAFF_NOT_FOUND')
    }
    const store = await m.admin.patch(`/admin/v1/staff/${g.staffId}`, { storeId: b.storeId, role: 'manager' })
    expect(store.status).toBe(404)
    expect(store.body.error.code).toBe('STORE_NOT_FOUND')
    // nothing changed: neither the role given beside the unknown store, nor the other merchant's staff member
    expect((await listed(m)).find((s) => s.id === g.staffId)).toMatchObject({ storeId: m.storeId, role: 'guide', active: true })
    expect((await gb.api.get('/staff/v1/me')).status).toBe(200)
  })

  it('deactivation refuses the next staff request at once (the cached staff row is dropped) and /api/v1/me stops saying staff', async () => {
    const m = await seedMerchant(t)
    const g = await join(m, m.storeId)
    const u = await loginAs(t, m)
    expect((await u.api.post('/api/v1/membership')).status).toBe(201)
    const code = (await u.api.get('/api/v1/membership/code')).body.code
    // both requests load the staff row into the cache first
    expect((await g.api.post('/staff/v1/scan', { memberCode: code })).status).toBe(200)
    expect((await g.api.get('/staff/v1/me')).status).toBe(200)
    expect((await g.api.get('/api/v1/me')).body.isStaff).toBe(true)

    const r = await m.admin.patch(`/admin/v1/staff/${g.staffId}`, { active: false })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ id: g.staffId, active: false })

    const scan = await g.api.post('/staff/v1/scan', { memberCode: code })
    expect(scan.status).toBe(403)
    expect(scan.body.error.code).toBe('FORBIDDEN')
    expect((await g.api.get('/staff/v1/me')).status).toBe(403)
    const me = await g.api.get('/api/v1/me')
    expect(me.status).toBe(200)
    expect(me.body.isStaff).toBe(false)
  })

  it('a deactivated staff member who redeems a new invite comes back on the same row with its store and role', async () => {
    const m = await seedMerchant(t)
    const store2 = await newStore(m)
    const g = await join(m, m.storeId)
    await customersOf(m, g.staffId, 2)
    await m.admin.patch(`/admin/v1/staff/${g.staffId}`, { active: false })

    const back = await join(m, store2, 'manager', g)
    expect(back.staffId).toBe(g.staffId)
    expect((await g.api.get('/staff/v1/me')).body).toMatchObject({ staffId: g.staffId, role: 'manager', store: { id: store2 } })
    expect((await g.api.get('/api/v1/me')).body.isStaff).toBe(true)
    const rows = (await listed(m)).filter((s) => s.id === g.staffId)
    expect(rows).toEqual([expect.objectContaining({ userId: g.user.id, storeId: store2, role: 'manager', active: true, customers: 2 })])

    // active again: another invite is refused and stays unused for someone else
    const inv = await m.admin.post('/admin/v1/staff/invites', { storeId: m.storeId, role: 'guide' })
    const again = await g.api.post('/api/v1/staff/join', { code: inv.body.code })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('ALREADY_STAFF')
    expect((await (await loginAs(t, m)).api.post('/api/v1/staff/join', { code: inv.body.code })).status).toBe(201)
  })

  it('a deactivated staff member redeeming two invites at once comes back once; the other invite stays unused', async () => {
    const m = await seedMerchant(t)
    const g = await join(m, m.storeId)
    await m.admin.patch(`/admin/v1/staff/${g.staffId}`, { active: false })
    const codes = await Promise.all([0, 1].map(async () => (await m.admin.post('/admin/v1/staff/invites', { storeId: m.storeId, role: 'guide' })).body.code as string))
    const rs = await Promise.all(codes.map((code) => g.api.post('/api/v1/staff/join', { code })))
    expect(rs.map((r) => r.status).sort()).toEqual([201, 409])
    expect(rs.find((r) => r.status === 201)!.body.staffId).toBe(g.staffId)
    expect(rs.find((r) => r.status === 409)!.body.error.code).toBe('ALREADY_STAFF')
    const redeemed = await t.pool.query('select count(*)::int as n from staff_invites where code = any($1) and redeemed_at is not null', [codes])
    expect(redeemed.rows[0].n).toBe(1)
  })

  it("transfer hands exactly the guide's customers to another active staff member, even after deactivation", async () => {
    const m = await seedMerchant(t)
    const leaving = await join(m, m.storeId)
    const other = await join(m, m.storeId)
    const heir = await join(m, m.storeId)
    const theirs = await customersOf(m, leaving.staffId, 3)
    const others = await customersOf(m, other.staffId, 1)
    const unguided = await customersOf(m, null, 1)
    await m.admin.patch(`/admin/v1/staff/${leaving.staffId}`, { active: false })

    const r = await m.admin.post(`/admin/v1/staff/${leaving.staffId}/customers/transfer`, { toStaffId: heir.staffId })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ moved: 3 })
    for (const u of theirs) expect(await guideOf(m, u.user.id)).toBe(heir.staffId)
    expect(await guideOf(m, others[0]!.user.id)).toBe(other.staffId)
    expect(await guideOf(m, unguided[0]!.user.id)).toBeNull()
    const counts = Object.fromEntries(((await listed(m)) as { id: string; customers: number }[]).map((s) => [s.id, s.customers]))
    expect(counts).toEqual({ [leaving.staffId]: 0, [other.staffId]: 1, [heir.staffId]: 3 })
    // nothing left to move
    expect((await m.admin.post(`/admin/v1/staff/${leaving.staffId}/customers/transfer`, { toStaffId: heir.staffId })).body).toEqual({ moved: 0 })
    // an active guide's customers move too
    expect((await m.admin.post(`/admin/v1/staff/${other.staffId}/customers/transfer`, { toStaffId: heir.staffId })).body).toEqual({ moved: 1 })
  })

  it('transfer refuses an inactive target (409), itself (400), unknown or other tenant ids (404), a bad body (400)', async () => {
    const m = await seedMerchant(t)
    const g = await join(m, m.storeId)
    const gone = await join(m, m.storeId)
    const gb = await join(b, b.storeId)
    const [c] = await customersOf(m, g.staffId, 1)
    await m.admin.patch(`/admin/v1/staff/${gone.staffId}`, { active: false })
    const transfer = (from: string, body: unknown) => m.admin.post(`/admin/v1/staff/${from}/customers/transfer`, body)

    const inactive = await transfer(g.staffId, { toStaffId: gone.staffId })
    expect(inactive.status).toBe(409)
    expect(inactive.body.error.code).toBe('STAFF_INACTIVE')
    const self = await transfer(g.staffId, { toStaffId: g.staffId.toUpperCase() })
    expect(self.status).toBe(400)
    expect(self.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'toStaffId' }] } })
    for (const [from, to] of [
      [g.staffId, '00000000-0000-4000-8000-000000000000'],
      [g.staffId, gb.staffId],
      [gb.staffId, g.staffId],
      ['not-a-uuid', g.staffId],
    ] as const) {
      const r = await transfer(from, { toStaffId: to })
      expect(r.status).toBe(404)
      expect(r.body.error.code).toBe('STAFF_NOT_FOUND')
    }
    for (const body of [{}, { toStaffId: 'x' }, { toStaffId: gone.staffId, moved: 1 }]) {
      const r = await transfer(g.staffId, body)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
    }
    // none of it moved the customer
    expect(await guideOf(m, c!.user.id)).toBe(g.staffId)
  })

  it('staff management needs the admin key: none 401, a consumer or staff token 403', async () => {
    const g = await join(a, a.storeId)
    const calls = (c: ReturnType<typeof client>) => [
      c.get('/admin/v1/staff'),
      c.patch(`/admin/v1/staff/${g.staffId}`, { active: false }),
      c.post(`/admin/v1/staff/${g.staffId}/customers/transfer`, { toStaffId: g.staffId }),
    ]
    for (const r of await Promise.all(calls(client(t.url)))) expect(r.status).toBe(401)
    for (const r of await Promise.all(calls(g.api))) {
      expect(r.status).toBe(403)
      expect(r.body.error.code).toBe('FORBIDDEN')
    }
    expect((await g.api.get('/staff/v1/me')).status).toBe(200)
  })
})
