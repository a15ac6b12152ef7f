/**
 * The APIv3 envelope around every /v3 route (§2.1–§2.3): verify the merchant's Authorization,
 * map PayApiError to `{code, message, detail}`, and sign every response (errors and 204s too)
 * with the platform key the sign mode picks.
 */
import crypto from 'node:crypto';
import type Koa from 'koa';
import type { Clock } from './clock';
import { MAX_CLOCK_SKEW_SECONDS, parseAuthorization, requestMessage, signWechatpay } from './crypto';
import { isPayApiError, PayApiError } from './errors';
import type { SandboxContextState } from './http';
import type { PayState } from './pay-state';
import type { PlatformSigner } from './signer';

type V3Context = Koa.ParameterizedContext<SandboxContextState>;

export const isV3Path = (path: string): boolean => path === '/v3' || path.startsWith('/v3/');

const signError = (message: string, detail?: Record<string, unknown>): PayApiError => new PayApiError(401, 'SIGN_ERROR', message, detail);

/** WECHATPAY2-SHA256-RSA2048 verification against the registered merchant key of serial_no. */
export function verifyAuthorization(ctx: V3Context, state: PayState, clock: Clock): void {
  const auth = parseAuthorization(ctx.get('Authorization'));
  if (!auth) throw signError('Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》');
  if (!/^\d{10}$/.test(auth.timestamp) || Math.abs(clock.nowSeconds() - Number(auth.timestamp)) > MAX_CLOCK_SKEW_SECONDS) {
    throw signError('Http头Authorization中的timestamp与发起请求的时间不得超过5分钟');
  }
  const merchant = state.merchants.get(auth.mchid);
  if (!merchant) throw signError(`商户号${auth.mchid}不存在或未开通APIv3`);
  const serial = auth.serial_no.toUpperCase();
  const owner = state.serialOwners.get(serial);
  const key = merchant.keys.get(serial);
  if (owner === undefined) throw signError('商户证书序列号有误。请使用签名私钥匹配的证书序列号');
  if (owner !== auth.mchid || !key) throw signError('Http头Authorization中的mchid与证书序列号不匹配');
  const message = requestMessage(ctx.method, ctx.originalUrl, auth.timestamp, auth.nonce_str, ctx.state.rawBody);
  let valid = false;
  try {
    valid = crypto.verify('sha256', Buffer.from(message, 'utf8'), key, Buffer.from(auth.signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) {
    throw signError('签名错误，请检查后再试', {
      field: 'signature',
      location: 'authorization',
      sign_information: {
        method: ctx.method,
        url: ctx.originalUrl,
        sign_message_length: Buffer.byteLength(message, 'utf8'),
        truncated_sign_message: message.length > 200 ? `${message.slice(0, 200)}...` : message,
      },
    });
  }
  ctx.state.merchant = merchant;
}

export type V3EnvelopeDeps = {
  state: PayState;
  clock: Clock;
  signer: PlatformSigner;
  onUnexpected: (error: unknown) => void;
};

/** App-level middleware for /v3 paths: auth → route → error mapping → signing of the exact bytes. */
export function v3Envelope(deps: V3EnvelopeDeps) {
  return async (ctx: V3Context, next: Koa.Next): Promise<void> => {
    if (!isV3Path(ctx.path)) {
      await next();
      return;
    }
    try {
      verifyAuthorization(ctx, deps.state, deps.clock);
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new PayApiError(404, 'NOT_FOUND', '请求的资源不存在');
      if (ctx.status === 405) throw new PayApiError(405, 'METHOD_NOT_ALLOWED', '请求方法不被允许');
    } catch (error) {
      if (isPayApiError(error)) {
        ctx.status = error.status;
        ctx.body = error.detail === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, detail: error.detail };
      } else {
        deps.onUnexpected(error);
        ctx.status = 500;
        ctx.body = { code: 'SYSTEM_ERROR', message: '系统错误' };
      }
    }
    let raw = '';
    if (ctx.status !== 204 && ctx.body !== undefined && ctx.body !== null) {
      raw = typeof ctx.body === 'string' ? ctx.body : JSON.stringify(ctx.body);
      ctx.body = raw;
      ctx.type = 'application/json; charset=utf-8';
    }
    ctx.set({ ...signWechatpay(deps.signer.pick('response', ctx.get('Wechatpay-Serial') || undefined), raw, deps.clock.nowSeconds()) });
    ctx.set('Request-ID', crypto.randomUUID());
  };
}
