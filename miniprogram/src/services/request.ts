import Taro from '@tarojs/taro'
import type { ApiErrorBody } from '@siyu/shared/src/errors'
// auth.ts and this file import each other; both call the other only at run time, never while
// loading, so the cycle is safe and any entry point (page, test) gets re-login for free.
import { appConfig } from '../config'
import { login } from './auth'
import { ApiError, codeForStatus } from './errors'
import { clearToken, getToken } from './token'

/**
 * The one HTTP wrapper of the app: base URL, bearer token, one re-login and retry on 401,
 * server errors mapped to ApiError. Nothing else calls Taro.request.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export type RequestOptions = {
  method?: HttpMethod
  /** JSON body; for GET, sent as the query string. */
  data?: Record<string, unknown> | unknown[]
  header?: Record<string, string>
  /** Send the session token and re-login on 401. Default true; false for the login call itself. */
  auth?: boolean
  timeout?: number
}

let loginInFlight: Promise<string> | null = null

/** A fresh session token; one login at a time, concurrent callers (e.g. several 401s) share it. */
function loginOnce(): Promise<string> {
  if (!loginInFlight) {
    loginInFlight = login()
      .then((out) => out.token)
      .finally(() => {
        loginInFlight = null
      })
  }
  return loginInFlight
}

type RawResponse = { statusCode: number; data: unknown }

/** Optional query fields left undefined must not reach the URL as "undefined". */
function withoutUndefined(data: RequestOptions['data']): RequestOptions['data'] {
  if (!data || Array.isArray(data)) return data
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(data)) if (v !== undefined) out[k] = v
  return out
}

async function send(path: string, options: RequestOptions, token: string | null): Promise<RawResponse> {
  const header: Record<string, string> = { 'Content-Type': 'application/json', ...options.header }
  if (token) header.Authorization = `Bearer ${token}`
  try {
    const res = await Taro.request({
      url: `${appConfig().apiBase}${path}`,
      method: options.method ?? 'GET',
      data: withoutUndefined(options.data),
      header,
      dataType: 'json',
      timeout: options.timeout ?? 15000,
    })
    return { statusCode: res.statusCode, data: res.data }
  } catch (err) {
    const errMsg = (err as { errMsg?: string; message?: string })?.errMsg ?? String((err as Error)?.message ?? err)
    const timedOut = /timeout|abort/i.test(errMsg)
    throw new ApiError({ code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', status: 0, serverMessage: errMsg })
  }
}

function isErrorBody(data: unknown): data is ApiErrorBody {
  const error = (data as { error?: { code?: unknown } } | null)?.error
  return typeof error === 'object' && error !== null && typeof error.code === 'string'
}

function toApiError(res: RawResponse): ApiError {
  if (isErrorBody(res.data)) {
    const { code, message, details, requestId } = res.data.error
    return new ApiError({ code, status: res.statusCode, serverMessage: message, details, requestId })
  }
  return new ApiError({ code: codeForStatus(res.statusCode), status: res.statusCode })
}

/** Calls the Siyu API and resolves with the response body; rejects with ApiError. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const useAuth = options.auth !== false
  let token = useAuth ? getToken() ?? (await loginOnce()) : null
  let res = await send(path, options, token)

  if (res.statusCode === 401 && useAuth) {
    // Another request may already have logged in again while this one was in flight.
    const current = getToken()
    if (current && current !== token) {
      token = current
    } else {
      clearToken()
      token = await loginOnce()
    }
    res = await send(path, options, token)
  }

  if (res.statusCode >= 200 && res.statusCode < 300) {
    return (res.statusCode === 204 ? undefined : res.data) as T
  }
  throw toApiError(res)
}
