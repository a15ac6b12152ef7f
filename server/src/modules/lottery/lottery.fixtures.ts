/**
 * Test fixtures for lottery and coupon tests (integration tests and the benchmark): users created
 * straight in the database with real session tokens (thousands in seconds, no WeChat round trip),
 * points credited through the real ledger. Not used by the server.
 */
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { Db } from '../../db/client'
import type { TokenService } from '../auth/tokens'
import * as membersService from '../members/members.service'
import * as pointsService from '../points/points.service'

export type FixtureUser = { userId: string; token: string }

export async function createUsers(deps: { db: Db; tokens: TokenService }, m: { merchantId: string; appid: string }, n: number): Promise<FixtureUser[]> {
  const out: FixtureUser[] = []
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, async () => {
        const { user } = await membersService.upsertOnLogin(deps.db, {
          merchantId: m.merchantId,
          appid: m.appid,
          openid: `o_fx_${randomBytes(9).toString('base64url')}`,
          unionid: null,
          sessionKey: randomBytes(16).toString('base64'),
        })
        return { userId: user.id, token: deps.tokens.issue(user.id, m.merchantId).token }
      }),
    )
    out.push(...batch)
  }
  return out
}

export async function grantPoints(db: Db, merchantId: string, userIds: string[], amount: number, now: Date) {
  for (let i = 0; i < userIds.length; i += 50) {
    await Promise.all(
      userIds.slice(i, i + 50).map((userId) =>
        db.transaction((tx) =>
          pointsService.earn(tx, { merchantId, userId, amount, reasonCode: 'test_grant', idempotencyKey: `grant:${userId}:${randomBytes(6).toString('hex')}`, now }),
        ),
      ),
    )
  }
}

/**
 * A JSON POST over node:http through `agent`. Thousands of concurrent requests through one agent with
 * a bounded socket pool queue on the client instead of overflowing the server's accept backlog (511)
 * on a loaded machine; the database sees at most its pool size of concurrent transactions anyway.
 */
export function postJson(agent: http.Agent, url: string, token: string, body: unknown): Promise<{ status: number; body: any }> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined })
          } catch {
            resolve({ status: res.statusCode ?? 0, body: text })
          }
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}
