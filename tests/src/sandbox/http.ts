/**
 * Koa plumbing shared by every surface: the exact request bytes (signatures are computed over
 * them, §7.1, so nothing may parse and re-serialize first), JSON parsing, and query access.
 */
import type Koa from 'koa';
import type { RouterContext } from '@koa/router';
import { SimHookError, isSimHookError } from './errors';
import type { MerchantRecord } from './pay-state';

export type SandboxContextState = {
  /** The request body exactly as received ('' when none). */
  rawBody: string;
  /** Set by the APIv3 Authorization check. */
  merchant?: MerchantRecord;
};

export type SandboxContext = RouterContext<SandboxContextState>;
export type SandboxMiddleware = (ctx: SandboxContext, next: Koa.Next) => Promise<void>;

const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

export async function readRawBody(ctx: Koa.ParameterizedContext<SandboxContextState>, next: Koa.Next): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
    for await (const piece of ctx.req) {
      const buffer = Buffer.isBuffer(piece) ? piece : Buffer.from(String(piece));
      size += buffer.length;
      if (size > BODY_LIMIT_BYTES) ctx.throw(413, 'request body too large');
      chunks.push(buffer);
    }
  }
  ctx.state.rawBody = Buffer.concat(chunks).toString('utf8');
  await next();
}

export type JsonParse = { ok: true; value: unknown } | { ok: false };

export function parseJson(raw: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The query string as a flat record (first value wins for repeated keys). */
export function queryRecord(ctx: Koa.Context | SandboxContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(ctx.query)) out[key] = Array.isArray(value) ? value[0] : value;
  return out;
}

/** Body of a /__sim hook: a JSON object, or {} when empty. */
export function hookBody(ctx: SandboxContext): Record<string, unknown> {
  if (ctx.state.rawBody.trim() === '') return {};
  const parsed = parseJson(ctx.state.rawBody);
  if (!parsed.ok || !isRecord(parsed.value)) throw new SimHookError(400, 'BAD_JSON', 'body must be a JSON object');
  return parsed.value;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new SimHookError(400, 'MISSING_FIELD', `${field} is required`);
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SimHookError(400, 'BAD_FIELD', `${field} must be a string`);
  return value;
}

/** Hooks answer like our own API: `{error: {code, message}}` with a 4xx. */
export async function simErrors(ctx: SandboxContext, next: Koa.Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (!isSimHookError(error)) throw error;
    ctx.status = error.status;
    ctx.body = error.errMsg === undefined
      ? { error: { code: error.code, message: error.message } }
      : { error: { code: error.code, message: error.message }, errMsg: error.errMsg };
  }
}
