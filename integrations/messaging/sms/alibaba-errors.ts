/**
 * Alibaba Cloud SMS (dysmsapi 2017-05-25) request-level codes, classified. Retryable: flow control
 * and the platform's own failures, which a later try gets past. Final: the number, template,
 * signature, content or account is wrong, and sending again would fail the same way.
 */

export const ALIBABA_RETRYABLE_CODES = [
  'isv.BUSINESS_LIMIT_CONTROL', // per-number flow control (minute / hour / day)
  'isv.DAY_LIMIT_CONTROL', // account's daily volume reached: tomorrow it works
  'isp.SYSTEM_ERROR',
  'ServiceUnavailable',
  'InternalError',
] as const;

export const ALIBABA_FINAL_CODES = [
  'isv.MONTH_LIMIT_CONTROL',
  'isv.MOBILE_NUMBER_ILLEGAL',
  'isv.MOBILE_COUNT_OVER_LIMIT',
  'isv.TEMPLATE_MISSING_PARAMETERS',
  'isv.INVALID_JSON_PARAM',
  'isv.PARAM_LENGTH_LIMIT',
  'isv.PARAM_NOT_SUPPORT_URL',
  'isv.SMS_SIGNATURE_SCENE_ILLEGAL',
  'isv.SMS_TEMPLATE_ILLEGAL',
  'isv.SMS_SIGNATURE_ILLEGAL',
  'isv.SMS_CONTENT_ILLEGAL',
  'isv.BLACK_KEY_CONTROL_LIMIT',
  'isv.AMOUNT_NOT_ENOUGH',
  'isv.OUT_OF_SERVICE',
  'isp.RAM_PERMISSION_DENY',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId.NotFound',
] as const;

const RETRYABLE = new Set<string>(ALIBABA_RETRYABLE_CODES);

export function isAlibabaRetryable(code: string, httpStatus?: number): boolean {
  if (httpStatus !== undefined && httpStatus >= 500) return true;
  if (RETRYABLE.has(code) || code.startsWith('Throttling')) return true;
  // isp.* are the platform's side; only the permission code among them is ours to fix.
  return code.startsWith('isp.') && code !== 'isp.RAM_PERMISSION_DENY';
}
