/**
 * WeChat Official Account API errcodes met when sending template messages, classified. Retryable:
 * the platform is busy or a rate quota is reached. Final: this user cannot get this message (not
 * following, refused, bad openid) or our configuration is wrong (template, IP whitelist, rights).
 */

/** Invalid or expired access token: fetch a token again and retry once. */
export const WECHAT_TOKEN_CODES = [40001, 40014, 42001] as const;

export const WECHAT_RETRYABLE_CODES = [
  -1, // system busy
  45009, // API daily quota reached
  45011, // API minute quota reached
  ...WECHAT_TOKEN_CODES, // still rejected after a fresh token: another server is rotating it
] as const;

export const WECHAT_FINAL_CODES = [
  40003, // invalid openid
  43004, // user does not follow the account
  43101, // user refused the messages
  40037, // invalid template_id
  47003, // template data invalid (errmsg names the field)
  48001, // API not authorised for this account
  40164, // caller IP not in the whitelist
  40013, // invalid appid
  40125, // invalid appsecret
] as const;

const RETRYABLE = new Set<number>(WECHAT_RETRYABLE_CODES);

export function isWechatRetryable(errcode: number): boolean {
  return RETRYABLE.has(errcode);
}

export function isWechatTokenError(errcode: number): boolean {
  return (WECHAT_TOKEN_CODES as readonly number[]).includes(errcode);
}
