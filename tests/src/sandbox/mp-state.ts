/**
 * Everything the sandbox remembers, in memory. Records are plain data; the rules that change
 * them live in the *-service.ts files. Times are sandbox-clock epoch milliseconds.
 */

// ---- api.weixin.qq.com ------------------------------------------------------------------------

export type AppRecord = {
  appid: string;
  secret: string;
  /** Published pages; when set, getwxacodeunlimit with check_path checks `page` against it. */
  pages: string[] | undefined;
  /** Users who have opened the app (a login or phone code was minted, or a credit granted). */
  knownOpenids: Set<string>;
  classicToken: string | undefined;
  stableToken: string | undefined;
  /** force_refresh bookkeeping for the stable token (≥30 s apart, ≤20 a day). */
  stableForceRefreshes: number[];
};

export type LoginCodeRecord = {
  code: string;
  appid: string;
  openid: string;
  unionid: string | undefined;
  expiresAt: number;
  usedAt: number | undefined;
};

export type PhoneCodeRecord = {
  code: string;
  appid: string;
  purePhoneNumber: string;
  countryCode: string;
  expiresAt: number;
  usedAt: number | undefined;
};

export type AccessTokenRecord = {
  token: string;
  appid: string;
  kind: 'classic' | 'stable';
  expiresAt: number;
  /** Set when a newer token replaced this one: the end of its grace period (or now, if forced). */
  revokedAfter: number | undefined;
};

export type SentSubscribeMessage = {
  msgid: number;
  appid: string;
  touser: string;
  templateId: string;
  page: string | undefined;
  miniprogramState: string;
  lang: string;
  data: Record<string, { value: string }>;
  sentAt: number;
};

export type MpState = {
  apps: Map<string, AppRecord>;
  loginCodes: Map<string, LoginCodeRecord>;
  phoneCodes: Map<string, PhoneCodeRecord>;
  accessTokens: Map<string, AccessTokenRecord>;
  /** Remaining one-time subscription sends, keyed by subscribeCreditKey(). */
  subscribeCredits: Map<string, number>;
  sentMessages: SentSubscribeMessage[];
};

export const subscribeCreditKey = (appid: string, openid: string, templateId: string): string =>
  JSON.stringify([appid, openid, templateId]);

export function createMpState(): MpState {
  return {
    apps: new Map(),
    loginCodes: new Map(),
    phoneCodes: new Map(),
    accessTokens: new Map(),
    subscribeCredits: new Map(),
    sentMessages: [],
  };
}
