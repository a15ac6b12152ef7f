/**
 * createSandbox: wires clock, state, services and routes into one Koa app that answers for
 * both WeChat hosts (api.weixin.qq.com paths and api.mch.weixin.qq.com /v3 paths never
 * collide) plus the /__sim hooks, so a server switches to it by changing base URLs only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createClock } from './clock';
import { readRawBody, type SandboxContextState } from './http';
import { generatePlatformKeys, type PlatformKeyMaterial, type PlatformPublicInfo } from './keys';
import { createMpRouter } from './mp-routes';
import { createMpService } from './mp-service';
import { createNotifier, DEFAULT_RETRY_SCHEDULE, type DeliveryRecord } from './notifier';
import { createPayRouter } from './pay-routes';
import { createPayService, type RegisterMerchantInput, type RequestPaymentParams } from './pay-service';
import { createPayState, type RefundStatus } from './pay-state';
import { createSimRouter } from './sim-routes';
import { createPlatformSigner, type SignMode } from './signer';
import { createMpState, type SentSubscribeMessage } from './mp-state';
import { createTransferRouter } from './transfer-routes';
import { createTransferService, DEFAULT_TRANSFER_SCENES, type TransferConfirmInput, type TransferScene } from './transfer-service';
import { v3Envelope } from './v3-http';

export type { SignMode } from './signer';

export type SandboxLogger = {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
};

export type SandboxOptions = {
  /** Which key signs responses and callbacks (§2.3). Default 'publicKey', what new merchants get. */
  signMode?: SignMode;
  /** Share (0..1) of notification attempts preceded by a WECHATPAY/SIGNTEST/ probe. Default 0. */
  probeRate?: number;
  /** Seconds between notification retries. Default WeChat's 15,15,30,180,600,1200,1800,1800,1800,3600,10800,10800,10800,21600,21600. */
  retrySchedule?: number[];
  /** Multiplies retrySchedule, e.g. 0.001 in tests. Default 1. */
  retryScale?: number;
  /** A notification not answered 2xx within this is a failed attempt. Default 5000 (WeChat's 5 s). */
  callbackTimeoutMs?: number;
  /** Reuse platform keys (e.g. across restarts of a demo); generated when absent. */
  platformKeys?: PlatformKeyMaterial;
  /** Start with the clock moved by this many seconds. */
  clockOffsetSeconds?: number;
  /** Merchant-transfer scenes by transfer_scene_id. Default: 1000 现金营销, 1005 佣金报酬. */
  transferScenes?: Record<string, TransferScene>;
  logger?: SandboxLogger;
};

export type Sandbox = {
  /** Start listening; resolves with the base URL, e.g. http://127.0.0.1:3100. Port 0 picks a free one. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Base URL once listening ('' before). */
  readonly url: string;
  registerApp(app: { appid: string; secret: string; pages?: string[] }): void;
  /** What a merchant downloads/configures to verify WeChat Pay: platform certificate and public key. */
  readonly platform: PlatformPublicInfo;
  /** Full key material including private halves, to restart a sandbox with the same keys. */
  readonly platformKeyMaterial: PlatformKeyMaterial;
  mintLoginCode(appid: string, openid: string, unionid?: string): string;
  mintPhoneCode(appid: string, phoneNumber: string, countryCode?: string): string;
  grantSubscribeCredit(input: { appid: string; openid: string; templateId: string; count?: number }): number;
  sentMessages(): SentSubscribeMessage[];
  /** Move the sandbox clock (absolute offset from real time, in seconds). */
  setClockOffset(offsetSeconds: number): void;
  /** Sandbox-clock epoch milliseconds. */
  now(): number;

  /** A merchant of WeChat Pay; registering again adds appids / another certificate serial. */
  registerMerchant(merchant: RegisterMerchantInput): void;
  /** The payer's side of wx.requestPayment; same checks as POST /__sim/pay/*. */
  pay: {
    /** Verify paySign, mark SUCCESS, notify (deliver: false = the callback is lost). */
    confirm(params: RequestPaymentParams, options?: { deliver?: boolean }): { errMsg: string; out_trade_no: string; transaction_id: string; notification_id: string };
    /** The user closes the cashier; the order stays NOTPAY. */
    cancel(params: RequestPaymentParams): { errMsg: string; out_trade_no: string; trade_state: string };
    /** The payment fails; the order becomes PAYERROR; no notification. */
    fail(params: RequestPaymentParams): { errMsg: string; out_trade_no: string; trade_state: string };
  };
  refund: {
    /** WeChat finishes a refund and sends REFUND.<status> to its notify_url. */
    settle(input: { outRefundNo: string; status: Exclude<RefundStatus, 'PROCESSING'>; mchid?: string; deliver?: boolean }): {
      out_refund_no: string;
      status: RefundStatus;
      notification_id: string | undefined;
    };
  };
  /** The payee's side of wx.requestMerchantTransfer, and WeChat failing a bill; same as /__sim/transfer/*. */
  transfer: {
    confirm(input: TransferConfirmInput, options?: { deliver?: boolean }): {
      errMsg: string;
      out_bill_no: string;
      transfer_bill_no: string;
      state: string;
      notification_id: string | undefined;
    };
    fail(input: { outBillNo: string; reason: string; mchid?: string; deliver?: boolean }): {
      out_bill_no: string;
      state: string;
      fail_reason: string | undefined;
      notification_id: string | undefined;
    };
  };
  /** Notification delivery log and control. */
  deliveries: {
    list(): DeliveryRecord[];
    /** Attempt every pending retry now and wait for the outcomes. */
    flush(): Promise<void>;
    waitFor(predicate: (delivery: DeliveryRecord) => boolean, timeoutMs?: number): Promise<DeliveryRecord>;
  };
};

const silentLogger: SandboxLogger = { info: () => undefined, warn: () => undefined };

/**
 * CORS for the /__sim hooks only: the mini-program's H5 build calls them from a browser page on
 * another origin (they stand in for wx.login, the phone button, the pay sheet). WeChat's own
 * paths are server-to-server and get no CORS. Any origin is reflected: this is a test double.
 */
const simCors: Koa.Middleware<SandboxContextState> = async (ctx, next) => {
  const origin = ctx.get('origin');
  if (!origin || !ctx.path.startsWith('/__sim/')) return next();
  ctx.set('Access-Control-Allow-Origin', origin);
  ctx.set('Vary', 'Origin');
  if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
    ctx.set('Access-Control-Allow-Methods', 'GET,POST,OPTIONS');
    ctx.set('Access-Control-Allow-Headers', ctx.get('access-control-request-headers') || 'content-type');
    ctx.set('Access-Control-Max-Age', '600');
    ctx.status = 204;
    return;
  }
  return next();
};

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const logger = options.logger ?? silentLogger;
  const signMode: SignMode = options.signMode ?? 'publicKey';
  const clock = createClock(options.clockOffsetSeconds ?? 0);
  const keyMaterial = options.platformKeys ?? generatePlatformKeys();
  const platform: PlatformPublicInfo = {
    certificateSerial: keyMaterial.certificateSerial,
    certificatePem: keyMaterial.certificatePem,
    certificateNotBefore: keyMaterial.certificateNotBefore,
    certificateNotAfter: keyMaterial.certificateNotAfter,
    publicKeyId: keyMaterial.publicKeyId,
    publicKeyPem: keyMaterial.publicKeyPem,
  };

  const signer = createPlatformSigner(signMode, keyMaterial);
  const probeRate = options.probeRate ?? 0;
  if (!(probeRate >= 0 && probeRate <= 1)) throw new Error('probeRate must be within 0..1');
  const notifier = createNotifier({
    clock,
    signer,
    retrySchedule: options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
    retryScale: options.retryScale ?? 1,
    callbackTimeoutMs: options.callbackTimeoutMs ?? 5000,
    probeRate,
    onWarning: (message, data) => logger.warn(message, data),
  });
  const payState = createPayState();
  const mp = createMpService(createMpState(), clock);
  const pay = createPayService({ state: payState, clock, notifier, signMode, platform: keyMaterial });
  const transfers = createTransferService({ state: payState, clock, notifier, signer, scenes: options.transferScenes ?? DEFAULT_TRANSFER_SCENES });

  const app = new Koa<SandboxContextState>();
  app.on('error', (error: unknown) => logger.warn('sandbox request failed', { error: String(error) }));
  app.use(simCors);
  app.use(readRawBody);
  app.use(v3Envelope({ state: payState, clock, signer, onUnexpected: (error) => logger.warn('unexpected /v3 error', { error: String(error) }) }));
  const routers = [
    createMpRouter(mp),
    createPayRouter(pay),
    createTransferRouter(transfers),
    createSimRouter({ mp, pay, transfers, notifier, clock, platform, signMode }),
  ];
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }

  let server: http.Server | undefined;
  let url = '';

  return {
    async listen(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('sandbox already listening');
      const created = http.createServer(app.callback());
      server = created;
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(port, host, () => resolve());
      });
      const address = created.address() as AddressInfo;
      const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      url = `http://${publicHost.includes(':') ? `[${publicHost}]` : publicHost}:${address.port}`;
      logger.info('wechat sandbox listening', { url, signMode });
      return url;
    },
    async close() {
      notifier.stop();
      const current = server;
      server = undefined;
      if (!current) return;
      await new Promise<void>((resolve) => {
        current.close(() => resolve());
        // Keep-alive sockets (fetch keeps them) would otherwise hold close() open.
        current.closeAllConnections();
      });
    },
    get url() {
      return url;
    },
    registerApp: (input) => mp.registerApp(input),
    platform,
    platformKeyMaterial: keyMaterial,
    mintLoginCode: (appid, openid, unionid) => mp.mintLoginCode(appid, openid, unionid),
    mintPhoneCode: (appid, phoneNumber, countryCode) => mp.mintPhoneCode(appid, phoneNumber, countryCode),
    grantSubscribeCredit: (input) => mp.grantSubscribeCredit(input),
    sentMessages: () => mp.sentMessages(),
    setClockOffset: (offsetSeconds) => clock.setOffsetSeconds(offsetSeconds),
    now: () => clock.now(),
    registerMerchant: (merchant) => pay.registerMerchant(merchant),
    pay: {
      confirm: (params, confirmOptions) => pay.confirmPayment(params, confirmOptions),
      cancel: (params) => pay.cancelPayment(params),
      fail: (params) => pay.failPayment(params),
    },
    refund: { settle: (input) => pay.settleRefund(input) },
    transfer: {
      confirm: (input, confirmOptions) => transfers.confirmTransfer(input, confirmOptions),
      fail: (input) => transfers.failTransfer(input),
    },
    deliveries: {
      list: () => notifier.list(),
      flush: () => notifier.flush(),
      waitFor: (predicate, timeoutMs) => notifier.waitFor(predicate, timeoutMs),
    },
  };
}
