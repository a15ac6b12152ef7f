import path from 'node:path'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import type { Db } from './client'

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../drizzle')

/** Apply the committed drizzle-kit migrations (idempotent; drizzle takes its own lock table). */
export async function runMigrations(db: Db): Promise<void> {
  await migrate(db, { migrationsFolder: MIGRATIONS_DIR })
}
