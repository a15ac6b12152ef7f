/**
 * Chinese texts of the API's error codes, shown by the mini-program. The server owns the codes
 * and their HTTP statuses (server/src/http/errors.ts); a test checks every code has a text here.
 * Body shape: `{ "error": { "code", "message", "details", "requestId" } }`.
 */
export const ERROR_MESSAGES_ZH: Record<string, string> = {
  VALIDATION_FAILED: '提交的内容有误，请检查后重试',
  PAYLOAD_TOO_LARGE: '提交的内容过大',
  UNAUTHENTICATED: '请先登录',
  TOKEN_EXPIRED: '登录已过期，请重新登录',
  FORBIDDEN: '没有权限执行此操作',
  NOT_FOUND: '内容不存在',
  CONFLICT: '操作冲突，请稍后重试',
  IDEMPOTENCY_CONFLICT: '重复请求的内容不一致',
  RATE_LIMITED: '操作太频繁，请稍后再试',
  WECHAT_UNAVAILABLE: '微信服务暂时不可用，请稍后再试',
  INTERNAL: '系统繁忙，请稍后再试',
  APP_NOT_FOUND: '小程序未接入',
  WECHAT_CODE_INVALID: '微信登录凭证无效，请重新登录',
  PHONE_CODE_INVALID: '手机号授权无效，请重试',
  INVITE_INVALID: '邀请码无效或已使用',
  ALREADY_STAFF: '您已是店员',
  STORE_NOT_FOUND: '门店不存在',
  USER_NOT_FOUND: '用户不存在',
  APPID_TAKEN: '该小程序已被其他商户接入',
}

export function errorMessageZh(code: string, fallback?: string): string {
  return ERROR_MESSAGES_ZH[code] ?? fallback ?? ERROR_MESSAGES_ZH.INTERNAL!
}

export type ApiErrorBody = {
  error: { code: string; message: string; details?: unknown; requestId?: string }
}
