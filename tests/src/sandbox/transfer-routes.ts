/** api.mch.weixin.qq.com merchant-transfer routes (§2.11); auth and signing in v3-http.ts. */
import { Router } from '@koa/router';
import type { SandboxContextState } from './http';
import { merchantOf, v3Body } from './pay-routes';
import type { TransferService } from './transfer-service';

export function createTransferRouter(transfers: TransferService): Router<SandboxContextState> {
  const router = new Router<SandboxContextState>();
  const BASE = '/v3/fund-app/mch-transfer/transfer-bills';

  router.post(BASE, (ctx) => {
    // Wechatpay-Serial names the platform key user_name was encrypted to (§2.10).
    ctx.body = transfers.createBill(merchantOf(ctx), v3Body(ctx), ctx.get('Wechatpay-Serial') || undefined);
  });

  router.get(`${BASE}/out-bill-no/:outBillNo`, (ctx) => {
    ctx.body = transfers.queryByOutBillNo(merchantOf(ctx), ctx.params['outBillNo'] ?? '');
  });

  router.get(`${BASE}/transfer-bill-no/:transferBillNo`, (ctx) => {
    ctx.body = transfers.queryByTransferBillNo(merchantOf(ctx), ctx.params['transferBillNo'] ?? '');
  });

  // No body: WeChat documents this POST as body-less, so the signature covers an empty body.
  router.post(`${BASE}/out-bill-no/:outBillNo/cancel`, (ctx) => {
    ctx.body = transfers.cancelBill(merchantOf(ctx), ctx.params['outBillNo'] ?? '');
  });

  return router;
}
