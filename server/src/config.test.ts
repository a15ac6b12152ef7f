import { loadConfig } from './config'

describe('config', () => {
  it('applies defaults', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({ PORT: 3000, WECHAT_SANDBOX_PORT: 3100, DEMO_APPID: 'wx_demo_siyu', NODE_ENV: 'development' })
    expect(c.DATABASE_URL).toBeUndefined()
  })
  it('fails fast naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/)
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SIYU_TOKEN_SECRET/)
  })
})
