/**
 * api.mch.weixin.qq.com payment and refund routes (§2.4–§2.8). Authorization, error mapping and
 * response signing happen around them in v3-http.ts; ctx.state.merchant is the verified caller.
 */
import { Router } from '@koa/router';
import { PayApiError } from './errors';
import { isRecord, parseJson, queryRecord, type SandboxContext, type SandboxContextState } from './http';
import type { MerchantRecord } from './pay-state';
import type { PayService } from './pay-service';

export function merchantOf(ctx: SandboxContext): MerchantRecord {
  const merchant = ctx.state.merchant;
  // v3Envelope authenticates before any /v3 route runs; reaching here without it is a wiring bug.
  if (!merchant) throw new Error('v3 route reached without an authenticated merchant');
  return merchant;
}

/** A JSON object body, or 400 PARAM_ERROR as WeChat answers unparsable bodies. */
export function v3Body(ctx: SandboxContext, options: { allowEmpty?: boolean } = {}): Record<string, unknown> {
  if (options.allowEmpty && ctx.state.rawBody.trim() === '') return {};
  const parsed = parseJson(ctx.state.rawBody);
  if (!parsed.ok || !isRecord(parsed.value)) throw new PayApiError(400, 'PARAM_ERROR', '请求体格式错误，应为JSON对象');
  return parsed.value;
}

export function createPayRouter(pay: PayService): Router<SandboxContextState> {
  const router = new Router<SandboxContextState>({ prefix: '/v3' });

  router.post('/pay/transactions/jsapi', (ctx) => {
    ctx.body = pay.createJsapiOrder(merchantOf(ctx), v3Body(ctx));
  });

  router.get('/pay/transactions/id/:transactionId', (ctx) => {
    ctx.body = pay.queryByTransactionId(merchantOf(ctx), ctx.params['transactionId'] ?? '', queryRecord(ctx));
  });

  router.get('/pay/transactions/out-trade-no/:outTradeNo', (ctx) => {
    ctx.body = pay.queryByOutTradeNo(merchantOf(ctx), ctx.params['outTradeNo'] ?? '', queryRecord(ctx));
  });

  router.post('/pay/transactions/out-trade-no/:outTradeNo/close', (ctx) => {
    pay.closeOrder(merchantOf(ctx), ctx.params['outTradeNo'] ?? '', v3Body(ctx));
    ctx.status = 204;
  });

  router.post('/refund/domestic/refunds', (ctx) => {
    ctx.body = pay.createRefund(merchantOf(ctx), v3Body(ctx));
  });

  router.get('/refund/domestic/refunds/:outRefundNo', (ctx) => {
    ctx.body = pay.queryRefund(merchantOf(ctx), ctx.params['outRefundNo'] ?? '');
  });

  router.get('/certificates', (ctx) => {
    ctx.body = pay.certificates(merchantOf(ctx));
  });

  return router;
}
