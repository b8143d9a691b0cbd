import { createHmac, hkdfSync } from 'node:crypto';

const SALT = Buffer.from('renewals personal data');

/** A 256-bit key for one purpose, derived from the master key (HKDF-SHA256): keys for different jobs never coincide. */
function derive(master: Buffer, purpose: string, bytes = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', master, SALT, `renewals/${purpose}`, bytes));
}

/**
 * One master data key (RENEWALS_DATA_KEY or a previous one) and what is derived from it: the key
 * that encrypts (AES-256-GCM), the key of the blind indexes (HMAC-SHA256, the `*_hash` columns), the
 * key of the console's sign-in limiter, a short public id written into every ciphertext, and a check value kept in the database to recognise
 * the key at start-up. Neither the id nor the check value reveals anything of the key.
 */
export class DataKey {
  /** 8 hex characters, written into `v2:<id>:…` ciphertexts and shown by `renewals keys status`. */
  readonly id: string;
  /** 64 hex characters, stored in data_keys: the same key always gives the same value. */
  readonly checkValue: string;
  readonly encryptionKey: Buffer;
  readonly indexKey: Buffer;
  /** The key the console's sign-in limiter hashes logins and client addresses with (HMAC-SHA256). */
  readonly limiterKey: Buffer;
  /** The master key itself: the v1 format encrypted and hashed with it directly. */
  readonly legacyKey: Buffer;

  constructor(hex: string) {
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('a data key must be 64 hex characters (a 256-bit key)');
    const master = Buffer.from(hex, 'hex');
    this.legacyKey = master;
    this.encryptionKey = derive(master, 'encryption');
    this.indexKey = derive(master, 'blind-index');
    this.limiterKey = derive(master, 'sign-in-limiter');
    this.id = derive(master, 'key-id', 4).toString('hex');
    this.checkValue = createHmac('sha256', derive(master, 'check')).update('renewals key check').digest('hex');
  }
}
