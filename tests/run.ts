/**
 * `npm test`: starts one embedded PostgreSQL for the whole run (or uses TEST_DATABASE_URL),
 * builds a migrated template database, then runs jest. Each test file clones the template into
 * its own database (tests/src/support/db.ts), so files run in parallel without sharing state.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client } from 'pg'
import { createDatabase } from '../server/src/db/client'
import { startEmbeddedPostgres } from '../server/src/db/embedded'
import { runMigrations } from '../server/src/db/migrate'

const TEMPLATE = 'siyu_template'

async function main() {
  const started = Date.now()
  let adminUrl = process.env.TEST_DATABASE_URL
  let stop: (() => Promise<void>) | null = null
  let dataDir: string | null = null
  if (!adminUrl) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siyu-test-pg-'))
    fs.chmodSync(dataDir, 0o755)
    // Throwaway data: durability off makes commit-heavy tests (ledgers, concurrency) much faster.
    const pg = await startEmbeddedPostgres(dataDir, { persistent: false, fsync: false })
    adminUrl = pg.url
    stop = pg.stop
  }
  const admin = new Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE}`)
  await admin.query(`CREATE DATABASE ${TEMPLATE}`)
  await admin.end()
  const templateUrl = withDatabase(adminUrl, TEMPLATE)
  const tpl = createDatabase(templateUrl, 1)
  await runMigrations(tpl.db)
  await tpl.close()
  console.log(`[test] PostgreSQL ready with migrated template in ${Date.now() - started} ms`)

  const jestBin = require.resolve('jest/bin/jest')
  const resultsFile = path.join(os.tmpdir(), `siyu-jest-${process.pid}.json`)
  const args = [jestBin, '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)]
  const code: number = await new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      stdio: 'inherit',
      env: { ...process.env, SIYU_TEST_ADMIN_URL: adminUrl, SIYU_TEST_TEMPLATE: TEMPLATE, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    })
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)))
  })
  try {
    const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number }
    // The plain closing line CI reads.
    console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)
    fs.rmSync(resultsFile, { force: true })
  } catch {
    /* jest did not write results (e.g. a config error); its exit code says enough */
  }
  await stop?.()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
  process.exit(code)
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url)
  u.pathname = `/${db}`
  return u.toString()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
