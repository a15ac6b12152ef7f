import { randomUUID } from 'node:crypto'
import { Client } from 'pg'
import { createTestDatabase } from '../../../tests/src/support/db'
import { CONFIG_CHANNEL, listenForConfigChanges, MerchantCache, merchantConfigChanged } from './cache'

describe('merchant config cache', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database.close()
  })

  it('loads once, shares concurrent loads, and does not keep a failed load', async () => {
    const cache = new MerchantCache<number>(60_000)
    const m = randomUUID()
    let loads = 0
    const load = async () => ++loads
    const [a, b] = await Promise.all([cache.get(m, load), cache.get(m, load)])
    expect([a, b, loads]).toEqual([1, 1, 1])
    await expect(cache.get(randomUUID(), () => Promise.reject(new Error('db down')))).rejects.toThrow('db down')
    const other = randomUUID()
    await expect(cache.get(other, () => Promise.reject(new Error('db down')))).rejects.toThrow()
    expect(await cache.get(other, async () => 7)).toBe(7)
  })

  it('a write in this process drops the merchant at once, other merchants stay cached', async () => {
    const cache = new MerchantCache<string>(60_000)
    const [m1, m2] = [randomUUID(), randomUUID()]
    await cache.get(m1, async () => 'old')
    await cache.get(m2, async () => 'kept')
    await merchantConfigChanged(database.db, m1)
    expect(await cache.get(m1, async () => 'new')).toBe('new')
    expect(await cache.get(m2, async () => 'reloaded')).toBe('kept')
  })

  it('a NOTIFY from another connection (another server process) drops the merchant here', async () => {
    const cache = new MerchantCache<string>(60_000)
    const m = randomUUID()
    const listener = listenForConfigChanges(database.url)
    const other = new Client({ connectionString: database.url })
    await other.connect()
    try {
      await cache.get(m, async () => 'old')
      // the listener connects asynchronously: notify until the cached value is gone
      let value = 'old'
      for (let i = 0; i < 100 && value === 'old'; i++) {
        await other.query('SELECT pg_notify($1, $2)', [CONFIG_CHANNEL, m])
        await new Promise((r) => setTimeout(r, 50))
        value = await cache.get(m, async () => 'new')
      }
      expect(value).toBe('new')
    } finally {
      await other.end()
      await listener.stop()
    }
  })
})
