import { ACCOUNT_WIDE, BAD_ADDRESS, RECIPIENT_FINAL, TRANSIENT, type FailureTable, type ProviderFailure } from '../../../domain/provider-failures';

/**
 * WeChat Official Account API errcodes met when sending template messages, classified as WeChat's
 * global return codes describe them. Transient: the platform is busy or a rate quota is reached.
 * Recipient-final: this user cannot get this message (bad openid, not following, refused) or this
 * template's data is wrong. Account-wide: the account's credentials, rights or IP whitelist, which
 * stop every message.
 */

/** Invalid or expired access token: fetch a token again and retry once. */
export const WECHAT_TOKEN_CODES = [40001, 40014, 42001] as const;

export const WECHAT_FAILURES: FailureTable = {
  '-1': TRANSIENT, // system busy
  '45009': TRANSIENT, // API daily quota reached
  '45011': TRANSIENT, // API minute quota reached
  // Still rejected after a fresh token: another server is rotating it.
  '40001': TRANSIENT,
  '40014': TRANSIENT,
  '42001': TRANSIENT,

  '40003': BAD_ADDRESS, // invalid openid
  '43004': RECIPIENT_FINAL, // the user does not follow the account
  '43101': RECIPIENT_FINAL, // the user refused the messages
  '40037': RECIPIENT_FINAL, // invalid template_id: this template only
  '47003': RECIPIENT_FINAL, // template data invalid (errmsg names the field)

  '48001': ACCOUNT_WIDE, // API not authorised for this account
  '48004': ACCOUNT_WIDE, // API banned for this account
  '50002': ACCOUNT_WIDE, // the account is restricted
  '40164': ACCOUNT_WIDE, // caller IP not in the whitelist
  '40013': ACCOUNT_WIDE, // invalid appid
  '40125': ACCOUNT_WIDE, // invalid appsecret
  '41004': ACCOUNT_WIDE, // appsecret missing
};

/** An errcode not in the table is final for this message: recorded with its code, nothing else held back. */
export function classifyWechat(errcode: number): ProviderFailure {
  return WECHAT_FAILURES[String(errcode)] ?? RECIPIENT_FINAL;
}

export function isWechatTokenError(errcode: number): boolean {
  return (WECHAT_TOKEN_CODES as readonly number[]).includes(errcode);
}
