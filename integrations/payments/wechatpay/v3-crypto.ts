import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { PaymentVerifyError } from '../port';
import { rsaSign, rsaVerify } from '../rsa-sha256';

/*
 * WeChat Pay API v3 signatures and resource encryption (docs/architecture.md#online-payment):
 * requests carry `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,serial_no=…`
 * signed (SHA256 with RSA) over `METHOD\nURL\ntimestamp\nnonce\nbody\n` with the merchant's key;
 * answers and notifications carry Wechatpay-Timestamp/-Nonce/-Signature/-Serial, signed by the
 * platform over `timestamp\nnonce\nbody\n`; a notification's `resource` is AEAD_AES_256_GCM under
 * the APIv3 key (nonce as IV, associated_data as AAD, the 16-byte tag after the ciphertext).
 */

export const WECHATPAY_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';
/** How far a platform-signed timestamp may lie from our clock (WeChat's own SDKs use 5 minutes). */
export const WECHATPAY_TIMESTAMP_WINDOW_S = 300;


export interface SignedRequest {
  method: string;
  /** Path and query as sent, e.g. /v3/pay/transactions/h5 */
  url: string;
  body: string;
}

export function requestMessage(request: SignedRequest, timestamp: string, nonce: string): string {
  return `${request.method.toUpperCase()}\n${request.url}\n${timestamp}\n${nonce}\n${request.body}\n`;
}

export function authorizationHeader(request: SignedRequest, merchant: { mchId: string; serialNo: string; privateKey: KeyObject | string }, now = Date.now(), nonce = randomBytes(16).toString('hex')): string {
  const timestamp = String(Math.floor(now / 1000));
  const signature = rsaSign(requestMessage(request, timestamp, nonce), merchant.privateKey);
  return `${WECHATPAY_SCHEMA} mchid="${merchant.mchId}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${merchant.serialNo}"`;
}

/** The parts of an Authorization header (the simulator checks requests with it). */
export function parseAuthorization(header: string | undefined): Record<string, string> | undefined {
  if (!header?.startsWith(`${WECHATPAY_SCHEMA} `)) return undefined;
  const parts: Record<string, string> = {};
  for (const match of header.slice(WECHATPAY_SCHEMA.length + 1).matchAll(/(\w+)="([^"]*)"/g)) parts[match[1]!] = match[2]!;
  return parts;
}

/** The Wechatpay-* headers of a platform-signed answer or notification. */
export interface PlatformSignature {
  timestamp: string;
  nonce: string;
  signature: string;
  serial: string;
}

export function platformHeaders(body: string, platform: { serial: string; privateKey: KeyObject | string }, now = Date.now(), nonce = randomBytes(16).toString('hex')): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': rsaSign(`${timestamp}\n${nonce}\n${body}\n`, platform.privateKey),
    'Wechatpay-Serial': platform.serial,
  };
}

/** Reads the Wechatpay-* headers (any case) of a request or answer; undefined when one is missing. */
export function platformSignatureOf(headers: Record<string, string | string[] | undefined> | Headers): PlatformSignature | undefined {
  const get = (name: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const value = headers[name.toLowerCase()] ?? headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const [timestamp, nonce, signature, serial] = ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial'].map(get);
  if (!timestamp || !nonce || !signature || !serial) return undefined;
  return { timestamp, nonce, signature, serial };
}

/**
 * Believes a body only when the platform key we hold (its serial) signed it within the window. Throws
 * PaymentVerifyError saying which check failed.
 */
export function verifyPlatformSignature(
  body: string,
  signed: PlatformSignature | undefined,
  platform: { serial: string; publicKey: KeyObject | string },
  now = Date.now(),
): void {
  if (!signed) throw new PaymentVerifyError('the Wechatpay-Timestamp, -Nonce, -Signature and -Serial headers are required', true);
  if (signed.serial !== platform.serial) throw new PaymentVerifyError(`Wechatpay-Serial ${signed.serial.slice(0, 40)} is not the platform key we hold`, true);
  if (!/^\d{1,12}$/.test(signed.timestamp)) throw new PaymentVerifyError('Wechatpay-Timestamp is not a number of seconds', true);
  if (Math.abs(Number(signed.timestamp) - now / 1000) > WECHATPAY_TIMESTAMP_WINDOW_S) {
    throw new PaymentVerifyError(`Wechatpay-Timestamp is more than ${WECHATPAY_TIMESTAMP_WINDOW_S} s from our clock`, true);
  }
  if (!rsaVerify(`${signed.timestamp}\n${signed.nonce}\n${body}\n`, signed.signature, platform.publicKey)) {
    throw new PaymentVerifyError('Wechatpay-Signature does not verify with the platform key', true);
  }
}

/** A notification's `resource`, as WeChat Pay sends it. */
export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

function apiV3Key(key: string): Buffer {
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length !== 32) throw new Error('the WeChat Pay APIv3 key must be 32 bytes');
  return bytes;
}

export function encryptResource(plaintext: string, key: string, associatedData = 'transaction', nonce = randomBytes(6).toString('hex')): EncryptedResource {
  const cipher = createCipheriv('aes-256-gcm', apiV3Key(key), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext: body.toString('base64'), associated_data: associatedData, nonce, original_type: 'transaction' };
}

export function decryptResource(resource: EncryptedResource, key: string): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new PaymentVerifyError(`resource algorithm must be AEAD_AES_256_GCM, got ${String(resource.algorithm).slice(0, 40)}`, false);
  if (typeof resource.ciphertext !== 'string' || typeof resource.nonce !== 'string') throw new PaymentVerifyError('resource needs ciphertext and nonce', false);
  const body = Buffer.from(resource.ciphertext, 'base64');
  if (body.length <= 16) throw new PaymentVerifyError('resource ciphertext is too short to hold its tag', true);
  try {
    const decipher = createDecipheriv('aes-256-gcm', apiV3Key(key), Buffer.from(resource.nonce, 'utf8'));
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    throw new PaymentVerifyError('resource does not decrypt under the APIv3 key (tampered, or another key)', true);
  }
}
