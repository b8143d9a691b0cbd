import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireCreditor } from '../../config/demo-defaults';
import { DEMO_CREDITOR, DEMO_LETTER_FONT, readSettings } from '../../config/settings';
import { providerTemplateRegistry } from '../../integrations/messaging/provider-templates';
import { SIMULATOR_RECEIPT_SECRETS } from '../../integrations/messaging/simulators/receipt-secrets';
import { receiptCredentials } from '../../workers/receipt-keys';
import { bankRefusals } from '../../workers/bank-wiring';
import { DEMO_POLICY_ADMIN_SECRET } from '../../integrations/policy-admin/receiver';
import { policyAdminFor } from '../../workers/policy-admin-wiring';
import { workerRefusals } from '../../workers/production-refusals';
import { messagingRefusals } from '../../workers/text-channel-wiring';
import { runCliCaptured } from '../support/cli';
import { envWithout, runChild } from '../support/run-child';

/**
 * Outside RENEWALS_ENV=demo no demo value is used: the demo collection account, the bank simulator's
 * credentials, plain-http endpoints, messages kept in memory, the simulators' placeholder template
 * codes, the local mail catcher, the example sender and the placeholder hotline are each refused at
 * start-up in one line naming the variable to set. RENEWALS_ENV=demo allows them all.
 */
const KEY = 'd4'.repeat(32);
const registry = providerTemplateRegistry();
const codes = (keys: string[], prefix: string) => JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, `${prefix}${i}`])));

/** A production worker's settings with nothing of the demo's in them. */
const PRODUCTION: NodeJS.ProcessEnv = {
  RENEWALS_DATA_KEY: KEY,
  RENEWALS_AUDIT_KEY: 'a5'.repeat(32),
  SMTP_URL: 'smtps://relay.insurer.cn:465',
  MAIL_FROM: 'Renewals <renewals@insurer.cn>',
  SERVICE_HOTLINE: '95500',
  BANK_GATEWAY_URL: 'https://gateway.bank.cn/collect',
  BANK_MERCHANT_ID: 'M0001',
  BANK_USER: 'insurer',
  BANK_PASSWORD: 'g4teway-pw',
  BANK_SIGNING_KEY: 'the-bank-s-signing-key',
  BANK_CREDITOR_NAME: 'Insurer Ltd',
  BANK_CREDITOR_ACCOUNT: '6222000011112222',
  BANK_CREDITOR_BANK_CODE: 'ICBC',
  BANK_CREDITOR_ID: 'CN00INSURER',
  SMS_PROVIDER: 'alibaba',
  SMS_SIGN_NAME: '示例人寿',
  ALIBABA_ACCESS_KEY_ID: 'ak-id',
  ALIBABA_ACCESS_KEY_SECRET: 'al1-secret',
  WECHAT_APP_ID: 'wx1',
  WECHAT_APP_SECRET: 'wx-s3cret',
  ALIBABA_RECEIPT_TOKEN: 'the-insurer-s-alibaba-push-token-0123456789',
  TENCENT_RECEIPT_TOKEN: 'the-insurer-s-tencent-push-token-0123456789',
  WECHAT_SERVER_TOKEN: 'insurerServerToken',
  WECHAT_ENCODING_AES_KEY: 'InsurerEncodingAesKey0123456789abcdefghijkl',
  SMS_TEMPLATE_CODES: codes(Object.keys(registry.sms), 'SMS_'),
  WECHAT_TEMPLATE_IDS: codes(Object.keys(registry.wechat), 'TPL_'),
  POLICY_ADMIN_URL: 'https://core.insurer.cn/policy-changes',
  POLICY_ADMIN_SECRET: 'the-insurer-s-policy-admin-secret-0123456789',
  LETTER_FONT_PATH: DEMO_LETTER_FONT.path,
  LETTER_FONT_NAME: DEMO_LETTER_FONT.name,
  LETTER_SENDER_NAME: 'Insurer Ltd',
  LETTER_SENDER_ADDRESS: '1 Insurer Road, Shanghai',
  PRINT_HOUSE_CODE: 'PH01',
};

const without = (...names: string[]) => Object.fromEntries(Object.entries(PRODUCTION).filter(([name]) => !names.includes(name)));

describe('a production worker', () => {
  it('configured with its own values starts: nothing is refused', () => {
    expect(workerRefusals(readSettings(PRODUCTION))).toEqual([]);
  });

  it('refuses each demo default in one line naming the variable to set', () => {
    const cases: [NodeJS.ProcessEnv, string][] = [
      [without('SMTP_URL'), "SMTP_URL is not set: outside RENEWALS_ENV=demo the local mail catcher's address is refused"],
      [without('MAIL_FROM'), 'MAIL_FROM is not set: outside RENEWALS_ENV=demo the example sender address is refused'],
      [without('SERVICE_HOTLINE'), 'SERVICE_HOTLINE is not set: outside RENEWALS_ENV=demo the placeholder customer-service number is refused'],
      [without('BANK_MERCHANT_ID'), "BANK_MERCHANT_ID is not set: outside RENEWALS_ENV=demo the bank simulator's credentials are refused"],
      [without('BANK_USER'), "BANK_USER is not set: outside RENEWALS_ENV=demo the bank simulator's credentials are refused"],
      [without('BANK_PASSWORD'), "BANK_PASSWORD is not set: outside RENEWALS_ENV=demo the bank simulator's credentials are refused"],
      [without('BANK_SIGNING_KEY'), "BANK_SIGNING_KEY is not set: the gateway's answers and callbacks cannot be verified (only RENEWALS_ENV=demo falls back on the simulated bank's key)"],
      [{ ...PRODUCTION, BANK_PASSWORD: 'renewals' }, "BANK_PASSWORD is the bank simulator's: outside RENEWALS_ENV=demo set the gateway's own"],
      [{ ...PRODUCTION, BANK_GATEWAY_URL: 'http://127.0.0.1:4000/gateway' }, "BANK_GATEWAY_URL must be https:// outside RENEWALS_ENV=demo (plain http:// is the simulators')"],
      [{ ...PRODUCTION, SMS_PROVIDER: 'record' }, 'SMS_PROVIDER is record (messages kept in memory): outside RENEWALS_ENV=demo set alibaba or tencent'],
      [{ ...PRODUCTION, ALIBABA_SMS_URL: 'http://127.0.0.1:4010' }, "ALIBABA_SMS_URL must be https:// outside RENEWALS_ENV=demo (plain http:// is the simulators')"],
      [{ ...PRODUCTION, SMS_PROVIDER: 'tencent', TENCENT_SMS_URL: 'http://127.0.0.1:4011' }, "TENCENT_SMS_URL must be https:// outside RENEWALS_ENV=demo (plain http:// is the simulators')"],
      [{ ...PRODUCTION, WECHAT_URL: 'http://127.0.0.1:4012' }, "WECHAT_URL must be https:// outside RENEWALS_ENV=demo (plain http:// is the simulators')"],
      [without('ALIBABA_RECEIPT_TOKEN'), "ALIBABA_RECEIPT_TOKEN is not set: Alibaba SmsReport pushes cannot be authenticated (only RENEWALS_ENV=demo falls back on the simulators' value)"],
      [{ ...without('TENCENT_RECEIPT_TOKEN'), SMS_PROVIDER: 'tencent' }, "TENCENT_RECEIPT_TOKEN is not set: Tencent status callbacks cannot be authenticated (only RENEWALS_ENV=demo falls back on the simulators' value)"],
      [without('WECHAT_SERVER_TOKEN'), "WECHAT_SERVER_TOKEN is not set: WeChat pushes' signatures cannot be checked (only RENEWALS_ENV=demo falls back on the simulators' value)"],
      [without('WECHAT_ENCODING_AES_KEY'), "WECHAT_ENCODING_AES_KEY is not set: WeChat pushes (safe mode) cannot be decrypted (only RENEWALS_ENV=demo falls back on the simulators' value)"],
      [{ ...PRODUCTION, ALIBABA_RECEIPT_TOKEN: SIMULATOR_RECEIPT_SECRETS.alibabaPushToken }, "ALIBABA_RECEIPT_TOKEN is the simulators' (public) value: outside RENEWALS_ENV=demo set your own"],
      [{ ...PRODUCTION, WECHAT_ENCODING_AES_KEY: SIMULATOR_RECEIPT_SECRETS.wechatEncodingAesKey }, "WECHAT_ENCODING_AES_KEY is the simulators' (public) value: outside RENEWALS_ENV=demo set your own"],
      [without('LETTER_FONT_PATH'), 'LETTER_FONT_PATH is not set: outside RENEWALS_ENV=demo the worker needs a readable font file with Chinese glyphs (e.g. a Noto Sans CJK .ttc, with LETTER_FONT_NAME) to print letters'],
      [without('LETTER_SENDER_NAME'), "LETTER_SENDER_NAME is not set: outside RENEWALS_ENV=demo the demo's value is refused on letters"],
    ];
    for (const [env, refusal] of cases) expect(workerRefusals(readSettings(env)), refusal).toEqual([refusal]);
  });

  it("refuses the simulators' placeholder template codes, naming the variable and a few of the templates", () => {
    const [first, ...rest] = Object.keys(registry.sms);
    const refusals = workerRefusals(readSettings({ ...PRODUCTION, SMS_TEMPLATE_CODES: codes(rest, 'SMS_'), WECHAT_TEMPLATE_IDS: '' }));
    expect(refusals).toEqual([
      `SMS_TEMPLATE_CODES has no approved code for 1 template(s), e.g. ${first}: outside RENEWALS_ENV=demo the simulators' placeholder codes are refused`,
      expect.stringMatching(new RegExp(`^WECHAT_TEMPLATE_IDS has no approved ID for ${Object.keys(registry.wechat).length} template\\(s\\), e\\.g\\. `)),
    ]);
  });

  it('names variables, never their secret values', () => {
    const refusals = workerRefusals(readSettings({ ...PRODUCTION, BANK_GATEWAY_URL: 'http://gw:g4te-pw@127.0.0.1/gateway', SMS_PROVIDER: 'record' })).join('\n');
    for (const secret of ['g4te-pw', 'g4teway-pw', 'the-bank-s-signing-key', 'al1-secret', 'wx-s3cret', KEY]) expect(refusals).not.toContain(secret);
    const receiptRefusalLines = workerRefusals(readSettings({ ...PRODUCTION, ALIBABA_RECEIPT_TOKEN: SIMULATOR_RECEIPT_SECRETS.alibabaPushToken, WECHAT_SERVER_TOKEN: SIMULATOR_RECEIPT_SECRETS.wechatServerToken })).join('\n');
    expect(receiptRefusalLines).toContain('ALIBABA_RECEIPT_TOKEN');
    for (const secret of Object.values(SIMULATOR_RECEIPT_SECRETS)) expect(receiptRefusalLines).not.toContain(secret);
  });

  it('in the demo, every simulator value is allowed', () => {
    const demo = readSettings({ RENEWALS_ENV: 'demo', BANK_GATEWAY_URL: 'http://127.0.0.1:4000/gateway', SMS_PROVIDER: 'record' });
    expect(workerRefusals(demo)).toEqual([]);
    expect(bankRefusals(demo.bank, 'demo')).toEqual([]);
    expect(messagingRefusals({ ...demo.messaging, smsProvider: 'alibaba', alibaba: { url: 'http://127.0.0.1:4010' } }, 'demo')).toEqual([]);
  });

  it('gives the receipt server its own secrets, and refuses all the missing ones at once; a demo falls back on the simulators\'', () => {
    expect(receiptCredentials(readSettings(PRODUCTION))).toEqual({
      alibaba: { pushToken: PRODUCTION.ALIBABA_RECEIPT_TOKEN },
      wechat: { serverToken: PRODUCTION.WECHAT_SERVER_TOKEN, encodingAesKey: PRODUCTION.WECHAT_ENCODING_AES_KEY, appId: 'wx1' },
    });
    expect(() => receiptCredentials(readSettings(without('ALIBABA_RECEIPT_TOKEN', 'WECHAT_SERVER_TOKEN')))).toThrow(/^ALIBABA_RECEIPT_TOKEN is not set: .*\nWECHAT_SERVER_TOKEN is not set: /);
    const demo = receiptCredentials(readSettings({ RENEWALS_ENV: 'demo', SMS_PROVIDER: 'tencent', WECHAT_APP_ID: 'wx-local' }));
    expect(demo).toEqual({
      tencent: { pushToken: SIMULATOR_RECEIPT_SECRETS.tencentPushToken },
      wechat: { serverToken: SIMULATOR_RECEIPT_SECRETS.wechatServerToken, encodingAesKey: SIMULATOR_RECEIPT_SECRETS.wechatEncodingAesKey, appId: 'wx-local' },
    });
  });

  it('refuses a malformed receipt secret when reading the settings, naming it and not showing it', () => {
    expect(() => readSettings({ ...PRODUCTION, ALIBABA_RECEIPT_TOKEN: 'sh0rt' })).toThrow(/^ALIBABA_RECEIPT_TOKEN must be 32 to 256 characters/);
    expect(() => readSettings({ ...PRODUCTION, WECHAT_ENCODING_AES_KEY: 'n0t-a-key' })).toThrow(/^WECHAT_ENCODING_AES_KEY must be the 43 letters and digits/);
    expect(() => readSettings({ ...PRODUCTION, WECHAT_SERVER_TOKEN: 'x!' })).toThrow(/^WECHAT_SERVER_TOKEN must be the 3 to 32 letters and digits/);
    for (const bad of ['sh0rt', 'n0t-a-key']) {
      try {
        readSettings({ ...PRODUCTION, ALIBABA_RECEIPT_TOKEN: bad });
      } catch (error) {
        expect((error as Error).message).not.toContain(bad);
      }
    }
  });

  it('refuses to keep policy administration changes in memory: POLICY_ADMIN_URL and POLICY_ADMIN_SECRET named, never shown', () => {
    expect(workerRefusals(readSettings(without('POLICY_ADMIN_URL', 'POLICY_ADMIN_SECRET')))).toEqual([
      'POLICY_ADMIN_URL is not set: outside RENEWALS_ENV=demo the changes the policy administration system must make are delivered to it, never kept in memory',
      'POLICY_ADMIN_SECRET is not set: every delivery to the policy administration system is signed with it',
    ]);
    expect(workerRefusals(readSettings({ ...PRODUCTION, POLICY_ADMIN_URL: 'http://core.insurer.cn/policy-changes', POLICY_ADMIN_SECRET: 'sh0rt-secret' }))).toEqual([
      'POLICY_ADMIN_SECRET must be at least 32 characters outside RENEWALS_ENV=demo',
      "POLICY_ADMIN_URL must be https:// outside RENEWALS_ENV=demo (plain http:// is the simulators')",
    ]);
    expect(workerRefusals(readSettings({ ...PRODUCTION, POLICY_ADMIN_SECRET: DEMO_POLICY_ADMIN_SECRET }))).toEqual([
      "POLICY_ADMIN_SECRET is the local stack's reference receiver's: outside RENEWALS_ENV=demo set the one shared with the policy administration system",
    ]);
    expect(() => policyAdminFor(readSettings(without('POLICY_ADMIN_SECRET')))).toThrow(/^POLICY_ADMIN_SECRET is not set/);
    expect(policyAdminFor(readSettings(PRODUCTION)).describe).toBe('signed HTTP to https://core.insurer.cn/policy-changes');
    // The demo keeps the in-memory stand-in without a URL, and says so; with a URL it signs too.
    const demo = policyAdminFor(readSettings({ RENEWALS_ENV: 'demo' }));
    expect(demo.describe).toBe('in-memory stand-in');
    expect(demo.standIn).toMatch(/in-memory stand-in: no POLICY_ADMIN_URL \(RENEWALS_ENV=demo only\)/);
    expect(workerRefusals(readSettings({ RENEWALS_ENV: 'demo', POLICY_ADMIN_URL: 'http://127.0.0.1:4100/policy-changes' }))).toEqual([
      'POLICY_ADMIN_SECRET is not set: every delivery to the policy administration system is signed with it',
    ]);
  });

  it('in its own process: refuses to start, one line per refusal, before it connects anywhere', async () => {
    const env = { ...envWithout('RENEWALS_ENV', 'SMTP_URL', 'MAIL_FROM', 'SERVICE_HOTLINE', 'POLICY_ADMIN_URL', 'POLICY_ADMIN_SECRET'), ...without('SMTP_URL', 'BANK_USER', 'POLICY_ADMIN_URL', 'POLICY_ADMIN_SECRET'), DATABASE_URL: 'postgres://nobody:pw@127.0.0.1:9/none', BANK_GATEWAY_URL: 'http://127.0.0.1:4000/gateway' };
    const run = await runChild('worker', [], env);
    expect(run.code).toBe(1);
    expect(run.err.trimEnd().split('\n')).toEqual([
      "worker failed: SMTP_URL is not set: outside RENEWALS_ENV=demo the local mail catcher's address is refused",
      "worker failed: BANK_GATEWAY_URL must be https:// outside RENEWALS_ENV=demo (plain http:// is the simulators')",
      "worker failed: BANK_USER is not set: outside RENEWALS_ENV=demo the bank simulator's credentials are refused",
      'worker failed: POLICY_ADMIN_URL is not set: outside RENEWALS_ENV=demo the changes the policy administration system must make are delivered to it, never kept in memory',
      'worker failed: POLICY_ADMIN_SECRET is not set: every delivery to the policy administration system is signed with it',
    ]);
    expect(run.out).toBe('');
  });
});

describe("the insurer's collection account (renewals bank export)", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is never the demo account outside the demo: the unset variables are named', () => {
    expect(() => requireCreditor(readSettings({ RENEWALS_DATA_KEY: KEY }))).toThrow(
      "BANK_CREDITOR_NAME, BANK_CREDITOR_ACCOUNT, BANK_CREDITOR_BANK_CODE, BANK_CREDITOR_ID are not set: outside RENEWALS_ENV=demo the demo collection account is refused (set the insurer's own)",
    );
    expect(() => requireCreditor(readSettings(without('BANK_CREDITOR_ACCOUNT')))).toThrow(/^BANK_CREDITOR_ACCOUNT is not set: /);
    expect(requireCreditor(readSettings(PRODUCTION))).toEqual({ name: 'Insurer Ltd', accountNo: '6222000011112222', bankCode: 'ICBC', creditorSchemeId: 'CN00INSURER' });
    expect(requireCreditor(readSettings({ RENEWALS_ENV: 'demo' }))).toEqual(DEMO_CREDITOR);
  });

  it('is refused by the command in one line, before it reads the database', async () => {
    for (const name of ['RENEWALS_ENV', 'BANK_CREDITOR_NAME', 'BANK_CREDITOR_ACCOUNT', 'BANK_CREDITOR_BANK_CODE', 'BANK_CREDITOR_ID']) vi.stubEnv(name, '');
    vi.stubEnv('RENEWALS_DATA_KEY', KEY);
    vi.stubEnv('RENEWALS_AUDIT_KEY', PRODUCTION.RENEWALS_AUDIT_KEY);
    vi.stubEnv('DATABASE_URL', 'postgres://nobody:pw@127.0.0.1:9/none');
    vi.stubEnv('BANK_CREDITOR_ACCOUNT', '6222000011112222');
    const run = await runCliCaptured(['bank', 'export', '--date', '2027-01-12', '--out', 'never-written.xml']);
    expect(run).toEqual({
      code: 1,
      out: '',
      err: "renewals: BANK_CREDITOR_NAME, BANK_CREDITOR_BANK_CODE, BANK_CREDITOR_ID are not set: outside RENEWALS_ENV=demo the demo collection account is refused (set the insurer's own)\n",
    });
  });
});
