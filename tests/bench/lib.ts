import autocannon from 'autocannon'
import fs from 'node:fs'

/** One measured line of the bench report. */
export type BenchRow = {
  scenario: string
  reqPerSec: number
  /** null for a row measured by pgbench (it reports throughput only here) */
  p50ms: number | null
  p99ms: number | null
  requests: number
  non2xx: number
  errors: number
  /** CPU time per request (ms) of the server process and of all PostgreSQL processes during the phase (Linux /proc). */
  serverCpuMs?: number | null
  pgCpuMs?: number | null
  note?: string
}

export type BenchContext = {
  serverUrl: string
  sandboxUrl: string
  /** The server's database (for pgbench comparisons and bare-pool baselines). */
  databaseUrl: string
  appid: string
  adminKey: string
  storeId: string
  serverPid: number
  /** Seconds each load phase runs (BENCH_DURATION, default 10). */
  duration: number
  connections: number
  /** Mints `n` single-use login codes in the sandbox (test hook), for fresh openids unless given. */
  mintLoginCodes(n: number, openids?: string[]): Promise<{ openid: string; code: string }[]>
  /** Logs `n` distinct users in, returns their tokens (fired with bounded concurrency). */
  loginUsers(n: number, prefix: string): Promise<{ userId: string; token: string; openid: string }[]>
  /** Runs autocannon against the server and returns the row. */
  load(scenario: string, opts: LoadOptions): Promise<BenchRow>
  /** pgbench tpcb-like TPS on the same PostgreSQL server, or null when pgbench is not installed. */
  pgbenchTps(): Promise<number | null>
  /**
   * TPS of a custom pgbench script (prepared statements, 16 clients, 15 s) against the server's own
   * database, or null without pgbench: what the database alone does for a request's SQL, with no Node.
   */
  pgbenchScript(name: string, script: string): Promise<number | null>
  post<T = any>(path: string, body: unknown, token?: string): Promise<{ status: number; body: T }>
  get<T = any>(path: string, token?: string): Promise<{ status: number; body: T }>
}

export type LoadOptions = {
  method?: 'GET' | 'POST' | 'PUT'
  path: string
  headers?: Record<string, string>
  body?: string
  /** Per-request mutation, e.g. rotate through tokens or pre-minted codes. */
  setupRequest?: (req: { method?: string; path?: string; headers?: Record<string, string>; body?: string }) => { method?: string; path?: string; headers?: Record<string, string>; body?: string }
  connections?: number
  duration?: number
  /** Stop after this many requests instead of after `duration` (for finite inputs such as single-use codes). */
  amount?: number
}

/** CPU seconds (user + system) used so far by the server process and by each PostgreSQL process; null off Linux. */
export function cpuSeconds(serverPid: number): { server: number; pg: Map<string, number> } | null {
  const ticks = (pid: string) => {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / 100 // utime + stime, in USER_HZ (100 on Linux)
  }
  try {
    const pg = new Map<string, number>()
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue
      try {
        if (fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').startsWith('postgres')) pg.set(d, ticks(d))
      } catch {
        /* the process ended meanwhile */
      }
    }
    return { server: ticks(String(serverPid)), pg }
  } catch {
    return null
  }
}

/** PostgreSQL CPU between two readings: per process, so backends that exited in between don't count negative. */
function pgDelta(before: Map<string, number>, after: Map<string, number>): number {
  let sum = 0
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? 0)
  return sum
}

export async function runLoad(baseUrl: string, scenario: string, opts: LoadOptions, defaults: { connections: number; duration: number; serverPid?: number }): Promise<BenchRow> {
  const before = defaults.serverPid ? cpuSeconds(defaults.serverPid) : null
  const result = await autocannon({
    url: baseUrl,
    connections: opts.connections ?? defaults.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration ?? defaults.duration }),
    requests: [
      {
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: { 'content-type': 'application/json', ...(opts.headers ?? {}) },
        body: opts.body,
        setupRequest: opts.setupRequest as never,
      },
    ],
  })
  const after = defaults.serverPid ? cpuSeconds(defaults.serverPid) : null
  const perRequest = (seconds: number | null) => (seconds === null || result.requests.total === 0 ? null : Math.round((seconds / result.requests.total) * 1e5) / 100)
  return {
    scenario,
    serverCpuMs: perRequest(before && after ? after.server - before.server : null),
    pgCpuMs: perRequest(before && after ? pgDelta(before.pg, after.pg) : null),
    reqPerSec: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }
}

/** The row of a pgbench-driven phase: throughput only, with its ratio to tpcb-like when known. */
export function pgbenchRow(scenario: string, tps: number, tpcb: number | null, note: string): BenchRow {
  const ratio = tpcb ? `${(tps / tpcb).toFixed(2)} x pgbench tpcb-like: the database's ceiling for this request` : ''
  return { scenario, reqPerSec: tps, p50ms: null, p99ms: null, requests: 0, non2xx: 0, errors: 0, note: [note, ratio].filter(Boolean).join('; ') }
}

/** Peak resident memory of a process (VmHWM), in MB. */
export function peakRssMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const m = /VmHWM:\s+(\d+) kB/.exec(status)
    return m ? Math.round(Number(m[1]) / 1024) : null
  } catch {
    return null
  }
}

export function printRows(rows: BenchRow[]) {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx', 'errors', 'cpu ms/req server+pg', 'note']
  const cpu = (r: BenchRow) => (r.serverCpuMs == null ? '' : `${r.serverCpuMs.toFixed(2)} + ${r.pgCpuMs?.toFixed(2) ?? '?'}`)
  const lines = rows.map((r) => [r.scenario, String(r.reqPerSec), String(r.p50ms ?? ''), String(r.p99ms ?? ''), String(r.requests), String(r.non2xx), String(r.errors), cpu(r), r.note ?? ''])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const fmt = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  console.log(fmt(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const l of lines) console.log(fmt(l))
}
