import { createCipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * What the code before key ids wrote, for tests of databases written by it: `v1:iv:tag:body`,
 * AES-256-GCM under the master key itself, and keyed hashes (HMAC-SHA256) under the same key.
 */
export function legacyEncrypt(keyHex: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(keyHex, 'hex'), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

export function legacyHash(keyHex: string, value: string): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(value.trim()).digest('hex');
}
