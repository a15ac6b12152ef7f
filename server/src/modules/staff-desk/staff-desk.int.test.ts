import { client, loginAs, seedMerchant, staffOf, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())
afterEach(() => t.clock.reset())

async function member(m: SeededMerchant, opts: { nickname?: string; phone?: string } = {}) {
  const u = await loginAs(t, m)
  if (opts.nickname) await u.api.patch('/api/v1/me', { nickname: opts.nickname })
  if (opts.phone) await u.api.post('/api/v1/me/phone', { code: t.sandbox.mintPhoneCode(m.appid, opts.phone) })
  const r = await u.api.post('/api/v1/membership')
  expect(r.status).toBe(201)
  return { ...u, cardNo: r.body.card.cardNo as string, code: async () => (await u.api.get('/api/v1/membership/code')).body.code as string }
}

let receipts = 0
const receipt = () => `R${Date.now().toString(36)}-${++receipts}`

describe('POST /staff/v1/scan', () => {
  it('returns the masked member summary: tier, points, stage, guide', async () => {
    const m = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const u = await member(m, { nickname: '张三丰', phone: '13812345678' })
    const r = await guide.api.post('/staff/v1/scan', { memberCode: await u.code() })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({
      userId: u.user.id,
      cardNo: u.cardNo,
      nameMasked: '张*丰',
      phoneMasked: '138****5678',
      stage: 'member',
      tier: { level: 0, name: '普通会员', multiplierPermille: 1000 },
      growth: 0,
      points: { balance: 0 },
      guide: null,
    })
    expect(JSON.stringify(r.body)).not.toContain('13812345678')
  })

  it('security: no token 401, a consumer (not staff) 403, an admin key 403', async () => {
    const m = await seedMerchant(t)
    const u = await member(m)
    const code = await u.code()
    expect((await client(t.url).post('/staff/v1/scan', { memberCode: code })).status).toBe(401)
    const consumer = await u.api.post('/staff/v1/scan', { memberCode: code })
    expect([consumer.status, consumer.body.error.code]).toEqual([403, 'FORBIDDEN'])
    expect((await m.admin.post('/staff/v1/scan', { memberCode: code })).status).toBe(403)
    for (const path of ['/staff/v1/customers', '/staff/v1/stats']) expect((await u.api.get(path)).status).toBe(403)
    expect((await u.api.post('/staff/v1/purchases', { memberCode: code, amountFen: 100, receiptNo: 'x', storeId: m.storeId })).status).toBe(403)
    expect((await u.api.post('/staff/v1/points/redeem', { memberCode: code, points: 1, reason: 'x', idempotencyKey: 'k' })).status).toBe(403)
  })
})

describe('POST /staff/v1/purchases', () => {
  it('awards points by rule × tier, adds growth, makes the staff member the guide, counts for the funnel', async () => {
    const m = await seedMerchant(t)
    await m.admin.put('/admin/v1/membership/policy', { phoneRequired: false, pointsPerYuan: 2, growthPerYuan: 1 })
    const guide = await staffOf(t, m)
    const other = await staffOf(t, m)
    const u = await member(m)
    t.clock.set('2026-03-10T04:00:00Z')
    const r = await guide.api.post('/staff/v1/purchases', { memberCode: await u.code(), amountFen: 12_399, receiptNo: 'POS-0001', storeId: m.storeId })
    expect(r.status).toBe(201)
    // floor(123.99 yuan) × 2 = 246 points; growth floor(123.99) = 123
    expect(r.body).toMatchObject({ userId: u.user.id, receiptNo: 'POS-0001', amountFen: 12_399, points: 246, growth: 123, balance: 246, tier: { level: 0 }, upgraded: false, replayed: false })
    const ledger = await t.pool.query(`select kind, amount, reason_code, source_type from points_entries where user_id = $1`, [u.user.id])
    expect(ledger.rows).toEqual([{ kind: 'earn', amount: 246, reason_code: 'purchase', source_type: 'staff_purchase' }])
    const adm = await m.admin.get(`/admin/v1/users/${u.user.id}`)
    expect(adm.body.guideStaffId).toBe(guide.staffId)
    // a second staff member's sale does not take the customer over
    await other.api.post('/staff/v1/purchases', { memberCode: await u.code(), amountFen: 100, receiptNo: 'POS-0002', storeId: m.storeId })
    expect((await m.admin.get(`/admin/v1/users/${u.user.id}`)).body.guideStaffId).toBe(guide.staffId)
    const scan = await other.api.post('/staff/v1/scan', { memberCode: await u.code() })
    expect(scan.body).toMatchObject({ guide: { staffId: guide.staffId, isMe: false }, points: { balance: 248 }, growth: 124 })
  })

  it('moves a non-member customer down the funnel to customer with store and guide', async () => {
    // a card holder is already a member (the top stage), so check the transition on a fresh user whose
    // card row exists but whose stage we reset to interactor: the purchase raises it to customer
    const m = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const u = await member(m)
    await t.pool.query(`update users set stage = 'interactor' where id = $1`, [u.user.id])
    await guide.api.post('/staff/v1/purchases', { memberCode: await u.code(), amountFen: 500, receiptNo: receipt(), storeId: m.storeId })
    const tr = await t.pool.query(`select to_stage, cause, store_id, guide_id from funnel_transitions where user_id = $1 and to_stage = 'customer'`, [u.user.id])
    expect(tr.rows).toEqual([{ to_stage: 'customer', cause: 'purchase', store_id: m.storeId, guide_id: guide.staffId }])
  })

  it('20 parallel purchases with one receipt number give one award; the replays return the first result', async () => {
    const m = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const u = await member(m)
    const body = { memberCode: await u.code(), amountFen: 8_800, receiptNo: 'POS-PAR-1', storeId: m.storeId }
    const rs = await Promise.all(Array.from({ length: 20 }, () => guide.api.post('/staff/v1/purchases', body)))
    expect(rs.filter((r) => r.status === 201)).toHaveLength(1)
    expect(rs.filter((r) => r.status === 200)).toHaveLength(19)
    const first = rs.find((r) => r.status === 201)!.body
    for (const r of rs) expect({ ...r.body, replayed: false }).toEqual(first)
    const rows = await t.pool.query(`select count(*)::int as n from staff_purchases where receipt_no = 'POS-PAR-1'`)
    expect(rows.rows[0].n).toBe(1)
    const entries = await t.pool.query(`select count(*)::int as n, sum(amount)::int as s from points_entries where user_id = $1`, [u.user.id])
    expect(entries.rows[0]).toEqual({ n: 1, s: 88 })
    const growth = await t.pool.query(`select growth from memberships where user_id = $1`, [u.user.id])
    expect(growth.rows[0].growth).toBe(88)
  })

  it('the same receipt number with a different amount is 409 IDEMPOTENCY_CONFLICT', async () => {
    const m = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const u = await member(m)
    const body = { memberCode: await u.code(), amountFen: 1_000, receiptNo: 'POS-IDEM', storeId: m.storeId }
    expect((await guide.api.post('/staff/v1/purchases', body)).status).toBe(201)
    const replay = await guide.api.post('/staff/v1/purchases', body)
    expect([replay.status, replay.body.replayed]).toEqual([200, true])
    const r = await guide.api.post('/staff/v1/purchases', { ...body, amountFen: 2_000 })
    expect([r.status, r.body.error.code]).toEqual([409, 'IDEMPOTENCY_CONFLICT'])
    const v = await member(m)
    const otherMember = await guide.api.post('/staff/v1/purchases', { ...body, memberCode: await v.code() })
    expect(otherMember.body.error.code).toBe('IDEMPOTENCY_CONFLICT')
  })

  it("rejects another merchant's store (404) and member code (400), and bad input (400) without writing", async () => {
    const m = await seedMerchant(t)
    const other = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const u = await member(m)
    const foreign = await member(other)
    const code = await u.code()
    const r1 = await guide.api.post('/staff/v1/purchases', { memberCode: code, amountFen: 100, receiptNo: receipt(), storeId: other.storeId })
    expect([r1.status, r1.body.error.code]).toEqual([404, 'STORE_NOT_FOUND'])
    const r2 = await guide.api.post('/staff/v1/purchases', { memberCode: await foreign.code(), amountFen: 100, receiptNo: receipt(), storeId: m.storeId })
    expect([r2.status, r2.body.error.code]).toEqual([400, 'MEMBER_CODE_INVALID'])
    for (const bad of [
      { memberCode: code, amountFen: 0, receiptNo: 'a', storeId: m.storeId },
      { memberCode: code, amountFen: 1.5, receiptNo: 'a', storeId: m.storeId },
      { memberCode: code, amountFen: 100, receiptNo: 'has space', storeId: m.storeId },
      { memberCode: code, amountFen: 100, receiptNo: 'a', storeId: 'not-a-uuid' },
      { memberCode: code, amountFen: 100, receiptNo: 'a', storeId: m.storeId, points: 5 },
    ]) {
      const r = await guide.api.post('/staff/v1/purchases', bad)
      expect([r.status, r.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])
    }
    const rows = await t.pool.query(`select count(*)::int as n from staff_purchases where merchant_id = $1`, [m.merchantId])
    expect(rows.rows[0].n).toBe(0)
  })
})

describe('POST /staff/v1/points/redeem', () => {
  it('spends at the counter; replays are idempotent; insufficient points write nothing', async () => {
    const m = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const u = await member(m)
    await guide.api.post('/staff/v1/purchases', { memberCode: await u.code(), amountFen: 10_000, receiptNo: receipt(), storeId: m.storeId })
    const body = { memberCode: await u.code(), points: 30, reason: '兑换咖啡', idempotencyKey: 'redeem-1' }
    const r = await guide.api.post('/staff/v1/points/redeem', body)
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ userId: u.user.id, points: 30, balance: 70, replayed: false })
    const again = await guide.api.post('/staff/v1/points/redeem', body)
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ redemptionId: r.body.redemptionId, balance: 70, replayed: true })
    const conflict = await guide.api.post('/staff/v1/points/redeem', { ...body, points: 31 })
    expect([conflict.status, conflict.body.error.code]).toEqual([409, 'IDEMPOTENCY_CONFLICT'])
    const poor = await guide.api.post('/staff/v1/points/redeem', { ...body, points: 71, idempotencyKey: 'redeem-2' })
    expect(poor.status).toBe(409)
    expect(poor.body.error).toMatchObject({ code: 'POINTS_INSUFFICIENT', details: { balance: 70, needed: 71 } })
    const rows = await t.pool.query(`select idempotency_key from staff_redemptions where user_id = $1`, [u.user.id])
    expect(rows.rows).toEqual([{ idempotency_key: 'redeem-1' }])
    expect((await u.api.get('/api/v1/points')).body.balance).toBe(70)
  })

  it('parallel redeems with one key spend once', async () => {
    const m = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const u = await member(m)
    await guide.api.post('/staff/v1/purchases', { memberCode: await u.code(), amountFen: 10_000, receiptNo: receipt(), storeId: m.storeId })
    const body = { memberCode: await u.code(), points: 10, reason: 'x', idempotencyKey: 'par-redeem' }
    const rs = await Promise.all(Array.from({ length: 10 }, () => guide.api.post('/staff/v1/points/redeem', body)))
    expect(rs.filter((r) => r.status === 201)).toHaveLength(1)
    expect(rs.filter((r) => r.status === 200)).toHaveLength(9)
    expect((await u.api.get('/api/v1/points')).body.balance).toBe(90)
  })
})

describe('GET /staff/v1/customers and /staff/v1/stats', () => {
  it('lists my customers, cursor-paginated, with stage, tier, last visit and masked phone', async () => {
    const m = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const other = await staffOf(t, m)
    const mine = [await member(m, { phone: '13800000001' }), await member(m), await member(m)]
    const notMine = await member(m)
    for (const u of mine) await guide.api.post('/staff/v1/purchases', { memberCode: await u.code(), amountFen: 1_000, receiptNo: receipt(), storeId: m.storeId })
    await other.api.post('/staff/v1/purchases', { memberCode: await notMine.code(), amountFen: 1_000, receiptNo: receipt(), storeId: m.storeId })

    const p1 = await guide.api.get('/staff/v1/customers?limit=2')
    expect(p1.status).toBe(200)
    expect(p1.body.items).toHaveLength(2)
    expect(p1.body.nextCursor).toEqual(expect.any(String))
    const p2 = await guide.api.get(`/staff/v1/customers?limit=2&cursor=${p1.body.nextCursor}`)
    expect(p2.body.items).toHaveLength(1)
    expect(p2.body.nextCursor).toBeNull()
    const all = [...p1.body.items, ...p2.body.items]
    expect(all.map((c: { userId: string }) => c.userId).sort()).toEqual(mine.map((u) => u.user.id).sort())
    const first = all.find((c: { userId: string }) => c.userId === mine[0]!.user.id)
    expect(first).toMatchObject({ phoneMasked: '138****0001', stage: 'member', tier: { level: 0, name: '普通会员' }, isMember: true, lastVisitAt: expect.any(String) })
    const bad = await guide.api.get('/staff/v1/customers?cursor=bm9wZQ')
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])
    expect((await other.api.get('/staff/v1/customers')).body.items.map((c: { userId: string }) => c.userId)).toEqual([notMine.user.id])
  })

  it('reports my new members, purchases and points awarded today and this week', async () => {
    const m = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const other = await staffOf(t, m)
    t.clock.set('2026-03-09T02:00:00Z') // Monday 10:00 Shanghai
    const a = await member(m)
    await guide.api.post('/staff/v1/purchases', { memberCode: await a.code(), amountFen: 5_000, receiptNo: receipt(), storeId: m.storeId })
    t.clock.set('2026-03-11T02:00:00Z') // Wednesday
    const b = await member(m)
    await guide.api.post('/staff/v1/purchases', { memberCode: await b.code(), amountFen: 2_050, receiptNo: receipt(), storeId: m.storeId })
    await guide.api.post('/staff/v1/points/redeem', { memberCode: await b.code(), points: 5, reason: 'x', idempotencyKey: receipt() })
    await other.api.post('/staff/v1/purchases', { memberCode: await b.code(), amountFen: 9_900, receiptNo: receipt(), storeId: m.storeId })

    const today = await guide.api.get('/staff/v1/stats?period=today')
    expect(today.status).toBe(200)
    expect(today.body).toEqual({
      period: 'today',
      from: '2026-03-10T16:00:00.000Z',
      to: '2026-03-11T16:00:00.000Z',
      newMembers: 1,
      purchases: { count: 1, amountFen: 2_050 },
      pointsAwarded: 20,
      redemptions: { count: 1, points: 5 },
    })
    const week = await guide.api.get('/staff/v1/stats?period=week')
    expect(week.body).toMatchObject({ from: '2026-03-08T16:00:00.000Z', newMembers: 2, purchases: { count: 2, amountFen: 7_050 }, pointsAwarded: 70 })
    expect((await guide.api.get('/staff/v1/stats')).body.period).toBe('today')
    expect((await guide.api.get('/staff/v1/stats?period=year')).status).toBe(400)
  })
})
