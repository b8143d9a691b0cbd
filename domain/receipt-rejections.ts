/**
 * Why a delivery-receipt push was refused (README.md#receipts): it could not be authenticated as the
 * provider's (no or wrong push token, wrong signature, a body altered after signing, not decryptable
 * under the account's key), or it was authenticated but stale (its timestamp outside the window).
 */
export const RECEIPT_REJECTIONS = ['authentication', 'stale'] as const;
export type ReceiptRejection = (typeof RECEIPT_REJECTIONS)[number];

/** A refused push, as recorded: the provider's endpoint, why, and a problem with no secret or personal data in it. */
export interface RefusedReceiptPush {
  /** alibaba-sms, tencent-sms or wechat-oa: whose endpoint was pushed to. */
  provider: string;
  reason: ReceiptRejection;
  problem: string;
}
