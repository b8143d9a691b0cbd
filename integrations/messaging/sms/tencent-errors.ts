/**
 * Tencent Cloud SMS (API 3.0, 2021-01-11) codes, request-level (`Response.Error.Code`) and per
 * number (`SendStatusSet[i].Code`), classified. Retryable: rate and frequency limits and the
 * platform's own failures. Final: the number, template, signature, content, app or account is wrong.
 */

export const TENCENT_RETRYABLE_CODES = [
  'RequestLimitExceeded',
  'LimitExceeded.DeliveryFrequencyLimit',
  'LimitExceeded.PhoneNumberThirtySecondLimit',
  'LimitExceeded.PhoneNumberOneHourLimit',
  'LimitExceeded.PhoneNumberDailyLimit',
  'LimitExceeded.PhoneNumberSameContentDailyLimit',
  'LimitExceeded.DailyLimit',
  'LimitExceeded.AppCountryOrRegionDailyLimit',
  'InternalError',
  'InternalError.Timeout',
  'InternalError.SendAndRecvFail',
  'InternalError.OtherError',
] as const;

export const TENCENT_FINAL_CODES = [
  'LimitExceeded.PhoneNumberCountLimit',
  'FailedOperation.PhoneNumberInBlacklist',
  'FailedOperation.ContainSensitiveWord',
  'FailedOperation.TemplateIncorrectOrUnapproved',
  'FailedOperation.SignatureIncorrectOrUnapproved',
  'FailedOperation.TemplateParamSetNotMatchApprovedTemplate',
  'FailedOperation.InsufficientBalanceInSmsPackage',
  'InvalidParameterValue.IncorrectPhoneNumber',
  'InvalidParameterValue.ContentLengthLimit',
  'InvalidParameterValue.SdkAppIdNotExist',
  'InvalidParameterValue.ProhibitedUseUrlInTemplateParameter',
  'UnauthorizedOperation.RequestIpNotInWhitelist',
  'UnauthorizedOperation.SerivceSuspendDueToArrears',
  'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber',
  'AuthFailure.SignatureFailure',
  'AuthFailure.SecretIdNotFound',
] as const;

const RETRYABLE = new Set<string>(TENCENT_RETRYABLE_CODES);

export function isTencentRetryable(code: string, httpStatus?: number): boolean {
  if (httpStatus !== undefined && httpStatus >= 500) return true;
  if (RETRYABLE.has(code) || code.startsWith('RequestLimitExceeded')) return true;
  // Any other per-number frequency limit: a later try gets through. Too many numbers in one request does not.
  return code.startsWith('LimitExceeded.') && code !== 'LimitExceeded.PhoneNumberCountLimit';
}
