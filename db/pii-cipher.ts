import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { ConfiguredKeys } from '../config/data-keys';
import { DataKey } from './data-key';

const IV_BYTES = 12;

/** Which row a value belongs to, to name it when it cannot be read (never its content). */
export interface RowRef {
  table: string;
  id: string | number;
}

/**
 * A value of personal data that cannot be decrypted: its key is not configured, or the key given
 * under its id does not open it (a wrong key, altered data). The message names the row and the key
 * id only. Activities turn it into an operations task (activities/personal-data-unreadable.ts).
 */
export class PersonalDataUnreadable extends Error {
  override readonly name = 'PersonalDataUnreadable';
  constructor(
    readonly keyId: string,
    readonly row: RowRef | undefined,
    why: 'key_not_configured' | 'does_not_decrypt' | 'unrecognised',
  ) {
    const what = row ? `${row.table} ${row.id}` : 'a value';
    super(
      why === 'key_not_configured'
        ? `personal data unreadable: ${what} is encrypted under key ${keyId}, which is neither RENEWALS_DATA_KEY nor in RENEWALS_DATA_KEYS_PREVIOUS`
        : why === 'does_not_decrypt'
          ? `personal data unreadable: ${what} does not decrypt under key ${keyId} (a wrong key or altered data)`
          : `personal data unreadable: ${what} is not in a known encrypted format`,
    );
  }
}

/**
 * Encryption at rest for personal data and keyed hashes for equality lookups, over a key ring
 * (docs/business-rules.md#encryption-at-rest): the current key encrypts and indexes, previous keys
 * only decrypt. Written values are `v2:<keyId>:iv:tag:body` (AES-256-GCM under the key's derived
 * encryption key); `v1:iv:tag:body` values from before key ids were written under a master key
 * directly and are still read, by trying each configured key (GCM's tag tells the right one).
 */
export class PiiCipher {
  readonly current: DataKey;
  /** The current key first, then the previous ones. */
  readonly keys: readonly DataKey[];
  private readonly byId: ReadonlyMap<string, DataKey>;
  /** Random bytes that IVs are cut from, 12 at a time; each IV is used once (see nextIv). */
  private ivPool = Buffer.alloc(0);
  private ivOffset = 0;

  constructor(currentHex: string, previousHex: readonly string[] = []) {
    this.current = new DataKey(currentHex);
    const keys = [this.current];
    for (const hex of previousHex) {
      const key = new DataKey(hex);
      if (!keys.some((k) => k.id === key.id)) keys.push(key);
    }
    this.keys = keys;
    this.byId = new Map(keys.map((k) => [k.id, k]));
  }

  /** The cipher for the keys a process is configured with (config/data-keys.ts). */
  static forKeys(keys: ConfiguredKeys): PiiCipher {
    return new PiiCipher(keys.current, keys.previous);
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  /** The configured key with this id, if any. */
  key(id: string): DataKey | undefined {
    return this.byId.get(id);
  }

  encrypt(plain: string): string {
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.current.encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v2', this.current.id, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  /**
   * A fresh random 96-bit IV. Drawn from a pool filled by one call for 512 IVs: asking the system for
   * 12 bytes per value cost more than the encryption itself in a bulk import (docs/architecture.md#imports).
   * Every IV is still 12 random bytes never handed out twice, which is all GCM needs.
   */
  private nextIv(): Buffer {
    if (this.ivOffset + IV_BYTES > this.ivPool.length) {
      this.ivPool = randomBytes(IV_BYTES * 512);
      this.ivOffset = 0;
    }
    const iv = this.ivPool.subarray(this.ivOffset, this.ivOffset + IV_BYTES);
    this.ivOffset += IV_BYTES;
    return iv;
  }

  /** The clear value; PersonalDataUnreadable (naming `row` and the key id, never the data) when it cannot be had. */
  decrypt(sealed: string, row?: RowRef): string {
    const parts = sealed.split(':');
    if (parts[0] === 'v2' && parts.length === 5) {
      const [, id, iv, tag, body] = parts as [string, string, string, string, string];
      const key = this.byId.get(id);
      if (!key) throw new PersonalDataUnreadable(id, row, 'key_not_configured');
      const clear = open(key.encryptionKey, iv, tag, body);
      if (clear === undefined) throw new PersonalDataUnreadable(id, row, 'does_not_decrypt');
      return clear;
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      const [, iv, tag, body] = parts as [string, string, string, string];
      for (const key of this.keys) {
        const clear = open(key.legacyKey, iv, tag, body);
        if (clear !== undefined) return clear;
      }
      throw new PersonalDataUnreadable('v1', row, 'does_not_decrypt');
    }
    throw new PersonalDataUnreadable('unknown', row, 'unrecognised');
  }

  /** True when the value decrypts under a configured key. */
  canDecrypt(sealed: string): boolean {
    try {
      this.decrypt(sealed);
      return true;
    } catch (error) {
      if (error instanceof PersonalDataUnreadable) return false;
      throw error;
    }
  }

  /** The configured key a v1 value was written under, found by trying each. */
  legacyKeyOf(sealed: string): DataKey | undefined {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || body === undefined) return undefined;
    return this.keys.find((key) => open(key.legacyKey, iv, tag, body) !== undefined);
  }

  /** Keyed hash under the current key's index key: equal inputs match, the value cannot be guessed back from a table of numbers. */
  hash(value: string): string {
    return createHmac('sha256', this.current.indexKey).update(value.trim()).digest('hex');
  }
}

/** The key id a stored value names: its id, `v1` for the format without ids. */
export function keyIdOf(sealed: string): string {
  if (sealed.startsWith('v1:')) return 'v1';
  const [version, id] = sealed.split(':');
  return version === 'v2' && id ? id : 'unknown';
}

function open(key: Buffer, iv: string, tag: string, body: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return undefined; // the tag does not match: not this key (or the value was altered)
  }
}
