import { client, seedMerchant, staffOf, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { inviteCodeOf, login, milestone, setReferralPolicy } from '../referrals/referrals.test-support'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

const socialOf = async (api: ReturnType<typeof client>) => (await api.get('/api/v1/me/social')).body
const opens = (sharerId: string, n = 1) => ({ events: Array.from({ length: n }, () => ({ type: 'share_open', sharerId, channel: 'share' })) })

describe('reach and shares', () => {
  let m: SeededMerchant
  beforeAll(async () => {
    m = await seedMerchant(t)
  })

  it('reach counts distinct people who opened the user\'s shares; shares count share events', async () => {
    const s = await login(t, m)
    expect(await socialOf(s.api)).toEqual({ reach: 0, shares: 0, invitees: 0, inviteeCustomers: 0, content: 0, score: 0 })
    await s.api.post('/api/v1/events', { events: [{ type: 'share' }, { type: 'share', channel: 'moments' }] })
    const [a, b, c] = await Promise.all([login(t, m), login(t, m), login(t, m)])
    expect((await a!.api.post('/api/v1/events', opens(s.user.id, 3))).status).toBe(202) // one person, three opens
    await a!.api.post('/api/v1/events', opens(s.user.id))
    await Promise.all([b!.api.post('/api/v1/events', opens(s.user.id)), c!.api.post('/api/v1/events', opens(s.user.id))])
    await s.api.post('/api/v1/events', opens(s.user.id)) // opening one's own share reaches nobody
    expect(await socialOf(s.api)).toEqual({ reach: 3, shares: 2, invitees: 0, inviteeCustomers: 0, content: 0, score: 3 })
  })

  it('ignores a sharerId that is no user of this merchant, without failing the events', async () => {
    const other = await seedMerchant(t)
    const foreign = await login(t, other)
    const u = await login(t, m)
    const r = await u.api.post('/api/v1/events', { events: [opens(foreign.user.id).events[0], opens('00000000-0000-4000-8000-000000000000').events[0], { type: 'click' }] })
    expect(r.status).toBe(202)
    expect(r.body.accepted).toBe(3)
    expect(await socialOf(foreign.api)).toMatchObject({ reach: 0 })
    expect((await t.pool.query('select count(*)::int n from share_opens where opener_id = $1', [u.user.id])).rows[0].n).toBe(0)
  })

  it('counts concurrent opens of many people exactly', async () => {
    const s = await login(t, m)
    const people = await Promise.all(Array.from({ length: 15 }, () => login(t, m)))
    await Promise.all(people.flatMap((p) => [p.api.post('/api/v1/events', opens(s.user.id)), p.api.post('/api/v1/events', opens(s.user.id))]))
    expect((await socialOf(s.api)).reach).toBe(15)
  })
})

describe('GET /admin/v1/leaderboards/social', () => {
  it('ranks key opinion consumers by score (reach 1, invitee 5, converted invitee 20), score > 0 only, tenant-scoped', async () => {
    const m = await seedMerchant(t)
    await setReferralPolicy(m, { inviterPoints: 0, inviteePoints: 0 })
    const [koc, inviter, sharer, quiet] = await Promise.all([login(t, m), login(t, m), login(t, m), login(t, m)])
    await koc!.api.patch('/api/v1/me', { nickname: 'KOC' })
    // koc: 2 invitees, one buys -> 2*5 + 20 = 30, plus reach 1 = 31
    const kocCode = await inviteCodeOf(koc!.api)
    const i1 = await login(t, m, { inviteCode: kocCode })
    await login(t, m, { inviteCode: kocCode })
    await milestone(m, i1.user.id, 'purchased')
    await i1.api.post('/api/v1/events', opens(koc!.user.id))
    // inviter: 1 invitee -> 5
    await login(t, m, { inviteCode: await inviteCodeOf(inviter!.api) })
    // sharer: reach 7 -> 7
    const viewers = await Promise.all(Array.from({ length: 7 }, () => login(t, m)))
    await Promise.all(viewers.map((v) => v.api.post('/api/v1/events', opens(sharer!.user.id))))

    const r = await m.admin.get('/admin/v1/leaderboards/social')
    expect(r.status).toBe(200)
    expect(r.body.items.map((i: { userId: string; score: number; rank: number }) => [i.rank, i.userId, i.score])).toEqual([
      [1, koc!.user.id, 31],
      [2, sharer!.user.id, 7],
      [3, inviter!.user.id, 5],
    ])
    expect(r.body.items[0]).toMatchObject({ nickname: 'KOC', reach: 1, invitees: 2, inviteeCustomers: 1, content: 0, stage: 'visitor' })
    expect(r.body.items.some((i: { userId: string }) => i.userId === quiet!.user.id)).toBe(false)
    const top1 = await m.admin.get('/admin/v1/leaderboards/social?limit=1')
    expect(top1.body.items).toHaveLength(1)
    expect((await m.admin.get('/admin/v1/leaderboards/social?limit=0')).status).toBe(400)
    expect((await m.admin.get('/admin/v1/leaderboards/social?limit=5&x=1')).status).toBe(400)

    const other = await seedMerchant(t)
    expect((await other.admin.get('/admin/v1/leaderboards/social')).body.items).toEqual([])
    expect((await koc!.api.get('/admin/v1/leaderboards/social')).status).toBe(403)
    expect((await client(t.url).get('/admin/v1/leaderboards/social')).status).toBe(401)
  })
})

describe('social value beside RFM', () => {
  it('GET /admin/v1/users/:id carries socialValue and rfm; another merchant gets 404', async () => {
    const m = await seedMerchant(t)
    const s = await login(t, m)
    const o = await login(t, m)
    await o.api.post('/api/v1/events', opens(s.user.id))
    const r = await m.admin.get(`/admin/v1/users/${s.user.id}`)
    expect(r.status).toBe(200)
    expect(r.body.socialValue).toEqual({ reach: 1, shares: 0, invitees: 0, inviteeCustomers: 0, content: 0, score: 1 })
    expect(r.body).toHaveProperty('rfm')
    expect(r.body.referral).toBeNull()
    const other = await seedMerchant(t)
    expect((await other.admin.get(`/admin/v1/users/${s.user.id}`)).status).toBe(404)
  })

  it('rfm sums in-store purchases (and paid orders): recency, frequency, monetary', async () => {
    const m = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const u = await login(t, m)
    expect((await m.admin.get(`/admin/v1/users/${u.user.id}`)).body.rfm).toEqual({ recencyDays: null, frequency: 0, monetaryFen: 0, lastPurchaseAt: null })
    expect((await u.api.post('/api/v1/membership')).status).toBe(201)
    const code = (await u.api.get('/api/v1/membership/code')).body.code
    for (const [receiptNo, amountFen] of [['R-1', 12_800], ['R-2', 5_050]] as const) {
      const r = await guide.api.post('/staff/v1/purchases', { memberCode: code, amountFen, receiptNo: `${receiptNo}-${u.user.id.slice(0, 8)}`, storeId: m.storeId })
      expect(r.status).toBe(201)
    }
    const rfm = (await m.admin.get(`/admin/v1/users/${u.user.id}`)).body.rfm
    expect(rfm).toMatchObject({ recencyDays: 0, frequency: 2, monetaryFen: 17_850 })
    expect(rfm.lastPurchaseAt).toEqual(expect.any(String))
  })

  it('staff see it on their own customers only', async () => {
    const m = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const otherGuide = await staffOf(t, m)
    const code = (await guide.api.get('/staff/v1/referrals/invite')).body.code
    const customer = await login(t, m, { inviteCode: code })
    const friend = await login(t, m)
    await friend.api.post('/api/v1/events', opens(customer.user.id))
    const r = await guide.api.get(`/staff/v1/customers/${customer.user.id}/social`)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ userId: customer.user.id, socialValue: { reach: 1, score: 1 } })
    expect(r.body).toHaveProperty('rfm')
    const notMine = await otherGuide.api.get(`/staff/v1/customers/${customer.user.id}/social`)
    expect(notMine.status).toBe(404)
    expect(notMine.body.error.code).toBe('USER_NOT_FOUND')
    expect((await guide.api.get('/staff/v1/customers/not-a-uuid/social')).status).toBe(404)
    expect((await customer.api.get(`/staff/v1/customers/${customer.user.id}/social`)).status).toBe(403)
    // a manager of the guide's store sees the guide's customers
    const manager = await staffOf(t, m, 'manager')
    expect((await manager.api.get(`/staff/v1/customers/${customer.user.id}/social`)).status).toBe(200)
  })
})
