/**
 * The mini-program's H5 build in headless Chromium, against the real server on a fresh database
 * and the in-process WeChat sandbox (whose /__sim hooks stand in for wx.login, the phone button
 * and the scanner prompt). One file, three journeys sharing one build, one server and one browser.
 * Screenshots of the key screens go to test-artifacts/e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Browser, Page, Response } from 'playwright-core'
import { stageRank, type FunnelStage } from '@siyu/shared'
import { slotAtAngle } from '../../miniprogram/src/lib/lottery-plan'
import type { SeededPayMerchant, TestApp } from '../src/support/harness'
import { chromiumAvailable, phonePage, shot } from './h5'
import { appUrl as appUrlOf, describeWithChromium, poll, sessionOf, startE2e, stopE2e, visible, visibleText, type E2eEnv } from './support'

// Browser globals used inside page.evaluate callbacks (the test itself compiles without the DOM lib).
declare const localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void }
declare function getComputedStyle(el: unknown): { transform: string }

const run = describeWithChromium(describe)

let env: E2eEnv | undefined
let t: TestApp
let m: SeededPayMerchant
let site: { url: string; close(): Promise<void> }
let browser: Browser
let lotteryId: string
const pageErrors: string[] = []

/** The consumer of journey 1, reused by journey 2 (the staff member scans their code). */
const consumer: { page?: Page; userId?: string } = {}

function appUrl(openid: string, route: string, extra = ''): string {
  return appUrlOf(site, openid, route, extra)
}

async function adminUser(userId: string): Promise<{ stage: FunnelStage; phoneMasked: string | null; phoneBound: boolean }> {
  const r = await m.admin.get(`/admin/v1/users/${userId}`)
  expect(r.status).toBe(200)
  return r.body
}

beforeAll(async () => {
  if (!chromiumAvailable()) return
  env = await startE2e()
  ;({ t, m, site, browser } = env)
  const now = Date.now()
  const created = await m.admin.post('/admin/v1/lotteries', {
    name: '会员幸运大转盘',
    description: '每天免费抽 3 次',
    kind: 'wheel',
    startAt: new Date(now - 3600_000).toISOString(),
    endAt: new Date(now + 7 * 86400_000).toISOString(),
    enabled: true,
    freeDrawsPerDay: 3,
    prizes: [
      { type: 'points', name: '10积分', weight: 1, points: 10 },
      { type: 'none', name: '谢谢参与', weight: 0 },
      { type: 'points', name: '100积分', weight: 0, points: 100, stock: 5 },
      { type: 'physical', name: '精美水杯', weight: 0, stock: 3 },
    ],
  })
  expect(created.status).toBe(201)
  lotteryId = created.body.id
}, 420_000)

afterAll(async () => {
  await stopE2e(env)
})

run('mini-program H5 in Chromium', () => {
  it('consumer: open → login → bind phone → claim card → check in → draw → points ledger', async () => {
    const page = await phonePage(browser, pageErrors)
    consumer.page = page
    await page.goto(appUrl('o_e2e_consumer_1', '/pages/index/index'))

    // Logged in through the sandbox; the card is shown unclaimed.
    await visibleText(page, '手机号快捷领卡').waitFor()
    await visibleText(page, '领取会员卡').waitFor()
    await shot(page, '01-consumer-home-unclaimed')
    const { userId } = await sessionOf(page)
    consumer.userId = userId
    expect((await adminUser(userId)).stage).toBe('visitor')

    // One tap: the phone button (sandbox phone code) binds the number, then the card is claimed.
    await visibleText(page, '手机号快捷领卡').click()
    const digits = visible(page, '.member-code__digits')
    await digits.waitFor({ timeout: 15_000 })
    const code = (await digits.getAttribute('data-code'))!
    expect(code).toMatch(/^\d{20}$/)
    await visible(page, '.qr-code').waitFor()
    await expect(visible(page, '.member-card__no').textContent()).resolves.toMatch(/^NO\. \d+/)
    await page.waitForTimeout(1800) // the "领卡成功" toast fades
    await shot(page, '02-consumer-home-member')
    const afterClaim = await adminUser(userId)
    expect(afterClaim.phoneBound).toBe(true)
    expect(afterClaim.phoneMasked).toBe('138****8000')
    expect(afterClaim.stage).toBe('member')

    // Check in: the reward animates, the calendar's today cell turns checked.
    await visible(page, '[data-entry="checkin"]').click()
    await visibleText(page, '立即签到').click()
    await visible(page, '[data-testid="checkin-reward"]').waitFor()
    await expect(visible(page, '[data-testid="checkin-reward"]').textContent()).resolves.toContain('今日 +5 积分')
    const today = visible(page, '.checkin-cal__cell--is-today')
    await poll(() => today.getAttribute('data-state'), 'checked', 10_000)
    await visibleText(page, '今日已签').waitFor()
    await page.waitForTimeout(1700) // let the reward animation settle for the screenshot
    await shot(page, '03-consumer-checkin')

    // Draw: the wheel spins to the slot the server drew, then the result sheet names the prize.
    await page.goBack()
    await visible(page, '[data-entry="lottery"]').click()
    await visibleText(page, '会员幸运大转盘').waitFor()
    await expect(visible(page, '[data-testid="draws-remaining"]').textContent()).resolves.toContain('今日剩余 3 次')
    await visibleText(page, '奖品与中奖概率').waitFor()
    await visibleText(page, '100.00%').waitFor()
    await visible(page, '[data-testid="draw-button"]').click()
    const result = visible(page, '[data-testid="draw-result"]')
    await result.waitFor({ timeout: 15_000 })
    await expect(result.textContent()).resolves.toContain('10积分')
    const drawnPrizeId = await result.getAttribute('data-prize-id')
    const view = (await m.admin.get(`/admin/v1/lotteries/${lotteryId}`)).body as { prizes: Array<{ id: string; position: number; name: string }> }
    const slots = [...view.prizes].sort((a, b) => a.position - b.position)
    const disc = visible(page, '.lottery-wheel__disc')
    const angle = Number(await disc.getAttribute('data-rotation'))
    expect(angle).toBeGreaterThan(360 * 5)
    expect(slots[slotAtAngle(angle, slots.length)]!.id).toBe(drawnPrizeId)
    expect(slots.find((s) => s.id === drawnPrizeId)!.name).toBe('10积分')
    // The rendered transform is the planned one (the animation really ended there).
    const matrix = await disc.evaluate((el) => getComputedStyle(el).transform)
    const [a, b] = matrix.replace(/^matrix\(|\)$/g, '').split(',').map(Number) as [number, number]
    const rendered = ((Math.atan2(b, a) * 180) / Math.PI + 360) % 360
    expect(Math.abs(((rendered - (angle % 360) + 540) % 360) - 180)).toBeLessThan(0.5)
    await shot(page, '04-consumer-lottery-result')
    await visibleText(page, '再抽一次').click()
    await poll(async () => (await visible(page, '[data-testid="draws-remaining"]').textContent())?.includes('今日剩余 2 次'), true)

    // Points: balance and the ledger lines of the check-in and the prize.
    await page.goBack()
    await visible(page, '[data-entry="points"]').click()
    await visible(page, '[data-testid="points-balance"]').waitFor()
    await expect(visible(page, '[data-testid="points-balance"]').textContent()).resolves.toBe('15')
    await visible(page, '.points__item[data-reason="checkin"]').waitFor()
    await visible(page, '.points__item[data-reason="lottery_prize"]').waitFor()
    await expect(visible(page, '.points__item[data-reason="checkin"] .points__item-amount').textContent()).resolves.toBe('+5')
    await expect(visible(page, '.points__item[data-reason="lottery_prize"] .points__item-amount').textContent()).resolves.toBe('+10')
    await shot(page, '05-consumer-points')
    expect(pageErrors).toEqual([])
  }, 180_000)

  it('staff: join with an invite → scan the member code → record a purchase → the consumer sees the award', async () => {
    expect(consumer.page).toBeDefined()
    const invite = await m.admin.post('/admin/v1/staff/invites', { storeId: m.storeId, role: 'guide' })
    expect(invite.status).toBe(201)

    const page = await phonePage(browser, pageErrors)
    await page.goto(appUrl('o_e2e_staff_1', '/pages/me/index'))
    await visibleText(page, '我是店员').click()
    const input = visible(page, '.staff-join__input input')
    await input.waitFor()
    await input.fill(invite.body.code)
    await shot(page, '06-staff-join')
    await visible(page, '.staff-join__btn').click()
    await visibleText(page, '扫会员码').waitFor({ timeout: 20_000 })
    await visibleText(page, '测试门店').waitFor()

    // The consumer shows their code; the staff "scans" it (the sandbox scanner is a prompt).
    const cpage = consumer.page!
    await cpage.goto(appUrl('o_e2e_consumer_1', '/pages/index/index'))
    const digits = visible(cpage, '.member-code__digits')
    await digits.waitFor({ timeout: 15_000 })
    const memberCode = (await digits.getAttribute('data-code'))!
    page.once('dialog', (d) => void d.accept(memberCode))
    await visible(page, '[data-testid="scan-member"]').click()
    const panel = visible(page, '[data-testid="member-panel"]')
    await panel.waitFor({ timeout: 15_000 })
    await expect(visible(page, '[data-testid="member-points"]').textContent()).resolves.toBe('15')
    await expect(panel.textContent()).resolves.toContain('138****8000')
    await shot(page, '07-staff-member-scanned')

    await visible(page, '.purchase-amount input').fill('128.50')
    await visible(page, '[data-testid="record-purchase"]').click()
    const done = visible(page, '[data-testid="purchase-result"]')
    await done.waitFor({ timeout: 15_000 })
    await expect(done.textContent()).resolves.toContain('积 128 分')
    await poll(() => visible(page, '[data-testid="member-points"]').textContent(), '143')
    await shot(page, '08-staff-purchase-recorded')

    // The consumer is now this guide's customer, seen in 我的客户.
    await visibleText(page, '我的客户').click()
    await visible(page, '.customers__item').waitFor({ timeout: 15_000 })
    await expect(visible(page, '.customers__item').textContent()).resolves.toContain('最近到店 刚刚')
    await shot(page, '09-staff-customers')
    await page.goBack()
    await visibleText(page, '我的业绩').click()
    await visible(page, '[data-stat="points"] .stats__value').waitFor()
    await expect(visible(page, '[data-stat="points"] .stats__value').textContent()).resolves.toBe('128')
    await expect(visible(page, '[data-stat="purchases"] .stats__value').textContent()).resolves.toBe('1')
    await shot(page, '10-staff-stats')

    // The consumer's points page shows the award; the purchase asked the funnel for `customer`.
    await cpage.goto(appUrl('o_e2e_consumer_1', '/pages/points/index'))
    await visible(cpage, '.points__item[data-reason="purchase"]').waitFor({ timeout: 15_000 })
    await expect(visible(cpage, '.points__item[data-reason="purchase"] .points__item-amount').textContent()).resolves.toBe('+128')
    await expect(visible(cpage, '[data-testid="points-balance"]').textContent()).resolves.toBe('143')
    await shot(cpage, '11-consumer-points-after-purchase')
    // Stages never go down: a card holder (member) who buys stays a member, i.e. at least customer.
    const stage = (await adminUser(consumer.userId!)).stage
    expect(stageRank(stage)).toBeGreaterThanOrEqual(stageRank('customer'))
    expect(pageErrors).toEqual([])
  }, 180_000)

  it('errors: a 4xx shows its Chinese message; an expired token re-logs in without losing the action', async () => {
    const page = await phonePage(browser, pageErrors)
    // 4xx → the Chinese text of its code (INVITE_INVALID), as a toast.
    await page.goto(appUrl('o_e2e_errors_1', '/staff/pages/join/index'))
    const input = visible(page, '.staff-join__input input')
    await input.waitFor()
    await input.fill('NOSUCHCODE')
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/staff/join'))
    await visible(page, '.staff-join__btn').click()
    const res = await answer
    expect(res.status()).toBeGreaterThanOrEqual(400)
    expect(res.status()).toBeLessThan(500)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INVITE_INVALID')
    await visibleText(page, '邀请码无效或已使用').waitFor({ timeout: 5_000 })
    await shot(page, '12-error-invalid-invite')

    // Expired session: the check-in's 401 TOKEN_EXPIRED logs in again and the check-in still happens.
    await page.goto(appUrl('o_e2e_errors_1', '/pages/checkin/index'))
    await visibleText(page, '立即签到').waitFor({ timeout: 15_000 })
    const before = await sessionOf(page)
    const expired = t.deps.tokens.issue(before.userId, before.merchantId, Date.now() - 48 * 3600_000).token
    expect(t.deps.tokens.verify(expired)).toBe('expired')
    await page.evaluate(
      ([raw, token]) => {
        const s = JSON.parse(raw) as { data: { token: string } }
        s.data.token = token
        localStorage.setItem('siyu.session', JSON.stringify(s))
      },
      [before.raw, expired] as const,
    )
    const calls: Array<{ method: string; path: string; status: number }> = []
    const record = (r: Response) => {
      const u = new URL(r.url())
      if (u.pathname.startsWith('/api/')) calls.push({ method: r.request().method(), path: u.pathname, status: r.status() })
    }
    page.on('response', record)
    await visibleText(page, '立即签到').click()
    await visible(page, '[data-testid="checkin-reward"]').waitFor({ timeout: 15_000 })
    await poll(() => visible(page, '.checkin-cal__cell--is-today').getAttribute('data-state'), 'checked', 10_000)
    page.off('response', record)
    const posts = calls.filter((c) => c.method === 'POST')
    expect(posts.map((c) => `${c.path} ${c.status}`)).toEqual(['/api/v1/checkins 401', '/api/v1/auth/login 200', '/api/v1/checkins 201'])
    const after = await sessionOf(page)
    expect(after.token).not.toBe(expired)
    expect(after.userId).toBe(before.userId)
    await shot(page, '13-relogin-checkin-kept')

    // A make-up costs 20 points; with 5 the server answers 409 POINTS_INSUFFICIENT → 积分不足.
    await visible(page, '.checkin-cal__cell--makeup').click()
    await visibleText(page, '确认补签').click()
    await visibleText(page, '积分不足').waitFor({ timeout: 5_000 })
    expect(pageErrors).toEqual([])
  }, 120_000)

  it('share → attributed visitor; claim a coupon; buy a paid membership with requestPayment', async () => {
    expect(consumer.userId).toBeDefined()
    const tpl = await m.admin.post('/admin/v1/coupons/templates', {
      kind: 'amount_off',
      name: '新人立减券',
      amountOffFen: 1000,
      minSpendFen: 5000,
      validity: { type: 'relative', days: 7 },
    })
    expect(tpl.status).toBe(201)
    const plan = await m.admin.post('/admin/v1/membership-plans', { name: '黑金会员年卡', description: '全年积分 1.5 倍 · 生日礼', durationDays: 365, priceFen: 9900 })
    expect(plan.status).toBe(201)

    // A friend opens the consumer's share link: the first login carries the sharer.
    const page = await phonePage(browser, pageErrors)
    await page.goto(appUrl('o_e2e_friend_1', '/pages/index/index', `&sharerId=${consumer.userId}&channel=share`))
    await visibleText(page, '手机号快捷领卡').waitFor({ timeout: 15_000 })
    const friend = await sessionOf(page)
    const profile = await m.admin.get(`/admin/v1/users/${friend.userId}`)
    expect(profile.body.acquisition).toMatchObject({ channel: 'share', sharerId: consumer.userId })

    // Claim centre → my coupons.
    await visible(page, '[data-entry="coupons"]').click()
    await visibleText(page, '领券中心').click()
    await visibleText(page, '新人立减券').waitFor({ timeout: 10_000 })
    await visible(page, '.coupon__btn').click()
    await visibleText(page, '已领 1 张').waitFor({ timeout: 10_000 })
    await visibleText(page, '可使用').click()
    await visible(page, '.coupon__code').waitFor({ timeout: 10_000 })
    await expect(visible(page, '.coupon').textContent()).resolves.toContain('满50元可用')
    await shot(page, '14-consumer-coupons')

    // Paid membership: order → WeChat Pay sheet (sandbox checks paySign) → notification → paid.
    await page.goBack()
    await visible(page, '[data-entry="orders"]').click()
    await visibleText(page, '付费会员').click()
    await visibleText(page, '黑金会员年卡').waitFor({ timeout: 10_000 })
    await shot(page, '15-consumer-paid-membership')
    await visibleText(page, '立即开通').click()
    await visible(page, '.order[data-status="paid"]').waitFor({ timeout: 20_000 })
    await expect(visible(page, '.order').textContent()).resolves.toContain('¥99.00')
    await expect(visible(page, '.orders__more').textContent()).resolves.toContain('没有更多了') // one order: a single page
    await shot(page, '16-consumer-order-paid')
    const orders = await m.admin.get('/admin/v1/orders')
    expect(orders.status).toBe(200)
    const mine = (orders.body.items as Array<{ userId: string; status: string; totalFen: number }>).filter((o) => o.userId === friend.userId)
    expect(mine).toEqual([expect.objectContaining({ status: 'paid', totalFen: 9900 })])
    expect(pageErrors).toEqual([])
  }, 150_000)
})
