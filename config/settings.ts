/**
 * The system's configuration, read from the environment in one place: every variable, its default
 * and its check. Entry points (the worker, the CLI, the local stack) read it once and hand the
 * values down; nothing below them reads process.env. describeSettings says what is in use without
 * any secret, for the worker to print at start-up.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDataKey, parsePreviousKeys } from './data-keys';
import { encodingAesKeyProblem, receiptTokenProblem, serverTokenProblem } from './receipt-secrets';
import { SettingsError } from './settings-error';

/** How long an operator command waits for a worker to answer an update before saying so. */
export const DEFAULT_UPDATE_TIMEOUT_MS = 30_000;
export const DEFAULT_TEMPORAL_UI_URL = 'http://localhost:8233';
/** The local SMTP catcher of the stack and the demo. */
export const DEMO_SMTP_URL = 'smtp://127.0.0.1:1025';
export const DEFAULT_MAIL_FROM = 'Renewals 续期服务 <renewals@insurer.example>';
/** A placeholder an insurer replaces with its own number (SERVICE_HOTLINE). */
export const DEFAULT_SERVICE_HOTLINE = '400-000-0000';
/** The worker's health, readiness and metrics port: Prometheus' customary exporter port. */
export const DEFAULT_WORKER_HTTP_PORT = 9464;
/**
 * How long a stopping worker lets running activities finish before it cancels them (they are then
 * retried elsewhere): below the 30 s an orchestrator usually allows before it kills the process.
 */
export const DEFAULT_WORKER_SHUTDOWN_GRACE_MS = 25_000;

/**
 * RENEWALS_ENV=demo marks the demo, the local stack and the tests; any other value, or none, is
 * production, which needs its own data key (config/data-keys.ts) and refuses demo defaults
 * (config/demo-defaults.ts).
 */
export type Environment = 'demo' | 'production';

export type BankSettings =
  | { mode: 'gateway'; url: string; merchantId?: string; userName?: string; userPass?: string; signingKey?: string; timeoutMs?: number }
  /**
   * resultFileAt / resultFileDays (BANK_RESULT_FILE_AT, HH:MM Asia/Shanghai, default 10:00;
   * BANK_RESULT_FILE_DAYS, bank business days after the collection date, default 1): when the bank's
   * status report for a day's file is expected, when a cycle first looks at a debit in flight.
   */
  | { mode: 'files'; resultFileAt?: string; resultFileDays?: number }
  | { mode: 'unset' };

/** The insurer's collection account named in every pain.008 file (BANK_CREDITOR_*). */
export interface CreditorSettings {
  name: string;
  accountNo: string;
  bankCode: string;
  creditorSchemeId: string;
}

/** The demo's collection account, used when BANK_CREDITOR_* are unset. */
export const DEMO_CREDITOR: Readonly<CreditorSettings> = {
  name: 'Renewals Life Insurance Co., Ltd.',
  accountNo: '110060149018000000001',
  bankCode: 'ICBC',
  creditorSchemeId: 'INSURER01',
};

export interface MessagingSettings {
  /** alibaba, tencent or record; checked when the worker builds its channels. */
  smsProvider?: string;
  signName?: string;
  /** Our template keys → the provider's approved template codes / IDs. */
  smsTemplateCodes?: Record<string, string>;
  wechatTemplateIds?: Record<string, string>;
  /** receiptToken: the secret in the SmsReport push URL configured in Alibaba's console (ALIBABA_RECEIPT_TOKEN). */
  alibaba: { url: string; accessKeyId?: string; accessKeySecret?: string; receiptToken?: string };
  /** receiptToken: the secret in the status callback URL configured in Tencent's console (TENCENT_RECEIPT_TOKEN). */
  tencent: { url: string; secretId?: string; secretKey?: string; appId?: string; receiptToken?: string };
  /** serverToken and encodingAesKey: the server configuration pushes are signed and encrypted with (safe mode). */
  wechat: { url: string; appId?: string; appSecret?: string; serverToken?: string; encodingAesKey?: string };
}

/**
 * The policy administration system's endpoint and how the relay delivers to it
 * (docs/architecture.md#policy-administration). Without a URL only RENEWALS_ENV=demo runs, on the
 * in-memory stand-in.
 */
export interface PolicyAdminSettings {
  /** POLICY_ADMIN_URL: where each change is POSTed. */
  url?: string;
  /** POLICY_ADMIN_SECRET: the shared secret every delivery is signed with (HMAC-SHA256). */
  secret?: string;
  /** POLICY_ADMIN_MAX_ATTEMPTS: failed deliveries before a change is dead-lettered (default 8). */
  maxAttempts: number;
  /** POLICY_ADMIN_BACKOFF_MS: the wait after the first failure, doubled after each (default 30 s). */
  backoffMs: number;
  /** POLICY_ADMIN_BACKOFF_MAX_MS: the longest wait (default 1 hour). */
  backoffMaxMs: number;
  /** POLICY_ADMIN_TIMEOUT_MS: how long one delivery waits for an answer (default 10 s). */
  timeoutMs: number;
  /** POLICY_ADMIN_RELAY_EVERY_MS: how often the relay looks for due changes (default 5 s). */
  relayEveryMs: number;
}

/** The font of the demo's and the tests' letters (fonts-noto-cjk; .ci/run installs it): the Simplified Chinese face of the collection. */
export const DEMO_LETTER_FONT = { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' } as const;
/** The demo insurer printed at the head of every letter (LETTER_SENDER_NAME, LETTER_SENDER_ADDRESS). */
export const DEMO_LETTER_SENDER = {
  name: '示例人寿保险股份有限公司 Example Life Insurance Co., Ltd.',
  address: '上海市浦东新区示例路 1 号 客户服务部 邮编 200120',
} as const;
export const DEMO_PRINT_HOUSE = 'DEMO-PRINT';

/**
 * Printed letters (docs/architecture.md#letters). fontPath (LETTER_FONT_PATH) and fontName
 * (LETTER_FONT_NAME, the face inside a .ttc); sender (LETTER_SENDER_NAME, LETTER_SENDER_ADDRESS);
 * printHouse (PRINT_HOUSE_CODE): the house batches go to; outboxDir (LETTERS_OUTBOX_DIR): where
 * `renewals letters batch` writes its folders, for the print house's SFTP pickup.
 */
export interface LetterSettings {
  fontPath: string;
  fontName?: string;
  senderName: string;
  senderAddress: string;
  printHouse: string;
  outboxDir: string;
}

export const DEFAULT_POLICY_ADMIN = { maxAttempts: 8, backoffMs: 30_000, backoffMaxMs: 3_600_000, timeoutMs: 10_000, relayEveryMs: 5_000 } as const;

export interface Settings {
  /** RENEWALS_ENV: demo, or production (anything else). */
  environment: Environment;
  /**
   * DATABASE_URL: the worker's and the CLI's login, which has the application role only (README,
   * Database roles); required wherever the database is used (requireDatabaseUrl).
   */
  databaseUrl?: string;
  /** DATABASE_MIGRATION_URL: the login migrations run as (a member of the owner role, or a superuser); DATABASE_URL when unset. */
  databaseMigrationUrl?: string;
  /** DATABASE_APP_PASSWORD: the password `npm run db:login` gives the application's login (docker compose). */
  databaseAppPassword?: string;
  temporal: {
    address: string;
    namespace: string;
    /** TASK_QUEUE: the queue a worker polls and the CLI starts runs on (the renewal queue when unset). */
    taskQueue?: string;
    /** Where `policy history` links point. */
    uiUrl: string;
    updateTimeoutMs: number;
  };
  email: { smtpUrl: string; mailFrom: string };
  /** The worker process's own HTTP endpoints (/healthz, /readyz, /metrics) and its shutdown. */
  worker: { httpHost: string; httpPort: number; shutdownGraceMs: number };
  bank: BankSettings;
  /** BANK_FILE_KEY: the key the bank's MAC over each ISO 20022 file it sends is checked with. */
  bankFileKey?: string;
  creditor: CreditorSettings;
  messaging: MessagingSettings;
  serviceHotline: string;
  policyAdmin: PolicyAdminSettings;
  letters: LetterSettings;
  logLevel: string;
  /** RENEWALS_DATA_KEY, 64 hex characters; without it the development key is used, in the demo only (config/data-keys.ts). */
  dataKey?: string;
  /** RENEWALS_DATA_KEYS_PREVIOUS: keys that only decrypt, during a rotation. */
  previousDataKeys: string[];
  /**
   * RENEWALS_COUNTER_CONFIRM_ABOVE_YUAN: a counter payment for a premium above this many yuan waits for a
   * second cashier's confirmation before it reaches the cycle (docs/business-rules.md#four-eyes).
   */
  counterConfirmAboveFen: number;
  /** RENEWALS_DEBUG: the CLI prints stacks. */
  debug: boolean;
  /** Variables left unset whose demo value is in use: production refuses them where they are used (config/demo-defaults.ts). */
  demoDefaults: string[];
}

export { SettingsError };

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const text = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const demoDefaults: string[] = [];
  /** The variable's value, or the demo's (noted, for production to refuse where it is used). */
  const orDemo = (name: string, demo: string): string => {
    const value = text(name);
    if (value !== undefined) return value;
    demoDefaults.push(name);
    return demo;
  };
  /** A secret's value if its shape is right; a malformed one is refused, named, never shown. */
  const checked = (name: string, problem: (name: string, value: string) => string | undefined): string | undefined => {
    const value = text(name);
    const wrong = value === undefined ? undefined : problem(name, value);
    if (wrong) throw new SettingsError(wrong);
    return value;
  };
  const dataKey = text('RENEWALS_DATA_KEY');
  if (dataKey !== undefined && !isDataKey(dataKey)) throw new SettingsError('RENEWALS_DATA_KEY must be 64 hex characters (a 256-bit key)');
  return {
    environment: text('RENEWALS_ENV') === 'demo' ? 'demo' : 'production',
    ...(text('DATABASE_URL') ? { databaseUrl: text('DATABASE_URL') } : {}),
    ...optional('databaseMigrationUrl', text('DATABASE_MIGRATION_URL')),
    ...optional('databaseAppPassword', text('DATABASE_APP_PASSWORD')),
    temporal: {
      address: text('TEMPORAL_ADDRESS') ?? 'localhost:7233',
      namespace: text('TEMPORAL_NAMESPACE') ?? 'default',
      ...(text('TASK_QUEUE') ? { taskQueue: text('TASK_QUEUE') } : {}),
      uiUrl: text('TEMPORAL_UI_URL') ?? DEFAULT_TEMPORAL_UI_URL,
      updateTimeoutMs: positiveIntegerOr(text('RENEWALS_UPDATE_TIMEOUT_MS'), DEFAULT_UPDATE_TIMEOUT_MS),
    },
    email: { smtpUrl: orDemo('SMTP_URL', DEMO_SMTP_URL), mailFrom: orDemo('MAIL_FROM', DEFAULT_MAIL_FROM) },
    worker: {
      // Loopback unless said otherwise: the metrics are the business's figures.
      httpHost: text('WORKER_HTTP_HOST') ?? '127.0.0.1',
      httpPort: port('WORKER_HTTP_PORT', text('WORKER_HTTP_PORT'), DEFAULT_WORKER_HTTP_PORT),
      shutdownGraceMs: positiveIntegerOr(text('WORKER_SHUTDOWN_GRACE_MS'), DEFAULT_WORKER_SHUTDOWN_GRACE_MS),
    },
    bank: bankSettings(text),
    ...optional('bankFileKey', text('BANK_FILE_KEY')),
    creditor: {
      name: orDemo('BANK_CREDITOR_NAME', DEMO_CREDITOR.name),
      accountNo: orDemo('BANK_CREDITOR_ACCOUNT', DEMO_CREDITOR.accountNo),
      bankCode: orDemo('BANK_CREDITOR_BANK_CODE', DEMO_CREDITOR.bankCode),
      creditorSchemeId: orDemo('BANK_CREDITOR_ID', DEMO_CREDITOR.creditorSchemeId),
    },
    messaging: {
      ...optional('smsProvider', text('SMS_PROVIDER')),
      ...optional('signName', text('SMS_SIGN_NAME')),
      ...optional('smsTemplateCodes', templateCodes('SMS_TEMPLATE_CODES', text('SMS_TEMPLATE_CODES'))),
      ...optional('wechatTemplateIds', templateCodes('WECHAT_TEMPLATE_IDS', text('WECHAT_TEMPLATE_IDS'))),
      alibaba: {
        url: text('ALIBABA_SMS_URL') ?? 'https://dysmsapi.aliyuncs.com',
        ...optional('accessKeyId', text('ALIBABA_ACCESS_KEY_ID')),
        ...optional('accessKeySecret', text('ALIBABA_ACCESS_KEY_SECRET')),
        ...optional('receiptToken', checked('ALIBABA_RECEIPT_TOKEN', receiptTokenProblem)),
      },
      tencent: {
        url: text('TENCENT_SMS_URL') ?? 'https://sms.tencentcloudapi.com',
        ...optional('secretId', text('TENCENT_SECRET_ID')),
        ...optional('secretKey', text('TENCENT_SECRET_KEY')),
        ...optional('appId', text('TENCENT_SMS_APP_ID')),
        ...optional('receiptToken', checked('TENCENT_RECEIPT_TOKEN', receiptTokenProblem)),
      },
      wechat: {
        url: text('WECHAT_URL') ?? 'https://api.weixin.qq.com',
        ...optional('appId', text('WECHAT_APP_ID')),
        ...optional('appSecret', text('WECHAT_APP_SECRET')),
        ...optional('serverToken', checked('WECHAT_SERVER_TOKEN', serverTokenProblem)),
        ...optional('encodingAesKey', checked('WECHAT_ENCODING_AES_KEY', encodingAesKeyProblem)),
      },
    },
    serviceHotline: orDemo('SERVICE_HOTLINE', DEFAULT_SERVICE_HOTLINE),
    policyAdmin: {
      ...optional('url', text('POLICY_ADMIN_URL')),
      ...optional('secret', text('POLICY_ADMIN_SECRET')),
      maxAttempts: wholeNumber('POLICY_ADMIN_MAX_ATTEMPTS', text('POLICY_ADMIN_MAX_ATTEMPTS'), DEFAULT_POLICY_ADMIN.maxAttempts, 1, 100),
      backoffMs: wholeNumber('POLICY_ADMIN_BACKOFF_MS', text('POLICY_ADMIN_BACKOFF_MS'), DEFAULT_POLICY_ADMIN.backoffMs, 1, 86_400_000),
      backoffMaxMs: wholeNumber('POLICY_ADMIN_BACKOFF_MAX_MS', text('POLICY_ADMIN_BACKOFF_MAX_MS'), DEFAULT_POLICY_ADMIN.backoffMaxMs, 1, 7 * 86_400_000),
      timeoutMs: wholeNumber('POLICY_ADMIN_TIMEOUT_MS', text('POLICY_ADMIN_TIMEOUT_MS'), DEFAULT_POLICY_ADMIN.timeoutMs, 100, 300_000),
      relayEveryMs: wholeNumber('POLICY_ADMIN_RELAY_EVERY_MS', text('POLICY_ADMIN_RELAY_EVERY_MS'), DEFAULT_POLICY_ADMIN.relayEveryMs, 10, 3_600_000),
    },
    letters: letterSettings(text, orDemo),
    logLevel: text('LOG_LEVEL') ?? 'info',
    ...optional('dataKey', dataKey),
    previousDataKeys: parsePreviousKeys(text('RENEWALS_DATA_KEYS_PREVIOUS')),
    counterConfirmAboveFen: counterConfirmAbove(text('RENEWALS_COUNTER_CONFIRM_ABOVE_YUAN')),
    debug: Boolean(text('RENEWALS_DEBUG')),
    demoDefaults,
  };
}

/**
 * The settings of the worlds the demo builds for itself (the scenario simulator, the local stack):
 * RENEWALS_ENV=demo, whatever the shell says, so they run on the simulators' values.
 */
export function readDemoSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return readSettings({ ...env, RENEWALS_ENV: 'demo' });
}

/** DATABASE_URL, or an error saying where to get one. */
export function requireDatabaseUrl(settings: Settings): string {
  if (!settings.databaseUrl) throw new SettingsError('DATABASE_URL is not set: start the local stack (npm run stack) and export the address it prints');
  return settings.databaseUrl;
}

/** Where migrations run: DATABASE_MIGRATION_URL, else DATABASE_URL (a superuser's, in a demo of one login). */
export function requireMigrationDatabaseUrl(settings: Settings): string {
  if (settings.databaseMigrationUrl) return settings.databaseMigrationUrl;
  if (!settings.databaseUrl) throw new SettingsError('DATABASE_MIGRATION_URL is not set (nor DATABASE_URL): migrations run as a login that is a member of the database\'s owner role');
  return settings.databaseUrl;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A TCP port; 0 asks the system for a free one (tests run several workers side by side). */
function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new SettingsError(`${name} must be a port number (0 for any free port), got ${value}`);
  return parsed;
}

/** Premiums above ¥20,000 need a second cashier unless the insurer sets its own line. */
export const DEFAULT_COUNTER_CONFIRM_ABOVE_FEN = 2_000_000;

function counterConfirmAbove(value: string | undefined): number {
  if (value === undefined) return DEFAULT_COUNTER_CONFIRM_ABOVE_FEN;
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!match) throw new SettingsError(`RENEWALS_COUNTER_CONFIRM_ABOVE_YUAN must be an amount in yuan with at most 2 decimals (0: every counter payment), got ${JSON.stringify(value)}`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** A whole number within bounds, or the default when unset; anything else refused, naming the variable. */
function wholeNumber(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || parsed < min || parsed > max) throw new SettingsError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return parsed;
}

function positiveIntegerOr(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

function bankSettings(text: (name: string) => string | undefined): BankSettings {
  if (text('BANK_MODE') === 'files') {
    const at = text('BANK_RESULT_FILE_AT');
    if (at !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(at)) throw new SettingsError(`BANK_RESULT_FILE_AT must be HH:MM (Asia/Shanghai), got ${at}`);
    const days = text('BANK_RESULT_FILE_DAYS');
    const businessDays = days === undefined ? undefined : Number(days);
    if (businessDays !== undefined && (!Number.isInteger(businessDays) || businessDays < 0 || businessDays > 10)) {
      throw new SettingsError(`BANK_RESULT_FILE_DAYS must be a whole number of bank business days from 0 to 10, got ${days}`);
    }
    return { mode: 'files', ...optional('resultFileAt', at), ...optional('resultFileDays', businessDays) };
  }
  const url = text('BANK_GATEWAY_URL');
  if (!url) return { mode: 'unset' };
  const timeout = text('BANK_TIMEOUT_MS');
  const timeoutMs = timeout === undefined ? undefined : Number(timeout);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs <= 0)) throw new SettingsError(`BANK_TIMEOUT_MS must be a positive whole number of ms, got ${timeout}`);
  return {
    mode: 'gateway',
    url,
    ...optional('merchantId', text('BANK_MERCHANT_ID')),
    ...optional('userName', text('BANK_USER')),
    ...optional('userPass', text('BANK_PASSWORD')),
    ...optional('signingKey', text('BANK_SIGNING_KEY')),
    ...optional('timeoutMs', timeoutMs),
  };
}

function templateCodes(name: string, raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) throw new Error('not an object of strings');
    return parsed as Record<string, string>;
  } catch (error) {
    throw new SettingsError(`${name} must be JSON {"templateKey": "code"}: ${(error as Error).message}`);
  }
}

function letterSettings(text: (name: string) => string | undefined, orDemo: (name: string, demo: string) => string): LetterSettings {
  const fontPath = orDemo('LETTER_FONT_PATH', DEMO_LETTER_FONT.path);
  // The demo font is a collection: its face is named unless LETTER_FONT_NAME says otherwise.
  const fontName = text('LETTER_FONT_NAME') ?? (text('LETTER_FONT_PATH') === undefined ? DEMO_LETTER_FONT.name : undefined);
  const printHouse = orDemo('PRINT_HOUSE_CODE', DEMO_PRINT_HOUSE);
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(printHouse)) throw new SettingsError(`PRINT_HOUSE_CODE must be 1 to 16 letters, digits, - or _, got ${JSON.stringify(printHouse)}`);
  return {
    fontPath,
    ...optional('fontName', fontName),
    senderName: orDemo('LETTER_SENDER_NAME', DEMO_LETTER_SENDER.name),
    senderAddress: orDemo('LETTER_SENDER_ADDRESS', DEMO_LETTER_SENDER.address),
    printHouse,
    outboxDir: orDemo('LETTERS_OUTBOX_DIR', join(tmpdir(), 'renewals-demo', 'letters-outbox')),
  };
}

/** RENEWALS_DEBUG alone, for an error handler that must not fail on another setting. */
export function debugRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.RENEWALS_DEBUG);
}

/** A URL with any password replaced by ***, for logs and start-up lines. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** What is in use, one line per part, with no secret: passwords, keys and tokens are only said to be set. */
export function describeSettings(settings: Settings): string[] {
  const set = (value: string | undefined) => (value ? 'set' : 'not set');
  const bank = settings.bank;
  return [
    `environment ${settings.environment}${settings.environment === 'demo' ? ' (RENEWALS_ENV=demo: demo defaults allowed)' : ''}`,
    `database ${settings.databaseUrl ? redactUrl(settings.databaseUrl) : 'not set'}`,
    `temporal ${settings.temporal.address}, namespace ${settings.temporal.namespace}${settings.temporal.taskQueue ? `, task queue ${settings.temporal.taskQueue}` : ''}`,
    `worker endpoints on ${settings.worker.httpHost}:${settings.worker.httpPort}, shutdown grace ${settings.worker.shutdownGraceMs} ms`,
    `email via ${redactUrl(settings.email.smtpUrl)}`,
    bank.mode === 'gateway'
      ? `bank gateway ${redactUrl(bank.url)}, merchant ${bank.merchantId ?? 'simulator default'}, signing key ${set(bank.signingKey)}`
      : bank.mode === 'files'
        ? `bank ISO 20022 files, file key ${set(settings.bankFileKey)}`
        : 'bank not configured',
    `messages ${settings.messaging.smsProvider ?? 'not configured'}`,
    `receipts: Alibaba push token ${set(settings.messaging.alibaba.receiptToken)}, Tencent push token ${set(settings.messaging.tencent.receiptToken)}, WeChat server token ${set(settings.messaging.wechat.serverToken)}, EncodingAESKey ${set(settings.messaging.wechat.encodingAesKey)}`,
    settings.policyAdmin.url
      ? `policy administration ${redactUrl(settings.policyAdmin.url)}, secret ${set(settings.policyAdmin.secret)}, ${settings.policyAdmin.maxAttempts} attempts`
      : 'policy administration not configured',
    `letters set in ${settings.letters.fontPath}${settings.letters.fontName ? ` (${settings.letters.fontName})` : ''}, print house ${settings.letters.printHouse}, outbox ${settings.letters.outboxDir}`,
    `service hotline ${settings.serviceHotline}${settings.serviceHotline === DEFAULT_SERVICE_HOTLINE ? ' (placeholder)' : ''}`,
    `data key ${settings.dataKey ? 'set' : 'not set: the development key is in use, never for real data'}${settings.previousDataKeys.length ? `, ${settings.previousDataKeys.length} previous key(s) for decryption` : ''}`,
  ];
}
