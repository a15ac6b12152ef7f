import { client, startTestApp, type TestApp } from '../../../../tests/src/support/harness'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

describe('operations endpoints', () => {
  it('healthz, readyz and metrics answer', async () => {
    const c = client(t.url)
    expect((await c.get('/healthz')).body).toEqual({ status: 'ok' })
    expect((await c.get('/readyz')).body).toEqual({ status: 'ready', database: 'ok' })
    await c.get('/healthz')
    const metrics = await c.get('/metrics')
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get('content-type')).toContain('text/plain')
    expect(metrics.body).toContain('siyu_http_request_duration_seconds_bucket')
    expect(metrics.body).toContain('process_resident_memory_bytes')
  })

  it('unknown routes are a JSON 404 with a request id, echoed from X-Request-Id when sane', async () => {
    const r = await client(t.url).get('/nope', { 'x-request-id': 'abc-123' })
    expect(r.status).toBe(404)
    expect(r.body.error).toMatchObject({ code: 'NOT_FOUND', requestId: 'abc-123' })
    expect(r.headers.get('x-request-id')).toBe('abc-123')
    const odd = await client(t.url).get('/nope', { 'x-request-id': 'bad id with spaces' })
    expect(odd.body.error.requestId).not.toBe('bad id with spaces')
  })

  it('an oversize body is a 413, never a 5xx', async () => {
    const big = JSON.stringify({ appid: 'x', code: 'y'.repeat(300 * 1024) })
    const r = await client(t.url).post('/api/v1/auth/login', big)
    expect(r.status).toBe(413)
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('a non-JSON content type on a JSON route is a 400', async () => {
    const r = await client(t.url).post('/api/v1/auth/login', 'appid=x&code=y', { 'content-type': 'application/x-www-form-urlencoded' })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('VALIDATION_FAILED')
  })

  it('readyz is 503 when the database is gone', async () => {
    const t2 = await startTestApp()
    await t2.pool.end()
    const r = await client(t2.url).get('/readyz')
    expect(r.status).toBe(503)
    expect(r.body.database).toBe('unreachable')
    await t2.close().catch(() => undefined)
  })
})
