/**
 * The social features of the mini-program's H5 build in headless Chromium, against the real server
 * and the WeChat sandbox: 邀请有礼 (poster with the mini-program code, invite link → attributed first
 * login → the inviter's list), 任务中心 (progress, claim), 红包 (a packet from the merchant's campaign,
 * a friend grabs it, 410 when it ran out, the wallet and a withdrawal confirmed through the sandbox's
 * merchant-transfer hook). Screenshots 17-… go to test-artifacts/e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Page } from 'playwright-core'
import { client, loginAs } from '../src/support/harness'
import { chromiumAvailable, phonePage, shot } from './h5'
import { appUrl, describeWithChromium, poll, sessionOf, startE2e, stopE2e, visible, visibleText, type E2eEnv } from './support'

const run = describeWithChromium(describe)

let env: E2eEnv
const tasks: { invite?: string; share?: string; card?: string } = {}
let campaignId: string

/** Users of the journey: A invites B; later A sends a red packet that B grabs. */
const A = { openid: 'o_social_inviter_A', page: undefined as Page | undefined, userId: '', token: '' }
const B = { openid: 'o_social_invitee_B', page: undefined as Page | undefined, userId: '', token: '' }

const url = (openid: string, route: string) => appUrl(env.site, openid, route)
const api = (token: string) => client(env.t.url, token)

beforeAll(async () => {
  if (!chromiumAvailable()) return
  env = await startE2e()
  const admin = env.m.admin
  const now = Date.now()
  const mk = async (body: Record<string, unknown>) => {
    const r = await admin.post('/admin/v1/tasks', body)
    expect(r.status).toBe(201)
    return r.body.id as string
  }
  tasks.invite = await mk({ title: '邀请3位好友', description: '好友接受邀请即计入', kind: 'invite_n', target: 3, reward: { type: 'points', points: 100 } })
  tasks.share = await mk({ title: '分享邀请给好友', kind: 'share_n', target: 1, reward: { type: 'points', points: 20 } })
  tasks.card = await mk({ title: '领取会员卡', kind: 'claim_card', reward: { type: 'points', points: 10 } })
  const campaign = await admin.post('/admin/v1/redpacket-campaigns', {
    name: '双十一拼手气红包',
    budgetFen: 10_000,
    packetTotalFen: 100,
    slicesPerPacket: 2,
    // every slice is at least 0.20 元, above the smallest withdrawal (0.10 元)
    floorFen: 20,
    endsAt: new Date(now + 7 * 86400_000).toISOString(),
  })
  expect(campaign.status).toBe(201)
  campaignId = campaign.body.id
}, 420_000)

afterAll(async () => {
  await stopE2e(env)
})

run('social: invite, tasks, red packets in Chromium', () => {
  it('invite: A shows the poster → B opens A’s link and logs in → A’s invitees list shows B', async () => {
    const page = await phonePage(env.browser, env.pageErrors)
    A.page = page
    await page.goto(url(A.openid, '/pages/index/index'))
    await visible(page, '[data-entry="invite"]').click()

    // The poster: the mini-program code is the server's (getwxacodeunlimit via the sandbox), decoded by the browser.
    const qr = visible(page, '[data-testid="invite-qr"] img')
    await qr.waitFor({ timeout: 15_000 })
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/(png|jpeg);base64,/)
    await poll(() => qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0), true)
    const code = (await visible(page, '[data-testid="invite-code"]').textContent())!.trim()
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/)
    await expect(visible(page, '[data-testid="invited-count"]').textContent()).resolves.toBe('0')
    const a = await sessionOf(page)
    A.userId = a.userId
    A.token = a.token
    await page.waitForTimeout(600) // the poster's rise animation
    await shot(page, '17-invite-poster')

    // Share (H5: copies the link; weapp: onShareAppMessage) — the path carries the code and the sharer.
    const shareBtn = visible(page, '[data-testid="invite-share"]')
    const sharePath = (await shareBtn.getAttribute('data-share-path'))!
    expect(sharePath.startsWith('/pages/index/index?')).toBe(true)
    const q = new URLSearchParams(sharePath.split('?')[1])
    expect({ inviteCode: q.get('inviteCode'), sharerId: q.get('sharerId'), channel: q.get('channel') }).toEqual({ inviteCode: code, sharerId: A.userId, channel: 'invite' })
    const shared = page.waitForResponse((r) => r.url().endsWith('/api/v1/events') && r.request().method() === 'POST')
    await shareBtn.click()
    expect((await shared).status()).toBe(202) // events are accepted, recorded asynchronously
    await visibleText(page, '链接已复制，发给好友吧').waitFor({ timeout: 5_000 })

    // B opens the link: the first login carries the invite code; the home page says so.
    const bpage = await phonePage(env.browser, env.pageErrors)
    B.page = bpage
    const logins: Array<{ attribution?: Record<string, string> }> = []
    bpage.on('request', (r) => {
      if (r.url().endsWith('/api/v1/auth/login')) logins.push(JSON.parse(r.postData() ?? '{}'))
    })
    await bpage.goto(url(B.openid, sharePath))
    await visible(bpage, '[data-testid="invite-accepted"]').waitFor({ timeout: 15_000 })
    await visibleText(bpage, '手机号快捷领卡').waitFor()
    expect(logins).toHaveLength(1)
    expect(logins[0]!.attribution).toEqual({ inviteCode: code, sharerId: A.userId, channel: 'invite' })
    const b = await sessionOf(bpage)
    B.userId = b.userId
    B.token = b.token
    const profile = await env.m.admin.get(`/admin/v1/users/${B.userId}`)
    expect(profile.body.acquisition).toMatchObject({ channel: 'invite', sharerId: A.userId })
    await shot(bpage, '18-invitee-home')

    // B claims the card: the referral's milestone (card claimed) pays both sides.
    await visibleText(bpage, '手机号快捷领卡').click()
    await visible(bpage, '.member-code__digits').waitFor({ timeout: 15_000 })

    // A's list shows B, rewarded.
    await page.reload()
    const friend = visible(page, '.invite__friend')
    await friend.waitFor({ timeout: 15_000 })
    await expect(visible(page, '[data-testid="invited-count"]').textContent()).resolves.toBe('1')
    await poll(async () => {
      const r = await api(A.token).get('/api/v1/referrals')
      return r.body.items?.[0]?.status
    }, 'rewarded')
    await page.reload()
    await visible(page, '.invite__friend[data-status="rewarded"]').waitFor({ timeout: 15_000 })
    await expect(visible(page, '.invite__friend').textContent()).resolves.toContain('奖励已发放')
    await shot(page, '19-invite-invitees')
    expect(env.pageErrors).toEqual([])
  }, 180_000)

  it('tasks: progress bars from what A did; the share task is claimed once', async () => {
    const page = A.page!
    await page.goto(url(A.openid, '/pages/index/index'))
    await visible(page, '[data-entry="tasks"]').click()
    const invite = visible(page, `.task[data-task-id="${tasks.invite}"]`)
    const share = visible(page, `.task[data-task-id="${tasks.share}"]`)
    const card = visible(page, `.task[data-task-id="${tasks.card}"]`)
    await invite.waitFor({ timeout: 15_000 })
    await expect(invite.locator('[data-testid="task-progress"]').textContent()).resolves.toBe('1/3')
    await expect(invite.getAttribute('data-state')).resolves.toBe('todo')
    await expect(share.getAttribute('data-state')).resolves.toBe('claimable')
    await expect(card.getAttribute('data-state')).resolves.toBe('todo')
    await expect(card.textContent()).resolves.toContain('去领卡')
    // The bar is drawn to the progress (1 of 3 → 33%).
    await expect(invite.locator('.task__bar-fill').evaluate((el) => (el as unknown as { style: { width: string } }).style.width)).resolves.toBe('33%')
    await expect(visible(page, '[data-testid="tasks-summary"]').textContent()).resolves.toContain('1 个奖励待领取')
    // Rewards waiting come first.
    await expect(page.locator('.task').filter({ visible: true }).first().getAttribute('data-task-id')).resolves.toBe(tasks.share)
    await page.waitForTimeout(600) // the page slides in
    await shot(page, '20-tasks-progress')

    const claimed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/tasks/${tasks.share}/claim`))
    await share.locator('[data-testid="task-claim"]').click()
    expect((await claimed).status()).toBe(201)
    const answeredAt = Date.now()
    await expect(visible(page, '[data-testid="task-reward"]').textContent()).resolves.toContain('+20 积分')
    await poll(() => share.getAttribute('data-state'), 'claimed')
    await expect(share.textContent()).resolves.toContain('已领取')
    // The reward burst is fully shown from ~0.4 s to ~1.7 s after the answer.
    await page.waitForTimeout(Math.max(0, 500 - (Date.now() - answeredAt)))
    await shot(page, '21-tasks-claimed')

    // The server decides: a second claim is refused with its Chinese text.
    const again = await api(A.token).post(`/api/v1/tasks/${tasks.share}/claim`, {})
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('TASK_ALREADY_CLAIMED')
    // 100 (B's referral) + 20 (the task)
    const points = await api(A.token).get('/api/v1/points')
    expect(points.body.balance).toBe(120)
    expect(env.pageErrors).toEqual([])
  }, 120_000)

  it('red packets: A opens one from the campaign → B grabs → a late friend gets 410 → B withdraws through the sandbox', async () => {
    // A arrives through the merchant's campaign link and opens a share packet.
    const page = A.page!
    await page.goto(url(A.openid, `/pages/redpacket/index?campaignId=${campaignId}`))
    const open = page.waitForResponse((r) => r.url().endsWith('/api/v1/redpackets') && r.request().method() === 'POST')
    await visible(page, '[data-testid="open-packet"]').click()
    expect((await open).status()).toBe(201)
    await visible(page, '[data-testid="packet"][data-phase="sharer"]').waitFor({ timeout: 15_000 })
    await expect(visible(page, '.rp__meta').textContent()).resolves.toContain('已领取 0/2 个，共 0.00/1.00 元')
    const sharePath = (await visible(page, '[data-testid="share-packet"]').getAttribute('data-share-path'))!
    const q = new URLSearchParams(sharePath.split('?')[1])
    expect(sharePath.startsWith('/pages/redpacket/index?')).toBe(true)
    expect({ sharerId: q.get('sharerId'), channel: q.get('channel') }).toEqual({ sharerId: A.userId, channel: 'red_packet' })
    const packetId = q.get('id')!
    expect(packetId).toMatch(/^[0-9a-f-]{36}$/)
    await shot(page, '22-redpacket-sent')

    // The home entry leads to the hub: the campaign the link brought and the packet A sent.
    await page.goto(url(A.openid, '/pages/index/index'))
    await visible(page, '[data-entry="redpacket"]').click()
    await visible(page, '[data-testid="hub-wallet"]').waitFor({ timeout: 15_000 })
    await visibleText(page, '双十一拼手气红包').waitFor()
    await visibleText(page, '我发的红包').waitFor()
    await page.waitForTimeout(600) // the page slides in
    await shot(page, '23-redpacket-hub')

    // B opens A's share and grabs: the coin spins, the amount rises out of the envelope.
    const bpage = B.page!
    await bpage.goto(url(B.openid, sharePath))
    await visible(bpage, '[data-testid="packet"][data-phase="grabbable"]').waitFor({ timeout: 15_000 })
    await expect(visible(bpage, '.rp__sender-name').textContent()).resolves.toContain('的红包')
    const grabbed = bpage.waitForResponse((r) => r.url().endsWith(`/api/v1/redpackets/${packetId}/grabs`))
    await visible(bpage, '[data-testid="grab-button"]').click()
    const grabRes = await grabbed
    expect(grabRes.status()).toBe(201)
    const amountFen = ((await grabRes.json()) as { amountFen: number }).amountFen
    expect(amountFen).toBeGreaterThanOrEqual(20)
    expect(amountFen).toBeLessThanOrEqual(80)
    const amount = visible(bpage, '[data-testid="grab-amount"]')
    await amount.waitFor({ timeout: 10_000 })
    await expect(amount.getAttribute('data-fen')).resolves.toBe(String(amountFen))
    const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`
    await expect(amount.textContent()).resolves.toContain(yuan(amountFen))
    await visible(bpage, '[data-testid="grab-row"]').waitFor({ timeout: 10_000 })
    await bpage.waitForTimeout(700) // the rise animation
    await shot(bpage, '24-redpacket-opened')

    // A late friend: the last slice goes (another user, straight through the API) before they tap 開.
    const cpage = await phonePage(env.browser, env.pageErrors)
    await cpage.goto(url('o_social_late_C', sharePath))
    await visible(cpage, '[data-testid="packet"][data-phase="grabbable"]').waitFor({ timeout: 15_000 })
    // Their first login came from A's packet: attributed to A, channel red_packet.
    const c = await sessionOf(cpage)
    expect((await env.m.admin.get(`/admin/v1/users/${c.userId}`)).body.acquisition).toMatchObject({ channel: 'red_packet', sharerId: A.userId })
    const d = await loginAs(env.t, env.m, 'o_social_fast_D')
    expect((await d.api.post(`/api/v1/redpackets/${packetId}/grabs`, {})).status).toBe(201)
    const late = cpage.waitForResponse((r) => r.url().endsWith(`/api/v1/redpackets/${packetId}/grabs`))
    await visible(cpage, '[data-testid="grab-button"]').click()
    const lateRes = await late
    expect(lateRes.status()).toBe(410)
    expect(((await lateRes.json()) as { error: { code: string } }).error.code).toBe('PACKET_EMPTY')
    await visible(cpage, '[data-testid="packet"][data-phase="empty"]').waitFor({ timeout: 10_000 })
    await visibleText(cpage, '手慢了，红包已被抢光').waitFor({ timeout: 5_000 })
    await shot(cpage, '25-redpacket-empty-error')

    // B's wallet shows the amount; B withdraws all of it (WeChat's confirm page = the sandbox hook).
    await visible(bpage, '[data-testid="to-wallet"]').click()
    const balance = visible(bpage, '[data-testid="wallet-balance"]')
    await balance.waitFor({ timeout: 15_000 })
    await expect(balance.textContent()).resolves.toBe(yuan(amountFen))
    await visible(bpage, '.wallet__item[data-reason="redpacket_grab"]').waitFor()
    await expect(visible(bpage, '[data-testid="withdraw-amount"] input').inputValue()).resolves.toBe(yuan(amountFen))
    await bpage.waitForTimeout(600) // the page slides in
    await shot(bpage, '26-wallet-balance')

    const confirmed = bpage.waitForResponse((r) => r.url().endsWith('/__sim/transfer/confirm'))
    await visible(bpage, '[data-testid="withdraw-submit"]').click()
    const confirmRes = await confirmed
    expect(confirmRes.status()).toBe(200)
    await poll(() => balance.textContent(), '0.00', 20_000)
    await visibleText(bpage, '提现记录').click()
    await visible(bpage, '[data-testid="withdrawal-row"][data-status="success"]').waitFor({ timeout: 15_000 })
    await expect(visible(bpage, '[data-testid="withdrawal-row"]').textContent()).resolves.toContain('已到账')
    await bpage.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0))
    await shot(bpage, '27-wallet-withdrawn')
    const withdrawals = await api(B.token).get('/api/v1/wallet/withdrawals')
    expect(withdrawals.body.items).toEqual([expect.objectContaining({ amountFen, status: 'success' })])
    expect(env.pageErrors).toEqual([])
  }, 180_000)
})
