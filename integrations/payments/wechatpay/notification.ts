import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import type { KeyObject } from 'node:crypto';
import { PaymentVerifyError } from '../port';

/*
 * A WeChat Pay notification as its documentation says to check one (docs/architecture.md#online-payment),
 * with wechatpay-axios-plugin's primitives (the plugin checks answers to our requests itself, but has
 * no receiver for notifications): the Wechatpay-Signature over `timestamp\nnonce\nbody\n` with the
 * platform key named by Wechatpay-Serial, a timestamp within 5 minutes of our clock, then the
 * `resource` decrypted with AEAD_AES_256_GCM under the APIv3 key.
 */

/** How far a platform-signed timestamp may lie from our clock (as the plugin allows for answers). */
export const WECHATPAY_TIMESTAMP_WINDOW_S = 300;

export interface PlatformSignature {
  timestamp: string;
  nonce: string;
  signature: string;
  serial: string;
}

/** A notification's `resource`, as WeChat Pay sends it. */
export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

/** Reads the Wechatpay-* headers (any case); undefined when one is missing. */
export function platformSignatureOf(headers: Record<string, string | string[] | undefined>): PlatformSignature | undefined {
  const get = (name: string): string | undefined => {
    const value = headers[name.toLowerCase()] ?? headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const [timestamp, nonce, signature, serial] = ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial'].map(get);
  if (!timestamp || !nonce || !signature || !serial) return undefined;
  return { timestamp, nonce, signature, serial };
}

/** Believes a body only when the platform key we hold (its serial) signed it within the window. */
export function verifyPlatformSignature(body: string, signed: PlatformSignature | undefined, platform: { serial: string; publicKey: KeyObject | string }, now = Date.now()): void {
  if (!signed) throw new PaymentVerifyError('the Wechatpay-Timestamp, -Nonce, -Signature and -Serial headers are required', true);
  if (signed.serial !== platform.serial) throw new PaymentVerifyError(`Wechatpay-Serial ${signed.serial.slice(0, 40)} is not the platform key we hold`, true);
  if (!/^\d{1,12}$/.test(signed.timestamp)) throw new PaymentVerifyError('Wechatpay-Timestamp is not a number of seconds', true);
  if (Math.abs(Number(signed.timestamp) - now / 1000) > WECHATPAY_TIMESTAMP_WINDOW_S) {
    throw new PaymentVerifyError(`Wechatpay-Timestamp is more than ${WECHATPAY_TIMESTAMP_WINDOW_S} s from our clock`, true);
  }
  let verified: boolean;
  try {
    verified = Rsa.verify(Formatter.response(signed.timestamp, signed.nonce, body), signed.signature, Rsa.from(platform.publicKey, 'public'));
  } catch {
    verified = false;
  }
  if (!verified) throw new PaymentVerifyError('Wechatpay-Signature does not verify with the platform key', true);
}

export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new PaymentVerifyError(`resource algorithm must be AEAD_AES_256_GCM, got ${String(resource.algorithm).slice(0, 40)}`, false);
  if (typeof resource.ciphertext !== 'string' || typeof resource.nonce !== 'string') throw new PaymentVerifyError('resource needs ciphertext and nonce', false);
  if (Buffer.byteLength(apiV3Key) !== 32) throw new Error('the WeChat Pay APIv3 key must be 32 bytes');
  // The plugin takes the tag as the last 16 bytes: anything shorter holds no ciphertext.
  if (Buffer.from(resource.ciphertext, 'base64').length <= 16) throw new PaymentVerifyError('resource ciphertext is too short to hold its tag', true);
  try {
    return Aes.AesGcm.decrypt(resource.ciphertext, apiV3Key, resource.nonce, resource.associated_data ?? '');
  } catch {
    throw new PaymentVerifyError('resource does not decrypt under the APIv3 key (tampered, or another key)', true);
  }
}
