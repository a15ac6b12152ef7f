import { ERROR_MESSAGES_ZH } from '@siyu/shared'
import { ALL_ERRORS, codeToStatus, type ErrorCode } from './errors'

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
})
