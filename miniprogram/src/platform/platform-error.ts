export type PlatformErrorCode = 'CANCELLED' | 'UNSUPPORTED' | 'FAILED'

const MESSAGES_ZH: Record<PlatformErrorCode, string> = {
  CANCELLED: '已取消',
  UNSUPPORTED: '当前微信版本不支持该功能，请升级微信后重试',
  FAILED: '操作失败，请稍后重试',
}

/** A WeChat client API (or its H5 sandbox stand-in) that failed; `message` is user-facing. */
export class PlatformError extends Error {
  readonly kind = 'PlatformError' as const
  readonly code: PlatformErrorCode
  /** The raw errMsg from WeChat or the sandbox, for logs. */
  readonly errMsg: string

  constructor(code: PlatformErrorCode, errMsg: string, message: string = MESSAGES_ZH[code]) {
    super(message)
    Object.setPrototypeOf(this, new.target.prototype)
    this.name = 'PlatformError'
    this.code = code
    this.errMsg = errMsg
  }
}

export function isPlatformError(err: unknown): err is PlatformError {
  return typeof err === 'object' && err !== null && (err as { kind?: unknown }).kind === 'PlatformError'
}

/** Maps a WeChat `fail` callback result (`xxx:fail cancel`, `xxx:fail auth deny` …). */
export function fromWechatFail(res: unknown): PlatformError {
  const errMsg = String((res as { errMsg?: unknown } | null)?.errMsg ?? res)
  const cancelled = /cancel|deny|denied/i.test(errMsg)
  return new PlatformError(cancelled ? 'CANCELLED' : 'FAILED', errMsg)
}
