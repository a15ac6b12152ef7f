import { client, loginAs, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'

let t: TestApp
let m: SeededMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedMerchant(t)
})
afterAll(() => t.close())

describe('/admin/v1/users/:id/tags', () => {
  it('adds (deduplicated, kept), lists and removes tags', async () => {
    const u = await loginAs(t, m)
    expect((await m.admin.post(`/admin/v1/users/${u.user.id}/tags`, { tags: ['vip', 'vip', '老客'] })).body).toEqual({ tags: ['vip', '老客'] })
    expect((await m.admin.post(`/admin/v1/users/${u.user.id}/tags`, { tags: ['vip', 'b'] })).body).toEqual({ tags: ['b', 'vip', '老客'] })
    expect((await m.admin.del(`/admin/v1/users/${u.user.id}/tags/${encodeURIComponent('老客')}`)).body).toEqual({ tags: ['b', 'vip'] })
    expect((await m.admin.get(`/admin/v1/users/${u.user.id}/tags`)).body).toEqual({ tags: ['b', 'vip'] })
  })

  it('validates, and scopes by merchant: 400, 401, 403, 404', async () => {
    const u = await loginAs(t, m)
    for (const body of [{}, { tags: [] }, { tags: [''] }, { tags: ['x'.repeat(33)] }, { tags: ['a'], extra: 1 }]) {
      expect((await m.admin.post(`/admin/v1/users/${u.user.id}/tags`, body)).status).toBe(400)
    }
    expect((await client(t.url).get(`/admin/v1/users/${u.user.id}/tags`)).status).toBe(401)
    expect((await u.api.get(`/admin/v1/users/${u.user.id}/tags`)).status).toBe(403)
    const other = await seedMerchant(t)
    const r = await other.admin.post(`/admin/v1/users/${u.user.id}/tags`, { tags: ['x'] })
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('USER_NOT_FOUND')
    expect((await t.pool.query('select count(*)::int as n from user_tags where user_id = $1', [u.user.id])).rows[0].n).toBe(0)
  })
})
