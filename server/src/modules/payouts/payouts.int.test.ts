/**
 * Withdrawals over HTTP against the WeChat sandbox's merchant transfer: the happy path through the
 * user's confirmation, failures and cancellations refunding once, replayed and forged notifications,
 * overdraw under parallel withdrawals, and reconciliation of lost notifications and lost answers.
 */
import crypto from 'node:crypto'
import { client, loginAs, seedMerchant, seedPayMerchant, startTestApp, type SeededPayMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { encryptResource, PROBE_SIGNATURE_PREFIX } from '../../../../tests/src/sandbox'
import { signWechatpay, type SigningKey } from '../../../../tests/src/sandbox/crypto'
import { AppError } from '../../http/errors'
import type { TransferClient } from '../../wechat/transfer-client'
import { payMerchantOf } from '../payments/payments.wechat'
import { walletViolations } from '../redpackets/redpackets.support'
import * as tenancy from '../tenancy/tenancy.service'
import * as wallet from '../wallet/wallet.service'
import { payoutsDepsOf } from './payouts.routes'
import { runExclusive } from '../jobs/jobs.service'
import { reconcileTransfers, withdraw, type PayoutsDeps } from './payouts.service'
import { scheduledJobs } from '../../jobs'

let t: TestApp
let platformKey: SigningKey
beforeAll(async () => {
  t = await startTestApp()
  platformKey = { serial: t.sandbox.platform.publicKeyId, privateKey: crypto.createPrivateKey(t.sandbox.platformKeyMaterial.publicKeyPrivateKeyPem) }
})
afterAll(() => t.close())

type User = Awaited<ReturnType<typeof loginAs>>

async function funded(fen = 1_000): Promise<{ pm: SeededPayMerchant; u: User }> {
  const pm = await seedPayMerchant(t)
  const u = await loginAs(t, pm)
  if (fen > 0) {
    await t.db.transaction((x) => wallet.credit(x, { merchantId: pm.merchantId, userId: u.user.id, amountFen: fen, idempotencyKey: `fund:${u.user.id}`, reasonCode: 'redpacket_grab', now: new Date() }))
  }
  return { pm, u }
}

const balance = async (u: User) => (await u.api.get('/api/v1/wallet')).body.balanceFen as number
const withdrawal = async (u: User, id: string) => (await u.api.get(`/api/v1/wallet/withdrawals/${id}`)).body
const refunds = async (id: string) =>
  (await t.pool.query(`select count(*)::int n from wallet_entries where kind = 'withdraw_refund' and source_id = $1`, [id])).rows[0].n as number

async function delivered(outBillNo: string, state: string) {
  return t.sandbox.deliveries.waitFor((d) => d.reference === outBillNo && d.plaintext.state === state && d.state === 'delivered', 10_000)
}

/** POSTs a notification body to our notify URL, signed now by the sandbox's platform key (or not). */
async function notify(body: string, opts: { sign?: 'valid' | 'probe' | 'wrong'; at?: number } = {}) {
  const headers: Record<string, string> = { ...signWechatpay(platformKey, body, opts.at ?? Math.floor(Date.now() / 1000)) }
  if (opts.sign === 'probe') headers['Wechatpay-Signature'] = `${PROBE_SIGNATURE_PREFIX}${crypto.randomBytes(64).toString('base64')}`
  if (opts.sign === 'wrong') headers['Wechatpay-Signature'] = crypto.randomBytes(256).toString('base64')
  const res = await fetch(`${t.url}/wechat/transfer/notify`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

/** A MCHTRANSFER.BILL.FINISHED envelope with a new notification id, encrypted with the merchant's APIv3 key. */
function envelope(pm: SeededPayMerchant, plaintext: Record<string, unknown>, id: string = crypto.randomUUID()) {
  return JSON.stringify({
    id,
    create_time: '2026-11-22T10:00:00+08:00',
    resource_type: 'encrypt-resource',
    event_type: 'MCHTRANSFER.BILL.FINISHED',
    summary: '商家转账单据终态通知',
    resource: { original_type: 'mch_payment', ...encryptResource(JSON.stringify(plaintext), pm.apiV3Key, 'mch_payment') },
  })
}

function deps(over: Partial<PayoutsDeps> = {}): PayoutsDeps {
  return { ...payoutsDepsOf(t.deps), ...over }
}

describe('POST /api/v1/wallet/withdrawals', () => {
  it('holds the amount, returns wx.requestMerchantTransfer parameters; the confirmed transfer settles as success', async () => {
    const { pm, u } = await funded(1_000)
    const r = await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 500 })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      amountFen: 500,
      status: 'wait_user_confirm',
      failReason: null,
      confirm: { mchId: pm.mchid, appId: pm.appid, package: expect.any(String), openId: u.openid },
    })
    expect(r.body.outBillNo).toMatch(/^W[0-9a-z]{25}$/)
    expect(await balance(u)).toBe(500)
    const ledger = (await u.api.get('/api/v1/wallet/ledger')).body.items
    expect(ledger[0]).toMatchObject({ kind: 'withdraw_hold', amountFen: -500, balanceAfterFen: 500, source: { type: 'withdrawal', id: r.body.id } })

    t.sandbox.transfer.confirm({ mchId: pm.mchid, appId: pm.appid, package: r.body.confirm.package, openid: u.openid })
    await delivered(r.body.outBillNo, 'SUCCESS')
    expect(await withdrawal(u, r.body.id)).toMatchObject({ status: 'success', confirm: null })
    expect(await balance(u)).toBe(500)
    expect(await refunds(r.body.id)).toBe(0)
    const list = (await u.api.get('/api/v1/wallet/withdrawals')).body
    expect(list).toEqual({ items: [expect.objectContaining({ id: r.body.id, status: 'success' })], nextCursor: null })
    expect(await walletViolations(t.pool, pm.merchantId)).toEqual([])
  })

  it('enforces bounds and the balance, writes nothing when refused', async () => {
    const { pm, u } = await funded(100)
    const small = await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 9 })
    expect(small.status).toBe(400)
    expect(small.body.error).toMatchObject({ code: 'WITHDRAWAL_TOO_SMALL', details: { minFen: 10 } })
    const large = await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 20_001 })
    expect(large.body.error).toMatchObject({ code: 'WITHDRAWAL_TOO_LARGE', details: { maxFen: 20_000 } })
    expect((await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 200_000 })).body.error.code).toBe('VALIDATION_FAILED')
    expect((await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 50, to: 'x' })).body.error.code).toBe('VALIDATION_FAILED')
    const poor = await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 101 })
    expect(poor.status).toBe(409)
    expect(poor.body.error).toMatchObject({ code: 'WALLET_INSUFFICIENT', details: { balanceFen: 100, neededFen: 101 } })
    expect(await balance(u)).toBe(100)
    expect((await u.api.get('/api/v1/wallet/withdrawals')).body.items).toEqual([])
    expect(await walletViolations(t.pool, pm.merchantId)).toEqual([])
  })

  it('PAY_NOT_CONFIGURED without WeChat Pay; needs a consumer token; other users cannot see a withdrawal', async () => {
    const plain = await seedMerchant(t)
    const nu = await loginAs(t, plain)
    await t.db.transaction((x) => wallet.credit(x, { merchantId: plain.merchantId, userId: nu.user.id, amountFen: 100, idempotencyKey: 'f', reasonCode: 't', now: new Date() }))
    const r = await nu.api.post('/api/v1/wallet/withdrawals', { amountFen: 50 })
    expect(r.status).toBe(409)
    expect(r.body.error.code).toBe('PAY_NOT_CONFIGURED')
    expect(await balance(nu)).toBe(100)

    const { pm, u } = await funded(100)
    const w = (await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 50 })).body
    const other = await loginAs(t, pm)
    for (const res of [await other.api.get(`/api/v1/wallet/withdrawals/${w.id}`), await other.api.post(`/api/v1/wallet/withdrawals/${w.id}/cancel`)]) {
      expect(res.status).toBe(404)
      expect(res.body.error.code).toBe('WITHDRAWAL_NOT_FOUND')
    }
    expect((await u.api.get('/api/v1/wallet/withdrawals/nope')).body.error.code).toBe('WITHDRAWAL_NOT_FOUND')
    expect((await client(t.url).post('/api/v1/wallet/withdrawals', { amountFen: 50 })).status).toBe(401)
    expect((await pm.admin.post('/api/v1/wallet/withdrawals', { amountFen: 50 })).status).toBe(403)
  })

  it('parallel withdrawals never overdraw the wallet', async () => {
    const { pm, u } = await funded(1_000)
    const rs = await Promise.all(Array.from({ length: 25 }, () => u.api.post('/api/v1/wallet/withdrawals', { amountFen: 100 })))
    expect(rs.filter((r) => r.status === 201)).toHaveLength(10)
    expect(rs.filter((r) => r.status === 409 && r.body.error.code === 'WALLET_INSUFFICIENT')).toHaveLength(15)
    expect(await balance(u)).toBe(0)
    expect(new Set(rs.filter((r) => r.status === 201).map((r) => r.body.outBillNo)).size).toBe(10)
    expect(await walletViolations(t.pool, pm.merchantId)).toEqual([])
  })
})

describe('failures, cancellations, notifications', () => {
  it('a failed transfer refunds the wallet, once', async () => {
    const { pm, u } = await funded(1_000)
    const w = (await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 300 })).body
    expect(await balance(u)).toBe(700)
    t.sandbox.transfer.fail({ outBillNo: w.outBillNo, reason: 'ACCOUNT_FROZEN' })
    await delivered(w.outBillNo, 'FAIL')
    expect(await withdrawal(u, w.id)).toMatchObject({ status: 'failed', failReason: 'ACCOUNT_FROZEN', confirm: null })
    expect(await balance(u)).toBe(1_000)
    expect(await refunds(w.id)).toBe(1)
    expect((await u.api.get('/api/v1/wallet/ledger')).body.items[0]).toMatchObject({ kind: 'withdraw_refund', amountFen: 300, reasonCode: 'withdrawal_failed' })
    expect(await walletViolations(t.pool, pm.merchantId)).toEqual([])
  })

  it('the user cancels before confirming: CANCELLED refunds; a settled withdrawal cannot be cancelled', async () => {
    const { pm, u } = await funded(1_000)
    const w = (await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 200 })).body
    const c = await u.api.post(`/api/v1/wallet/withdrawals/${w.id}/cancel`)
    expect(c.status).toBe(200)
    expect(['processing', 'cancelled']).toContain(c.body.status)
    await delivered(w.outBillNo, 'CANCELLED')
    expect(await withdrawal(u, w.id)).toMatchObject({ status: 'cancelled' })
    expect(await balance(u)).toBe(1_000)
    expect(await refunds(w.id)).toBe(1)
    const again = await u.api.post(`/api/v1/wallet/withdrawals/${w.id}/cancel`)
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('WITHDRAWAL_NOT_CANCELLABLE')

    const paid = (await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 100 })).body
    t.sandbox.transfer.confirm({ mchId: pm.mchid, appId: pm.appid, package: paid.confirm.package, openid: u.openid })
    await delivered(paid.outBillNo, 'SUCCESS')
    expect((await u.api.post(`/api/v1/wallet/withdrawals/${paid.id}/cancel`)).body.error.code).toBe('WITHDRAWAL_NOT_CANCELLABLE')
    expect(await balance(u)).toBe(900)
  })

  it('a FAIL notification replayed 10 times (same id, and new ids) refunds once', async () => {
    const { pm, u } = await funded(1_000)
    const w = (await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 400 })).body
    t.sandbox.transfer.fail({ outBillNo: w.outBillNo, reason: 'TRANSFER_QUOTA_EXCEED', deliver: false })
    const lost = t.sandbox.deliveries.list().find((d) => d.reference === w.outBillNo)!
    const same = await Promise.all(Array.from({ length: 10 }, () => notify(lost.body)))
    expect(same.map((r) => r.status)).toEqual(Array(10).fill(204))
    const fresh = await Promise.all(Array.from({ length: 10 }, () => notify(envelope(pm, lost.plaintext))))
    expect(fresh.map((r) => r.status)).toEqual(Array(10).fill(204))
    expect(await withdrawal(u, w.id)).toMatchObject({ status: 'failed', failReason: 'TRANSFER_QUOTA_EXCEED' })
    expect(await balance(u)).toBe(1_000)
    expect(await refunds(w.id)).toBe(1)
    expect((await t.pool.query('select count(*)::int n from payout_notifications where out_bill_no = $1', [w.outBillNo])).rows[0].n).toBe(11)
    expect(await walletViolations(t.pool, pm.merchantId)).toEqual([])
  })

  it('a SUCCESS notification replayed 10 times settles once; a later FAIL for it changes nothing', async () => {
    const { pm, u } = await funded(1_000)
    const w = (await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 250 })).body
    t.sandbox.transfer.confirm({ mchId: pm.mchid, appId: pm.appid, package: w.confirm.package, openid: u.openid }, { deliver: false })
    const lost = t.sandbox.deliveries.list().find((d) => d.reference === w.outBillNo)!
    const rs = await Promise.all(Array.from({ length: 10 }, () => notify(lost.body)))
    expect(rs.map((r) => r.status)).toEqual(Array(10).fill(204))
    expect(await withdrawal(u, w.id)).toMatchObject({ status: 'success' })
    expect((await t.pool.query('select count(*)::int n from payout_notifications where notification_id = $1', [lost.id])).rows[0].n).toBe(1)
    expect((await notify(envelope(pm, { ...lost.plaintext, state: 'FAIL', fail_reason: 'X' }))).status).toBe(204)
    expect(await withdrawal(u, w.id)).toMatchObject({ status: 'success' })
    expect(await balance(u)).toBe(750)
    expect(await refunds(w.id)).toBe(0)
  })

  it('rejects forged, probe, stale, tampered, mismatched and unknown notifications without changing anything', async () => {
    const { pm, u } = await funded(1_000)
    const w = (await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 100 })).body
    const bill = { out_bill_no: w.outBillNo, transfer_bill_no: '1330000000000000000000000000000000000000', state: 'FAIL', mch_id: pm.mchid, transfer_amount: 100, openid: u.openid, fail_reason: 'X' }
    const good = envelope(pm, bill)
    expect(await notify(good, { sign: 'wrong' })).toEqual({ status: 401, body: { code: 'PAY_NOTIFY_SIGNATURE_INVALID', message: expect.any(String) } })
    expect((await notify(good, { sign: 'probe' })).status).toBe(401)
    expect((await notify(good, { at: Math.floor(Date.now() / 1000) - 400 })).status).toBe(401)
    const parsed = JSON.parse(good)
    parsed.resource.ciphertext = Buffer.from(Buffer.from(parsed.resource.ciphertext, 'base64').map((b: number, i: number) => (i === 3 ? b ^ 1 : b))).toString('base64')
    expect((await notify(JSON.stringify(parsed))).body.code).toBe('PAY_NOTIFY_DECRYPT_FAILED')
    const other = await seedPayMerchant(t)
    expect((await notify(envelope(other, bill))).status).toBe(400) // mch_id of another merchant
    expect((await notify(envelope(pm, { ...bill, transfer_amount: 99 }))).body.code).toBe('PAY_NOTIFY_MISMATCH')
    expect((await notify(envelope(pm, { ...bill, openid: 'o_someone_else' }))).body.code).toBe('PAY_NOTIFY_MISMATCH')
    expect((await notify(envelope(pm, { ...bill, out_bill_no: 'WUNKNOWN' }))).body.code).toBe('PAY_NOTIFY_UNKNOWN_ORDER')
    expect((await notify(envelope(pm, { nonsense: true }))).body.code).toBe('PAY_NOTIFY_MALFORMED')
    expect((await notify('')).status).toBe(400)
    expect(await withdrawal(u, w.id)).toMatchObject({ status: 'wait_user_confirm' })
    expect(await balance(u)).toBe(900)
    // and the genuine one still works afterwards
    expect((await notify(good)).status).toBe(204)
    expect(await balance(u)).toBe(1_000)
  })
})

describe('reconciliation', () => {
  const later = (minutes: number) => new Date(Date.now() + minutes * 60_000)

  it('settles transfers whose notification never came (success and fail)', async () => {
    const { pm, u } = await funded(1_000)
    const ok = (await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 100 })).body
    const ko = (await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 200 })).body
    t.sandbox.transfer.confirm({ mchId: pm.mchid, appId: pm.appid, package: ok.confirm.package, openid: u.openid }, { deliver: false })
    t.sandbox.transfer.fail({ outBillNo: ko.outBillNo, reason: 'ACCOUNT_FROZEN', deliver: false })
    // too early: nothing is due yet
    await reconcileTransfers(t.db, deps(), new Date())
    expect((await withdrawal(u, ok.id)).status).toBe('wait_user_confirm')
    await reconcileTransfers(t.db, deps(), later(6))
    expect(await withdrawal(u, ok.id)).toMatchObject({ status: 'success' })
    expect(await withdrawal(u, ko.id)).toMatchObject({ status: 'failed', failReason: 'ACCOUNT_FROZEN' })
    expect(await balance(u)).toBe(900)
    expect(await refunds(ko.id)).toBe(1)
    // a rerun changes nothing
    await reconcileTransfers(t.db, deps(), later(12))
    expect(await balance(u)).toBe(900)
    expect(await walletViolations(t.pool, pm.merchantId)).toEqual([])
  })

  it('an answer lost after WeChat created the bill: left `created`, then recovered under the same out_bill_no', async () => {
    const { pm, u } = await funded(1_000)
    const base = deps()
    const lossy: TransferClient = {
      ...base.transfers,
      async createBill(m, input) {
        await base.transfers.createBill(m, input)
        throw new AppError('WECHAT_UNAVAILABLE', { reason: 'TimeoutError' })
      },
    }
    const w = await withdraw({ ...base, transfers: lossy }, pm.merchantId, u.user.id, 300)
    expect(w).toMatchObject({ status: 'created', confirm: null })
    expect(await balance(u)).toBe(700)
    await reconcileTransfers(t.db, base, later(6))
    const after = await withdrawal(u, w.id)
    expect(after).toMatchObject({ status: 'wait_user_confirm', outBillNo: w.outBillNo, confirm: { package: expect.any(String) } })
    // one bill at WeChat, which the user can now confirm
    const m = payMerchantOf(await tenancy.appOfMerchant(t.db, pm.merchantId))!
    expect(await base.transfers.queryByOutBillNo(m, w.outBillNo)).toMatchObject({ state: 'WAIT_USER_CONFIRM', transfer_amount: 300 })
    t.sandbox.transfer.confirm({ mchId: pm.mchid, appId: pm.appid, package: after.confirm.package, openid: u.openid })
    await delivered(w.outBillNo, 'SUCCESS')
    expect((await withdrawal(u, w.id)).status).toBe('success')
    expect(await balance(u)).toBe(700)
  })

  it('a create that never reached WeChat is re-submitted under the same out_bill_no', async () => {
    const { u, pm } = await funded(1_000)
    const base = deps()
    const down: TransferClient = {
      ...base.transfers,
      createBill: async () => {
        throw new AppError('WECHAT_UNAVAILABLE', { reason: 'ECONNREFUSED' })
      },
    }
    const w = await withdraw({ ...base, transfers: down }, pm.merchantId, u.user.id, 150)
    expect(w.status).toBe('created')
    // this time through the scheduled job, as node-cron runs it (bound to the app's WeChat client)
    t.clock.set(later(6))
    try {
      const job = scheduledJobs(t.deps).find((j) => j.name === 'transfer-reconcile')!
      const r = await runExclusive(t.db, job.name, () => job.run({ db: t.db, clock: t.clock, logger: t.deps.logger }))
      expect(r.status).toBe('succeeded')
    } finally {
      t.clock.reset()
    }
    expect(await withdrawal(u, w.id)).toMatchObject({ status: 'wait_user_confirm', outBillNo: w.outBillNo })
    expect(await balance(u)).toBe(850)
  })

  it('a request WeChat refuses (scene not enabled) is refunded at once: 409 WITHDRAWAL_REJECTED', async () => {
    const { u, pm } = await funded(1_000)
    const r = await withdraw(deps({ sceneId: '1006' }), pm.merchantId, u.user.id, 100).catch((e: AppError) => e)
    expect(r).toMatchObject({ code: 'WITHDRAWAL_REJECTED', details: { wechat: { code: 'NO_AUTH' } } })
    const id = (r as AppError & { details: { withdrawalId: string } }).details.withdrawalId
    expect(await withdrawal(u, id)).toMatchObject({ status: 'failed', failReason: expect.stringContaining('NO_AUTH') })
    expect(await balance(u)).toBe(1_000)
    expect(await refunds(id)).toBe(1)
    expect(await walletViolations(t.pool, pm.merchantId)).toEqual([])
  })

  it('a transfer left unconfirmed past 24 h is cancelled and refunded', async () => {
    const { u } = await funded(1_000)
    const w = (await u.api.post('/api/v1/wallet/withdrawals', { amountFen: 120 })).body
    await reconcileTransfers(t.db, deps(), later(25 * 60))
    await delivered(w.outBillNo, 'CANCELLED')
    expect(await withdrawal(u, w.id)).toMatchObject({ status: 'cancelled' })
    expect(await balance(u)).toBe(1_000)
    expect(await refunds(w.id)).toBe(1)
  })
})
