/**
 * The rules of the mini-program server APIs (WECHAT-CONTRACT §1): login codes, access tokens,
 * phone codes, one-time subscribe credits, share codes and text checks. HTTP lives in
 * mp-routes.ts; this file only decides outcomes and throws WechatApiError like WeChat would.
 */
import crypto from 'node:crypto';
import type { Clock } from './clock';
import { randomAlphanumeric } from './crypto';
import { SimHookError, WechatApiError } from './errors';
import { renderScenePng } from './qr-image';
import { checkText, type TextCheckResult } from './sec-check';
import {
  subscribeCreditKey,
  type AccessTokenRecord,
  type AppRecord,
  type MpState,
  type SentSubscribeMessage,
} from './mp-state';

/** Login and phone codes: single use, 5 minutes (§1.1, §1.3). */
export const CODE_TTL_MS = 5 * 60 * 1000;
/** Both token kinds live 7200 s (§1.2). */
export const TOKEN_TTL_MS = 7200 * 1000;
/** A replaced /cgi-bin/token token keeps working this long; the stable token is renewed this early. */
export const TOKEN_OVERLAP_MS = 5 * 60 * 1000;
const FORCE_REFRESH_MIN_INTERVAL_MS = 30 * 1000;
const FORCE_REFRESH_PER_DAY = 20;

/** Scene charset of getwxacodeunlimit: `[0-9A-Za-z!#$&'()*+,/:;=?@-._~]`, 1..32 chars (§1.5). */
const SCENE_PATTERN = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;

/** Per-key-type value limits of subscribe message data (§1.4), by the key's prefix. */
const VALUE_LIMITS: Array<[prefix: string, maxChars: number]> = [
  ['character_string', 32],
  ['phone_number', 17],
  ['car_number', 8],
  ['thing', 20],
  ['number', 32],
  ['letter', 32],
  ['symbol', 5],
  ['name', 10],
  ['phrase', 5],
];

type Input = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : typeof value === 'number' ? String(value) : undefined;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Tokens are opaque; real ones are long (store ≥512 chars), so ours are ~140 URL-safe chars. */
const newAccessToken = (): string => `86_${crypto.randomBytes(104).toString('base64url')}`;

export type PhoneInfo = {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
  watermark: { timestamp: number; appid: string };
};

export type MpService = ReturnType<typeof createMpService>;

export function createMpService(state: MpState, clock: Clock) {
  function registerApp(input: { appid: string; secret: string; pages?: string[] }): void {
    const existing = state.apps.get(input.appid);
    if (existing) {
      existing.secret = input.secret;
      existing.pages = input.pages ?? existing.pages;
      return;
    }
    state.apps.set(input.appid, {
      appid: input.appid,
      secret: input.secret,
      pages: input.pages,
      knownOpenids: new Set(),
      classicToken: undefined,
      stableToken: undefined,
      stableForceRefreshes: [],
    });
  }

  function appForHook(appid: string): AppRecord {
    const app = state.apps.get(appid);
    if (!app) throw new SimHookError(404, 'UNKNOWN_APP', `appid ${appid} is not registered; POST /__sim/apps first`);
    return app;
  }

  /** Stands in for wx.login on the device of `openid`. */
  function mintLoginCode(appid: string, openid: string, unionid?: string): string {
    const app = appForHook(appid);
    app.knownOpenids.add(openid);
    const code = randomAlphanumeric(32);
    state.loginCodes.set(code, { code, appid, openid, unionid, expiresAt: clock.now() + CODE_TTL_MS, usedAt: undefined });
    return code;
  }

  /**
   * Stands in for the getPhoneNumber button. Accepts `13800138000`, `+8613800138000`, or any
   * number with an explicit countryCode (`+1…` without one is ambiguous, so refused).
   */
  function mintPhoneCode(appid: string, phoneNumber: string, countryCode?: string): string {
    appForHook(appid);
    const compact = phoneNumber.replace(/[\s-]/g, '');
    let cc = countryCode?.replace(/^\+/, '');
    let pure = compact;
    if (cc !== undefined) pure = compact.startsWith(`+${cc}`) ? compact.slice(cc.length + 1) : compact.replace(/^\+/, '');
    else if (compact.startsWith('+86')) [cc, pure] = ['86', compact.slice(3)];
    else if (compact.startsWith('+')) throw new SimHookError(400, 'BAD_PHONE', 'pass countryCode with a non-Chinese number');
    else cc = '86';
    if (!/^\d{4,15}$/.test(pure) || !/^\d{1,4}$/.test(cc)) throw new SimHookError(400, 'BAD_PHONE', `not a phone number: ${phoneNumber}`);
    const code = randomAlphanumeric(32).toLowerCase();
    state.phoneCodes.set(code, { code, appid, purePhoneNumber: pure, countryCode: cc, expiresAt: clock.now() + CODE_TTL_MS, usedAt: undefined });
    return code;
  }

  /** Stands in for the user accepting wx.requestSubscribeMessage `count` times. */
  function grantSubscribeCredit(input: { appid: string; openid: string; templateId: string; count?: number }): number {
    const app = appForHook(input.appid);
    const count = input.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new SimHookError(400, 'BAD_COUNT', 'count must be a positive integer');
    app.knownOpenids.add(input.openid);
    const key = subscribeCreditKey(input.appid, input.openid, input.templateId);
    const total = (state.subscribeCredits.get(key) ?? 0) + count;
    state.subscribeCredits.set(key, total);
    return total;
  }

  /** The app after checking appid + secret, with WeChat's error codes (§1.1, §1.2). */
  function authenticateApp(appid: string | undefined, secret: string | undefined): AppRecord {
    if (!appid) throw new WechatApiError(41002, 'appid missing');
    if (!secret) throw new WechatApiError(41004, 'appsecret missing');
    const app = state.apps.get(appid);
    if (!app) throw new WechatApiError(40013, 'invalid appid');
    if (app.secret !== secret) throw new WechatApiError(40125, 'invalid appsecret');
    return app;
  }

  function code2Session(query: Input): { openid: string; session_key: string; unionid?: string } {
    const appid = text(query['appid']);
    const secret = text(query['secret']);
    if (!appid) throw new WechatApiError(41002, 'appid missing');
    if (!secret) throw new WechatApiError(41004, 'appsecret missing');
    const jsCode = text(query['js_code']);
    if (!jsCode) throw new WechatApiError(41008, 'missing code');
    if (query['grant_type'] !== 'authorization_code') throw new WechatApiError(40002, 'invalid grant_type');
    authenticateApp(appid, secret);
    const record = state.loginCodes.get(jsCode);
    // A code minted for another app is as unknown to this one as a made-up code.
    if (!record || record.appid !== appid || clock.now() >= record.expiresAt) throw new WechatApiError(40029, 'invalid code');
    if (record.usedAt !== undefined) throw new WechatApiError(40163, 'code been used');
    record.usedAt = clock.now();
    const sessionKey = crypto.randomBytes(16).toString('base64');
    return record.unionid === undefined
      ? { openid: record.openid, session_key: sessionKey }
      : { openid: record.openid, session_key: sessionKey, unionid: record.unionid };
  }

  function issueToken(app: AppRecord, kind: AccessTokenRecord['kind']): AccessTokenRecord {
    const record: AccessTokenRecord = {
      token: newAccessToken(),
      appid: app.appid,
      kind,
      expiresAt: clock.now() + TOKEN_TTL_MS,
      revokedAfter: undefined,
    };
    state.accessTokens.set(record.token, record);
    return record;
  }

  // Rounded up so a token issued this instant reports the full 7200.
  const expiresIn = (record: AccessTokenRecord): number => Math.max(0, Math.ceil((record.expiresAt - clock.now()) / 1000));

  /** GET /cgi-bin/token: every call rotates; the previous token lives on for the 5-minute handover. */
  function getToken(query: Input): { access_token: string; expires_in: number } {
    if (query['grant_type'] !== 'client_credential') throw new WechatApiError(40002, 'invalid grant_type');
    const app = authenticateApp(text(query['appid']), text(query['secret']));
    const previous = app.classicToken === undefined ? undefined : state.accessTokens.get(app.classicToken);
    if (previous) previous.revokedAfter = Math.min(previous.expiresAt, clock.now() + TOKEN_OVERLAP_MS);
    const record = issueToken(app, 'classic');
    app.classicToken = record.token;
    return { access_token: record.token, expires_in: expiresIn(record) };
  }

  /**
   * POST /cgi-bin/stable_token, isolated from /cgi-bin/token. Normal mode returns the current
   * token until it has 5 minutes left, then a new one (the old one still runs to its expiry);
   * force_refresh replaces it at once and is rate limited.
   */
  function getStableToken(body: Input): { access_token: string; expires_in: number } {
    if (body['grant_type'] !== 'client_credential') throw new WechatApiError(40002, 'invalid grant_type');
    const forceRefresh = body['force_refresh'] ?? false;
    if (typeof forceRefresh !== 'boolean') throw new WechatApiError(47001, 'data format error: force_refresh must be a boolean');
    const app = authenticateApp(text(body['appid']), text(body['secret']));
    const now = clock.now();
    const current = app.stableToken === undefined ? undefined : state.accessTokens.get(app.stableToken);
    if (forceRefresh) {
      app.stableForceRefreshes = app.stableForceRefreshes.filter((at) => now - at < 86_400_000);
      const last = app.stableForceRefreshes[app.stableForceRefreshes.length - 1];
      if (app.stableForceRefreshes.length >= FORCE_REFRESH_PER_DAY || (last !== undefined && now - last < FORCE_REFRESH_MIN_INTERVAL_MS)) {
        throw new WechatApiError(45009, 'reach max api daily quota limit (force_refresh: ≤20 a day, ≥30 s apart)');
      }
      app.stableForceRefreshes.push(now);
      if (current) current.revokedAfter = now;
    } else if (current && current.revokedAfter === undefined && current.expiresAt - now > TOKEN_OVERLAP_MS) {
      return { access_token: current.token, expires_in: expiresIn(current) };
    }
    const record = issueToken(app, 'stable');
    app.stableToken = record.token;
    return { access_token: record.token, expires_in: expiresIn(record) };
  }

  /** The appid behind `access_token`, or 41001 / 40001 (unknown or replaced) / 42001 (expired). */
  function authenticateToken(token: unknown): AppRecord {
    const value = text(token);
    if (!value) throw new WechatApiError(41001, 'access_token missing');
    const record = state.accessTokens.get(value);
    const now = clock.now();
    if (!record || (record.revokedAfter !== undefined && now >= record.revokedAfter && now < record.expiresAt)) {
      throw new WechatApiError(40001, 'invalid credential, access_token is invalid or not latest');
    }
    if (now >= record.expiresAt) throw new WechatApiError(42001, 'access_token expired');
    const app = state.apps.get(record.appid);
    if (!app) throw new WechatApiError(40001, 'invalid credential, access_token is invalid or not latest');
    return app;
  }

  function getPhoneNumber(app: AppRecord, body: Input): { errcode: 0; errmsg: 'ok'; phone_info: PhoneInfo } {
    const code = text(body['code']);
    if (!code) throw new WechatApiError(41008, 'missing code');
    const record = state.phoneCodes.get(code);
    if (!record || record.appid !== app.appid || record.usedAt !== undefined || clock.now() >= record.expiresAt) {
      throw new WechatApiError(40029, 'invalid code');
    }
    record.usedAt = clock.now();
    const phoneNumber = record.countryCode === '86' ? record.purePhoneNumber : `+${record.countryCode}${record.purePhoneNumber}`;
    return {
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber,
        purePhoneNumber: record.purePhoneNumber,
        countryCode: record.countryCode,
        watermark: { timestamp: clock.nowSeconds(), appid: app.appid },
      },
    };
  }

  function sendSubscribeMessage(app: AppRecord, body: Input): { errcode: 0; errmsg: 'ok'; msgid: number } {
    const touser = text(body['touser']);
    if (!touser || !app.knownOpenids.has(touser)) throw new WechatApiError(40003, 'invalid openid');
    const templateId = text(body['template_id']);
    if (!templateId) throw new WechatApiError(40037, 'invalid template_id');
    const data = body['data'];
    // The classic mistake is JSON.stringify-ing `data` (§7.9).
    if (!isPlainObject(data)) throw new WechatApiError(47003, 'argument invalid! data is not a json object');
    const values: Record<string, { value: string }> = {};
    for (const [key, entry] of Object.entries(data)) {
      const value = isPlainObject(entry) ? entry['value'] : undefined;
      if (typeof value !== 'string' || value.length === 0) throw new WechatApiError(47003, `argument invalid! data.${key}.value is empty`);
      const limit = VALUE_LIMITS.find(([prefix]) => key.startsWith(prefix));
      if (limit && [...value].length > limit[1]) throw new WechatApiError(47003, `argument invalid! data.${key}.value exceeds ${limit[1]} chars`);
      values[key] = { value };
    }
    const miniprogramState = body['miniprogram_state'] ?? 'formal';
    if (miniprogramState !== 'developer' && miniprogramState !== 'trial' && miniprogramState !== 'formal') {
      throw new WechatApiError(47003, 'argument invalid! miniprogram_state');
    }
    const lang = body['lang'] ?? 'zh_CN';
    if (lang !== 'zh_CN' && lang !== 'en_US' && lang !== 'zh_HK' && lang !== 'zh_TW') throw new WechatApiError(47003, 'argument invalid! lang');
    const page = body['page'];
    if (page !== undefined && typeof page !== 'string') throw new WechatApiError(47003, 'argument invalid! page');
    const key = subscribeCreditKey(app.appid, touser, templateId);
    const credits = state.subscribeCredits.get(key) ?? 0;
    if (credits < 1) throw new WechatApiError(43101, 'user refuse to accept the msg');
    state.subscribeCredits.set(key, credits - 1);
    const message: SentSubscribeMessage = {
      msgid: crypto.randomInt(2 ** 47) * 32 + crypto.randomInt(32),
      appid: app.appid,
      touser,
      templateId,
      page,
      miniprogramState,
      lang,
      data: values,
      sentAt: clock.now(),
    };
    state.sentMessages.push(message);
    return { errcode: 0, errmsg: 'ok', msgid: message.msgid };
  }

  function createUnlimitedQrCode(app: AppRecord, body: Input): Buffer {
    const scene = body['scene'];
    if (typeof scene !== 'string' || !SCENE_PATTERN.test(scene)) {
      throw new WechatApiError(40169, 'invalid length for scene, or the data is not json string');
    }
    const page = body['page'];
    if (page !== undefined) {
      if (typeof page !== 'string' || page.startsWith('/') || page.includes('?')) throw new WechatApiError(41030, 'invalid page');
      if (body['check_path'] !== false && app.pages !== undefined && !app.pages.includes(page)) {
        throw new WechatApiError(41030, 'invalid page');
      }
    }
    const envVersion = body['env_version'] ?? 'release';
    if (envVersion !== 'release' && envVersion !== 'trial' && envVersion !== 'develop') throw new WechatApiError(40097, 'invalid args: env_version');
    const width = body['width'] ?? 430;
    if (typeof width !== 'number' || !Number.isInteger(width) || width < 280 || width > 1280) throw new WechatApiError(40097, 'invalid args: width');
    const lineColor = body['line_color'];
    const color = isPlainObject(lineColor)
      ? [lineColor['r'], lineColor['g'], lineColor['b']].map((c) => Math.max(0, Math.min(255, Number(c) || 0)))
      : [0, 0, 0];
    return renderScenePng({
      scene,
      page: typeof page === 'string' ? page : '',
      width,
      lineColor: [color[0] ?? 0, color[1] ?? 0, color[2] ?? 0],
      transparent: body['is_hyaline'] === true,
    });
  }

  /** msgSecCheck: v2 (openid + scene, result/detail) and the legacy v1 (87014 on risky). */
  function msgSecCheck(app: AppRecord, body: Input): Record<string, unknown> {
    const content = body['content'];
    if (typeof content !== 'string') throw new WechatApiError(47001, 'data format error: content');
    const others = ['title', 'nickname', 'signature'].map((k) => body[k]).filter((v): v is string => typeof v === 'string');
    const verdict: TextCheckResult = checkText([content, ...others].join('\n'));
    if (body['version'] !== 2) {
      if (verdict.suggest === 'risky') throw new WechatApiError(87014, 'risky content');
      return { errcode: 0, errmsg: 'ok' };
    }
    const scene = body['scene'];
    if (scene !== 1 && scene !== 2 && scene !== 3 && scene !== 4) throw new WechatApiError(40129, 'invalid scene');
    const openid = text(body['openid']);
    if (!openid || !app.knownOpenids.has(openid)) throw new WechatApiError(40003, 'invalid openid');
    return {
      errcode: 0,
      errmsg: 'ok',
      trace_id: `${crypto.randomBytes(4).toString('hex')}-${crypto.randomBytes(4).toString('hex')}`,
      result: { suggest: verdict.suggest, label: verdict.label },
      detail: verdict.detail,
    };
  }

  return {
    registerApp,
    mintLoginCode,
    mintPhoneCode,
    grantSubscribeCredit,
    code2Session,
    getToken,
    getStableToken,
    authenticateToken,
    getPhoneNumber,
    sendSubscribeMessage,
    createUnlimitedQrCode,
    msgSecCheck,
    sentMessages: (): SentSubscribeMessage[] => [...state.sentMessages],
  };
}
