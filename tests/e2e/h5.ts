/**
 * Browser end-to-end support: builds the mini-program's H5 bundle when it is missing or older
 * than its sources, serves it with a tiny static server that injects the runtime config
 * (`window.__SIYU_CONFIG__`: API base, sandbox base, appid — the test ports are random), and
 * launches Debian's Chromium through playwright-core (never a downloaded browser).
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

export const ROOT = path.resolve(__dirname, '../..')
export const H5_DIST = path.join(ROOT, 'miniprogram/dist/h5')
export const ARTIFACTS = path.join(ROOT, 'test-artifacts/e2e')
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const SOURCES = ['miniprogram/src', 'miniprogram/config', 'miniprogram/babel.config.js', 'miniprogram/package.json', 'shared/src'].map((p) => path.join(ROOT, p))

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0
  const st = fs.statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = st.mtimeMs
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)))
  return newest
}

/** Why the H5 build must be (re)made, or null when dist/h5 is newer than every source. */
export function h5BuildReason(): string | null {
  const index = path.join(H5_DIST, 'index.html')
  if (!fs.existsSync(index)) return 'miniprogram/dist/h5 is missing'
  const built = fs.statSync(index).mtimeMs
  const newest = Math.max(...SOURCES.map(newestMtime))
  return newest > built ? 'sources changed since the last H5 build' : null
}

/**
 * `taro build --type h5` (≈35-100 s on two cores). Runs inside the test file's beforeAll rather
 * than a jest globalSetup: only this suite needs it, and a plain `npm test -- <other file>` must
 * not pay for it.
 */
export async function ensureH5Build(log: (s: string) => void = () => undefined): Promise<void> {
  if (!h5BuildReason()) return
  // Several e2e files may start at once (jest workers): one builds, the others wait and re-check.
  await withBuildLock(log, () => buildH5(log))
}

const LOCK = path.join(ROOT, 'miniprogram/dist/.h5-build.lock')
/** A lock older than this is left over from a killed run. */
const LOCK_STALE_MS = 15 * 60_000

async function withBuildLock(log: (s: string) => void, fn: () => Promise<void>): Promise<void> {
  let waited = false
  fs.mkdirSync(path.dirname(LOCK), { recursive: true })
  for (;;) {
    try {
      fs.mkdirSync(LOCK) // atomic: exactly one process creates it
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      try {
        if (Date.now() - fs.statSync(LOCK).mtimeMs > LOCK_STALE_MS) fs.rmSync(LOCK, { recursive: true, force: true })
      } catch {
        /* released meanwhile */
      }
      if (!waited) log('[e2e] another test file is building H5; waiting…')
      waited = true
      await new Promise((r) => setTimeout(r, 1000))
    }
  }
  try {
    await fn()
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true })
  }
}

async function buildH5(log: (s: string) => void): Promise<void> {
  const reason = h5BuildReason()
  if (!reason) return
  log(`[e2e] building H5 (${reason})…`)
  const started = Date.now()
  const taro = path.join(ROOT, 'node_modules/.bin/taro')
  const out: string[] = []
  const code = await new Promise<number>((resolve) => {
    const child = spawn(taro, ['build', '--type', 'h5'], {
      cwd: path.join(ROOT, 'miniprogram'),
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.on('data', (d: Buffer) => out.push(d.toString()))
    child.stderr.on('data', (d: Buffer) => out.push(d.toString()))
    child.on('exit', (c) => resolve(c ?? 1))
  })
  if (code !== 0) throw new Error(`H5 build failed (exit ${code}):\n${out.join('').slice(-4000)}`)
  log(`[e2e] H5 built in ${Math.round((Date.now() - started) / 1000)} s`)
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
}

export type RuntimeConfig = { apiBase: string; sandboxBase: string; appid: string }

/** Serves dist/h5 on 127.0.0.1:<free port>; index.html gets the runtime config as its first script. */
export async function serveH5(config: RuntimeConfig): Promise<{ url: string; close(): Promise<void> }> {
  const inject = `<script>window.__SIYU_CONFIG__=${JSON.stringify(config).replace(/</g, '\\u003c')}</script>`
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    const rel = urlPath === '/' ? 'index.html' : urlPath.replace(/^\/+/, '')
    const file = path.resolve(H5_DIST, rel)
    if (!file.startsWith(H5_DIST + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found')
      return
    }
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream'
    if (rel === 'index.html') {
      const html = fs.readFileSync(file, 'utf8').replace('<head>', `<head>${inject}`)
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(html)
      return
    }
    res.writeHead(200, { 'content-type': type })
    fs.createReadStream(file).pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM)
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  })
}

/**
 * A phone-sized page (iPhone 12/13 viewport) collecting uncaught page errors. Reduced motion stops
 * decorative loops (a pulsing button is never "stable" for a click); the lottery spin still runs.
 */
export async function phonePage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' })
  const page = await context.newPage()
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  return page
}

/** Saves a full-page screenshot as test-artifacts/e2e/<name>.png. */
export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  const file = path.join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}
