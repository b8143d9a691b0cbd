import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_HOTLINE, DEFAULT_UPDATE_TIMEOUT_MS, DEFAULT_WORKER_HTTP_PORT, DEFAULT_WORKER_SHUTDOWN_GRACE_MS, DEMO_CREDITOR, describeSettings, readSettings, redactUrl, requireDatabaseUrl, requireMigrationDatabaseUrl, SettingsError } from '../../config/settings';

describe('settings from the environment', () => {
  it('fall back to the local stack’s defaults when nothing is set', () => {
    const s = readSettings({});
    expect(s.databaseUrl).toBeUndefined();
    expect(s.temporal).toEqual({ address: 'localhost:7233', namespace: 'default', uiUrl: 'http://localhost:8233', updateTimeoutMs: DEFAULT_UPDATE_TIMEOUT_MS });
    expect(s.email.smtpUrl).toBe('smtp://127.0.0.1:1025');
    expect(s.bank).toEqual({ mode: 'unset' });
    expect(s.creditor).toEqual(DEMO_CREDITOR);
    expect(s.serviceHotline).toBe(DEFAULT_SERVICE_HOTLINE);
    expect(s.logLevel).toBe('info');
    expect(s.dataKey).toBeUndefined();
    expect(() => requireDatabaseUrl(s)).toThrow(/DATABASE_URL is not set/);
  });

  it('read every part when set, an empty value counting as unset', () => {
    const s = readSettings({
      DATABASE_URL: 'postgres://app:secret@db:5432/renewals',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TASK_QUEUE: 'renewals-b',
      RENEWALS_UPDATE_TIMEOUT_MS: '1500',
      BANK_GATEWAY_URL: 'https://bank.example/gateway',
      BANK_SIGNING_KEY: 'k',
      BANK_TIMEOUT_MS: '8000',
      BANK_CREDITOR_ACCOUNT: '6222000011112222',
      SMS_PROVIDER: 'alibaba',
      SMS_TEMPLATE_CODES: '{"debit_failed.default":"SMS_1"}',
      SERVICE_HOTLINE: '95500',
      TEMPORAL_UI_URL: '',
    });
    expect(requireDatabaseUrl(s)).toBe('postgres://app:secret@db:5432/renewals');
    expect(s.temporal).toMatchObject({ address: 'temporal:7233', taskQueue: 'renewals-b', updateTimeoutMs: 1500, uiUrl: 'http://localhost:8233' });
    expect(s.bank).toEqual({ mode: 'gateway', url: 'https://bank.example/gateway', signingKey: 'k', timeoutMs: 8000 });
    expect(s.creditor.accountNo).toBe('6222000011112222');
    expect(s.messaging.smsTemplateCodes).toEqual({ 'debit_failed.default': 'SMS_1' });
    expect(s.serviceHotline).toBe('95500');
    expect(readSettings({ BANK_MODE: 'files', BANK_GATEWAY_URL: 'https://x' }).bank).toEqual({ mode: 'files' });
  });

  it('migrates as DATABASE_MIGRATION_URL, else DATABASE_URL', () => {
    const app = 'postgres://renewals_worker:a@db/renewals';
    const owner = 'postgres://renewals_migrator:m@db/renewals';
    expect(requireMigrationDatabaseUrl(readSettings({ DATABASE_URL: app, DATABASE_MIGRATION_URL: owner }))).toBe(owner);
    expect(requireDatabaseUrl(readSettings({ DATABASE_URL: app, DATABASE_MIGRATION_URL: owner }))).toBe(app);
    expect(requireMigrationDatabaseUrl(readSettings({ DATABASE_URL: app }))).toBe(app);
    expect(() => requireMigrationDatabaseUrl(readSettings({}))).toThrow(/DATABASE_MIGRATION_URL is not set \(nor DATABASE_URL\)/);
  });

  it('ignore an update timeout that is not a positive whole number', () => {
    for (const bad of ['0', '-5', '1.5', 'soon']) expect(readSettings({ RENEWALS_UPDATE_TIMEOUT_MS: bad }).temporal.updateTimeoutMs).toBe(DEFAULT_UPDATE_TIMEOUT_MS);
  });

  it('name the variable that cannot be used', () => {
    expect(() => readSettings({ BANK_GATEWAY_URL: 'https://x', BANK_TIMEOUT_MS: 'ten' })).toThrow(SettingsError);
    expect(() => readSettings({ BANK_GATEWAY_URL: 'https://x', BANK_TIMEOUT_MS: 'ten' })).toThrow(/BANK_TIMEOUT_MS must be a positive whole number of ms, got ten/);
    expect(() => readSettings({ WECHAT_TEMPLATE_IDS: '["a"]' })).toThrow(/WECHAT_TEMPLATE_IDS must be JSON/);
  });

  it('describe what is in use without a password, key or secret', () => {
    const lines = describeSettings(
      readSettings({
        DATABASE_URL: 'postgres://app:s3cret-pw@db:5432/renewals',
        SMTP_URL: 'smtp://mailer:m41l-pw@smtp:25',
        BANK_GATEWAY_URL: 'https://gw:g4te-pw@bank.example/gateway',
        BANK_PASSWORD: 'b4nk-pw',
        BANK_SIGNING_KEY: 's1gn-key',
        ALIBABA_ACCESS_KEY_SECRET: 'al1-secret',
        ALIBABA_RECEIPT_TOKEN: 'push-token-0123456789abcdef0123456789',
        WECHAT_SERVER_TOKEN: 'serverT0ken',
        WECHAT_ENCODING_AES_KEY: 'AesKey'.repeat(7) + 'X',
        RENEWALS_DATA_KEY: 'ab'.repeat(32),
        SMS_PROVIDER: 'alibaba',
      }),
    ).join('\n');
    for (const secret of ['s3cret-pw', 'm41l-pw', 'g4te-pw', 'b4nk-pw', 's1gn-key', 'al1-secret', 'push-token-0123456789abcdef0123456789', 'serverT0ken', 'AesKey'.repeat(7) + 'X', 'ab'.repeat(32)]) expect(lines).not.toContain(secret);
    expect(lines).toContain('receipts: Alibaba push token set, Tencent push token not set, WeChat server token set, EncodingAESKey set');
    expect(lines).toContain('postgres://app:***@db:5432/renewals');
    expect(lines).toContain('signing key set');
    expect(lines).toContain('data key set');
    expect(describeSettings(readSettings({})).join('\n')).toContain('data key not set: the development key is in use');
  });

  it('put the worker endpoints on loopback port 9464 unless told otherwise, 0 meaning any free port', () => {
    expect(readSettings({}).worker).toEqual({ httpHost: '127.0.0.1', httpPort: DEFAULT_WORKER_HTTP_PORT, shutdownGraceMs: DEFAULT_WORKER_SHUTDOWN_GRACE_MS });
    expect(DEFAULT_WORKER_HTTP_PORT).toBe(9464);
    expect(readSettings({ WORKER_HTTP_HOST: '0.0.0.0', WORKER_HTTP_PORT: '0', WORKER_SHUTDOWN_GRACE_MS: '5000' }).worker).toEqual({ httpHost: '0.0.0.0', httpPort: 0, shutdownGraceMs: 5000 });
    expect(() => readSettings({ WORKER_HTTP_PORT: '70000' })).toThrow(SettingsError);
    expect(() => readSettings({ WORKER_HTTP_PORT: 'metrics' })).toThrow(/WORKER_HTTP_PORT must be a port number/);
  });

  it('run as production unless RENEWALS_ENV says demo, and read the bank file key', () => {
    expect(readSettings({}).environment).toBe('production');
    expect(readSettings({ RENEWALS_ENV: 'demo' }).environment).toBe('demo');
    expect(readSettings({ RENEWALS_ENV: 'staging' }).environment).toBe('production');
    expect(readSettings({ BANK_MODE: 'files', BANK_FILE_KEY: 'f1le-key' }).bankFileKey).toBe('f1le-key');
    const lines = describeSettings(readSettings({ BANK_MODE: 'files', BANK_FILE_KEY: 'f1le-key' })).join('\n');
    expect(lines).not.toContain('f1le-key');
    expect(lines).toContain('file key set');
  });

  it('redact the password of any URL', () => {
    expect(redactUrl('postgres://u:p@h/d')).toBe('postgres://u:***@h/d');
    expect(redactUrl('http://h:1/x')).toBe('http://h:1/x');
  });
});
