/**
 * Merchant transfer, user-confirm mode (商家转账, §2.11): create a bill that waits for the user,
 * query, cancel, and the user's side of wx.requestMerchantTransfer (the /__sim/transfer hooks).
 * Sensitive user_name arrives RSA-OAEP encrypted to a platform key (§2.10).
 */
import crypto from 'node:crypto';
import { rfc3339Cst, type Clock } from './clock';
import { decryptSensitiveField, randomDigits } from './crypto';
import { PayApiError, SimHookError } from './errors';
import { isRecord } from './http';
import type { Notifier } from './notifier';
import { canonicalJson, payKey, type MerchantRecord, type PayState, type TransferRecord, type TransferState } from './pay-state';
import type { PlatformSigner } from './signer';
import { notifyUrl, optionalString, paramError, requiredInt, requiredString } from './v3-validate';

type Body = Record<string, unknown>;

export type TransferScene = {
  name: string;
  /** The exact info_type strings transfer_scene_report_infos must carry for this scene. */
  reportInfoTypes: string[];
  /** Allowed user_recv_perception values. */
  perceptions: string[];
};

/**
 * Scenes as reported by merchants (§2.11.1, [COMM]): 1000 现金营销 and 1005 佣金报酬. Override
 * with SandboxOptions.transferScenes when a merchant is approved for others.
 */
export const DEFAULT_TRANSFER_SCENES: Readonly<Record<string, TransferScene>> = {
  '1000': { name: '现金营销', reportInfoTypes: ['活动名称', '奖励说明'], perceptions: ['活动奖励', '现金奖励'] },
  '1005': { name: '佣金报酬', reportInfoTypes: ['岗位类型', '报酬说明'], perceptions: ['劳务报酬', '报酬收入'] },
};

/** 0.1 yuan minimum per bill; user_name mandatory from 2,000 yuan. */
export const MIN_TRANSFER_FEN = 10;
export const USER_NAME_REQUIRED_FROM_FEN = 200_000;
/** package_info can be used for 24 hours. */
const PACKAGE_TTL_MS = 24 * 3600 * 1000;
const FINAL_STATES: ReadonlySet<TransferState> = new Set(['SUCCESS', 'FAIL', 'CANCELLED']);

export type TransferConfirmInput = {
  mchId: string;
  appId: string;
  package: string;
  /** The WeChat user who opens the confirmation page. */
  openid: string;
  /** The user's real name, to check against an encrypted user_name (mismatch → FAIL NAME_NOT_CORRECT). */
  realName?: string;
};

export type TransferServiceDeps = {
  state: PayState;
  clock: Clock;
  notifier: Notifier;
  signer: PlatformSigner;
  scenes: Readonly<Record<string, TransferScene>>;
};

export type TransferService = ReturnType<typeof createTransferService>;

export function createTransferService({ state, clock, notifier, signer, scenes }: TransferServiceDeps) {
  const now = (): number => clock.now();

  function billView(bill: TransferRecord): Record<string, unknown> {
    return {
      mch_id: bill.mchid,
      out_bill_no: bill.outBillNo,
      transfer_bill_no: bill.transferBillNo,
      appid: bill.appid,
      state: bill.state,
      transfer_amount: bill.transferAmount,
      transfer_remark: bill.transferRemark,
      ...(bill.failReason === undefined ? {} : { fail_reason: bill.failReason }),
      openid: bill.openid,
      create_time: rfc3339Cst(bill.createdAt),
      update_time: rfc3339Cst(bill.updatedAt),
    };
  }

  function createResponse(bill: TransferRecord): Record<string, unknown> {
    return {
      out_bill_no: bill.outBillNo,
      transfer_bill_no: bill.transferBillNo,
      create_time: rfc3339Cst(bill.createdAt),
      state: bill.state,
      ...(bill.state === 'WAIT_USER_CONFIRM' ? { package_info: bill.packageInfo } : {}),
      ...(bill.failReason === undefined ? {} : { fail_reason: bill.failReason }),
    };
  }

  function checkReportInfos(body: Body, scene: TransferScene): void {
    const infos = body['transfer_scene_report_infos'];
    const reportError = new PayApiError(400, 'PARAM_ERROR', '需传入转账场景报备信息,请检查', { field: 'transfer_scene_report_infos' });
    if (!Array.isArray(infos) || infos.length !== scene.reportInfoTypes.length) throw reportError;
    const given = infos.map((info) => (isRecord(info) && typeof info['info_content'] === 'string' && info['info_content'] !== '' ? info['info_type'] : undefined));
    const expected = [...scene.reportInfoTypes].sort();
    const sorted = given.filter((t): t is string => typeof t === 'string').sort();
    if (sorted.length !== expected.length || sorted.some((t, i) => t !== expected[i])) throw reportError;
  }

  function decryptUserName(ciphertext: string, wechatpaySerial: string | undefined): string {
    const key = wechatpaySerial ? signer.privateKeyFor(wechatpaySerial) : undefined;
    if (!key) throw new PayApiError(400, 'PARAM_ERROR', '请求头Wechatpay-Serial缺失或不是有效的平台证书序列号/微信支付公钥ID');
    try {
      return decryptSensitiveField(ciphertext, key);
    } catch {
      throw paramError('user_name', '收款用户姓名', '解密失败，请使用Wechatpay-Serial对应的公钥以RSAES-OAEP加密');
    }
  }

  /** POST /v3/fund-app/mch-transfer/transfer-bills */
  function createBill(merchant: MerchantRecord, body: Body, wechatpaySerial: string | undefined): Record<string, unknown> {
    const appid = requiredString(body, 'appid', { label: '商户AppID', maxBytes: 32 });
    const outBillNo = requiredString(body, 'out_bill_no', { label: '商户单号', maxBytes: 32, pattern: /^[0-9A-Za-z]+$/ });
    const sceneId = requiredString(body, 'transfer_scene_id', { label: '转账场景ID', maxBytes: 36 });
    const openid = requiredString(body, 'openid', { label: '收款用户OpenID', maxBytes: 64 });
    const amount = requiredInt(body, 'transfer_amount', { label: '转账金额', min: 1 });
    const remark = requiredString(body, 'transfer_remark', { label: '转账备注', maxChars: 32 });
    const url = notifyUrl(body, 'notify_url', false);
    const perception = optionalString(body, 'user_recv_perception', { label: '用户收款感知', maxBytes: 64 });
    const encryptedName = optionalString(body, 'user_name', { label: '收款用户姓名', maxBytes: 2048 });
    if (!merchant.appids.has(appid)) throw new PayApiError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配，请检查后再试');
    const scene = scenes[sceneId];
    if (!scene) throw new PayApiError(403, 'NO_AUTH', `商户号未开通转账场景${sceneId}，请在商户平台-产品中心申请`);
    checkReportInfos(body, scene);
    if (perception !== undefined && !scene.perceptions.includes(perception)) {
      throw new PayApiError(400, 'INVALID_REQUEST', '暂不支持展示当前传入的用户收款感知');
    }
    if (amount < MIN_TRANSFER_FEN) throw new PayApiError(400, 'INVALID_REQUEST', '转账金额不能低于0.1元');
    if (amount >= USER_NAME_REQUIRED_FROM_FEN && encryptedName === undefined) {
      throw paramError('user_name', '收款用户姓名', '必填性规则校验失败，转账金额大于等于2000元时必须传入');
    }
    const userName = encryptedName === undefined ? undefined : decryptUserName(encryptedName, wechatpaySerial);

    // user_name ciphertext differs on every call (OAEP is randomized), so compare the plaintext.
    const fingerprint = canonicalJson({ ...body, user_name: userName });
    const key = payKey(merchant.mchid, outBillNo);
    const existing = state.transfers.get(key);
    if (existing) {
      if (existing.fingerprint === fingerprint) return createResponse(existing);
      throw new PayApiError(400, 'INVALID_REQUEST', '商户单号重复，且请求参数与原单不一致');
    }
    const bill: TransferRecord = {
      mchid: merchant.mchid,
      appid,
      outBillNo,
      transferBillNo: `1330000${randomDigits(33)}`,
      transferSceneId: sceneId,
      openid,
      userName,
      transferAmount: amount,
      transferRemark: remark,
      notifyUrl: url,
      userRecvPerception: perception,
      packageInfo: crypto.randomBytes(72).toString('base64'),
      state: 'WAIT_USER_CONFIRM',
      failReason: undefined,
      createdAt: now(),
      updatedAt: now(),
      fingerprint,
    };
    state.transfers.set(key, bill);
    state.transferBillIndex.set(bill.transferBillNo, key);
    state.transferPackageIndex.set(bill.packageInfo, key);
    return createResponse(bill);
  }

  function billByOutBillNo(merchant: MerchantRecord, outBillNo: string): TransferRecord {
    const bill = state.transfers.get(payKey(merchant.mchid, outBillNo));
    if (!bill) throw new PayApiError(404, 'NOT_FOUND', '记录不存在');
    return bill;
  }

  function queryByOutBillNo(merchant: MerchantRecord, outBillNo: string): Record<string, unknown> {
    return billView(billByOutBillNo(merchant, outBillNo));
  }

  function queryByTransferBillNo(merchant: MerchantRecord, transferBillNo: string): Record<string, unknown> {
    const key = state.transferBillIndex.get(transferBillNo);
    const bill = key === undefined ? undefined : state.transfers.get(key);
    if (!bill || bill.mchid !== merchant.mchid) throw new PayApiError(404, 'NOT_FOUND', '记录不存在');
    return billView(bill);
  }

  function notifyFinished(bill: TransferRecord, deliver: boolean): string | undefined {
    const merchant = state.merchants.get(bill.mchid);
    if (bill.notifyUrl === undefined || !merchant) return undefined;
    return notifier.enqueue({
      url: bill.notifyUrl,
      mchid: bill.mchid,
      apiV3Key: merchant.apiV3Key,
      reference: bill.outBillNo,
      eventType: 'MCHTRANSFER.BILL.FINISHED',
      summary: '商家转账单据终态通知',
      resourceType: 'mch_payment',
      plaintext: {
        out_bill_no: bill.outBillNo,
        transfer_bill_no: bill.transferBillNo,
        state: bill.state,
        mch_id: bill.mchid,
        transfer_amount: bill.transferAmount,
        openid: bill.openid,
        ...(bill.failReason === undefined ? {} : { fail_reason: bill.failReason }),
        create_time: rfc3339Cst(bill.createdAt),
        update_time: rfc3339Cst(bill.updatedAt),
      },
      deliver,
    }).id;
  }

  function finish(bill: TransferRecord, finalState: 'SUCCESS' | 'FAIL' | 'CANCELLED', failReason: string | undefined, deliver: boolean): string | undefined {
    bill.state = finalState;
    bill.failReason = failReason;
    bill.updatedAt = now();
    return notifyFinished(bill, deliver);
  }

  /** POST …/out-bill-no/{no}/cancel: CANCELING now, CANCELLED (and notified) right after, as WeChat does asynchronously. */
  function cancelBill(merchant: MerchantRecord, outBillNo: string): Record<string, unknown> {
    const bill = billByOutBillNo(merchant, outBillNo);
    if (bill.state === 'SUCCESS' || bill.state === 'FAIL') throw new PayApiError(400, 'INVALID_REQUEST', `转账单据状态为${bill.state}，不允许撤销`);
    if (bill.state !== 'CANCELING' && bill.state !== 'CANCELLED') {
      bill.state = 'CANCELING';
      bill.updatedAt = now();
      setImmediate(() => {
        if (bill.state === 'CANCELING') finish(bill, 'CANCELLED', undefined, true);
      });
    }
    return { out_bill_no: bill.outBillNo, transfer_bill_no: bill.transferBillNo, state: bill.state, update_time: rfc3339Cst(bill.updatedAt) };
  }

  // ---- the user's side of wx.requestMerchantTransfer (/__sim/transfer/*) -------------------------

  const transferFail = (code: string, detail: string): SimHookError =>
    new SimHookError(400, code, detail, `requestMerchantTransfer:fail ${detail}`);

  function confirmTransfer(input: TransferConfirmInput, options: { deliver?: boolean } = {}) {
    const key = state.transferPackageIndex.get(input.package);
    const bill = key === undefined ? undefined : state.transfers.get(key);
    if (!bill) throw transferFail('PACKAGE_INVALID', 'package 无效');
    if (bill.mchid !== input.mchId) throw transferFail('MCHID_MISMATCH', 'mchId 与转账单不一致');
    if (bill.appid !== input.appId) throw transferFail('APPID_MISMATCH', 'appId 与转账单不一致');
    if (bill.openid !== input.openid) throw transferFail('OPENID_MISMATCH', '你的微信号与商家指定的微信号不一致');
    if (FINAL_STATES.has(bill.state) || bill.state === 'CANCELING') throw transferFail('BILL_STATE', `转账单据状态为${bill.state}，无法确认收款`);
    if (now() - bill.createdAt >= PACKAGE_TTL_MS) throw transferFail('PACKAGE_EXPIRED', 'package 已过期');
    const deliver = options.deliver ?? true;
    if (input.realName !== undefined && bill.userName !== undefined && input.realName !== bill.userName) {
      const notificationId = finish(bill, 'FAIL', 'NAME_NOT_CORRECT', deliver);
      return { errMsg: 'requestMerchantTransfer:ok', out_bill_no: bill.outBillNo, transfer_bill_no: bill.transferBillNo, state: bill.state, notification_id: notificationId };
    }
    const notificationId = finish(bill, 'SUCCESS', undefined, deliver);
    return { errMsg: 'requestMerchantTransfer:ok', out_bill_no: bill.outBillNo, transfer_bill_no: bill.transferBillNo, state: bill.state, notification_id: notificationId };
  }

  /** WeChat fails a bill (frozen account, quota, …) before it reaches SUCCESS. */
  function failTransfer(input: { outBillNo: string; reason: string; mchid?: string; deliver?: boolean }) {
    const matches = [...state.transfers.values()].filter((b) => b.outBillNo === input.outBillNo && (input.mchid === undefined || b.mchid === input.mchid));
    const [bill, ...others] = matches;
    if (!bill) throw new SimHookError(404, 'BILL_NOT_FOUND', `no transfer bill ${input.outBillNo}`);
    if (others.length > 0) throw new SimHookError(409, 'AMBIGUOUS', `several merchants have bill ${input.outBillNo}; pass mchid`);
    if (FINAL_STATES.has(bill.state)) throw new SimHookError(409, 'BILL_FINAL', `bill ${bill.outBillNo} is already ${bill.state}`);
    const notificationId = finish(bill, 'FAIL', input.reason, input.deliver ?? true);
    return { out_bill_no: bill.outBillNo, state: bill.state, fail_reason: bill.failReason, notification_id: notificationId };
  }

  return { createBill, queryByOutBillNo, queryByTransferBillNo, cancelBill, confirmTransfer, failTransfer };
}
