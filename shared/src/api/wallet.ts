import { z } from 'zod'

/**
 * Cash wallet (integer fen) and withdrawals to WeChat change through merchant transfer
 * (商家转账, user-confirm mode: the mini-program calls wx.requestMerchantTransfer with `confirm`).
 */

export const WALLET_ENTRY_KINDS = ['credit', 'withdraw_hold', 'withdraw_refund'] as const
export const WalletEntryKind = z.enum(WALLET_ENTRY_KINDS)
export type WalletEntryKind = z.infer<typeof WalletEntryKind>

/** WeChat's merchant transfer takes at least 0.1 yuan per bill. */
export const WECHAT_MIN_TRANSFER_FEN = 10
/** From 2,000 yuan WeChat requires the payee's encrypted real name; withdrawals stay below it. */
export const WECHAT_USER_NAME_REQUIRED_FROM_FEN = 200_000

/** GET /api/v1/wallet */
export const WalletSummary = z.strictObject({
  balanceFen: z.number().int(),
  /** Withdrawals between these bounds (inclusive) are accepted. */
  minWithdrawalFen: z.number().int(),
  maxWithdrawalFen: z.number().int(),
})
export type WalletSummary = z.infer<typeof WalletSummary>

/** One ledger line; `amountFen` is signed (credit +, withdraw_hold -, withdraw_refund +). */
export const WalletLedgerItem = z.strictObject({
  id: z.uuid(),
  kind: WalletEntryKind,
  amountFen: z.number().int(),
  balanceAfterFen: z.number().int(),
  reasonCode: z.string(),
  source: z.strictObject({ type: z.string(), id: z.string() }).nullable(),
  createdAt: z.iso.datetime(),
})
export type WalletLedgerItem = z.infer<typeof WalletLedgerItem>

export const WalletLedgerQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})
export type WalletLedgerQuery = z.infer<typeof WalletLedgerQuery>

export const WalletLedgerPage = z.strictObject({ items: z.array(WalletLedgerItem), nextCursor: z.string().nullable() })
export type WalletLedgerPage = z.infer<typeof WalletLedgerPage>

/** POST /api/v1/wallet/withdrawals — bounds are the server's (WITHDRAWAL_TOO_SMALL / WITHDRAWAL_TOO_LARGE). */
export const WithdrawalInput = z.strictObject({
  amountFen: z.number().int().min(1).max(WECHAT_USER_NAME_REQUIRED_FROM_FEN - 1),
})
export type WithdrawalInput = z.infer<typeof WithdrawalInput>

/**
 * created: wallet debited, WeChat's answer not known yet (reconciliation finishes it);
 * wait_user_confirm: the user must confirm in WeChat (`confirm` holds the parameters);
 * processing: WeChat is transferring or cancelling; success: paid; failed / cancelled: the money is
 * back in the wallet.
 */
export const WITHDRAWAL_STATUSES = ['created', 'wait_user_confirm', 'processing', 'success', 'failed', 'cancelled'] as const
export const WithdrawalStatus = z.enum(WITHDRAWAL_STATUSES)
export type WithdrawalStatus = z.infer<typeof WithdrawalStatus>

/** Parameters of wx.requestMerchantTransfer (base library >= 3.3.0; call it on wx directly, Taro does not wrap it). */
export const MerchantTransferParams = z.strictObject({
  mchId: z.string(),
  appId: z.string(),
  package: z.string(),
  openId: z.string(),
})
export type MerchantTransferParams = z.infer<typeof MerchantTransferParams>

export const Withdrawal = z.strictObject({
  id: z.uuid(),
  amountFen: z.number().int(),
  status: WithdrawalStatus,
  outBillNo: z.string(),
  failReason: z.string().nullable(),
  /** Present while the user still has to confirm the transfer in WeChat. */
  confirm: MerchantTransferParams.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
export type Withdrawal = z.infer<typeof Withdrawal>

export const WithdrawalListQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})
export type WithdrawalListQuery = z.infer<typeof WithdrawalListQuery>

export const WithdrawalPage = z.strictObject({ items: z.array(Withdrawal), nextCursor: z.string().nullable() })
export type WithdrawalPage = z.infer<typeof WithdrawalPage>
