// Deep import: the package root also re-exports the zod schemas (~100 kB in the bundle).
import { ERROR_MESSAGES_ZH } from '@siyu/shared/src/errors'
import { isPlatformError } from '../platform'

/**
 * Codes the client raises itself (no server answer to map). Server codes and their Chinese
 * text come from @siyu/shared, the same table the server uses.
 */
const CLIENT_MESSAGES_ZH = {
  NETWORK_ERROR: '网络连接失败，请检查网络后重试',
  TIMEOUT: '网络超时，请稍后重试',
  LOGIN_FAILED: '微信登录失败，请稍后重试',
  HTTP_ERROR: '请求失败，请稍后重试',
  BAD_RESPONSE: '服务返回的数据有误，请稍后重试',
} as const

export type ClientErrorCode = keyof typeof CLIENT_MESSAGES_ZH
/** Known codes; the server may still send a newer one, hence `string` on ApiError.code. */
export type KnownErrorCode = keyof typeof ERROR_MESSAGES_ZH | ClientErrorCode

const MESSAGES: Record<string, string> = { ...ERROR_MESSAGES_ZH, ...CLIENT_MESSAGES_ZH }

const GENERIC_MESSAGE = '请求失败，请稍后重试'

/** Chinese text for a code; unknown codes fall back to the server's own message. */
export function messageFor(code: string, serverMessage?: string): string {
  return MESSAGES[code] ?? (serverMessage || GENERIC_MESSAGE)
}

export type ApiErrorInit = {
  code: KnownErrorCode | (string & {})
  /** HTTP status; 0 when no response arrived. */
  status: number
  serverMessage?: string
  details?: unknown
  requestId?: string
}

/** Every failure of an API call, with `message` ready to show to the user. */
export class ApiError extends Error {
  readonly kind = 'ApiError' as const
  readonly code: string
  readonly status: number
  readonly serverMessage?: string
  readonly details?: unknown
  readonly requestId?: string

  constructor(init: ApiErrorInit) {
    super(messageFor(init.code, init.serverMessage))
    // Keeps instanceof working if the class is ever down-levelled to ES5.
    Object.setPrototypeOf(this, new.target.prototype)
    this.name = 'ApiError'
    this.code = init.code
    this.status = init.status
    this.serverMessage = init.serverMessage
    this.details = init.details
    this.requestId = init.requestId
  }
}

/** Brand check, safe across bundles (prefer it to instanceof). */
export function isApiError(err: unknown): err is ApiError {
  return typeof err === 'object' && err !== null && (err as { kind?: unknown }).kind === 'ApiError'
}

/** Code for a non-2xx answer that carries no `{error:{code}}` body (proxy pages, crashes). */
export function codeForStatus(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED'
  if (status === 403) return 'FORBIDDEN'
  if (status === 404) return 'NOT_FOUND'
  if (status === 409) return 'CONFLICT'
  if (status === 413) return 'PAYLOAD_TOO_LARGE'
  if (status === 429) return 'RATE_LIMITED'
  if (status >= 500) return 'INTERNAL'
  return 'HTTP_ERROR'
}

/** The text to show for any thrown value (ApiError, PlatformError or a stray Error). */
export function userMessage(err: unknown): string {
  if (isApiError(err) || isPlatformError(err)) return err.message
  return GENERIC_MESSAGE
}
