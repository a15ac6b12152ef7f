/**
 * `npm run bench [-- scenario ...]`: starts PostgreSQL (embedded), the WeChat sandbox and the
 * server as separate processes (so the load generator does not share the server's event loop),
 * runs each scenario with autocannon at 32 connections, and prints req/s, p50, p99 and the
 * server's peak RSS. Scenarios live in ./scenarios; `foundation` first.
 * Env: BENCH_DURATION (seconds per phase, default 10), BENCH_CONNECTIONS (default 32),
 * BENCH_PG_STATEMENTS=1 (after each phase, PostgreSQL's own account of where its time went: the top
 * statements from pg_stat_statements, nested ones inside functions included).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg_ from 'pg'
import { startEmbeddedPostgres, freePort } from '../../server/src/db/embedded'
import { DEMO_APP_SECRET } from '../../server/src/demo'
import { peakRssMb, printRows, runLoad, type BenchContext, type BenchRow } from './lib'

const { Client } = pg_
const ROOT = path.resolve(__dirname, '../..')
const ADMIN_KEY = 'sk_bench_admin_key_for_local_measurements'

function startProcess(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d}`))
  child.stdout?.resume()
  return child
}

async function waitFor(url: string, ms = 60_000) {
  const until = Date.now() + ms
  for (;;) {
    try {
      const r = await fetch(url)
      if (r.ok) return
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${url}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

function findPgbench(): string | null {
  for (const p of ['/usr/lib/postgresql/15/bin/pgbench', '/usr/lib/postgresql/16/bin/pgbench', '/usr/lib/postgresql/17/bin/pgbench']) if (fs.existsSync(p)) return p
  const w = spawnSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' })
  return w.status === 0 ? w.stdout.trim() : null
}

/**
 * One benchmark at a time per machine: two runs at once measure each other. Waits for a running one
 * (a lock file holding its pid; a dead pid's lock is taken over).
 */
async function benchLock(): Promise<() => void> {
  const file = path.join(os.tmpdir(), 'siyu-bench.lock')
  for (let waited = 0; ; waited++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' })
      return () => fs.rmSync(file, { force: true })
    } catch {
      const pid = Number(fs.readFileSync(file, 'utf8').trim())
      let alive = false
      try {
        process.kill(pid, 0)
        alive = pid > 0
      } catch {
        /* no such process */
      }
      if (!alive) {
        fs.rmSync(file, { force: true })
        continue
      }
      if (waited === 0) console.log(`waiting for the benchmark run by pid ${pid} to finish (${file})`)
      await new Promise((r) => setTimeout(r, 1000))
    }
  }
}

/** pg_stat_statements for BENCH_PG_STATEMENTS=1: reset before a phase, the top statements by time after it. */
async function statementStats(url: string) {
  const client = new Client({ connectionString: url })
  await client.connect()
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
  return {
    async reset() {
      await client.query('SELECT pg_stat_statements_reset()')
      await client.query('SELECT pg_stat_reset()')
    },
    async print(scenario: string, requests: number) {
      const { rows } = await client.query<{ calls: string; ms: number; plan_ms: number; query: string; level: number }>(
        `SELECT calls, total_exec_time AS ms, total_plan_time AS plan_ms, toplevel::int AS level, regexp_replace(query, '[[:space:]]+', ' ', 'g') AS query
         FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time + total_plan_time DESC LIMIT 15`,
      )
      console.log(`\n[pg_stat_statements] ${scenario}: per request (${requests}) — ms exec, ms plan, calls, top-level?, statement`)
      for (const r of rows) {
        const per = (v: number) => (v / Math.max(1, requests)).toFixed(3)
        console.log(`  ${per(r.ms)}  ${per(r.plan_ms)}  ${(Number(r.calls) / Math.max(1, requests)).toFixed(2)}  ${r.level ? 'top' : 'nested'}  ${r.query.slice(0, 150)}`)
      }
      // sequential scans on the hot path are almost always a plan made when the table was small
      await new Promise((r) => setTimeout(r, 1200)) // backends flush their table counters about once a second
      const scans = await client.query<{ relname: string; seq_scan: string; seq_tup_read: string; idx_scan: string }>(
        `SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0) AS idx_scan FROM pg_stat_user_tables WHERE seq_tup_read > 0 ORDER BY seq_tup_read DESC LIMIT 8`,
      )
      for (const r of scans.rows) console.log(`  seq scans of ${r.relname}: ${r.seq_scan} (${r.seq_tup_read} rows read), index scans ${r.idx_scan}`)
    },
    close: () => client.end(),
  }
}

async function main() {
  const unlock = await benchLock()
  process.on('exit', unlock)
  const wanted = process.argv.slice(2)
  const duration = Number(process.env.BENCH_DURATION ?? 10)
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 32)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siyu-bench-'))
  fs.chmodSync(dataDir, 0o755)
  const statements = process.env.BENCH_PG_STATEMENTS === '1'
  const pg = await startEmbeddedPostgres(dataDir, {
    persistent: false,
    extraFlags: statements ? ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track=all', '-c', 'track_functions=all'] : [],
  })
  const stats = statements ? await statementStats(pg.url) : null
  const [sandboxPort, serverPort] = [await freePort(), await freePort()]
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`
  const serverUrl = `http://127.0.0.1:${serverPort}`
  const sandbox = startProcess('sandbox', 'tests/src/sandbox/main.ts', { WECHAT_SANDBOX_PORT: String(sandboxPort) })
  await waitFor(`${sandboxUrl}/__sim/keys`)
  const server = startProcess('server', 'server/src/main.ts', {
    NODE_ENV: 'production',
    DATABASE_URL: pg.url,
    DATABASE_POOL_MAX: '20',
    WECHAT_API_BASE: sandboxUrl,
    WECHAT_PAY_API_BASE: sandboxUrl,
    PUBLIC_BASE_URL: serverUrl,
    PORT: String(serverPort),
    HOST: '127.0.0.1',
    SIYU_DATA_DIR: dataDir,
    SIYU_TOKEN_SECRET: 'bench-token-secret-bench-token-secret-0123',
    DEMO_ADMIN_KEY: ADMIN_KEY,
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
  // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server under load
  }, process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean))
  const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null ? r() : c.once('exit', () => r())))
  const cleanup = async () => {
    // the server first, so it closes its pool before PostgreSQL goes away
    server.kill('SIGTERM')
    await Promise.race([exited(server), new Promise((r) => setTimeout(r, 5000))])
    sandbox.kill('SIGTERM')
    await stats?.close()
    await pg.stop().catch(() => undefined)
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    await waitFor(`${serverUrl}/readyz`)
    const appid = 'wx_demo_siyu'
    await fetch(`${sandboxUrl}/__sim/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appid, secret: DEMO_APP_SECRET }) })
    const stores = (await (await fetch(`${serverUrl}/admin/v1/stores`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as { items: { id: string }[] }

    let pgbenchCache: number | null | undefined
    const pgbenchEnv = () => {
      const u = new URL(pg.url)
      return {
        env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) },
        // the same transport as the server's pool (the embedded server's Unix socket when it has one)
        common: ['-h', u.searchParams.get('host') ?? u.hostname, '-p', u.port, '-U', decodeURIComponent(u.username)],
        database: u.pathname.slice(1),
      }
    }
    const ctx: BenchContext = {
      serverUrl,
      sandboxUrl,
      databaseUrl: pg.url,
      appid,
      adminKey: ADMIN_KEY,
      storeId: stores.items[0]!.id,
      serverPid: server.pid!,
      duration,
      connections,
      async mintLoginCodes(n, openids) {
        const out: { openid: string; code: string }[] = []
        const batch = 64
        for (let i = 0; i < n; i += batch) {
          const part = await Promise.all(
            Array.from({ length: Math.min(batch, n - i) }, async (_, j) => {
              const openid = openids?.[i + j] ?? `obench${process.pid}_${Date.now().toString(36)}_${i + j}`
              const r = await fetch(`${sandboxUrl}/__sim/login-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appid, openid }) })
              return { openid, code: ((await r.json()) as { code: string }).code }
            }),
          )
          out.push(...part)
        }
        return out
      },
      async loginUsers(n, prefix) {
        const codes = await ctx.mintLoginCodes(n, Array.from({ length: n }, (_, i) => `o${prefix}_${i}`))
        const users: { userId: string; token: string; openid: string }[] = []
        for (let i = 0; i < codes.length; i += 32) {
          const part = await Promise.all(
            codes.slice(i, i + 32).map(async (c) => {
              const r = await ctx.post<{ token: string; user: { id: string } }>('/api/v1/auth/login', { appid, code: c.code })
              return { userId: r.body.user.id, token: r.body.token, openid: c.openid }
            }),
          )
          users.push(...part)
        }
        return users
      },
      async load(scenario, opts) {
        await stats?.reset()
        const row = await runLoad(serverUrl, scenario, opts, { connections, duration, serverPid: server.pid! })
        if (stats) await stats.print(scenario, row.requests)
        return row
      },
      async pgbenchTps() {
        if (pgbenchCache !== undefined) return pgbenchCache
        const bin = findPgbench()
        if (!bin) return (pgbenchCache = null)
        const { env, common } = pgbenchEnv()
        spawnSync(path.join(path.dirname(bin), 'createdb'), [...common, 'pgbench'], { env })
        const init = spawnSync(bin, [...common, '-i', '-s', '10', '-q', 'pgbench'], { env, encoding: 'utf8' })
        if (init.status !== 0) {
          console.error(init.stderr)
          return (pgbenchCache = null)
        }
        const r = spawnSync(bin, [...common, '-c', '16', '-j', '2', '-T', '15', '-b', 'tpcb-like', 'pgbench'], { env, encoding: 'utf8' })
        const m = /tps = ([\d.]+)/.exec(r.stdout)
        pgbenchCache = m ? Math.round(Number(m[1])) : null
        return pgbenchCache
      },
      async pgbenchScript(name, script) {
        const bin = findPgbench()
        if (!bin) return null
        const { env, common, database } = pgbenchEnv()
        const file = path.join(os.tmpdir(), `siyu-pgbench-${process.pid}-${name}.sql`)
        fs.writeFileSync(file, script)
        const r = spawnSync(bin, [...common, '-n', '-M', 'prepared', '-c', '16', '-j', '2', '-T', '15', '-f', file, database], { env, encoding: 'utf8' })
        fs.rmSync(file, { force: true })
        const m = /tps = ([\d.]+)/.exec(r.stdout)
        if (!m) console.error(`pgbench ${name}: ${r.stderr}`)
        return m ? Math.round(Number(m[1])) : null
      },
      async post(p, body, token) {
        const r = await fetch(serverUrl + p, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        })
        return { status: r.status, body: (await r.json().catch(() => null)) as never }
      },
      async get(p, token) {
        const r = await fetch(serverUrl + p, { headers: token ? { authorization: `Bearer ${token}` } : {} })
        return { status: r.status, body: (await r.json().catch(() => null)) as never }
      },
    }

    const dir = path.join(__dirname, 'scenarios')
    const names = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort((a, b) => (a === 'foundation' ? -1 : b === 'foundation' ? 1 : a.localeCompare(b)))
      .filter((n) => wanted.length === 0 || wanted.includes(n))
    console.log(`Siyu bench: ${connections} connections, ${duration} s per phase, scenarios: ${names.join(', ')}`)
    console.log(`machine: ${os.cpus().length} cores, node ${process.version}\n`)
    const rows: BenchRow[] = []
    for (const name of names) {
      const mod = (await import(path.join(dir, `${name}.ts`))) as { run(ctx: BenchContext): Promise<BenchRow[]> }
      const got = await mod.run(ctx)
      rows.push(...got)
      printRows(got)
      console.log(`server peak RSS so far: ${peakRssMb(server.pid!) ?? '?'} MB\n`)
    }
    console.log('Summary')
    printRows(rows)
    const select1 = rows.find((r) => r.scenario.startsWith('SELECT 1'))
    if (select1) {
      for (const r of rows) if (r !== select1 && r.reqPerSec > 0) console.log(`  ${r.scenario}: ${(r.reqPerSec / select1.reqPerSec).toFixed(3)} x SELECT 1 rate`)
    }
    console.log(`server peak RSS: ${peakRssMb(server.pid!) ?? '?'} MB`)
  } finally {
    await cleanup()
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  },
)
