import type { DbOrTx } from '../db/client'
import { sql } from 'drizzle-orm'
import { Client } from 'pg'

/**
 * Per-merchant configuration caches (policies, tiers, campaign definitions): read on every hot request,
 * written by an admin a few times a month. Entries live `ttlMs` at most. A write calls
 * `merchantConfigChanged`, which drops the merchant's entries in this process at once and, through
 * PostgreSQL NOTIFY (delivered when the writing transaction commits), in every other server process
 * that runs `listenForConfigChanges` (main.ts does). The TTL bounds staleness if a notification is
 * ever missed (e.g. a listener reconnecting).
 */
export const CONFIG_CHANNEL = 'siyu_merchant_config'

type Entry<V> = { value: Promise<V>; until: number }
const caches = new Set<MerchantCache<unknown>>()

export class MerchantCache<V> {
  private readonly entries = new Map<string, Entry<V>>()
  /** `maxEntries`: past it the oldest entry goes (per-user keys must not grow without bound). */
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {
    caches.add(this as MerchantCache<unknown>)
  }

  /** The cached value for (merchant, key), loading it once when missing or stale (concurrent callers share the load). */
  get(merchantId: string, load: () => Promise<V>, key = ''): Promise<V> {
    const k = `${merchantId}|${key}`
    const now = performance.now()
    const hit = this.entries.get(k)
    if (hit && hit.until > now) return hit.value
    const value = load()
    this.entries.delete(k)
    this.entries.set(k, { value, until: now + this.ttlMs })
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
    // a failed load is not cached
    value.catch(() => {
      if (this.entries.get(k)?.value === value) this.entries.delete(k)
    })
    return value
  }

  clear() {
    this.entries.clear()
  }

  dropMerchant(merchantId: string) {
    const prefix = `${merchantId}|`
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k)
  }
}

export function dropMerchantConfig(merchantId: string) {
  for (const c of caches) c.dropMerchant(merchantId)
}

/** After writing a merchant's configuration (in `db`, possibly the caller's transaction). */
export async function merchantConfigChanged(db: DbOrTx, merchantId: string) {
  dropMerchantConfig(merchantId)
  await db.execute(sql`SELECT pg_notify(${CONFIG_CHANNEL}, ${merchantId})`)
}

/**
 * Keeps one connection (its own, outside the request pool) LISTENing on the config channel and drops
 * what other processes changed. Reconnects after a lost connection, and then drops everything: some
 * notifications may have been missed meanwhile.
 */
export function listenForConfigChanges(databaseUrl: string, onError: (e: Error) => void = () => undefined): { stop(): Promise<void> } {
  let stopped = false
  let client: Client | null = null
  let retry: NodeJS.Timeout | null = null
  const reconnectLater = () => {
    for (const cache of caches) cache.clear()
    if (!stopped) retry = setTimeout(() => void connect(), 1000)
  }
  const connect = async () => {
    const c = new Client({ connectionString: databaseUrl })
    c.on('notification', (m) => {
      if (m.channel === CONFIG_CHANNEL && m.payload) dropMerchantConfig(m.payload)
    })
    c.on('error', (e) => {
      onError(e)
      client = null
      void c.end().catch(() => undefined)
      reconnectLater()
    })
    try {
      await c.connect()
      await c.query(`LISTEN ${CONFIG_CHANNEL}`)
      if (stopped) return void (await c.end())
      client = c
    } catch (e) {
      onError(e as Error)
      void c.end().catch(() => undefined)
      reconnectLater()
    }
  }
  void connect()
  return {
    async stop() {
      stopped = true
      if (retry) clearTimeout(retry)
      const c = client
      client = null
      await c?.end().catch(() => undefined)
    },
  }
}
