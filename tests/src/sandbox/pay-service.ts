/**
 * WeChat Pay APIv3 for a direct merchant (§2.4–§2.9): JSAPI prepay, order query and close,
 * refunds, platform certificates, and the user's side of wx.requestPayment (the /__sim/pay
 * hooks). Throws PayApiError as WeChat answers; HTTP lives in pay-routes.ts.
 */
import crypto from 'node:crypto';
import { compactCst, parseRfc3339, rfc3339Cst, type Clock } from './clock';
import { encryptResource, paySignMessage, randomDigits, verifyRsaSha256 } from './crypto';
import { PayApiError, SimHookError } from './errors';
import type { PlatformKeyMaterial } from './keys';
import type { Notifier } from './notifier';
import {
  canonicalJson,
  payKey,
  type MerchantRecord,
  type OrderRecord,
  type PayState,
  type RefundRecord,
  type RefundStatus,
  type TradeState,
} from './pay-state';
import type { SignMode } from './signer';
import { notifyUrl, optionalString, paramError, requiredInt, requiredObject, requiredString } from './v3-validate';

type Body = Record<string, unknown>;

/** prepay_id lives 2 hours (§2.4). */
const PREPAY_TTL_MS = 2 * 3600 * 1000;
/** Default order lifetime when time_expire is absent (§2.4: 7 days). */
const DEFAULT_ORDER_TTL_MS = 7 * 86_400_000;
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

const TRADE_STATE_DESC: Record<TradeState, string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  CLOSED: '订单已关闭',
  PAYERROR: '支付失败，请重新下单支付',
};

/** What the mini-program passes to wx.requestPayment (plus appId, which is signed). */
export type RequestPaymentParams = {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
};

export type RegisterMerchantInput = {
  mchid: string;
  appids: string[];
  /** Merchant API certificate serial (hex, any case). */
  merchantSerial: string;
  /** The merchant's certificate PEM (apiclient_cert.pem) or its public key PEM. */
  merchantPublicKeyPem: string;
  /** 32-byte APIv3 key. */
  apiV3Key: string;
};

export type PayServiceDeps = {
  state: PayState;
  clock: Clock;
  notifier: Notifier;
  signMode: SignMode;
  platform: PlatformKeyMaterial;
};

export type PayService = ReturnType<typeof createPayService>;

export function createPayService({ state, clock, notifier, signMode, platform }: PayServiceDeps) {
  function registerMerchant(input: RegisterMerchantInput): void {
    if (Buffer.byteLength(input.apiV3Key, 'utf8') !== 32) throw new SimHookError(400, 'BAD_APIV3_KEY', 'apiV3Key must be 32 bytes');
    const serial = input.merchantSerial.toUpperCase();
    if (!/^[0-9A-F]+$/.test(serial)) throw new SimHookError(400, 'BAD_SERIAL', 'merchantSerial must be hex');
    const owner = state.serialOwners.get(serial);
    if (owner !== undefined && owner !== input.mchid) throw new SimHookError(409, 'SERIAL_TAKEN', `serial ${serial} belongs to ${owner}`);
    let key: crypto.KeyObject;
    try {
      key = crypto.createPublicKey(input.merchantPublicKeyPem);
    } catch {
      throw new SimHookError(400, 'BAD_KEY', 'merchantPublicKeyPem is neither a certificate nor a public key PEM');
    }
    // Registering again adds appids and keys: that is how a merchant rotates its API certificate.
    const merchant: MerchantRecord = state.merchants.get(input.mchid) ?? { mchid: input.mchid, appids: new Set(), keys: new Map(), apiV3Key: input.apiV3Key };
    merchant.apiV3Key = input.apiV3Key;
    for (const appid of input.appids) merchant.appids.add(appid);
    merchant.keys.set(serial, key);
    state.merchants.set(input.mchid, merchant);
    state.serialOwners.set(serial, input.mchid);
  }

  const now = (): number => clock.now();

  /** SUCCESS orders read as REFUND while any refund is not CLOSED (§2.6). */
  function tradeState(order: OrderRecord): TradeState {
    if (order.state !== 'SUCCESS') return order.state;
    for (const refund of state.refunds.values()) {
      if (refund.mchid === order.mchid && refund.outTradeNo === order.outTradeNo && refund.status !== 'CLOSED') return 'REFUND';
    }
    return 'SUCCESS';
  }

  /** The Transaction object (§2.6), shaped per state like WeChat's answers. */
  function transactionView(order: OrderRecord, forceState?: TradeState): Record<string, unknown> {
    const stateNow = forceState ?? tradeState(order);
    if (order.transactionId === undefined || order.successTime === undefined) {
      return {
        amount: { payer_currency: order.currency, total: order.total },
        appid: order.appid,
        mchid: order.mchid,
        out_trade_no: order.outTradeNo,
        promotion_detail: [],
        scene_info: { device_id: '' },
        trade_state: stateNow,
        trade_state_desc: TRADE_STATE_DESC[stateNow],
      };
    }
    return {
      amount: { currency: order.currency, payer_currency: order.currency, payer_total: order.total, total: order.total },
      appid: order.appid,
      attach: order.attach ?? '',
      bank_type: 'OTHERS',
      mchid: order.mchid,
      out_trade_no: order.outTradeNo,
      payer: { openid: order.payerOpenid },
      promotion_detail: [],
      success_time: rfc3339Cst(order.successTime),
      trade_state: stateNow,
      trade_state_desc: TRADE_STATE_DESC[stateNow],
      trade_type: 'JSAPI',
      transaction_id: order.transactionId,
    };
  }

  function requireMchidMatch(merchant: MerchantRecord, mchid: string, path: string): void {
    if (mchid !== merchant.mchid) throw paramError(path, '直连商户号', '与Authorization中的商户号不一致', mchid);
  }

  function issuePrepay(order: OrderRecord): { prepay_id: string } {
    const prepayId = `wx${compactCst(now())}${crypto.randomBytes(11).toString('hex').slice(0, 20)}`;
    state.prepays.set(prepayId, { prepayId, mchid: order.mchid, outTradeNo: order.outTradeNo, expiresAt: now() + PREPAY_TTL_MS });
    return { prepay_id: prepayId };
  }

  /** POST /v3/pay/transactions/jsapi (§2.4). */
  function createJsapiOrder(merchant: MerchantRecord, body: Body): { prepay_id: string } {
    const appid = requiredString(body, 'appid', { label: '公众号ID', maxBytes: 32 });
    const mchid = requiredString(body, 'mchid', { label: '直连商户号', maxBytes: 32 });
    requireMchidMatch(merchant, mchid, 'mchid');
    const description = requiredString(body, 'description', { label: '商品描述', maxBytes: 127 });
    const outTradeNo = requiredString(body, 'out_trade_no', { label: '商户订单号', maxBytes: 32, minLength: 6, pattern: OUT_TRADE_NO });
    const timeExpireText = optionalString(body, 'time_expire', { label: '交易结束时间', maxBytes: 64 });
    const attach = optionalString(body, 'attach', { label: '附加数据', maxBytes: 128 });
    const url = notifyUrl(body, 'notify_url', true) ?? '';
    optionalString(body, 'goods_tag', { label: '订单优惠标记', maxBytes: 32 });
    requiredObject(body, 'amount', '订单金额');
    const total = requiredInt(body, 'amount.total', { label: '总金额', min: 1 });
    const currency = optionalString(body, 'amount.currency', { label: '货币类型', maxBytes: 16 }) ?? 'CNY';
    if (currency !== 'CNY') throw paramError('amount.currency', '货币类型', '枚举值校验失败，仅支持CNY', currency);
    requiredObject(body, 'payer', '支付者');
    const openid = requiredString(body, 'payer.openid', { label: '用户标识', maxBytes: 128 });
    if (!merchant.appids.has(appid)) throw new PayApiError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配，请检查后再试');
    let timeExpire = now() + DEFAULT_ORDER_TTL_MS;
    if (timeExpireText !== undefined) {
      const parsed = parseRfc3339(timeExpireText);
      if (parsed === undefined) throw paramError('time_expire', '交易结束时间', '格式错误，应为RFC3339格式', timeExpireText);
      if (parsed < now() + 60_000 || parsed > now() + 90 * 86_400_000) {
        throw new PayApiError(400, 'INVALID_REQUEST', 'time_expire时间不合法，需在下单时间1分钟后、90天内');
      }
      timeExpire = parsed;
    }

    const fingerprint = canonicalJson(body);
    const key = payKey(merchant.mchid, outTradeNo);
    const existing = state.orders.get(key);
    if (existing) {
      // Same parameters on an unpaid order: a fresh prepay_id for the same order (§2.4). Anything else is a reuse.
      if (existing.fingerprint === fingerprint && existing.state === 'NOTPAY') return issuePrepay(existing);
      if (existing.fingerprint === fingerprint && existing.state === 'SUCCESS') throw new PayApiError(400, 'ORDERPAID', '该订单已支付');
      throw new PayApiError(400, 'INVALID_REQUEST', '201 商户订单号重复');
    }
    const order: OrderRecord = {
      mchid: merchant.mchid,
      appid,
      outTradeNo,
      description,
      attach,
      notifyUrl: url,
      total,
      currency,
      payerOpenid: openid,
      timeExpire,
      createdAt: now(),
      fingerprint,
      state: 'NOTPAY',
      transactionId: undefined,
      successTime: undefined,
    };
    state.orders.set(key, order);
    return issuePrepay(order);
  }

  function orderByOutTradeNo(merchant: MerchantRecord, outTradeNo: string): OrderRecord {
    const order = state.orders.get(payKey(merchant.mchid, outTradeNo));
    if (!order) throw new PayApiError(404, 'ORDER_NOT_EXIST', '订单不存在');
    return order;
  }

  function queryMchid(merchant: MerchantRecord, query: Body): void {
    const mchid = query['mchid'];
    if (typeof mchid !== 'string' || mchid === '') throw paramError('/query/mchid', '直连商户号', '必填性规则校验失败，此字段为必填项');
    requireMchidMatch(merchant, mchid, '/query/mchid');
  }

  /** GET /v3/pay/transactions/out-trade-no/{no}?mchid= */
  function queryByOutTradeNo(merchant: MerchantRecord, outTradeNo: string, query: Body): Record<string, unknown> {
    queryMchid(merchant, query);
    return transactionView(orderByOutTradeNo(merchant, outTradeNo));
  }

  /** GET /v3/pay/transactions/id/{transaction_id}?mchid= */
  function queryByTransactionId(merchant: MerchantRecord, transactionId: string, query: Body): Record<string, unknown> {
    queryMchid(merchant, query);
    const key = state.transactionIndex.get(transactionId);
    const order = key === undefined ? undefined : state.orders.get(key);
    if (!order || order.mchid !== merchant.mchid) throw new PayApiError(404, 'ORDER_NOT_EXIST', '订单不存在');
    return transactionView(order);
  }

  /** POST /v3/pay/transactions/out-trade-no/{no}/close (§2.7): NOTPAY → CLOSED; closing twice is harmless. */
  function closeOrder(merchant: MerchantRecord, outTradeNo: string, body: Body): void {
    const mchid = requiredString(body, 'mchid', { label: '直连商户号', maxBytes: 32 });
    requireMchidMatch(merchant, mchid, 'mchid');
    const order = orderByOutTradeNo(merchant, outTradeNo);
    if (order.state === 'SUCCESS') throw new PayApiError(400, 'ORDERPAID', '订单已支付，不能关闭');
    order.state = 'CLOSED';
  }

  function refundView(refund: RefundRecord): Record<string, unknown> {
    return {
      amount: {
        currency: refund.currency,
        discount_refund: 0,
        from: [],
        payer_refund: refund.refund,
        payer_total: refund.total,
        refund: refund.refund,
        refund_fee: 0,
        settlement_refund: refund.refund,
        settlement_total: refund.total,
        total: refund.total,
      },
      channel: 'ORIGINAL',
      create_time: rfc3339Cst(refund.createdAt),
      funds_account: refund.fundsAccount,
      out_refund_no: refund.outRefundNo,
      out_trade_no: refund.outTradeNo,
      promotion_detail: [],
      refund_id: refund.refundId,
      status: refund.status,
      ...(refund.successTime === undefined ? {} : { success_time: rfc3339Cst(refund.successTime) }),
      transaction_id: refund.transactionId,
      user_received_account: '支付用户零钱',
    };
  }

  /** POST /v3/refund/domestic/refunds (§2.8). No mchid in the body: the merchant is the signer. */
  function createRefund(merchant: MerchantRecord, body: Body): Record<string, unknown> {
    const transactionId = optionalString(body, 'transaction_id', { label: '微信支付订单号', maxBytes: 32 });
    const outTradeNo = optionalString(body, 'out_trade_no', { label: '商户订单号', maxBytes: 32 });
    const outRefundNo = requiredString(body, 'out_refund_no', { label: '商户退款单号', maxBytes: 64, pattern: OUT_REFUND_NO });
    const reason = optionalString(body, 'reason', { label: '退款原因', maxBytes: 80 });
    const url = notifyUrl(body, 'notify_url', false);
    const fundsAccount = optionalString(body, 'funds_account', { label: '退款资金来源', maxBytes: 32 });
    if (fundsAccount !== undefined && fundsAccount !== 'AVAILABLE') throw paramError('funds_account', '退款资金来源', '枚举值校验失败，仅支持AVAILABLE', fundsAccount);
    requiredObject(body, 'amount', '金额信息');
    const refund = requiredInt(body, 'amount.refund', { label: '退款金额', min: 1 });
    const total = requiredInt(body, 'amount.total', { label: '原订单金额', min: 1 });
    const currency = optionalString(body, 'amount.currency', { label: '退款币种', maxBytes: 16 }) ?? 'CNY';
    if (currency !== 'CNY') throw paramError('amount.currency', '退款币种', '枚举值校验失败，仅支持CNY', currency);
    if (transactionId === undefined && outTradeNo === undefined) {
      throw new PayApiError(400, 'PARAM_ERROR', 'transaction_id和out_trade_no必须二选一进行传参');
    }
    const orderKey = transactionId !== undefined ? state.transactionIndex.get(transactionId) : payKey(merchant.mchid, outTradeNo ?? '');
    const order = orderKey === undefined ? undefined : state.orders.get(orderKey);
    if (!order || order.mchid !== merchant.mchid || (outTradeNo !== undefined && order.outTradeNo !== outTradeNo)) {
      throw new PayApiError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    }

    const fingerprint = canonicalJson(body);
    const key = payKey(merchant.mchid, outRefundNo);
    const existing = state.refunds.get(key);
    if (existing) {
      // Retrying a refund with the same out_refund_no and parameters is the documented idempotent path.
      if (existing.fingerprint === fingerprint) return refundView(existing);
      throw new PayApiError(400, 'INVALID_REQUEST', '商户退款单号重复，请检查后再试');
    }
    if (order.state !== 'SUCCESS' || order.transactionId === undefined) {
      throw new PayApiError(400, 'INVALID_REQUEST', '订单状态不正确，未支付的订单不能退款');
    }
    if (total !== order.total) throw new PayApiError(400, 'INVALID_REQUEST', '订单金额total与原订单金额不一致');
    let refunded = 0;
    for (const other of state.refunds.values()) {
      if (other.mchid === order.mchid && other.outTradeNo === order.outTradeNo && other.status !== 'CLOSED') refunded += other.refund;
    }
    if (refund > order.total - refunded) throw new PayApiError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');

    const record: RefundRecord = {
      mchid: merchant.mchid,
      outRefundNo,
      refundId: `50${randomDigits(30)}`,
      outTradeNo: order.outTradeNo,
      transactionId: order.transactionId,
      reason,
      notifyUrl: url,
      refund,
      total,
      currency,
      fundsAccount: 'AVAILABLE',
      status: 'PROCESSING',
      createdAt: now(),
      successTime: undefined,
      fingerprint,
    };
    state.refunds.set(key, record);
    return refundView(record);
  }

  /** GET /v3/refund/domestic/refunds/{out_refund_no} */
  function queryRefund(merchant: MerchantRecord, outRefundNo: string): Record<string, unknown> {
    const refund = state.refunds.get(payKey(merchant.mchid, outRefundNo));
    if (!refund) throw new PayApiError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    return refundView(refund);
  }

  /**
   * GET /v3/certificates: the platform certificate, encrypted under the caller's APIv3 key.
   * Merchants on the public-key scheme have none (§2.3, §7.3).
   */
  function certificates(merchant: MerchantRecord): Record<string, unknown> {
    if (signMode === 'publicKey') {
      throw new PayApiError(404, 'RESOURCE_NOT_EXISTS', '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥');
    }
    return {
      data: [
        {
          serial_no: platform.certificateSerial,
          effective_time: rfc3339Cst(Date.parse(platform.certificateNotBefore)),
          expire_time: rfc3339Cst(Date.parse(platform.certificateNotAfter)),
          encrypt_certificate: encryptResource(platform.certificatePem, merchant.apiV3Key, 'certificate'),
        },
      ],
    };
  }

  // ---- the user's side of wx.requestPayment (/__sim/pay/*) ------------------------------------

  const payFail = (code: string, detail: string): SimHookError =>
    new SimHookError(400, code, detail, `requestPayment:fail ${detail}`);

  /** Checks wx.requestPayment's parameters as the WeChat client would, returning the order. */
  function orderForPayment(params: RequestPaymentParams): { order: OrderRecord; merchant: MerchantRecord } {
    const match = /^prepay_id=(.+)$/.exec(params.package);
    if (!match || match[1] === undefined) throw payFail('BAD_PACKAGE', 'package 格式错误，应为 prepay_id=…');
    const prepay = state.prepays.get(match[1]);
    if (!prepay) throw payFail('PREPAY_NOT_FOUND', 'prepay_id 不存在');
    const merchant = state.merchants.get(prepay.mchid);
    const order = state.orders.get(payKey(prepay.mchid, prepay.outTradeNo));
    if (!merchant || !order) throw payFail('PREPAY_NOT_FOUND', 'prepay_id 不存在');
    if (params.signType !== 'RSA') throw payFail('BAD_SIGN_TYPE', 'signType 必须为 RSA');
    if (params.appId !== order.appid) throw payFail('APPID_MISMATCH', 'appId 与下单 appid 不一致');
    if (!/^\d{10}$/.test(params.timeStamp)) throw payFail('BAD_TIMESTAMP', 'timeStamp 应为10位秒级时间戳');
    const message = paySignMessage(params.appId, params.timeStamp, params.nonceStr, params.package);
    if (![...merchant.keys.values()].some((key) => verifyRsaSha256(message, params.paySign, key))) {
      throw payFail('PAY_SIGN_INVALID', '支付验证签名失败');
    }
    if (now() >= prepay.expiresAt) throw payFail('PREPAY_EXPIRED', 'prepay_id 已过期');
    return { order, merchant };
  }

  function payableOrder(params: RequestPaymentParams): { order: OrderRecord; merchant: MerchantRecord } {
    const found = orderForPayment(params);
    const { order } = found;
    if (order.state === 'SUCCESS') throw payFail('ORDER_PAID', '该订单已支付');
    if (order.state === 'CLOSED') throw payFail('ORDER_CLOSED', '该订单已关闭');
    if (now() >= order.timeExpire) throw payFail('ORDER_EXPIRED', '该订单已过期');
    return found;
  }

  /** The user pays: SUCCESS, then TRANSACTION.SUCCESS to notify_url (unless `deliver: false`, a lost callback). */
  function confirmPayment(params: RequestPaymentParams, options: { deliver?: boolean } = {}) {
    const { order, merchant } = payableOrder(params);
    order.state = 'SUCCESS';
    order.transactionId = `42000${randomDigits(23)}`;
    order.successTime = now();
    state.transactionIndex.set(order.transactionId, payKey(order.mchid, order.outTradeNo));
    const delivery = notifier.enqueue({
      url: order.notifyUrl,
      mchid: order.mchid,
      apiV3Key: merchant.apiV3Key,
      reference: order.outTradeNo,
      eventType: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resourceType: 'transaction',
      plaintext: transactionView(order, 'SUCCESS'),
      deliver: options.deliver ?? true,
    });
    return { errMsg: 'requestPayment:ok', out_trade_no: order.outTradeNo, transaction_id: order.transactionId, notification_id: delivery.id };
  }

  /** The user closes the cashier: nothing changes, the order stays NOTPAY. */
  function cancelPayment(params: RequestPaymentParams) {
    const { order } = payableOrder(params);
    return { errMsg: 'requestPayment:fail cancel', out_trade_no: order.outTradeNo, trade_state: tradeState(order) };
  }

  /** The payment fails (e.g. the bank declines): PAYERROR, no notification (WeChat only notifies success). */
  function failPayment(params: RequestPaymentParams) {
    const { order } = payableOrder(params);
    order.state = 'PAYERROR';
    return { errMsg: 'requestPayment:fail 支付失败', out_trade_no: order.outTradeNo, trade_state: 'PAYERROR' };
  }

  function findRefund(outRefundNo: string, mchid: string | undefined): RefundRecord {
    const matches = [...state.refunds.values()].filter((r) => r.outRefundNo === outRefundNo && (mchid === undefined || r.mchid === mchid));
    if (matches.length === 0) throw new SimHookError(404, 'REFUND_NOT_FOUND', `no refund ${outRefundNo}`);
    const [only, ...others] = matches;
    if (!only || others.length > 0) throw new SimHookError(409, 'AMBIGUOUS', `several merchants have refund ${outRefundNo}; pass mchid`);
    return only;
  }

  /** WeChat finishes a refund: SUCCESS / CLOSED (final) or ABNORMAL (not final), then REFUND.* to its notify_url. */
  function settleRefund(input: { outRefundNo: string; status: Exclude<RefundStatus, 'PROCESSING'>; mchid?: string; deliver?: boolean }) {
    const refund = findRefund(input.outRefundNo, input.mchid);
    if (refund.status === 'SUCCESS' || refund.status === 'CLOSED') {
      throw new SimHookError(409, 'REFUND_FINAL', `refund ${refund.outRefundNo} is already ${refund.status}`);
    }
    refund.status = input.status;
    if (input.status === 'SUCCESS') refund.successTime = now();
    const merchant = state.merchants.get(refund.mchid);
    let notificationId: string | undefined;
    if (refund.notifyUrl !== undefined && merchant) {
      const summaries = { SUCCESS: '退款成功', CLOSED: '退款关闭', ABNORMAL: '退款异常' } as const;
      notificationId = notifier.enqueue({
        url: refund.notifyUrl,
        mchid: refund.mchid,
        apiV3Key: merchant.apiV3Key,
        reference: refund.outRefundNo,
        eventType: `REFUND.${input.status}`,
        summary: summaries[input.status],
        resourceType: 'refund',
        plaintext: {
          mchid: refund.mchid,
          out_trade_no: refund.outTradeNo,
          transaction_id: refund.transactionId,
          out_refund_no: refund.outRefundNo,
          refund_id: refund.refundId,
          refund_status: input.status,
          ...(refund.successTime === undefined ? {} : { success_time: rfc3339Cst(refund.successTime) }),
          user_received_account: '支付用户零钱',
          amount: { total: refund.total, refund: refund.refund, payer_total: refund.total, payer_refund: refund.refund },
        },
        deliver: input.deliver ?? true,
      }).id;
    }
    return { out_refund_no: refund.outRefundNo, status: refund.status, notification_id: notificationId };
  }

  return {
    registerMerchant,
    createJsapiOrder,
    queryByOutTradeNo,
    queryByTransactionId,
    closeOrder,
    createRefund,
    queryRefund,
    certificates,
    confirmPayment,
    cancelPayment,
    failPayment,
    settleRefund,
  };
}
