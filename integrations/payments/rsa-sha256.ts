import { createSign, createVerify, type KeyObject } from 'node:crypto';

/** SHA256 with RSA (PKCS#1 v1.5), base64: what WeChat Pay v3 and Alipay RSA2 both sign with. */
export function rsaSign(message: string, privateKey: KeyObject | string): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
}

/** False for a bad signature and for a key or signature that cannot be read. */
export function rsaVerify(message: string, signature: string, publicKey: KeyObject | string): boolean {
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}
