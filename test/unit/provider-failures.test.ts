import { describe, expect, it } from 'vitest';
import { ACCOUNT_WIDE, BAD_ADDRESS, PROVIDER_FAILURE_KINDS, RECIPIENT_FINAL, TRANSIENT } from '../../domain/provider-failures';
import { ALIBABA_FAILURES, classifyAlibaba } from '../../integrations/messaging/sms/alibaba-errors';
import { classifyTencent, TENCENT_FAILURES } from '../../integrations/messaging/sms/tencent-errors';
import { classifySmtpReply, enhancedStatus, SMTP_ENHANCED_FAILURES, SMTP_REPLY_FAILURES } from '../../integrations/messaging/smtp-replies';
import { smtpFailure } from '../../integrations/messaging/smtp-email';
import { classifyWechat, WECHAT_FAILURES } from '../../integrations/messaging/wechat/wechat-errors';

describe('every classification table holds only the three kinds', () => {
  it.each([
    ['alibaba', ALIBABA_FAILURES],
    ['tencent', TENCENT_FAILURES],
    ['wechat', WECHAT_FAILURES],
    ['smtp replies', SMTP_REPLY_FAILURES],
    ['smtp enhanced', SMTP_ENHANCED_FAILURES],
  ])('%s', (_name, table) => {
    for (const failure of Object.values(table)) {
      expect(PROVIDER_FAILURE_KINDS).toContain(failure.kind);
      if (failure.badAddress) expect(failure.kind).toBe('recipient_final');
    }
  });
});

describe('Alibaba Cloud SMS codes', () => {
  it('an exhausted balance, a suspended service, wrong keys and a refused signature stop every message: account-wide', () => {
    for (const code of ['isv.AMOUNT_NOT_ENOUGH', 'isv.OUT_OF_SERVICE', 'SignatureDoesNotMatch', 'InvalidAccessKeyId.NotFound', 'isp.RAM_PERMISSION_DENY', 'isv.SMS_SIGNATURE_ILLEGAL', 'isv.MONTH_LIMIT_CONTROL']) {
      expect([code, classifyAlibaba(code, 400)]).toEqual([code, ACCOUNT_WIDE]);
    }
  });
  it('flow control and the platform failing are transient, HTTP 5xx whatever the code', () => {
    for (const code of ['isv.BUSINESS_LIMIT_CONTROL', 'isv.DAY_LIMIT_CONTROL', 'isp.SYSTEM_ERROR', 'Throttling.User', 'isp.GATEWAY_ERROR']) expect(classifyAlibaba(code)).toEqual(TRANSIENT);
    expect(classifyAlibaba('SignatureDoesNotMatch', 503)).toEqual(TRANSIENT);
  });
  it('a bad number flags the point; a blacklist, a template or content refusal is final for this message only', () => {
    expect(classifyAlibaba('isv.MOBILE_NUMBER_ILLEGAL')).toEqual(BAD_ADDRESS);
    for (const code of ['isv.BLACK_KEY_CONTROL_LIMIT', 'isv.TEMPLATE_MISSING_PARAMETERS', 'isv.SMS_TEMPLATE_ILLEGAL', 'isv.SMS_CONTENT_ILLEGAL']) expect(classifyAlibaba(code)).toEqual(RECIPIENT_FINAL);
  });
  it('an unknown code is final for this message, holding nothing else back', () => {
    expect(classifyAlibaba('isv.SOMETHING_NEW')).toEqual(RECIPIENT_FINAL);
  });
});

describe('Tencent Cloud SMS codes', () => {
  it('package balance, arrears, the SDK app, keys, signature and IP whitelist: account-wide', () => {
    for (const code of [
      'FailedOperation.InsufficientBalanceInSmsPackage',
      'UnauthorizedOperation.SerivceSuspendDueToArrears',
      'InvalidParameterValue.SdkAppIdNotExist',
      'AuthFailure.SignatureFailure',
      'AuthFailure.SecretIdNotFound',
      'AuthFailure.SomethingNew',
      'FailedOperation.SignatureIncorrectOrUnapproved',
      'UnauthorizedOperation.RequestIpNotInWhitelist',
      'STATUS_UNVERIFIABLE',
    ]) {
      expect([code, classifyTencent(code)]).toEqual([code, ACCOUNT_WIDE]);
    }
  });
  it('rate limits and internal errors are transient; too many numbers in one request is not', () => {
    for (const code of ['RequestLimitExceeded', 'LimitExceeded.PhoneNumberDailyLimit', 'LimitExceeded.SomethingNew', 'InternalError.Timeout', 'STATUS_PENDING']) expect(classifyTencent(code)).toEqual(TRANSIENT);
    expect(classifyTencent('LimitExceeded.PhoneNumberCountLimit')).toEqual(RECIPIENT_FINAL);
  });
  it('an incorrect number flags the point; a number on the do-not-disturb list does not', () => {
    expect(classifyTencent('InvalidParameterValue.IncorrectPhoneNumber')).toEqual(BAD_ADDRESS);
    expect(classifyTencent('FailedOperation.PhoneNumberInBlacklist')).toEqual(RECIPIENT_FINAL);
  });
});

describe('WeChat errcodes', () => {
  it('rights, IP whitelist and credentials of the account: account-wide', () => {
    for (const code of [48001, 40164, 40125, 40013, 48004, 50002]) expect([code, classifyWechat(code)]).toEqual([code, ACCOUNT_WIDE]);
  });
  it('busy and quotas are transient; an invalid openid flags the point; not following or refusing is final', () => {
    for (const code of [-1, 45009, 45011, 40001, 42001]) expect(classifyWechat(code)).toEqual(TRANSIENT);
    expect(classifyWechat(40003)).toEqual(BAD_ADDRESS);
    for (const code of [43004, 43101, 40037, 47003, 99999]) expect(classifyWechat(code)).toEqual(RECIPIENT_FINAL);
  });
});

describe('SMTP replies', () => {
  it('reads the enhanced status code from the reply text', () => {
    expect(enhancedStatus('550 5.1.1 <a@b.cn>: Recipient address rejected')).toBe('5.1.1');
    expect(enhancedStatus('421 4.3.2 Service not available')).toBe('4.3.2');
    expect(enhancedStatus('550 Mailbox unavailable')).toBeUndefined();
  });
  it('4xx is transient, whatever the command', () => {
    expect(classifySmtpReply({ code: 421, text: '4.3.2 Service not available', command: 'CONN' })).toEqual(TRANSIENT);
    expect(classifySmtpReply({ code: 451, command: 'RCPT TO' })).toEqual(TRANSIENT);
    expect(classifySmtpReply({ code: 452, text: '4.2.2 Mailbox full', command: 'RCPT TO' })).toEqual(TRANSIENT);
  });
  it('550 5.1.1 (no such mailbox) and other bad addresses flag the point', () => {
    for (const text of ['5.1.1 User unknown', '5.1.2 Bad destination system', '5.1.3 Bad address syntax', '5.1.10 Null MX', '5.4.4 Unable to route']) {
      expect([text, classifySmtpReply({ code: 550, text, command: 'RCPT TO' })]).toEqual([text, BAD_ADDRESS]);
    }
    expect(classifySmtpReply({ code: 553, command: 'RCPT TO' })).toEqual(BAD_ADDRESS);
  });
  it('a full or disabled mailbox, refused content or a recipient policy: final for this message, the point kept', () => {
    expect(classifySmtpReply({ code: 552, text: '5.2.2 Mailbox full', command: 'RCPT TO' })).toEqual(RECIPIENT_FINAL);
    expect(classifySmtpReply({ code: 550, text: '5.7.1 Message refused', command: 'DATA' })).toEqual(RECIPIENT_FINAL);
    expect(classifySmtpReply({ code: 550, text: 'Mailbox unavailable', command: 'RCPT TO' })).toEqual(RECIPIENT_FINAL);
  });
  it('our login, our sender or our protocol refused: account-wide', () => {
    expect(classifySmtpReply({ code: 535, text: '5.7.8 Authentication credentials invalid', command: 'AUTH PLAIN' })).toEqual(ACCOUNT_WIDE);
    expect(classifySmtpReply({ code: 550, text: '5.1.1 Sender unknown', command: 'MAIL FROM' })).toEqual(ACCOUNT_WIDE);
    expect(classifySmtpReply({ code: 554, text: 'No SMTP service here', command: 'CONN' })).toEqual(ACCOUNT_WIDE);
    expect(classifySmtpReply({ code: 530, text: '5.7.0 Authentication required', command: 'RCPT TO' })).toEqual(ACCOUNT_WIDE);
    expect(classifySmtpReply({ code: 550, text: '5.7.26 DMARC policy', command: 'DATA' })).toEqual(ACCOUNT_WIDE);
  });
  it("nodemailer's error becomes a classified ProviderError that never carries the address", () => {
    const error = smtpFailure(
      { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <li.lei@example.cn>: Recipient address rejected: User unknown', command: 'RCPT TO' },
      'li.lei@example.cn',
    );
    expect({ provider: error.provider, code: error.code, failure: error.failure, retryable: error.retryable }).toEqual({
      provider: 'smtp',
      code: '550 5.1.1',
      failure: BAD_ADDRESS,
      retryable: false,
    });
    expect(error.message).not.toMatch(/li\.lei|example\.cn/);
    const other = smtpFailure({ responseCode: 550, response: '550 5.1.1 <wang.fang@example.cn> unknown', command: 'RCPT TO' }, 'li.lei@example.cn');
    expect(other.message).not.toContain('wang.fang@example.cn');
    const down = smtpFailure({ code: 'ECONNECTION' }, 'li.lei@example.cn');
    expect([down.code, down.failure, down.retryable]).toEqual(['ECONNECTION', TRANSIENT, true]);
    const outage = smtpFailure({ code: 'EPROTOCOL', responseCode: 421, response: '421 4.3.2 Service not available', command: 'CONN' }, 'li.lei@example.cn');
    expect([outage.code, outage.failure]).toEqual(['421 4.3.2', TRANSIENT]);
    const auth = smtpFailure({ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication credentials invalid', command: 'AUTH PLAIN' }, 'x@y.cn');
    expect(auth.failure).toEqual(ACCOUNT_WIDE);
  });
});
