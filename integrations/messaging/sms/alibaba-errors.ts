import { ACCOUNT_WIDE, BAD_ADDRESS, RECIPIENT_FINAL, TRANSIENT, type FailureTable, type ProviderFailure } from '../../../domain/provider-failures';

/**
 * Alibaba Cloud SMS (dysmsapi 2017-05-25) request-level codes, classified as Alibaba's error-code
 * reference describes them. Transient: flow control and the platform's own failures, which a later
 * try gets past. Recipient-final: this number (bad number, blacklisted) or this message (template
 * parameters, content). Account-wide: the account, its balance, its keys, its signature or its
 * volume limits, which stop every message until someone fixes them.
 */
export const ALIBABA_FAILURES: FailureTable = {
  'isv.BUSINESS_LIMIT_CONTROL': TRANSIENT, // per-number flow control (minute / hour / day)
  'isv.DAY_LIMIT_CONTROL': TRANSIENT, // the account's daily volume: tomorrow it works
  'isp.SYSTEM_ERROR': TRANSIENT,
  ServiceUnavailable: TRANSIENT,
  InternalError: TRANSIENT,

  'isv.MOBILE_NUMBER_ILLEGAL': BAD_ADDRESS,
  'isv.BLACK_KEY_CONTROL_LIMIT': RECIPIENT_FINAL, // the number is on a blacklist (unsubscribed)
  'isv.MOBILE_COUNT_OVER_LIMIT': RECIPIENT_FINAL,
  'isv.TEMPLATE_MISSING_PARAMETERS': RECIPIENT_FINAL,
  'isv.INVALID_JSON_PARAM': RECIPIENT_FINAL,
  'isv.INVALID_PARAMETERS': RECIPIENT_FINAL,
  'isv.PARAM_LENGTH_LIMIT': RECIPIENT_FINAL,
  'isv.PARAM_NOT_SUPPORT_URL': RECIPIENT_FINAL,
  'isv.SMS_TEMPLATE_ILLEGAL': RECIPIENT_FINAL, // this template; other templates still go
  'isv.SMS_CONTENT_ILLEGAL': RECIPIENT_FINAL,
  'isv.DOMESTIC_NUMBER_NOT_SUPPORTED': RECIPIENT_FINAL,

  'isv.AMOUNT_NOT_ENOUGH': ACCOUNT_WIDE, // the balance (or package) is used up
  'isv.OUT_OF_SERVICE': ACCOUNT_WIDE, // service stopped for arrears
  'isv.MONTH_LIMIT_CONTROL': ACCOUNT_WIDE, // the account's monthly volume, set in the console
  'isv.SMS_SIGNATURE_ILLEGAL': ACCOUNT_WIDE, // every message carries the signature
  'isv.SMS_SIGN_ILLEGAL': ACCOUNT_WIDE,
  'isv.SMS_SIGNATURE_SCENE_ILLEGAL': ACCOUNT_WIDE,
  'isv.PRODUCT_UN_SUBSCRIPT': ACCOUNT_WIDE,
  'isv.PRODUCT_UNSUBSCRIBE': ACCOUNT_WIDE,
  'isv.ACCOUNT_NOT_EXISTS': ACCOUNT_WIDE,
  'isv.ACCOUNT_ABNORMAL': ACCOUNT_WIDE,
  'isv.DENY_IP_RANGE': ACCOUNT_WIDE,
  'isp.RAM_PERMISSION_DENY': ACCOUNT_WIDE,
  SignatureDoesNotMatch: ACCOUNT_WIDE, // the AccessKey secret is wrong
  'InvalidAccessKeyId.NotFound': ACCOUNT_WIDE,
  'InvalidAccessKeyId.Inactive': ACCOUNT_WIDE,
  Forbidden: ACCOUNT_WIDE,
};


/**
 * HTTP 5xx is transient whatever the code. A code not in the table: Throttling* and the platform's
 * other isp.* codes are transient; anything else is final for this message (recorded with its code,
 * nothing else held back).
 */
export function classifyAlibaba(code: string, httpStatus?: number): ProviderFailure {
  if (httpStatus !== undefined && httpStatus >= 500) return TRANSIENT;
  const known = ALIBABA_FAILURES[code];
  if (known) return known;
  if (code.startsWith('Throttling') || code.startsWith('isp.')) return TRANSIENT;
  return RECIPIENT_FINAL;
}
