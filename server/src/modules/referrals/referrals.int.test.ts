import { client, seedMerchant, staffOf, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { balanceOf, inviteCodeOf, login, milestone, nextIp, setReferralPolicy } from './referrals.test-support'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

const referralRows = async (inviteeId: string) => (await t.pool.query('select * from referrals where invitee_id = $1', [inviteeId])).rows
const socialOf = async (api: ReturnType<typeof client>) => (await api.get('/api/v1/me/social')).body

describe('invite codes', () => {
  let m: SeededMerchant
  beforeAll(async () => {
    m = await seedMerchant(t)
  })

  it('gives every user one code, a share path and a QR code from getwxacodeunlimit whose scene carries the code', async () => {
    const u = await login(t, m)
    const r = await u.api.get('/api/v1/referrals/invite')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ kind: 'user', scene: `i=${r.body.code}`, path: `pages/index/index?inviteCode=${r.body.code}` })
    expect(r.body.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/)
    expect(r.body.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/)
    const png = Buffer.from(r.body.qrCodeDataUrl.split(',')[1], 'base64')
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(png.includes(Buffer.from(`i=${r.body.code}`))).toBe(true)
    // the same code (and the kept image) every time
    const again = await u.api.get('/api/v1/referrals/invite')
    expect(again.body).toEqual(r.body)
    expect((await t.pool.query('select count(*)::int n from referral_codes where owner_user_id = $1', [u.user.id])).rows[0].n).toBe(1)
  })

  it('gives a guide a guide code, distinct from their consumer code', async () => {
    const g = await staffOf(t, m)
    const guide = await g.api.get('/staff/v1/referrals/invite')
    expect(guide.status).toBe(200)
    expect(guide.body.kind).toBe('guide')
    const own = await g.api.get('/api/v1/referrals/invite')
    expect(own.body.kind).toBe('user')
    expect(own.body.code).not.toBe(guide.body.code)
  })

  it('needs a consumer token (401 without, 403 with an admin key) and staff for the guide code', async () => {
    expect((await client(t.url).get('/api/v1/referrals/invite')).status).toBe(401)
    expect((await m.admin.get('/api/v1/referrals/invite')).status).toBe(403)
    const u = await login(t, m)
    const r = await u.api.get('/staff/v1/referrals/invite')
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('FORBIDDEN')
  })
})

describe('binding', () => {
  let m: SeededMerchant
  beforeAll(async () => {
    m = await seedMerchant(t)
  })

  it('binds a new user at login: first touch, counted as the inviter\'s invitee, listed with a masked name', async () => {
    const inviter = await login(t, m)
    const code = await inviteCodeOf(inviter.api)
    const invitee = await login(t, m, { inviteCode: code.toLowerCase() })
    expect(invitee.referral).toMatchObject({ status: 'bound', replayed: false })
    const u = await m.admin.get(`/admin/v1/users/${invitee.user.id}`)
    expect(u.body.acquisition).toMatchObject({ channel: 'invite', sharerId: inviter.user.id })
    expect(u.body.referral).toMatchObject({ inviterId: inviter.user.id, kind: 'user', review: 'clear', milestone: 'card_claimed', rewardedAt: null })
    await invitee.api.patch('/api/v1/me', { nickname: '王小明' })
    const mine = await inviter.api.get('/api/v1/referrals')
    expect(mine.body).toMatchObject({ invited: 1, rewarded: 0, items: [{ nameMasked: '王*明', status: 'pending' }] })
    expect((await socialOf(inviter.api)).invitees).toBe(1)
  })

  it('binds an existing user through POST /referrals/bind within the window; the same inviter again is a replay', async () => {
    const inviter = await login(t, m)
    const code = await inviteCodeOf(inviter.api)
    const u = await login(t, m)
    const r = await u.api.post('/api/v1/referrals/bind', { inviteCode: code })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ status: 'bound', replayed: false })
    const again = await u.api.post('/api/v1/referrals/bind', { inviteCode: ` ${code.toLowerCase()} ` })
    expect(again.status).toBe(200)
    expect(again.body).toEqual({ ...r.body, replayed: true })
    // logging in again through the same invite is a replay as well, not a rejection
    const relog = await login(t, m, { openid: u.openid, inviteCode: code })
    expect(relog.referral).toMatchObject({ status: 'bound', replayed: true })
    expect((await socialOf(inviter.api)).invitees).toBe(1)
  })

  it('rejects a second inviter (ALREADY_INVITED), at login without failing the login', async () => {
    const a = await login(t, m)
    const b = await login(t, m)
    const codeA = await inviteCodeOf(a.api)
    const codeB = await inviteCodeOf(b.api)
    const u = await login(t, m, { inviteCode: codeA })
    const r = await u.api.post('/api/v1/referrals/bind', { inviteCode: codeB })
    expect(r.status).toBe(409)
    expect(r.body.error.code).toBe('ALREADY_INVITED')
    const relog = await login(t, m, { openid: u.openid, inviteCode: codeB })
    expect(relog.referral).toEqual({ status: 'rejected', reason: 'ALREADY_INVITED' })
    expect((await referralRows(u.user.id)).map((x) => x.inviter_id)).toEqual([a.user.id])
  })

  it('closes the window for existing users after bindWindowMinutes (INVITE_WINDOW_CLOSED)', async () => {
    const inviter = await login(t, m)
    const code = await inviteCodeOf(inviter.api)
    const u = await login(t, m)
    t.clock.advance(24 * 3600 * 1000 + 60_000)
    try {
      const r = await u.api.post('/api/v1/referrals/bind', { inviteCode: code })
      expect(r.status).toBe(409)
      expect(r.body.error).toMatchObject({ code: 'INVITE_WINDOW_CLOSED', details: { windowMinutes: 1440 } })
      // a brand-new user is always within it
      expect((await login(t, m, { inviteCode: code })).referral?.status).toBe('bound')
    } finally {
      t.clock.reset()
    }
  })

  it('rejects unknown codes (INVITE_CODE_INVALID) and malformed ones (VALIDATION_FAILED), writing nothing', async () => {
    const u = await login(t, m)
    const unknown = await u.api.post('/api/v1/referrals/bind', { inviteCode: 'ZZZZ2222' })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.code).toBe('INVITE_CODE_INVALID')
    const bad = await u.api.post('/api/v1/referrals/bind', { inviteCode: 'nope', extra: 1 })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('VALIDATION_FAILED')
    const atLogin = await login(t, m, { inviteCode: 'ZZZZ2222' })
    expect(atLogin.referral).toEqual({ status: 'rejected', reason: 'INVITE_CODE_INVALID' })
    const badLogin = await client(t.url).post('/api/v1/auth/login', { appid: m.appid, code: 'x', attribution: { inviteCode: 'has space' } })
    expect(badLogin.status).toBe(400)
    expect(await referralRows(u.user.id)).toEqual([])
  })
})

describe('self-invites are rejected', () => {
  let m: SeededMerchant
  beforeAll(async () => {
    m = await seedMerchant(t)
  })

  it('the same user (same openid) opening their own invite', async () => {
    const u = await login(t, m)
    const code = await inviteCodeOf(u.api)
    const r = await u.api.post('/api/v1/referrals/bind', { inviteCode: code })
    expect(r.status).toBe(409)
    expect(r.body.error).toMatchObject({ code: 'SELF_INVITE', details: { reason: 'same_user' } })
    const relog = await login(t, m, { openid: u.openid, inviteCode: code })
    expect(relog.referral).toEqual({ status: 'rejected', reason: 'SELF_INVITE' })
    expect(await referralRows(u.user.id)).toEqual([])
  })

  it('a second account with the same unionid; the login succeeds, nothing is bound', async () => {
    const unionid = `oUnion${Math.random().toString(36).slice(2, 12)}`
    const a = await login(t, m, { unionid })
    const code = await inviteCodeOf(a.api)
    const b = await login(t, m, { unionid, inviteCode: code })
    expect(b.user.id).not.toBe(a.user.id)
    expect(b.referral).toEqual({ status: 'rejected', reason: 'SELF_INVITE' })
    expect(await referralRows(b.user.id)).toEqual([])
    expect((await m.admin.get(`/admin/v1/users/${b.user.id}`)).body.acquisition.sharerId).toBeNull()
    expect((await socialOf(a.api)).invitees).toBe(0)
  })

  it('a second account with the same phone, at binding and when the phone is bound only afterwards', async () => {
    await setReferralPolicy(m, { milestone: 'card_claimed', inviterPoints: 100, inviteePoints: 10 })
    const a = await login(t, m)
    expect((await a.api.post('/api/v1/me/phone', { code: t.sandbox.mintPhoneCode(m.appid, '13900001111') })).status).toBe(200)
    const code = await inviteCodeOf(a.api)
    const b = await login(t, m)
    await b.api.post('/api/v1/me/phone', { code: t.sandbox.mintPhoneCode(m.appid, '13900001111') })
    const r = await b.api.post('/api/v1/referrals/bind', { inviteCode: code })
    expect(r.status).toBe(409)
    expect(r.body.error).toMatchObject({ code: 'SELF_INVITE', details: { reason: 'same_phone' } })

    // bound first, phone later: caught at payout, the referral is rejected and pays nothing
    const c = await login(t, m, { inviteCode: code })
    expect(c.referral?.status).toBe('bound')
    await c.api.post('/api/v1/me/phone', { code: t.sandbox.mintPhoneCode(m.appid, '13900001111') })
    await milestone(m, c.user.id, 'card_claimed')
    const [row] = await referralRows(c.user.id)
    expect(row).toMatchObject({ review: 'rejected', review_reason: 'same_phone', rewarded_at: null })
    expect(await balanceOf(a.api)).toBe(0)
    expect(await balanceOf(c.api)).toBe(0)
    expect((await socialOf(a.api)).invitees).toBe(0)
  })

  it('a reciprocal invite (B invites A after A invited B)', async () => {
    const a = await login(t, m)
    const b = await login(t, m, { inviteCode: await inviteCodeOf(a.api) })
    expect(b.referral?.status).toBe('bound')
    const r = await a.api.post('/api/v1/referrals/bind', { inviteCode: await inviteCodeOf(b.api) })
    expect(r.status).toBe(409)
    expect(r.body.error).toMatchObject({ code: 'SELF_INVITE', details: { reason: 'reciprocal' } })
  })
})

describe('daily cap per inviter', () => {
  it('rejects invitations beyond the cap (INVITE_CAP_REACHED) and opens again the next business day', async () => {
    const m = await seedMerchant(t)
    await setReferralPolicy(m, { dailyCap: 2 })
    const inviter = await login(t, m)
    const code = await inviteCodeOf(inviter.api)
    expect((await login(t, m, { inviteCode: code })).referral?.status).toBe('bound')
    expect((await login(t, m, { inviteCode: code })).referral?.status).toBe('bound')
    const third = await login(t, m, { inviteCode: code })
    expect(third.referral).toEqual({ status: 'rejected', reason: 'INVITE_CAP_REACHED' })
    expect(await referralRows(third.user.id)).toEqual([])
    const viaBind = await third.api.post('/api/v1/referrals/bind', { inviteCode: code })
    expect(viaBind.status).toBe(409)
    expect(viaBind.body.error).toMatchObject({ code: 'INVITE_CAP_REACHED', details: { dailyCap: 2 } })
    t.clock.advance(24 * 3600 * 1000)
    try {
      expect((await login(t, m, { inviteCode: code })).referral?.status).toBe('bound')
    } finally {
      t.clock.reset()
    }
    expect((await inviter.api.get('/api/v1/referrals')).body.invited).toBe(3)
  })

  it('holds under concurrency: 12 simultaneous invitees against a cap of 5 bind exactly 5', async () => {
    const m = await seedMerchant(t)
    await setReferralPolicy(m, { dailyCap: 5 })
    const inviter = await login(t, m)
    const code = await inviteCodeOf(inviter.api)
    const results = await Promise.all(Array.from({ length: 12 }, () => login(t, m, { inviteCode: code })))
    const statuses = results.map((r) => r.referral?.status)
    expect(statuses.filter((s) => s === 'bound')).toHaveLength(5)
    expect(results.filter((r) => r.referral?.status === 'rejected').every((r) => r.referral?.reason === 'INVITE_CAP_REACHED')).toBe(true)
    const n = (await t.pool.query('select count(*)::int n from referrals where inviter_id = $1', [inviter.user.id])).rows[0].n
    expect(n).toBe(5)
    const day = (await t.pool.query('select count from referral_daily_counts where inviter_id = $1', [inviter.user.id])).rows
    expect(day).toEqual([{ count: 5 }])
  })
})

describe('suspicious patterns are held for review', () => {
  it('more invitees from one IP than the threshold hold the whole cluster; approving pays once, even in parallel', async () => {
    const m = await seedMerchant(t)
    await setReferralPolicy(m, { milestone: 'card_claimed', inviterPoints: 100, inviteePoints: 20, holdThreshold: 2, holdWindowMinutes: 60 })
    const inviter = await login(t, m)
    const code = await inviteCodeOf(inviter.api)
    const ip = nextIp()
    const a = await login(t, m, { inviteCode: code, ip })
    const b = await login(t, m, { inviteCode: code, ip })
    expect([a.referral?.status, b.referral?.status]).toEqual(['bound', 'bound'])
    const c = await login(t, m, { inviteCode: code, ip })
    expect(c.referral?.status).toBe('held')
    const other = await login(t, m, { inviteCode: code }) // another IP: not part of the pattern
    expect(other.referral?.status).toBe('bound')

    const held = await m.admin.get('/admin/v1/referrals/reviews?status=held')
    expect(held.status).toBe(200)
    expect(held.body.items.map((r: { inviteeId: string }) => r.inviteeId).sort()).toEqual([a.user.id, b.user.id, c.user.id].sort())
    expect(held.body.items[0]).toMatchObject({ inviterId: inviter.user.id, review: 'held', ip, reviewReason: expect.stringContaining('3 invitees') })

    // a held referral does not pay at the milestone
    await milestone(m, a.user.id, 'card_claimed')
    expect(await balanceOf(inviter.api)).toBe(0)
    const idA = held.body.items.find((r: { inviteeId: string }) => r.inviteeId === a.user.id).id
    const decisions = await Promise.all(Array.from({ length: 8 }, () => m.admin.post(`/admin/v1/referrals/reviews/${idA}`, { decision: 'approve' })))
    expect(decisions.map((d) => d.status)).toEqual(Array(8).fill(200))
    expect(decisions[0]!.body).toMatchObject({ review: 'approved', rewardedAt: expect.any(String) })
    expect(await balanceOf(inviter.api)).toBe(100)
    expect(await balanceOf(a.api)).toBe(20)

    // approved before the milestone: pays when the milestone comes
    const idB = held.body.items.find((r: { inviteeId: string }) => r.inviteeId === b.user.id).id
    expect((await m.admin.post(`/admin/v1/referrals/reviews/${idB}`, { decision: 'approve' })).body).toMatchObject({ review: 'approved', rewardedAt: null })
    await milestone(m, b.user.id, 'card_claimed')
    expect(await balanceOf(inviter.api)).toBe(200)

    // rejected: never pays, no longer counts, and cannot be approved afterwards
    const idC = held.body.items.find((r: { inviteeId: string }) => r.inviteeId === c.user.id).id
    expect((await m.admin.post(`/admin/v1/referrals/reviews/${idC}`, { decision: 'reject' })).body.review).toBe('rejected')
    const late = await m.admin.post(`/admin/v1/referrals/reviews/${idC}`, { decision: 'approve' })
    expect(late.status).toBe(409)
    expect(late.body.error).toMatchObject({ code: 'REFERRAL_ALREADY_REVIEWED', details: { review: 'rejected' } })
    await milestone(m, c.user.id, 'card_claimed')
    expect(await balanceOf(inviter.api)).toBe(200)
    expect((await socialOf(inviter.api)).invitees).toBe(3)
    expect((await m.admin.get('/admin/v1/referrals/reviews?status=rejected')).body.items.map((r: { id: string }) => r.id)).toEqual([idC])
    expect((await m.admin.get('/admin/v1/referrals/reviews')).body.items).toEqual([])
    const ledger = await t.pool.query("select count(*)::int n from points_entries where user_id = $1 and reason_code = 'referral_inviter'", [inviter.user.id])
    expect(ledger.rows[0].n).toBe(2)
  })

  it('a shared device fingerprint across different IPs is the same pattern', async () => {
    const m = await seedMerchant(t)
    await setReferralPolicy(m, { holdThreshold: 1 })
    const inviter = await login(t, m)
    const code = await inviteCodeOf(inviter.api)
    const a = await login(t, m, { inviteCode: code, deviceId: 'dev-farm-01' })
    const b = await login(t, m, { inviteCode: code, deviceId: 'dev-farm-01' })
    expect([a.referral?.status, b.referral?.status]).toEqual(['bound', 'held'])
    expect((await referralRows(a.user.id))[0].review).toBe('held')
  })

  it('review endpoints: 404 for unknown or malformed ids, 400 for a bad decision, admin only', async () => {
    const m = await seedMerchant(t)
    const unknown = await m.admin.post('/admin/v1/referrals/reviews/00000000-0000-4000-8000-000000000000', { decision: 'approve' })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('REFERRAL_NOT_FOUND')
    expect((await m.admin.post('/admin/v1/referrals/reviews/nope', { decision: 'approve' })).body.error.code).toBe('REFERRAL_NOT_FOUND')
    const bad = await m.admin.post('/admin/v1/referrals/reviews/00000000-0000-4000-8000-000000000000', { decision: 'maybe' })
    expect(bad.status).toBe(400)
    expect((await m.admin.get('/admin/v1/referrals/reviews?status=clear')).status).toBe(400)
    const u = await login(t, m)
    expect((await u.api.get('/admin/v1/referrals/reviews')).status).toBe(403)
    expect((await client(t.url).get('/admin/v1/referrals/reviews')).status).toBe(401)
  })
})

describe('milestone rewards', () => {
  it('card_claimed pays inviter and invitee once, however often the milestone is signalled', async () => {
    const m = await seedMerchant(t)
    await setReferralPolicy(m, { milestone: 'card_claimed', inviterPoints: 100, inviteePoints: 30 })
    const inviter = await login(t, m)
    const invitee = await login(t, m, { inviteCode: await inviteCodeOf(inviter.api) })
    await milestone(m, invitee.user.id, 'purchased') // not this policy's milestone
    expect(await balanceOf(inviter.api)).toBe(0)
    await Promise.all(Array.from({ length: 5 }, () => milestone(m, invitee.user.id, 'card_claimed')))
    await milestone(m, invitee.user.id, 'card_claimed')
    expect(await balanceOf(inviter.api)).toBe(100)
    expect(await balanceOf(invitee.api)).toBe(30)
    const ledger = await inviter.api.get('/api/v1/points/ledger')
    expect(ledger.body.items).toHaveLength(1)
    expect(ledger.body.items[0]).toMatchObject({ amount: 100, reasonCode: 'referral_inviter', source: { type: 'referral' } })
    expect((await inviter.api.get('/api/v1/referrals')).body).toMatchObject({ invited: 1, rewarded: 1, items: [{ status: 'rewarded' }] })
  })

  it('the real card claim (POST /api/v1/membership) pays through the funnel listener, once under parallel claims', async () => {
    const m = await seedMerchant(t)
    await setReferralPolicy(m, { milestone: 'card_claimed', inviterPoints: 80, inviteePoints: 8 })
    const inviter = await login(t, m)
    const invitee = await login(t, m, { inviteCode: await inviteCodeOf(inviter.api) })
    const claims = await Promise.all(Array.from({ length: 4 }, () => invitee.api.post('/api/v1/membership')))
    expect(claims.map((c) => c.status).sort()).toEqual([200, 200, 200, 201])
    expect(await balanceOf(inviter.api)).toBe(80)
    expect(await balanceOf(invitee.api)).toBe(8)
  })

  it('first_purchase pays at the first purchase, also for a member who buys (no stage change), and converts the invitee', async () => {
    const m = await seedMerchant(t)
    await setReferralPolicy(m, { milestone: 'first_purchase', inviterPoints: 50, inviteePoints: 0 })
    const inviter = await login(t, m)
    const invitee = await login(t, m, { inviteCode: await inviteCodeOf(inviter.api) })
    await milestone(m, invitee.user.id, 'card_claimed')
    expect(await balanceOf(inviter.api)).toBe(0)
    const r = await milestone(m, invitee.user.id, 'purchased')
    expect(r).toEqual({ promoted: false, stage: 'member' })
    await milestone(m, invitee.user.id, 'purchased')
    expect(await balanceOf(inviter.api)).toBe(50)
    expect(await balanceOf(invitee.api)).toBe(0)
    expect(await socialOf(inviter.api)).toMatchObject({ invitees: 1, inviteeCustomers: 1, score: 25 })
  })

  it('login pays at binding (unless held); the policy at binding time is what counts', async () => {
    const m = await seedMerchant(t)
    await setReferralPolicy(m, { milestone: 'login', inviterPoints: 10, inviteePoints: 5 })
    const inviter = await login(t, m)
    const code = await inviteCodeOf(inviter.api)
    const invitee = await login(t, m, { inviteCode: code })
    expect(await balanceOf(inviter.api)).toBe(10)
    expect(await balanceOf(invitee.api)).toBe(5)
    await setReferralPolicy(m, { milestone: 'card_claimed', inviterPoints: 999 })
    await milestone(m, invitee.user.id, 'card_claimed')
    expect(await balanceOf(inviter.api)).toBe(10)
  })

  it('a guide\'s code assigns the guide and credits them; the guide earns no consumer points, the invitee does', async () => {
    const m = await seedMerchant(t)
    await setReferralPolicy(m, { milestone: 'card_claimed', inviterPoints: 100, inviteePoints: 40, dailyCap: 1, holdThreshold: 1 })
    const g = await staffOf(t, m)
    const code = (await g.api.get('/staff/v1/referrals/invite')).body.code
    const ip = nextIp()
    // guides are exempt from the consumer cap and the same-IP rule (a store's Wi-Fi is shared)
    const invitees = [await login(t, m, { inviteCode: code, ip }), await login(t, m, { inviteCode: code, ip })]
    expect(invitees.map((i) => i.referral?.status)).toEqual(['bound', 'bound'])
    const u = (await m.admin.get(`/admin/v1/users/${invitees[0]!.user.id}`)).body
    expect(u.guideStaffId).toBe(g.staffId)
    expect(u.acquisition).toMatchObject({ guideId: g.staffId, sharerId: null, channel: 'invite' })
    expect(u.referral).toMatchObject({ kind: 'guide', guideStaffId: g.staffId, inviterPoints: 0 })
    await milestone(m, invitees[0]!.user.id, 'card_claimed')
    expect(await balanceOf(invitees[0]!.api)).toBe(40)
    expect(await balanceOf(g.api)).toBe(0)
  })

  it('a paused programme binds nobody (REFERRALS_DISABLED)', async () => {
    const m = await seedMerchant(t)
    const inviter = await login(t, m)
    const code = await inviteCodeOf(inviter.api)
    await setReferralPolicy(m, { active: false })
    expect((await login(t, m, { inviteCode: code })).referral).toEqual({ status: 'rejected', reason: 'REFERRALS_DISABLED' })
  })
})

describe('policy', () => {
  it('has defaults, validates and saves', async () => {
    const m = await seedMerchant(t)
    const d = await m.admin.get('/admin/v1/referrals/policy')
    expect(d.body).toEqual({
      active: true,
      milestone: 'card_claimed',
      inviterPoints: 100,
      inviteePoints: 50,
      dailyCap: 20,
      bindWindowMinutes: 1440,
      holdThreshold: 3,
      holdWindowMinutes: 60,
      updatedAt: null,
    })
    const { updatedAt: _u, ...body } = d.body
    const bad = await m.admin.put('/admin/v1/referrals/policy', { ...body, milestone: 'follow', dailyCap: 0 })
    expect(bad.status).toBe(400)
    expect(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['dailyCap', 'milestone'])
    const ok = await m.admin.put('/admin/v1/referrals/policy', { ...body, milestone: 'first_purchase' })
    expect(ok.body).toMatchObject({ milestone: 'first_purchase', updatedAt: expect.any(String) })
    const u = await login(t, m)
    expect((await u.api.put('/admin/v1/referrals/policy', body)).status).toBe(403)
  })
})

describe('tenant isolation', () => {
  it('a code of another merchant is unknown; another merchant\'s referral cannot be seen or decided', async () => {
    const a = await seedMerchant(t)
    const b = await seedMerchant(t)
    await setReferralPolicy(a, { holdThreshold: 1 })
    const inviter = await login(t, a)
    const code = await inviteCodeOf(inviter.api)
    const ip = nextIp()
    await login(t, a, { inviteCode: code, ip })
    const held = await login(t, a, { inviteCode: code, ip })
    expect(held.referral?.status).toBe('held')
    const inB = await login(t, b, { inviteCode: code })
    expect(inB.referral).toEqual({ status: 'rejected', reason: 'INVITE_CODE_INVALID' })
    expect((await b.admin.get('/admin/v1/referrals/reviews')).body.items).toEqual([])
    const r = await b.admin.post(`/admin/v1/referrals/reviews/${held.referral!.referralId}`, { decision: 'approve' })
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('REFERRAL_NOT_FOUND')
    expect((await referralRows(held.user.id))[0].review).toBe('held')
  })
})
