import { client, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'

/** Test helpers of referrals, social value and tasks (not a test file: jest collects *.test.ts only). */

let ipSeq = 0
/** A distinct client IP per call, so the same-IP hold rule only fires where a test wants it. */
export function nextIp(): string {
  ipSeq++
  return `10.${(ipSeq >> 16) & 255}.${(ipSeq >> 8) & 255}.${ipSeq & 255}`
}

export type LoginOpts = { openid?: string; unionid?: string; inviteCode?: string; ip?: string; deviceId?: string; attribution?: Record<string, string> }

/** Logs a WeChat user in through the sandbox, with an optional invite code, client IP and device id. */
export async function login(t: TestApp, m: { appid: string }, o: LoginOpts = {}) {
  const openid = o.openid ?? `o${Math.random().toString(36).slice(2, 14)}`
  const code = t.sandbox.mintLoginCode(m.appid, openid, o.unionid)
  const attribution = { ...(o.attribution ?? {}), ...(o.inviteCode ? { inviteCode: o.inviteCode } : {}) }
  const headers: Record<string, string> = { 'x-forwarded-for': o.ip ?? nextIp() }
  if (o.deviceId) headers['x-device-id'] = o.deviceId
  const r = await client(t.url).post('/api/v1/auth/login', { appid: m.appid, code, ...(Object.keys(attribution).length ? { attribution } : {}) }, headers)
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`)
  return {
    token: r.body.token as string,
    user: r.body.user as { id: string; stage: string },
    openid,
    referral: r.body.referral as { status: string; referralId?: string; reason?: string; replayed?: boolean } | undefined,
    api: client(t.url, r.body.token),
  }
}

export async function inviteCodeOf(api: ReturnType<typeof client>): Promise<string> {
  const r = await api.get('/api/v1/referrals/invite')
  if (r.status !== 200) throw new Error(`invite failed: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body.code as string
}

export async function balanceOf(api: ReturnType<typeof client>): Promise<number> {
  return (await api.get('/api/v1/points')).body.balance as number
}

/** Drives a funnel milestone through the admin test hook (card_claimed -> member, purchased -> customer). */
export async function milestone(m: SeededMerchant, userId: string, type: 'card_claimed' | 'purchased') {
  const r = await m.admin.post('/admin/v1/funnel/events', { userId, type })
  if (r.status !== 200) throw new Error(`milestone failed: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

export async function setReferralPolicy(m: SeededMerchant, patch: Record<string, unknown>) {
  const current = (await m.admin.get('/admin/v1/referrals/policy')).body
  const { updatedAt: _u, ...rest } = current
  const r = await m.admin.put('/admin/v1/referrals/policy', { ...rest, ...patch })
  if (r.status !== 200) throw new Error(`policy failed: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}
