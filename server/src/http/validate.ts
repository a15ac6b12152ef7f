import type { z } from 'zod'
import { AppError, type ErrorCode } from './errors'

export type FieldIssue = { path: string; message: string; code: string }

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.message,
    code: i.code,
  }))
}

/** Parse untrusted input at the edge; any failure is a 400 VALIDATION_FAILED with field paths. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input)
  if (!r.success) throw new AppError('VALIDATION_FAILED', { issues: issuesOf(r.error) })
  return r.data
}

/** Path params that are ids must be UUIDs; anything else can't exist, so 404 (`notFound`, the resource's own code) rather than 400. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export function idParam(value: string | undefined, notFound: ErrorCode = 'NOT_FOUND'): string {
  if (!value || !UUID_RE.test(value)) throw new AppError(notFound)
  return value.toLowerCase()
}
