/**
 * What the sandbox remembers on the WeChat Pay side (api.mch.weixin.qq.com): merchants, orders,
 * refunds and transfer bills. Plain records; rules live in pay-service.ts / transfer-service.ts.
 * Times are sandbox-clock epoch milliseconds.
 */
import type crypto from 'node:crypto';

export type MerchantRecord = {
  mchid: string;
  appids: Set<string>;
  /** Merchant API public keys by certificate serial (uppercase hex); several during rotation. */
  keys: Map<string, crypto.KeyObject>;
  apiV3Key: string;
};

/** trade_state values WeChat reports (§2.6). REFUND is derived from the order's refunds. */
export type TradeState = 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED' | 'PAYERROR';

export type OrderRecord = {
  mchid: string;
  appid: string;
  outTradeNo: string;
  description: string;
  attach: string | undefined;
  notifyUrl: string;
  total: number;
  currency: string;
  payerOpenid: string;
  timeExpire: number;
  createdAt: number;
  /** Canonical JSON of the prepay request: an identical retry gets a new prepay_id, a different one is refused. */
  fingerprint: string;
  /** Stored state; SUCCESS is reported as REFUND while the order has a live refund. */
  state: Exclude<TradeState, 'REFUND'>;
  transactionId: string | undefined;
  successTime: number | undefined;
};

export type PrepayRecord = { prepayId: string; mchid: string; outTradeNo: string; expiresAt: number };

export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

export type RefundRecord = {
  mchid: string;
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  reason: string | undefined;
  notifyUrl: string | undefined;
  refund: number;
  total: number;
  currency: string;
  fundsAccount: string;
  status: RefundStatus;
  createdAt: number;
  successTime: number | undefined;
  fingerprint: string;
};

/** Merchant-transfer bill states (§2.11.1). */
export type TransferState =
  | 'ACCEPTED'
  | 'PROCESSING'
  | 'WAIT_USER_CONFIRM'
  | 'TRANSFERING'
  | 'SUCCESS'
  | 'FAIL'
  | 'CANCELING'
  | 'CANCELLED';

export type TransferRecord = {
  mchid: string;
  appid: string;
  outBillNo: string;
  transferBillNo: string;
  transferSceneId: string;
  openid: string;
  /** Decrypted user_name, when one was sent. */
  userName: string | undefined;
  transferAmount: number;
  transferRemark: string;
  notifyUrl: string | undefined;
  userRecvPerception: string | undefined;
  packageInfo: string;
  state: TransferState;
  failReason: string | undefined;
  createdAt: number;
  updatedAt: number;
  fingerprint: string;
};

export type PayState = {
  merchants: Map<string, MerchantRecord>;
  /** Uppercase serial → mchid, to reject a serial used under another mchid. */
  serialOwners: Map<string, string>;
  /** Keyed by payKey(mchid, out_trade_no). */
  orders: Map<string, OrderRecord>;
  /** transaction_id → payKey. */
  transactionIndex: Map<string, string>;
  prepays: Map<string, PrepayRecord>;
  /** Keyed by payKey(mchid, out_refund_no). */
  refunds: Map<string, RefundRecord>;
  /** Keyed by payKey(mchid, out_bill_no). */
  transfers: Map<string, TransferRecord>;
  /** transfer_bill_no → payKey; package_info → payKey. */
  transferBillIndex: Map<string, string>;
  transferPackageIndex: Map<string, string>;
};

/** Merchant-scoped numbers (out_trade_no, out_refund_no, out_bill_no) are unique per mchid only. */
export const payKey = (mchid: string, merchantNo: string): string => `${mchid}/${merchantNo}`;

export function createPayState(): PayState {
  return {
    merchants: new Map(),
    serialOwners: new Map(),
    orders: new Map(),
    transactionIndex: new Map(),
    prepays: new Map(),
    refunds: new Map(),
    transfers: new Map(),
    transferBillIndex: new Map(),
    transferPackageIndex: new Map(),
  };
}

/** Stable JSON (sorted keys) to compare two requests for "same parameters". */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
