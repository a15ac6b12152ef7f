/**
 * What the browser e2e files share: one environment per file (H5 build, the real server on a fresh
 * database with a WeChat Pay merchant, the sandbox, a static server for dist/h5, Chromium), URL and
 * locator helpers, and reading the page's session. The files run in parallel jest workers; each has
 * its own server, database and browser, and only the H5 build is shared (h5.ts serialises it).
 */
import { expect } from '@jest/globals'
import type { Browser, Page } from 'playwright-core'
import { seedPayMerchant, startTestApp, type SeededPayMerchant, type TestApp } from '../src/support/harness'
import { chromiumAvailable, ensureH5Build, launchChromium, serveH5 } from './h5'

// Browser globals used inside page.evaluate callbacks (the tests compile without the DOM lib).
declare const localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void }

export type E2eEnv = {
  t: TestApp
  /** A merchant with WeChat Pay (payments and merchant transfers work against the sandbox). */
  m: SeededPayMerchant
  site: { url: string; close(): Promise<void> }
  browser: Browser
  /** Uncaught page errors of every page opened with phonePage(browser, env.pageErrors). */
  pageErrors: string[]
}

/** Builds H5 if stale, then starts server, sandbox, merchant, static site and Chromium. */
export async function startE2e(): Promise<E2eEnv> {
  await ensureH5Build((s) => console.log(s))
  const t = await startTestApp()
  const m = await seedPayMerchant(t)
  const site = await serveH5({ apiBase: t.url, sandboxBase: t.sandbox.url, appid: m.appid })
  const browser = await launchChromium()
  return { t, m, site, browser, pageErrors: [] }
}

export async function stopE2e(env: Partial<E2eEnv> | undefined): Promise<void> {
  await env?.browser?.close()
  await env?.site?.close()
  await env?.t?.close()
}

/** `describe` when Debian's Chromium is installed, else `describe.skip` with a warning. */
export function describeWithChromium(describe: { (name: string, fn: () => void): void; skip(name: string, fn: () => void): void }) {
  if (!chromiumAvailable()) console.warn('[e2e] /usr/bin/chromium is missing: browser tests skipped (apt-get install chromium)')
  return chromiumAvailable() ? describe : describe.skip
}

/**
 * The app at `route` (a page path, optionally with its query) as the simulated WeChat user `openid`;
 * `?phone=` answers the phone-number prompt. The hash router puts the page query after the route.
 */
export function appUrl(site: { url: string }, openid: string, route: string, extra = ''): string {
  return `${site.url}/?openid=${openid}&phone=13800138000${extra}#${route}`
}

/** Retries `read` until it yields `expected` (the UI settles after a server answer). */
export async function poll<T>(read: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  let last: T | undefined
  while (Date.now() < end) {
    last = await read()
    if (last === expected) return
    await new Promise((r) => setTimeout(r, 100))
  }
  expect(last).toEqual(expected)
}

/** The visible element with this text (Taro H5 keeps pages of the stack in the DOM, hidden). */
export const visibleText = (page: Page, text: string | RegExp) => page.getByText(text).filter({ visible: true }).first()
export const visible = (page: Page, selector: string) => page.locator(selector).filter({ visible: true }).first()

/** The user behind the page's stored session token (payload of `v1.<payload>.<mac>`). */
export async function sessionOf(page: Page): Promise<{ raw: string; token: string; userId: string; merchantId: string }> {
  const raw = await page.evaluate(() => localStorage.getItem('siyu.session'))
  expect(raw).toBeTruthy()
  const token = (JSON.parse(raw!) as { data: { token: string } }).data.token
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { u: string; m: string }
  return { raw: raw!, token, userId: claims.u, merchantId: claims.m }
}
