import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingText } from '../../integrations/messaging/port';
import type { RunningSimulator } from '../../integrations/messaging/simulators/http-simulator';
import { AlibabaSmsSimulator } from '../../integrations/messaging/simulators/alibaba-sms-simulator';
import { TencentSmsSimulator } from '../../integrations/messaging/simulators/tencent-sms-simulator';
import { WechatSimulator } from '../../integrations/messaging/simulators/wechat-simulator';
import { AlibabaSms } from '../../integrations/messaging/sms/alibaba-sms';
import { TencentSms } from '../../integrations/messaging/sms/tencent-sms';
import { WechatTemplateMessages } from '../../integrations/messaging/wechat/wechat-template-messages';
import { expectNoPersonalData, providerError } from '../support/provider-calls';

/**
 * The account-wide refusals that used to be recorded as final for one recipient, through the real
 * adapters against the simulators told to refuse every send (an exhausted balance, a suspended
 * account) and then to recover: each is classified account-wide (its circuit opens), and once the
 * account recovers the same message goes.
 */
const SIGN = '某某人寿';
const MOBILE = '13800138000';
const OPENID = 'oRnw5t0Xy8Qe2LkJm9PaZc3Vb1Hd';
let running: RunningSimulator | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

function text(channel: 'sms' | 'wechat', contactId: string): OutgoingText {
  return {
    contactId,
    channel,
    to: channel === 'sms' ? MOBILE : OPENID,
    template: 'pre_due_reminder',
    templateVersion: 1,
    params: { policyNo: 'P2025000123', amount: '3,600.00', dueDate: '2025-03-01' },
    text: '尊敬的客户：您的保单 P2025000123 的续期保费 3,600.00 元应于 2025-03-01 缴纳。',
  };
}

describe('account-wide refusals, and recovery', () => {
  it.each(['isv.AMOUNT_NOT_ENOUGH', 'isv.OUT_OF_SERVICE'])('Alibaba %s: account-wide, not retryable; sent once the account recovers', async (code) => {
    const simulator = new AlibabaSmsSimulator({ accessKeyId: 'LTAI5tAccount', accessKeySecret: 'secret', signNames: [SIGN], templates: { SMS_1: '您的保单${policyNo}续期保费${amount}元' } });
    running = await simulator.start();
    const adapter = new AlibabaSms({ accessKeyId: 'LTAI5tAccount', accessKeySecret: 'secret', endpoint: running.url.replace('http://', ''), protocol: 'HTTP', signName: SIGN, templates: { pre_due_reminder: { code: 'SMS_1' } }, timeoutMs: 1_000 });
    simulator.failAccount(code);
    const error = await providerError(adapter.send(text('sms', 'c-ali-1')));
    expect({ code: error.code, kind: error.failure.kind, retryable: error.retryable }).toEqual({ code, kind: 'account_wide', retryable: false });
    expectNoPersonalData(error, MOBILE);
    simulator.recoverAccount();
    await expect(adapter.send(text('sms', 'c-ali-1'))).resolves.toMatchObject({ provider: 'alibaba-sms' });
    expect(simulator.deliveredCount('c-ali-1')).toBe(1);
  });

  it('Alibaba: a wrong AccessKey secret is account-wide', async () => {
    const simulator = new AlibabaSmsSimulator({ accessKeyId: 'LTAI5tAccount', accessKeySecret: 'secret', signNames: [SIGN], templates: { SMS_1: '${policyNo}' } });
    running = await simulator.start();
    const adapter = new AlibabaSms({ accessKeyId: 'LTAI5tAccount', accessKeySecret: 'wrong', endpoint: running.url.replace('http://', ''), protocol: 'HTTP', signName: SIGN, templates: { pre_due_reminder: { code: 'SMS_1' } }, timeoutMs: 1_000 });
    const error = await providerError(adapter.send(text('sms', 'c-ali-2')));
    expect([error.code, error.failure.kind]).toEqual(['SignatureDoesNotMatch', 'account_wide']);
  });

  it('Tencent: an exhausted SMS package is account-wide; sent once topped up', async () => {
    const simulator = new TencentSmsSimulator({ secretId: 'AKIDaccount', secretKey: 'secret', smsSdkAppId: '1400000001', signNames: [SIGN], templates: { '2085001': '您的保单{1}续期保费{2}元应于{3}缴纳。' } });
    running = await simulator.start();
    const adapter = new TencentSms({
      secretId: 'AKIDaccount',
      secretKey: 'secret',
      endpoint: running.url.replace('http://', ''),
      protocol: 'http://',
      smsSdkAppId: '1400000001',
      signName: SIGN,
      templates: { pre_due_reminder: { code: '2085001', params: ['policyNo', 'amount', 'dueDate'] } },
      timeoutMs: 1_000,
    });
    simulator.failAccount('FailedOperation.InsufficientBalanceInSmsPackage');
    const error = await providerError(adapter.send(text('sms', 'c-tc-1')));
    expect({ code: error.code, kind: error.failure.kind, retryable: error.retryable }).toEqual({ code: 'FailedOperation.InsufficientBalanceInSmsPackage', kind: 'account_wide', retryable: false });
    simulator.recoverAccount();
    await expect(adapter.send(text('sms', 'c-tc-1'))).resolves.toMatchObject({ provider: 'tencent-sms' });
  });

  it.each([48001, 40164])('WeChat errcode %i: account-wide; sent once the account is fixed', async (errcode) => {
    const TEMPLATE = 'Xk3dLr9_Q0pVt7wYzB2nM5cF8hJ1sA4eR6uI0oP3lKj';
    const simulator = new WechatSimulator({ appId: 'wx3f9a2b7c1d4e5f60', appSecret: 'secret', serverToken: 'token', encodingAesKey: 'a'.repeat(43), templates: { [TEMPLATE]: ['character_string1'] } });
    running = await simulator.start();
    const adapter = new WechatTemplateMessages({
      appId: 'wx3f9a2b7c1d4e5f60',
      appSecret: 'secret',
      baseUrl: running.url,
      timeoutMs: 1_000,
      templates: { pre_due_reminder: { templateId: TEMPLATE, data: { character_string1: 'policyNo' } } },
    });
    simulator.failAccount(String(errcode));
    const error = await providerError(adapter.send(text('wechat', `c-wx-${errcode}`)));
    expect({ code: error.code, kind: error.failure.kind, retryable: error.retryable }).toEqual({ code: String(errcode), kind: 'account_wide', retryable: false });
    expectNoPersonalData(error, OPENID);
    simulator.recoverAccount();
    await expect(adapter.send(text('wechat', `c-wx-${errcode}`))).resolves.toMatchObject({ provider: 'wechat-oa' });
  });
});
