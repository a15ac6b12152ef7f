import { loginAs, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'

let t: TestApp
let m: SeededMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedMerchant(t)
})
afterAll(() => t.close())

const transitions = async (userId: string) =>
  (await t.pool.query('select from_stage, to_stage, cause, channel from funnel_transitions where user_id = $1 order by id', [userId])).rows

describe('POST /api/v1/events', () => {
  it('a page view keeps a visitor a visitor; a click makes them an interactor with one transition', async () => {
    const u = await loginAs(t, m)
    const pv = await u.api.post('/api/v1/events', { type: 'page_view', channel: 'moments' })
    expect(pv.status).toBe(202)
    expect(pv.body).toEqual({ accepted: 1, promoted: false })
    expect((await u.api.get('/api/v1/me')).body.stage).toBe('visitor')
    const click = await u.api.post('/api/v1/events', { type: 'click', channel: 'moments', props: { button: 'claim' } })
    expect(click.body).toEqual({ accepted: 1, promoted: true })
    expect((await u.api.get('/api/v1/me')).body.stage).toBe('interactor')
    expect(await transitions(u.user.id)).toEqual([
      { from_stage: null, to_stage: 'visitor', cause: 'login', channel: null },
      { from_stage: 'visitor', to_stage: 'interactor', cause: 'event:click', channel: 'moments' },
    ])
    // further interactions write no more transitions
    await u.api.post('/api/v1/events', { type: 'share' })
    expect(await transitions(u.user.id)).toHaveLength(2)
  })

  it('accepts a batch of up to 100 events, rejects 101 and writes nothing', async () => {
    const u = await loginAs(t, m)
    const events = Array.from({ length: 100 }, () => ({ type: 'page_view' }))
    expect((await u.api.post('/api/v1/events', { events })).body.accepted).toBe(100)
    const count = async () => (await t.pool.query('select count(*)::int n from funnel_events where user_id = $1', [u.user.id])).rows[0].n
    const before = await count()
    const tooMany = await u.api.post('/api/v1/events', { events: [...events, { type: 'page_view' }] })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.error.code).toBe('VALIDATION_FAILED')
    expect(tooMany.body.error.details.issues[0].path).toBe('events')
    expect(await count()).toBe(before)
  })

  it('a batch keeps its order: each event its fields, the stage raised by the first interaction in it', async () => {
    const u = await loginAs(t, m)
    const r = await u.api.post('/api/v1/events', {
      events: [
        { type: 'page_view', channel: 'qr', props: { page: 'home' } },
        { type: 'click', props: { button: 'a' }, occurredAt: '2026-11-01T00:00:00.000Z' },
        { type: 'share', props: { target: 'moments' } },
      ],
    })
    expect(r.body).toEqual({ accepted: 3, promoted: true })
    const rows = (
      await t.pool.query(`select id, type, channel, props, occurred_at from funnel_events where user_id = $1 order by id`, [u.user.id])
    ).rows
    expect(rows.map((e) => [e.type, e.channel, e.props])).toEqual([
      ['page_view', 'qr', { page: 'home' }],
      ['click', null, { button: 'a' }],
      ['share', null, { target: 'moments' }],
    ])
    expect(rows[1].occurred_at.toISOString()).toBe('2026-11-01T00:00:00.000Z')
    const [raised] = (await t.pool.query(`select cause, cause_event_id from funnel_transitions where user_id = $1 and to_stage = 'interactor'`, [u.user.id])).rows
    expect(raised).toEqual({ cause: 'event:click', cause_event_id: rows[1].id })
  })

  it('touches the user once a minute at most, but always fills an empty first-touch attribution', async () => {
    const u = await loginAs(t, m)
    const row = async () => (await t.pool.query(`select xmin::text as version, acq_channel, last_seen_at from users where id = $1`, [u.user.id])).rows[0]
    await t.pool.query(`update users set last_seen_at = now() - interval '2 minutes' where id = $1`, [u.user.id])
    await u.api.post('/api/v1/events', { type: 'page_view' })
    const seen = await row()
    expect(Date.now() - seen.last_seen_at.getTime()).toBeLessThan(60_000)
    await u.api.post('/api/v1/events', { type: 'page_view' })
    expect(await row()).toEqual(seen) // seen a moment ago, nothing to fill: no new row version
    await u.api.post('/api/v1/events', { type: 'page_view', channel: 'poster' })
    expect((await row()).acq_channel).toBe('poster')
    const filled = await row()
    await u.api.post('/api/v1/events', { type: 'page_view', channel: 'moments' })
    expect(await row()).toEqual(filled) // first touch kept
  })

  it('rejects unknown event types and unknown fields with field paths', async () => {
    const u = await loginAs(t, m)
    const r = await u.api.post('/api/v1/events', { events: [{ type: 'page_view' }, { type: 'hack' }] })
    expect(r.status).toBe(400)
    expect(r.body.error.details.issues.map((i: { path: string }) => i.path)).toContain('events.1.type')
    const extra = await u.api.post('/api/v1/events', { type: 'click', userId: u.user.id })
    expect(extra.status).toBe(400)
    expect((await t.pool.query('select count(*)::int n from funnel_events where user_id = $1', [u.user.id])).rows[0].n).toBe(0)
  })

  it('rejects event types only the server records (check-in, draws, grabs) so they cannot be faked', async () => {
    const u = await loginAs(t, m)
    for (const type of ['checkin', 'lottery_draw', 'redpacket_grab', 'coupon_claim', 'task_complete']) {
      const r = await u.api.post('/api/v1/events', { type })
      expect(r.status).toBe(400)
    }
    expect((await u.api.get('/api/v1/me')).body.stage).toBe('visitor')
  })

  it('needs a consumer token', async () => {
    expect((await m.admin.post('/api/v1/events', { type: 'click' })).status).toBe(403)
  })
})

describe('admin funnel milestones and report', () => {
  it('raises stages through milestones, never lowers them, and is idempotent', async () => {
    const u = await loginAs(t, m)
    const card = await m.admin.post('/admin/v1/funnel/events', { userId: u.user.id, type: 'card_claimed' })
    expect(card.body).toEqual({ promoted: true, stage: 'member' })
    const lower = await m.admin.post('/admin/v1/funnel/events', { userId: u.user.id, type: 'purchased' })
    expect(lower.body).toEqual({ promoted: false, stage: 'member' })
    expect(await transitions(u.user.id)).toHaveLength(2)
  })

  it('parallel promotions of one user write one transition per stage', async () => {
    const u = await loginAs(t, m)
    await Promise.all(Array.from({ length: 10 }, () => m.admin.post('/admin/v1/funnel/events', { userId: u.user.id, type: 'followed' })))
    const rows = await transitions(u.user.id)
    expect(rows.filter((r) => r.to_stage === 'fan')).toHaveLength(1)
  })

  it('reports reach, conversion and median time per stage, grouped by channel', async () => {
    const m2 = await seedMerchant(t)
    t.clock.reset()
    const a = await loginAs(t, m2, undefined, { channel: 'qr' })
    const b = await loginAs(t, m2, undefined, { channel: 'qr' })
    const c = await loginAs(t, m2, undefined, { channel: 'share' })
    await a.api.post('/api/v1/events', { type: 'click' })
    await b.api.post('/api/v1/events', { type: 'click' })
    await m2.admin.post('/admin/v1/funnel/events', { userId: a.user.id, type: 'purchased' })
    const from = new Date(Date.now() - 3600_000).toISOString()
    const to = new Date(Date.now() + 3600_000).toISOString()
    const r = await m2.admin.get(`/admin/v1/funnel?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=channel`)
    expect(r.status).toBe(200)
    const qr = r.body.groups.find((g: { key: string }) => g.key === 'qr')
    const byStage = Object.fromEntries(qr.stages.map((s: { stage: string }) => [s.stage, s]))
    expect(byStage.visitor).toMatchObject({ reached: 2, conversionToNext: 1 })
    expect(byStage.interactor).toMatchObject({ reached: 2, conversionToNext: 0.5 })
    // a purchase passes fan and friend on the way to customer
    expect(byStage.fan.reached).toBe(1)
    expect(byStage.customer).toMatchObject({ reached: 1, conversionToNext: 0, medianSecondsToNext: null })
    expect(byStage.visitor.medianSecondsToNext).toBeGreaterThanOrEqual(0)
    const share = r.body.groups.find((g: { key: string }) => g.key === 'share')
    expect(share.stages[0]).toMatchObject({ stage: 'visitor', reached: 1, conversionToNext: 0 })
    expect(c.user.id).toBeDefined()
    // a window that ends before anyone arrived counts nobody
    const empty = await m2.admin.get(`/admin/v1/funnel?from=2020-01-01&to=2020-01-31`)
    expect(empty.body.groups[0].stages.every((s: { reached: number }) => s.reached === 0)).toBe(true)
  })

  it('validates the report query and the milestone body', async () => {
    const bad = await m.admin.get('/admin/v1/funnel?from=yesterday&to=2026-01-01')
    expect(bad.status).toBe(400)
    expect(bad.body.error.details.issues[0].path).toBe('from')
    const inverted = await m.admin.get('/admin/v1/funnel?from=2026-02-01&to=2026-01-01')
    expect(inverted.status).toBe(400)
    const unknownUser = await m.admin.post('/admin/v1/funnel/events', { userId: '00000000-0000-4000-8000-000000000000', type: 'followed' })
    expect(unknownUser.status).toBe(404)
    expect(unknownUser.body.error.code).toBe('USER_NOT_FOUND')
    const badType = await m.admin.post('/admin/v1/funnel/events', { userId: '00000000-0000-4000-8000-000000000000', type: 'bought' })
    expect(badType.status).toBe(400)
  })
})
