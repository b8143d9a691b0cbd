import { ACCOUNT_WIDE, BAD_ADDRESS, RECIPIENT_FINAL, TRANSIENT, type FailureTable, type ProviderFailure } from '../../../domain/provider-failures';

/**
 * Tencent Cloud SMS (API 3.0, 2021-01-11) codes, request-level (`Response.Error.Code`) and per
 * number (`SendStatusSet[i].Code`), classified as Tencent's error-code reference describes them.
 * Transient: rate and frequency limits and the platform's own failures. Recipient-final: this
 * number or this message. Account-wide: the package balance, arrears, the SDK app, the signature,
 * the keys and the IP whitelist.
 */
export const TENCENT_FAILURES: FailureTable = {
  RequestLimitExceeded: TRANSIENT,
  'LimitExceeded.DeliveryFrequencyLimit': TRANSIENT,
  'LimitExceeded.PhoneNumberThirtySecondLimit': TRANSIENT,
  'LimitExceeded.PhoneNumberOneHourLimit': TRANSIENT,
  'LimitExceeded.PhoneNumberDailyLimit': TRANSIENT,
  'LimitExceeded.PhoneNumberSameContentDailyLimit': TRANSIENT,
  'LimitExceeded.DailyLimit': TRANSIENT,
  'LimitExceeded.AppCountryOrRegionDailyLimit': TRANSIENT,
  InternalError: TRANSIENT,
  'InternalError.Timeout': TRANSIENT,
  'InternalError.SendAndRecvFail': TRANSIENT,
  'InternalError.OtherError': TRANSIENT,
  STATUS_PENDING: TRANSIENT,

  'InvalidParameterValue.IncorrectPhoneNumber': BAD_ADDRESS,
  'FailedOperation.PhoneNumberParseFail': BAD_ADDRESS,
  'FailedOperation.PhoneNumberInBlacklist': RECIPIENT_FINAL, // unsubscribed or on the carrier's do-not-disturb list
  'LimitExceeded.PhoneNumberCountLimit': RECIPIENT_FINAL,
  'FailedOperation.ContainSensitiveWord': RECIPIENT_FINAL,
  'FailedOperation.TemplateIncorrectOrUnapproved': RECIPIENT_FINAL, // this template; others still go
  'FailedOperation.TemplateParamSetNotMatchApprovedTemplate': RECIPIENT_FINAL,
  'InvalidParameterValue.ContentLengthLimit': RECIPIENT_FINAL,
  'InvalidParameterValue.ProhibitedUseUrlInTemplateParameter': RECIPIENT_FINAL,
  'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber': RECIPIENT_FINAL,

  'FailedOperation.InsufficientBalanceInSmsPackage': ACCOUNT_WIDE,
  'UnauthorizedOperation.SerivceSuspendDueToArrears': ACCOUNT_WIDE, // sic: Tencent's spelling
  'FailedOperation.SignatureIncorrectOrUnapproved': ACCOUNT_WIDE, // every message carries the signature
  'InvalidParameterValue.SdkAppIdNotExist': ACCOUNT_WIDE,
  'UnauthorizedOperation.RequestIpNotInWhitelist': ACCOUNT_WIDE,
  'UnauthorizedOperation.RequestPermissionDeny': ACCOUNT_WIDE,
  'UnauthorizedOperation.SmsSdkAppIdVerifyFail': ACCOUNT_WIDE,
  'AuthFailure.SignatureFailure': ACCOUNT_WIDE,
  'AuthFailure.SecretIdNotFound': ACCOUNT_WIDE,
  'AuthFailure.InvalidSecretId': ACCOUNT_WIDE,
  'AuthFailure.UnauthorizedOperation': ACCOUNT_WIDE,
  // Our adapter's: delivery statuses come back without SessionContext, so no retry can be checked.
  STATUS_UNVERIFIABLE: ACCOUNT_WIDE,
};


/**
 * HTTP 5xx is transient whatever the code. A code not in the table: any other rate or per-number frequency limit are transient
 * (too many numbers in one request is not); other AuthFailure.* stop every request; anything else is
 * final for this message.
 */
export function classifyTencent(code: string, httpStatus?: number): ProviderFailure {
  if (httpStatus !== undefined && httpStatus >= 500) return TRANSIENT;
  const known = TENCENT_FAILURES[code];
  if (known) return known;
  if (code.startsWith('RequestLimitExceeded') || code.startsWith('LimitExceeded.')) return TRANSIENT;
  if (code.startsWith('AuthFailure.')) return ACCOUNT_WIDE;
  return RECIPIENT_FINAL;
}
