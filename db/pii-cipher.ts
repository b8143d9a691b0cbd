import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for personal data (AES-256-GCM) and keyed hashes for equality lookups.
 * The key is RENEWALS_DATA_KEY (64 hex chars, config/settings.ts). Without it a fixed development key
 * is used and said so: fine for the demo and tests, never for real data.
 */
export class PiiCipher {
  private readonly key: Buffer;

  constructor(keyHex: string) {
    if (!/^[0-9a-fA-F]{64}$/.test(keyHex)) {
      throw new Error('RENEWALS_DATA_KEY must be 64 hex characters (a 256-bit key)');
    }
    this.key = Buffer.from(keyHex, 'hex');
  }

  /** The cipher for the configured data key, or the development key when none is set. */
  static forKey(key: string | undefined): PiiCipher {
    if (key) return new PiiCipher(key);
    return new PiiCipher(createHash('sha256').update('renewals development key: not for real data').digest('hex'));
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unrecognised encrypted value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }

  /** Keyed hash: equal inputs match, but the value cannot be guessed back from a table of numbers. */
  hash(value: string): string {
    return createHmac('sha256', this.key).update(value.trim()).digest('hex');
  }
}
