import { client, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { balanceOf, inviteCodeOf, login, milestone, setReferralPolicy } from '../referrals/referrals.test-support'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

type Api = ReturnType<typeof client>
const pointsTask = (kind: string, extra: Record<string, unknown> = {}) => ({ title: `任务 ${kind}`, kind, reward: { type: 'points', points: 30 }, ...extra })

async function createTask(m: SeededMerchant, body: Record<string, unknown>) {
  const r = await m.admin.post('/admin/v1/tasks', body)
  if (r.status !== 201) throw new Error(`task failed: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string; target: number }
}
const mine = async (api: Api, taskId: string) => (await api.get('/api/v1/tasks')).body.items.find((i: { id: string }) => i.id === taskId)

describe('admin /admin/v1/tasks', () => {
  let m: SeededMerchant
  beforeAll(async () => {
    m = await seedMerchant(t)
  })

  it('creates, lists, reads, updates and archives tasks', async () => {
    const created = await m.admin.post('/admin/v1/tasks', { ...pointsTask('share_n', { target: 3 }), description: '分享给好友' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ kind: 'share_n', target: 3, reward: { type: 'points', points: 30 }, active: true, endsAt: null, description: '分享给好友' })
    const profile = await createTask(m, pointsTask('complete_profile'))
    expect(profile.target).toBe(3)
    expect((await createTask(m, pointsTask('claim_card'))).target).toBe(1)
    expect((await m.admin.get('/admin/v1/tasks')).body.items).toHaveLength(3)
    const id = created.body.id
    expect((await m.admin.get(`/admin/v1/tasks/${id}`)).body.title).toBe('任务 share_n')
    const patched = await m.admin.patch(`/admin/v1/tasks/${id}`, { title: '分享三次', reward: { type: 'points', points: 50 }, active: false })
    expect(patched.body).toMatchObject({ title: '分享三次', reward: { type: 'points', points: 50 }, active: false, kind: 'share_n', target: 3 })
    expect((await m.admin.del(`/admin/v1/tasks/${id}`)).status).toBe(204)
    const gone = await m.admin.get(`/admin/v1/tasks/${id}`)
    expect(gone.status).toBe(404)
    expect(gone.body.error.code).toBe('TASK_NOT_FOUND')
    expect((await m.admin.get('/admin/v1/tasks')).body.items).toHaveLength(2)
  })

  it('validates: target required for counted kinds and fixed for the others, window order, unknown fields', async () => {
    const noTarget = await m.admin.post('/admin/v1/tasks', pointsTask('invite_n'))
    expect(noTarget.status).toBe(400)
    expect(noTarget.body.error.details.issues[0].path).toBe('target')
    expect((await m.admin.post('/admin/v1/tasks', pointsTask('first_purchase', { target: 2 }))).status).toBe(400)
    const window = await m.admin.post('/admin/v1/tasks', pointsTask('share_n', { target: 1, startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }))
    expect(window.status).toBe(400)
    expect((await m.admin.post('/admin/v1/tasks', pointsTask('share_n', { target: 1, hack: true }))).status).toBe(400)
    expect((await m.admin.post('/admin/v1/tasks', pointsTask('tweet_n', { target: 1 }))).status).toBe(400)
    expect((await m.admin.patch('/admin/v1/tasks/00000000-0000-4000-8000-000000000000', { title: 'x' })).body.error.code).toBe('TASK_NOT_FOUND')
    expect((await m.admin.patch('/admin/v1/tasks/nope', { title: 'x' })).status).toBe(404)
  })

  it('rejects cash rewards (REWARD_TYPE_UNAVAILABLE) and unknown coupon templates', async () => {
    const cash = await m.admin.post('/admin/v1/tasks', { title: '现金', kind: 'claim_card', reward: { type: 'cash', amountFen: 100 } })
    expect(cash.status).toBe(400)
    expect(cash.body.error.code).toBe('REWARD_TYPE_UNAVAILABLE')
    const coupon = await m.admin.post('/admin/v1/tasks', { title: '券', kind: 'claim_card', reward: { type: 'coupon', templateId: '00000000-0000-4000-8000-000000000000' } })
    expect(coupon.status).toBe(404)
    expect(coupon.body.error.code).toBe('COUPON_TEMPLATE_NOT_FOUND')
  })

  it('is admin only', async () => {
    const u = await login(t, m)
    expect((await u.api.post('/admin/v1/tasks', pointsTask('claim_card'))).status).toBe(403)
    expect((await client(t.url).get('/admin/v1/tasks')).status).toBe(401)
  })
})

describe('progress and claims', () => {
  it('share_n: progress from share events inside the window; claim only when complete, exactly once', async () => {
    const m = await seedMerchant(t)
    const u = await login(t, m)
    await u.api.post('/api/v1/events', { type: 'share' }) // before the task: does not count
    const task = await createTask(m, pointsTask('share_n', { target: 3 }))
    await u.api.post('/api/v1/events', { events: [{ type: 'share' }, { type: 'share' }, { type: 'click' }] })
    expect(await mine(u.api, task.id)).toMatchObject({ progress: 2, target: 3, completed: false, claimed: false, claimedAt: null })
    const early = await u.api.post(`/api/v1/tasks/${task.id}/claim`)
    expect(early.status).toBe(409)
    expect(early.body.error).toMatchObject({ code: 'TASK_NOT_COMPLETE', details: { progress: 2, target: 3 } })
    await u.api.post('/api/v1/events', { events: [{ type: 'share' }, { type: 'share' }] })
    expect(await mine(u.api, task.id)).toMatchObject({ progress: 3, completed: true, claimed: false })
    const claim = await u.api.post(`/api/v1/tasks/${task.id}/claim`)
    expect(claim.status).toBe(201)
    expect(claim.body).toMatchObject({ taskId: task.id, reward: { type: 'points', points: 30 }, pointsBalance: 30, couponId: null })
    expect(await mine(u.api, task.id)).toMatchObject({ progress: 3, completed: true, claimed: true, claimedAt: expect.any(String) })
    const again = await u.api.post(`/api/v1/tasks/${task.id}/claim`)
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('TASK_ALREADY_CLAIMED')
    expect(await balanceOf(u.api)).toBe(30)
    const ev = await t.pool.query("select props from funnel_events where user_id = $1 and type = 'task_complete'", [u.user.id])
    expect(ev.rows).toEqual([{ props: { taskId: task.id } }])
  })

  it('parallel claims pay one reward', async () => {
    const m = await seedMerchant(t)
    const task = await createTask(m, pointsTask('complete_profile'))
    const u = await login(t, m)
    await u.api.patch('/api/v1/me', { nickname: '小红', avatarUrl: 'https://example.com/a.png' })
    expect((await mine(u.api, task.id)).progress).toBe(2)
    await u.api.post('/api/v1/me/phone', { code: t.sandbox.mintPhoneCode(m.appid, '13700001234') })
    expect(await mine(u.api, task.id)).toMatchObject({ progress: 3, completed: true })
    const results = await Promise.all(Array.from({ length: 10 }, () => u.api.post(`/api/v1/tasks/${task.id}/claim`)))
    expect(results.filter((r) => r.status === 201)).toHaveLength(1)
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'TASK_ALREADY_CLAIMED')).toBe(true)
    expect(await balanceOf(u.api)).toBe(30)
    expect((await t.pool.query('select count(*)::int n from task_completions where user_id = $1', [u.user.id])).rows[0].n).toBe(1)
  })

  it('invite_n counts invitees bound in the window that are not held or rejected', async () => {
    const m = await seedMerchant(t)
    await setReferralPolicy(m, { holdThreshold: 1, inviterPoints: 0, inviteePoints: 0 })
    const task = await createTask(m, pointsTask('invite_n', { target: 2 }))
    const u = await login(t, m)
    const code = await inviteCodeOf(u.api)
    await login(t, m, { inviteCode: code, deviceId: 'same-phone' })
    const held = await login(t, m, { inviteCode: code, deviceId: 'same-phone' })
    expect(held.referral?.status).toBe('held')
    expect((await mine(u.api, task.id)).progress).toBe(0) // the whole cluster is held
    const approved = await m.admin.post(`/admin/v1/referrals/reviews/${held.referral!.referralId}`, { decision: 'approve' })
    expect(approved.status).toBe(200)
    expect((await mine(u.api, task.id)).progress).toBe(1)
    await login(t, m, { inviteCode: code })
    expect(await mine(u.api, task.id)).toMatchObject({ progress: 2, completed: true })
    expect((await u.api.post(`/api/v1/tasks/${task.id}/claim`)).status).toBe(201)
  })

  it('first_purchase and claim_card follow the funnel, also for a member who buys later', async () => {
    const m = await seedMerchant(t)
    const buy = await createTask(m, pointsTask('first_purchase'))
    const card = await createTask(m, pointsTask('claim_card', { reward: { type: 'points', points: 5 } }))
    const u = await login(t, m)
    expect(await mine(u.api, card.id)).toMatchObject({ progress: 0, completed: false })
    await milestone(m, u.user.id, 'card_claimed')
    expect(await mine(u.api, card.id)).toMatchObject({ progress: 1, completed: true })
    expect((await mine(u.api, buy.id)).progress).toBe(0)
    await milestone(m, u.user.id, 'purchased') // stays a member
    expect(await mine(u.api, buy.id)).toMatchObject({ progress: 1, completed: true })
    expect((await u.api.post(`/api/v1/tasks/${buy.id}/claim`)).status).toBe(201)
    expect((await u.api.post(`/api/v1/tasks/${card.id}/claim`)).status).toBe(201)
    expect(await balanceOf(u.api)).toBe(35)
  })

  it('checkin_n_days counts days checked in through the check-in module, not client-posted events', async () => {
    const m = await seedMerchant(t)
    await m.admin.put('/admin/v1/checkin/policy', { basePoints: 0, streakBonuses: {}, cycle: 'none', makeupWindowDays: 0, makeupCost: 0, makeupPerMonth: 0, growthPerCheckin: 0 })
    t.clock.set('2026-11-10T02:00:00Z')
    try {
      const task = await createTask(m, pointsTask('checkin_n_days', { target: 2 }))
      const u = await login(t, m)
      // clients cannot post server-side event types at all
      expect((await u.api.post('/api/v1/events', { type: 'checkin', props: { day: '2026-11-10' } })).status).toBe(400)
      expect((await mine(u.api, task.id)).progress).toBe(0)
      expect((await u.api.post('/api/v1/checkins')).status).toBe(201)
      expect((await mine(u.api, task.id)).progress).toBe(1)
      t.clock.advance(24 * 3600 * 1000)
      expect((await u.api.post('/api/v1/checkins')).status).toBe(201)
      expect(await mine(u.api, task.id)).toMatchObject({ progress: 2, completed: true })
      expect((await u.api.post(`/api/v1/tasks/${task.id}/claim`)).status).toBe(201)
    } finally {
      t.clock.reset()
    }
  })

  it('a coupon reward is issued once; when none can be issued nothing is recorded', async () => {
    const m = await seedMerchant(t)
    const tpl = await m.admin.post('/admin/v1/coupons/templates', { name: '5元券', kind: 'amount_off', amountOffFen: 500, validity: { type: 'relative', days: 7 }, totalStock: 1, claimable: false })
    expect(tpl.status).toBe(201)
    const task = await createTask(m, { title: '领卡送券', kind: 'claim_card', reward: { type: 'coupon', templateId: tpl.body.id } })
    const [a, b] = [await login(t, m), await login(t, m)]
    await milestone(m, a.user.id, 'card_claimed')
    await milestone(m, b.user.id, 'card_claimed')
    const ra = await a.api.post(`/api/v1/tasks/${task.id}/claim`)
    expect(ra.status).toBe(201)
    expect(ra.body).toMatchObject({ reward: { type: 'coupon', templateId: tpl.body.id }, couponId: expect.any(String), pointsBalance: null })
    const coupons = await a.api.get('/api/v1/coupons')
    expect(coupons.body.items.map((c: { id: string }) => c.id)).toEqual([ra.body.couponId])
    const rb = await b.api.post(`/api/v1/tasks/${task.id}/claim`)
    expect(rb.status).toBe(409)
    expect(rb.body.error).toMatchObject({ code: 'TASK_REWARD_UNAVAILABLE', details: { reason: 'out_of_stock' } })
    expect(await mine(b.api, task.id)).toMatchObject({ completed: true, claimed: false })
  })

  it('only open tasks are listed and claimable (paused, not started, ended)', async () => {
    const m = await seedMerchant(t)
    const paused = await createTask(m, pointsTask('complete_profile', { active: false }))
    const future = await createTask(m, pointsTask('complete_profile', { startsAt: '2099-01-01T00:00:00Z' }))
    const open = await createTask(m, pointsTask('complete_profile', { endsAt: '2099-01-01T00:00:00Z' }))
    const u = await login(t, m)
    expect((await u.api.get('/api/v1/tasks')).body.items.map((i: { id: string }) => i.id)).toEqual([open.id])
    for (const id of [paused.id, future.id]) {
      const r = await u.api.post(`/api/v1/tasks/${id}/claim`)
      expect(r.status).toBe(409)
      expect(r.body.error.code).toBe('TASK_NOT_ACTIVE')
    }
    t.clock.set('2099-01-02T00:00:00Z')
    try {
      expect((await u.api.post(`/api/v1/tasks/${open.id}/claim`)).body.error.code).toBe('TASK_NOT_ACTIVE')
    } finally {
      t.clock.reset()
    }
  })

  it('is tenant-scoped and needs a consumer token', async () => {
    const a = await seedMerchant(t)
    const b = await seedMerchant(t)
    const task = await createTask(a, pointsTask('complete_profile'))
    const ub = await login(t, b)
    const r = await ub.api.post(`/api/v1/tasks/${task.id}/claim`)
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('TASK_NOT_FOUND')
    expect((await ub.api.get('/api/v1/tasks')).body.items).toEqual([])
    expect((await b.admin.get(`/admin/v1/tasks/${task.id}`)).status).toBe(404)
    expect((await b.admin.del(`/admin/v1/tasks/${task.id}`)).status).toBe(404)
    expect((await a.admin.get(`/admin/v1/tasks/${task.id}`)).status).toBe(200)
    expect((await client(t.url).get('/api/v1/tasks')).status).toBe(401)
    expect((await a.admin.get('/api/v1/tasks')).status).toBe(403)
    expect((await ub.api.post('/api/v1/tasks/not-a-uuid/claim')).body.error.code).toBe('TASK_NOT_FOUND')
  })
})
