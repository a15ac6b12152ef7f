/**
 * /__sim/*: test hooks, not part of WeChat. They stand in for what a person does on a phone
 * (log in, tap "allow", pay, confirm a transfer) and for the sandbox's own knobs (clock, keys,
 * delivery log). Errors answer `{error: {code, message}}` with a 4xx.
 */
import { Router } from '@koa/router';
import type { Clock } from './clock';
import { SimHookError } from './errors';
import { hookBody, optionalString, queryRecord, requiredString, simErrors, type SandboxContextState } from './http';
import type { PlatformPublicInfo } from './keys';
import type { MpService } from './mp-service';
import type { Notifier } from './notifier';
import type { PayService, RequestPaymentParams } from './pay-service';
import type { TransferService } from './transfer-service';

export type SimRouterDeps = {
  mp: MpService;
  pay: PayService;
  transfers: TransferService;
  notifier: Notifier;
  clock: Clock;
  platform: PlatformPublicInfo;
  signMode: string;
};

function requestPaymentParams(body: Record<string, unknown>): RequestPaymentParams {
  return {
    appId: requiredString(body, 'appId'),
    timeStamp: requiredString(body, 'timeStamp'),
    nonceStr: requiredString(body, 'nonceStr'),
    package: requiredString(body, 'package'),
    signType: requiredString(body, 'signType'),
    paySign: requiredString(body, 'paySign'),
  };
}

/** `deliver: false` simulates a notification WeChat never manages to send. */
function deliverFlag(body: Record<string, unknown>): boolean {
  const deliver = body['deliver'] ?? true;
  if (typeof deliver !== 'boolean') throw new SimHookError(400, 'BAD_FIELD', 'deliver must be a boolean');
  return deliver;
}

export function createSimRouter(deps: SimRouterDeps): Router<SandboxContextState> {
  const { mp, pay, transfers, notifier, clock } = deps;
  const router = new Router<SandboxContextState>({ prefix: '/__sim' });
  router.use(simErrors);

  router.get('/health', (ctx) => {
    ctx.body = { ok: true, now: clock.now(), offsetSeconds: clock.offsetSeconds() };
  });

  router.post('/apps', (ctx) => {
    const body = hookBody(ctx);
    const pages = body['pages'];
    if (pages !== undefined && !(Array.isArray(pages) && pages.every((p) => typeof p === 'string'))) {
      throw new SimHookError(400, 'BAD_FIELD', 'pages must be an array of strings');
    }
    const appid = requiredString(body, 'appid');
    mp.registerApp({ appid, secret: requiredString(body, 'secret'), ...(pages ? { pages } : {}) });
    ctx.status = 201;
    ctx.body = { appid };
  });

  router.post('/login-code', (ctx) => {
    const body = hookBody(ctx);
    ctx.body = { code: mp.mintLoginCode(requiredString(body, 'appid'), requiredString(body, 'openid'), optionalString(body, 'unionid')) };
  });

  router.post('/phone-code', (ctx) => {
    const body = hookBody(ctx);
    ctx.body = { code: mp.mintPhoneCode(requiredString(body, 'appid'), requiredString(body, 'phoneNumber'), optionalString(body, 'countryCode')) };
  });

  router.post('/subscribe-credit', (ctx) => {
    const body = hookBody(ctx);
    const count = body['count'] ?? 1;
    if (typeof count !== 'number') throw new SimHookError(400, 'BAD_FIELD', 'count must be a number');
    const input = { appid: requiredString(body, 'appid'), openid: requiredString(body, 'openid'), templateId: requiredString(body, 'templateId') };
    ctx.body = { ...input, credits: mp.grantSubscribeCredit({ ...input, count }) };
  });

  router.get('/messages', (ctx) => {
    const query = queryRecord(ctx);
    ctx.body = {
      messages: mp.sentMessages().filter(
        (m) => (query['appid'] === undefined || m.appid === query['appid']) && (query['touser'] === undefined || m.touser === query['touser']),
      ),
    };
  });

  router.post('/clock', (ctx) => {
    const body = hookBody(ctx);
    const offset = body['offsetSeconds'];
    const advance = body['advanceSeconds'];
    if (typeof offset === 'number' && Number.isFinite(offset)) clock.setOffsetSeconds(offset);
    else if (typeof advance === 'number' && Number.isFinite(advance)) clock.setOffsetSeconds(clock.offsetSeconds() + advance);
    else throw new SimHookError(400, 'BAD_FIELD', 'pass offsetSeconds (absolute) or advanceSeconds (relative)');
    ctx.body = { offsetSeconds: clock.offsetSeconds(), now: clock.now() };
  });

  router.get('/keys', (ctx) => {
    ctx.body = { ...deps.platform, signMode: deps.signMode };
  });

  // ---- WeChat Pay ---------------------------------------------------------------------------

  router.post('/merchants', (ctx) => {
    const body = hookBody(ctx);
    const appids = body['appids'];
    if (!Array.isArray(appids) || !appids.every((a) => typeof a === 'string')) throw new SimHookError(400, 'BAD_FIELD', 'appids must be an array of strings');
    const mchid = requiredString(body, 'mchid');
    pay.registerMerchant({
      mchid,
      appids,
      merchantSerial: requiredString(body, 'merchantSerial'),
      merchantPublicKeyPem: requiredString(body, 'merchantPublicKeyPem'),
      apiV3Key: requiredString(body, 'apiV3Key'),
    });
    ctx.status = 201;
    ctx.body = { mchid };
  });

  router.post('/pay/confirm', (ctx) => {
    const body = hookBody(ctx);
    ctx.body = pay.confirmPayment(requestPaymentParams(body), { deliver: deliverFlag(body) });
  });

  router.post('/pay/cancel', (ctx) => {
    ctx.body = pay.cancelPayment(requestPaymentParams(hookBody(ctx)));
  });

  router.post('/pay/fail', (ctx) => {
    ctx.body = pay.failPayment(requestPaymentParams(hookBody(ctx)));
  });

  router.post('/refund/settle', (ctx) => {
    const body = hookBody(ctx);
    const status = body['status'];
    if (status !== 'SUCCESS' && status !== 'CLOSED' && status !== 'ABNORMAL') {
      throw new SimHookError(400, 'BAD_FIELD', 'status must be SUCCESS, CLOSED or ABNORMAL');
    }
    const mchid = optionalString(body, 'mchid');
    ctx.body = pay.settleRefund({ outRefundNo: requiredString(body, 'out_refund_no'), status, deliver: deliverFlag(body), ...(mchid ? { mchid } : {}) });
  });

  // ---- merchant transfer ------------------------------------------------------------------

  /** The user opens wx.requestMerchantTransfer with these params (openid = who is holding the phone). */
  router.post('/transfer/confirm', (ctx) => {
    const body = hookBody(ctx);
    const realName = optionalString(body, 'realName');
    ctx.body = transfers.confirmTransfer(
      {
        mchId: requiredString(body, 'mchId'),
        appId: requiredString(body, 'appId'),
        package: requiredString(body, 'package'),
        openid: requiredString(body, 'openid'),
        ...(realName === undefined ? {} : { realName }),
      },
      { deliver: deliverFlag(body) },
    );
  });

  router.post('/transfer/fail', (ctx) => {
    const body = hookBody(ctx);
    const mchid = optionalString(body, 'mchid');
    ctx.body = transfers.failTransfer({
      outBillNo: requiredString(body, 'out_bill_no'),
      reason: requiredString(body, 'reason'),
      deliver: deliverFlag(body),
      ...(mchid === undefined ? {} : { mchid }),
    });
  });

  // ---- notification delivery log ----------------------------------------------------------

  router.get('/deliveries', (ctx) => {
    const query = queryRecord(ctx);
    const matches = (field: unknown, value: string): boolean => field === undefined || field === value;
    ctx.body = {
      deliveries: notifier
        .list()
        .filter((d) => matches(query['mchid'], d.mchid) && matches(query['reference'], d.reference) && matches(query['event_type'], d.eventType) && matches(query['state'], d.state)),
    };
  });

  router.post('/deliveries/flush', async (ctx) => {
    await notifier.flush();
    ctx.body = { deliveries: notifier.list() };
  });

  return router;
}
