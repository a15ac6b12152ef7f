/**
 * api.weixin.qq.com (WECHAT-CONTRACT §1). Errors are HTTP 200 `{errcode, errmsg}`;
 * access_token always comes from the query string.
 */
import { Router } from '@koa/router';
import type Koa from 'koa';
import { isWechatApiError, WechatApiError, wechatErrorBody } from './errors';
import { isRecord, parseJson, queryRecord, type SandboxContext, type SandboxContextState } from './http';
import type { MpService } from './mp-service';

type Handler = (ctx: SandboxContext) => void;

/**
 * Run a handler and answer WeChat-style on WechatApiError. `textPlain`: real jscode2session
 * labels its JSON (success and error alike) text/plain, a known trap for strict clients.
 */
function wechat(handler: Handler, options: { textPlain?: boolean } = {}) {
  return async (ctx: SandboxContext, next: Koa.Next): Promise<void> => {
    try {
      handler(ctx);
    } catch (error) {
      if (!isWechatApiError(error)) throw error;
      ctx.status = 200;
      ctx.body = wechatErrorBody(error);
    }
    if (options.textPlain) {
      const json = JSON.stringify(ctx.body);
      ctx.type = 'text/plain';
      ctx.body = json;
    }
    await next();
  };
}

/** JSON object body or 47001, the code WeChat gives for unparsable or non-object bodies. */
function jsonBody(ctx: SandboxContext): Record<string, unknown> {
  const parsed = parseJson(ctx.state.rawBody);
  if (!parsed.ok || !isRecord(parsed.value)) throw new WechatApiError(47001, 'data format error');
  return parsed.value;
}

export function createMpRouter(mp: MpService): Router<SandboxContextState> {
  const router = new Router<SandboxContextState>();

  router.get('/sns/jscode2session', wechat((ctx) => {
    ctx.body = mp.code2Session(queryRecord(ctx));
  }, { textPlain: true }));

  router.get('/cgi-bin/token', wechat((ctx) => {
    ctx.body = mp.getToken(queryRecord(ctx));
  }));

  router.post('/cgi-bin/stable_token', wechat((ctx) => {
    ctx.body = mp.getStableToken(jsonBody(ctx));
  }));

  router.post('/wxa/business/getuserphonenumber', wechat((ctx) => {
    const app = mp.authenticateToken(queryRecord(ctx)['access_token']);
    ctx.body = mp.getPhoneNumber(app, jsonBody(ctx));
  }));

  router.post('/cgi-bin/message/subscribe/send', wechat((ctx) => {
    const app = mp.authenticateToken(queryRecord(ctx)['access_token']);
    ctx.body = mp.sendSubscribeMessage(app, jsonBody(ctx));
  }));

  router.post('/wxa/getwxacodeunlimit', wechat((ctx) => {
    const app = mp.authenticateToken(queryRecord(ctx)['access_token']);
    const png = mp.createUnlimitedQrCode(app, jsonBody(ctx));
    ctx.type = 'image/png';
    ctx.body = png;
  }));

  router.post('/wxa/msg_sec_check', wechat((ctx) => {
    const app = mp.authenticateToken(queryRecord(ctx)['access_token']);
    ctx.body = mp.msgSecCheck(app, jsonBody(ctx));
  }));

  return router;
}
