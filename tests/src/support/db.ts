import { randomBytes } from 'node:crypto'
import { Client } from 'pg'
import { createDatabase, type Database } from '../../../server/src/db/client'

/**
 * A fresh, migrated database for one test file: a clone of the template that `npm test` built.
 * Real PostgreSQL, no mocks. Drop it with `close()`.
 */
export async function createTestDatabase(): Promise<Database & { url: string }> {
  const adminUrl = process.env.SIYU_TEST_ADMIN_URL
  const template = process.env.SIYU_TEST_TEMPLATE
  if (!adminUrl || !template) throw new Error('Run the tests with `npm test` (it starts PostgreSQL and sets SIYU_TEST_ADMIN_URL)')
  const name = `t_${randomBytes(6).toString('hex')}`
  const admin = new Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`)
  } finally {
    await admin.end()
  }
  const u = new URL(adminUrl)
  u.pathname = `/${name}`
  const database = createDatabase(u.toString(), 30)
  return {
    ...database,
    url: u.toString(),
    async close() {
      await database.close()
      const a = new Client({ connectionString: adminUrl })
      await a.connect()
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined)
      await a.end()
    },
  }
}
