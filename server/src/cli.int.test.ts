import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { createTestDatabase } from '../../tests/src/support/db'

const ROOT = path.resolve(__dirname, '../..')

function siyu(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'server/src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  })
}

describe('npm run siyu -- merchant create', () => {
  it('creates a merchant and prints {merchantId, appid, adminKey}; the key works and is stored hashed', async () => {
    const db = await createTestDatabase()
    try {
      const r = siyu(['merchant', 'create', '--name', '测试商户', '--appid', 'wx_cli_test'], { DATABASE_URL: db.url })
      expect(r.status).toBe(0)
      const out = JSON.parse(r.stdout.trim())
      expect(out).toEqual({ merchantId: expect.any(String), appid: 'wx_cli_test', adminKey: expect.stringMatching(/^sk_/) })
      const keys = await db.pool.query('select key_hash from admin_keys where merchant_id = $1', [out.merchantId])
      expect(keys.rows).toHaveLength(1)
      expect(keys.rows[0].key_hash).not.toContain(out.adminKey)

      const dup = siyu(['merchant', 'create', '--name', 'x', '--appid', 'wx_cli_test'], { DATABASE_URL: db.url })
      expect(dup.status).toBe(1)
      expect(JSON.parse(dup.stderr.trim()).error.code).toBe('APPID_TAKEN')

      const usage = siyu(['merchant', 'create', '--name', 'x'], { DATABASE_URL: db.url })
      expect(usage.status).toBe(2)
      expect(usage.stderr).toContain('Usage')
    } finally {
      await db.close()
    }
  })
})
