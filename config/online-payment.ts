import { readFileSync } from 'node:fs';
import { SettingsError } from './settings-error';

/*
 * Online payment settings (docs/architecture.md#online-payment, README "Online payment"). Online payment
 * is on when PAY_LINK_BASE_URL is set. Outside RENEWALS_ENV=demo every provider setting is then
 * required; in the demo a provider left unset is its simulator (integrations/payments/configured-providers.ts).
 */

export interface WechatPayEnv {
  baseUrl?: string;
  mchId: string;
  appId: string;
  /** The serial number of the merchant API certificate whose private key signs our requests. */
  serialNo: string;
  privateKeyPem: string;
  /** The platform certificate's serial (or the platform public key's ID) and its public key. */
  platformSerial: string;
  platformPublicKeyPem: string;
  /** 32 bytes: decrypts notification resources. */
  apiV3Key: string;
}

export interface AlipayEnv {
  gatewayUrl?: string;
  appId: string;
  /** The application private key that signs our requests (RSA2). */
  privateKeyPem: string;
  /** Alipay's public key: notifications and answers are verified with it. */
  alipayPublicKeyPem: string;
}

export interface OnlinePaymentSettings {
  environment: 'demo' | 'production';
  /** Where links point and notifications come back: https://pay.insurer.example */
  baseUrl: string;
  host: string;
  port: number;
  /** Orders still open this long are asked of their provider (the lost-notification sweep). */
  checkAfterMinutes: number;
  trustProxy: boolean;
  /** Given in full, or undefined: the simulator's (demo only). */
  wechatpay?: WechatPayEnv;
  alipay?: AlipayEnv;
  /** In the demo: the simulators' addresses (npm run stack prints them). */
  simulatorUrls: { wechatpay?: string; alipay?: string };
}

export const PAY_LINK_DEFAULTS = { host: '127.0.0.1', port: 8090, checkAfterMinutes: 10 } as const;

const WECHATPAY_VARS = ['WECHATPAY_MCHID', 'WECHATPAY_APPID', 'WECHATPAY_SERIAL_NO', 'WECHATPAY_PRIVATE_KEY_FILE', 'WECHATPAY_PLATFORM_SERIAL', 'WECHATPAY_PLATFORM_PUBLIC_KEY_FILE', 'WECHATPAY_APIV3_KEY'] as const;
const ALIPAY_VARS = ['ALIPAY_APP_ID', 'ALIPAY_PRIVATE_KEY_FILE', 'ALIPAY_PUBLIC_KEY_FILE'] as const;

/** Undefined when online payment is off (no PAY_LINK_BASE_URL). */
export function readOnlinePaymentSettings(env: NodeJS.ProcessEnv = process.env): OnlinePaymentSettings | undefined {
  const text = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const baseUrl = text('PAY_LINK_BASE_URL');
  if (baseUrl === undefined) return undefined;
  const environment = text('RENEWALS_ENV') === 'demo' ? 'demo' : 'production';
  if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(baseUrl)) throw new SettingsError('PAY_LINK_BASE_URL must be an http(s) URL without query, e.g. https://pay.insurer.example');
  if (environment === 'production' && !baseUrl.startsWith('https://')) throw new SettingsError('PAY_LINK_BASE_URL must be https outside RENEWALS_ENV=demo (the providers notify only https)');
  const pem = (name: string): string => {
    try {
      return readFileSync(text(name)!, 'utf8');
    } catch {
      throw new SettingsError(`${name} names a file that cannot be read (a PEM key)`);
    }
  };
  /** All of a provider's variables, none, or a refusal naming the missing ones. */
  const group = (names: readonly string[], provider: string): boolean => {
    const missing = names.filter((n) => text(n) === undefined);
    if (missing.length === 0) return true;
    if (environment === 'demo' && missing.length === names.length) return false;
    throw new SettingsError(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: with PAY_LINK_BASE_URL set, ${provider} needs them${environment === 'demo' ? ' (or none of them, for its simulator)' : ' outside RENEWALS_ENV=demo'}`);
  };
  const apiV3Key = text('WECHATPAY_APIV3_KEY');
  if (apiV3Key !== undefined && Buffer.byteLength(apiV3Key) !== 32) throw new SettingsError('WECHATPAY_APIV3_KEY must be 32 bytes (the APIv3 key set in the merchant platform)');
  const minutes = Number(text('PAY_ORDER_CHECK_MINUTES') ?? PAY_LINK_DEFAULTS.checkAfterMinutes);
  if (!Number.isInteger(minutes) || minutes < 1) throw new SettingsError('PAY_ORDER_CHECK_MINUTES must be a whole number of minutes, 1 or more');
  const port = Number(text('PAY_LINK_PORT') ?? PAY_LINK_DEFAULTS.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new SettingsError('PAY_LINK_PORT must be a port number');
  return {
    environment,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    host: text('PAY_LINK_HOST') ?? PAY_LINK_DEFAULTS.host,
    port,
    checkAfterMinutes: minutes,
    trustProxy: text('PAY_LINK_TRUST_PROXY') === 'true',
    ...(group(WECHATPAY_VARS, 'WeChat Pay')
      ? {
          wechatpay: {
            ...(text('WECHATPAY_URL') ? { baseUrl: text('WECHATPAY_URL') } : {}),
            mchId: text('WECHATPAY_MCHID')!,
            appId: text('WECHATPAY_APPID')!,
            serialNo: text('WECHATPAY_SERIAL_NO')!,
            privateKeyPem: pem('WECHATPAY_PRIVATE_KEY_FILE'),
            platformSerial: text('WECHATPAY_PLATFORM_SERIAL')!,
            platformPublicKeyPem: pem('WECHATPAY_PLATFORM_PUBLIC_KEY_FILE'),
            apiV3Key: apiV3Key!,
          },
        }
      : {}),
    ...(group(ALIPAY_VARS, 'Alipay')
      ? {
          alipay: {
            ...(text('ALIPAY_GATEWAY') ? { gatewayUrl: text('ALIPAY_GATEWAY') } : {}),
            appId: text('ALIPAY_APP_ID')!,
            privateKeyPem: pem('ALIPAY_PRIVATE_KEY_FILE'),
            alipayPublicKeyPem: pem('ALIPAY_PUBLIC_KEY_FILE'),
          },
        }
      : {}),
    simulatorUrls: {
      ...(text('WECHATPAY_URL') ? { wechatpay: text('WECHATPAY_URL') } : {}),
      ...(text('ALIPAY_GATEWAY') ? { alipay: text('ALIPAY_GATEWAY') } : {}),
    },
  };
}
