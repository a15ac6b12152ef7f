/**
 * The three error shapes the sandbox speaks. Services throw them; one middleware per surface
 * turns them into the bytes the real service (or, for hooks, our test API) would send.
 */
import crypto from 'node:crypto';

/** api.weixin.qq.com style: HTTP 200 `{errcode, errmsg: '<text> rid: <id>'}` (§1). */
export class WechatApiError extends Error {
  readonly errcode: number;
  constructor(errcode: number, text: string) {
    super(text);
    this.name = 'WechatApiError';
    this.errcode = errcode;
  }
}

/** api.mch.weixin.qq.com style: HTTP status + `{code, message, detail?}` (§2.1). */
export class PayApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: Record<string, unknown> | undefined;
  constructor(status: number, code: string, message: string, detail?: Record<string, unknown>) {
    super(message);
    this.name = 'PayApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

/**
 * /__sim hooks (not WeChat): HTTP status + `{error: {code, message}}` like our own API. Hooks
 * that stand in for a wx.* call also carry the errMsg that call would have failed with.
 */
export class SimHookError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errMsg: string | undefined;
  constructor(status: number, code: string, message: string, errMsg?: string) {
    super(message);
    this.name = 'SimHookError';
    this.status = status;
    this.code = code;
    this.errMsg = errMsg;
  }
}

/** WeChat's request id format, e.g. `6912d7a1-1a2b3c4d-5e6f7a8b`; clients must never parse errmsg. */
export function newRid(): string {
  return [4, 4, 4].map((n) => crypto.randomBytes(n).toString('hex')).join('-');
}

export function wechatErrorBody(error: WechatApiError): { errcode: number; errmsg: string } {
  return { errcode: error.errcode, errmsg: `${error.message} rid: ${newRid()}` };
}

export const isWechatApiError = (e: unknown): e is WechatApiError => e instanceof Error && e.name === 'WechatApiError';
export const isPayApiError = (e: unknown): e is PayApiError => e instanceof Error && e.name === 'PayApiError';
export const isSimHookError = (e: unknown): e is SimHookError => e instanceof Error && e.name === 'SimHookError';
