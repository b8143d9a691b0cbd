import { createCipheriv, randomBytes, type KeyObject } from 'node:crypto';
import type { EncryptedResource } from '../wechatpay/notification';
import { rsaSign } from '../rsa-sha256';

/*
 * WeChat Pay's side of API v3 signatures, for the simulator (docs/architecture.md#online-payment). The
 * merchant's side is wechatpay-axios-plugin (integrations/payments/wechatpay/); this is written apart
 * from it so that the two agreeing says the simulator speaks the protocol.
 *
 * Requests carry `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,serial_no=…`,
 * signed (SHA256 with RSA) over `METHOD\nURL\ntimestamp\nnonce\nbody\n` with the merchant's key; answers
 * and notifications carry Wechatpay-Timestamp/-Nonce/-Signature/-Serial, signed by the platform over
 * `timestamp\nnonce\nbody\n`; a notification's `resource` is AEAD_AES_256_GCM under the APIv3 key
 * (nonce as IV, associated_data as AAD, the 16-byte tag after the ciphertext).
 */

export const WECHATPAY_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

export interface SignedRequest {
  method: string;
  /** Path and query as sent, e.g. /v3/pay/transactions/h5 */
  url: string;
  body: string;
}

export function requestMessage(request: SignedRequest, timestamp: string, nonce: string): string {
  return `${request.method.toUpperCase()}\n${request.url}\n${timestamp}\n${nonce}\n${request.body}\n`;
}

/** The parts of an Authorization header, as the platform reads them. */
export function parseAuthorization(header: string | undefined): Record<string, string> | undefined {
  if (!header?.startsWith(`${WECHATPAY_SCHEMA} `)) return undefined;
  const parts: Record<string, string> = {};
  for (const match of header.slice(WECHATPAY_SCHEMA.length + 1).matchAll(/(\w+)="([^"]*)"/g)) parts[match[1]!] = match[2]!;
  return parts;
}

/** The Wechatpay-* headers of a platform-signed answer or notification. */
export function platformHeaders(body: string, platform: { serial: string; privateKey: KeyObject | string }, now = Date.now(), nonce = randomBytes(16).toString('hex')): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': rsaSign(`${timestamp}\n${nonce}\n${body}\n`, platform.privateKey),
    'Wechatpay-Serial': platform.serial,
  };
}

export function encryptResource(plaintext: string, key: string, associatedData = 'transaction', nonce = randomBytes(6).toString('hex')): EncryptedResource {
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length !== 32) throw new Error('the WeChat Pay APIv3 key must be 32 bytes');
  const cipher = createCipheriv('aes-256-gcm', bytes, Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext: body.toString('base64'), associated_data: associatedData, nonce, original_type: 'transaction' };
}
