import { ERROR_MESSAGES_ZH } from '@siyu/shared'
import { ALL_ERRORS, codeToStatus, translatePgError, type ErrorCode } from './errors'

describe('error codes', () => {
  it('every code the server can answer with has a Chinese text for the mini-program', () => {
    const missing = Object.keys(ALL_ERRORS).filter((c) => !ERROR_MESSAGES_ZH[c])
    expect(missing).toEqual([])
  })
  it('maps every code to a 4xx, except the two server-side failures', () => {
    for (const code of Object.keys(ALL_ERRORS) as ErrorCode[]) {
      const s = codeToStatus(code)
      if (code === 'INTERNAL' || code === 'WECHAT_UNAVAILABLE') expect(s).toBeGreaterThanOrEqual(500)
      else expect(s >= 400 && s < 500).toBe(true)
    }
  })
  it('a database function refusal (SQLSTATE SY001) becomes the API error it names, with its details', () => {
    const e = translatePgError({ code: 'SY001', message: 'POINTS_INSUFFICIENT', detail: '{"balance":5,"needed":10}' })
    expect(e).toMatchObject({ code: 'POINTS_INSUFFICIENT', details: { balance: 5, needed: 10 } })
    expect(translatePgError({ code: 'SY001', message: 'NOT_A_CODE' })).toBeNull()
  })
})
