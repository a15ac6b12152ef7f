/**
 * The WeChat sandbox: a local, faithful implementation of the WeChat mini-program server APIs
 * and WeChat Pay APIv3 (see /work/shared/WECHAT-CONTRACT.md), plus /__sim test hooks.
 * Start it in-process with createSandbox().listen(), or standalone with `npm run sandbox`.
 */
export { createSandbox } from './app';
export type { Sandbox, SandboxLogger, SandboxOptions, SignMode } from './app';
export { generateMerchantKeys, generatePlatformKeys } from './keys';
export type { MerchantKeys, PlatformKeyMaterial, PlatformPublicInfo } from './keys';
export { DEFAULT_RETRY_SCHEDULE } from './notifier';
export type { DeliveryAttempt, DeliveryRecord, DeliveryState } from './notifier';
export type { RegisterMerchantInput, RequestPaymentParams } from './pay-service';
export type { RefundStatus, TradeState, TransferState } from './pay-state';
export { DEFAULT_TRANSFER_SCENES } from './transfer-service';
export type { TransferConfirmInput, TransferScene } from './transfer-service';
export type { SentSubscribeMessage } from './mp-state';
export { readPngText } from './qr-image';
export { RISKY_KEYWORDS, REVIEW_KEYWORDS } from './sec-check';
// Merchant-side helpers (what our server does against WeChat), for tests that talk to the sandbox directly.
export {
  buildAuthorization,
  createPaySign,
  decryptResource,
  encryptResource,
  encryptSensitiveField,
  verifyWechatpaySignature,
  PROBE_SIGNATURE_PREFIX,
} from './crypto';
export type { EncryptedResource } from './crypto';
