import { describe, expect, it } from 'vitest';
import { configuredKeys, DEVELOPMENT_DATA_KEY, parsePreviousKeys } from '../../config/data-keys';
import { readSettings } from '../../config/settings';
import { DataKey } from '../../db/data-key';
import { keyIdOf, PersonalDataUnreadable, PiiCipher } from '../../db/pii-cipher';
import { legacyEncrypt, legacyHash } from '../support/legacy-cipher';

const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);
const MOBILE = '13812348000';

describe('the key ring cipher', () => {
  it('writes v2:<keyId>:iv:tag:body under the current key, and reads it back', () => {
    const cipher = new PiiCipher(A);
    const sealed = cipher.encrypt(MOBILE);
    expect(sealed).toMatch(new RegExp(`^v2:${new DataKey(A).id}:[^:]+:[^:]+:[^:]+$`));
    expect(sealed).not.toContain(MOBILE);
    expect(keyIdOf(sealed)).toBe(cipher.currentKeyId);
    expect(cipher.decrypt(sealed)).toBe(MOBILE);
  });

  it('reads v1 values the code before key ids wrote, with the key that wrote them (current or previous)', () => {
    const old = legacyEncrypt(A, '张三丰');
    expect(keyIdOf(old)).toBe('v1');
    expect(new PiiCipher(A).decrypt(old)).toBe('张三丰');
    expect(new PiiCipher(B, [A]).decrypt(old)).toBe('张三丰');
    expect(new PiiCipher(B, [A]).legacyKeyOf(old)?.id).toBe(new DataKey(A).id);
  });

  it('derives separate keys for encryption and the blind index (HKDF), neither the master key', () => {
    const key = new DataKey(A);
    expect(key.encryptionKey.equals(key.indexKey)).toBe(false);
    expect(key.encryptionKey.equals(Buffer.from(A, 'hex'))).toBe(false);
    expect(key.indexKey.equals(Buffer.from(A, 'hex'))).toBe(false);
    // So the blind index of a database written before key ids changes: a rotation recomputes it.
    expect(new PiiCipher(A).hash(MOBILE)).not.toBe(legacyHash(A, MOBILE));
    expect(new PiiCipher(A).hash(` ${MOBILE} `)).toBe(new PiiCipher(A).hash(MOBILE));
    expect(new PiiCipher(B, [A]).hash(MOBILE)).toBe(new PiiCipher(B).hash(MOBILE));
  });

  it('gives each key a stable id and check value that reveal nothing of it', () => {
    expect(new DataKey(A).id).toBe(new DataKey(A).id);
    expect(new DataKey(A).id).not.toBe(new DataKey(B).id);
    expect(new DataKey(A).id).toMatch(/^[0-9a-f]{8}$/);
    expect(new DataKey(A).checkValue).toMatch(/^[0-9a-f]{64}$/);
    expect(A).not.toContain(new DataKey(A).checkValue.slice(0, 16));
  });

  it('decrypts with a previous key while a rotation is under way, and names the row and key id (never the data) when it cannot', () => {
    const underA = new PiiCipher(A).encrypt(MOBILE);
    expect(new PiiCipher(B, [A]).decrypt(underA)).toBe(MOBILE);
    const unreadable = (() => {
      try {
        new PiiCipher(B).decrypt(underA, { table: 'contact_points', id: 42 });
      } catch (error) {
        return error as PersonalDataUnreadable;
      }
    })();
    expect(unreadable).toBeInstanceOf(PersonalDataUnreadable);
    expect(unreadable!.keyId).toBe(new DataKey(A).id);
    expect(unreadable!.message).toBe(
      `personal data unreadable: contact_points 42 is encrypted under key ${new DataKey(A).id}, which is neither RENEWALS_DATA_KEY nor in RENEWALS_DATA_KEYS_PREVIOUS`,
    );
    expect(unreadable!.message).not.toContain(MOBILE);
    // An altered value under a configured key id: a wrong key or tampering, said as such.
    const [v, id, iv, , body] = underA.split(':');
    const tampered = [v, id, iv, Buffer.alloc(16).toString('base64'), body].join(':');
    expect(() => new PiiCipher(A).decrypt(tampered, { table: 'customers', id: 7 })).toThrow(`customers 7 does not decrypt under key ${new DataKey(A).id}`);
    expect(() => new PiiCipher(B).decrypt(legacyEncrypt(A, MOBILE))).toThrow(PersonalDataUnreadable);
  });
});

describe('configured keys', () => {
  it('take previous keys separated by commas or spaces, and the word development', () => {
    expect(parsePreviousKeys(`${A}, ${B} development`)).toEqual([A, B, DEVELOPMENT_DATA_KEY]);
    expect(() => parsePreviousKeys(`${A},not-a-key`)).toThrow('RENEWALS_DATA_KEYS_PREVIOUS: entry 2 is not 64 hex characters');
    expect(() => parsePreviousKeys('not-a-key')).not.toThrow(/not-a-key/);
  });

  it('in the demo fall back to the development key, and say so', () => {
    const keys = configuredKeys(readSettings({ RENEWALS_ENV: 'demo' }));
    expect(keys).toEqual({ current: DEVELOPMENT_DATA_KEY, previous: [], development: true });
  });

  it('drop the current key from the previous ones', () => {
    expect(configuredKeys(readSettings({ RENEWALS_ENV: 'demo', RENEWALS_DATA_KEY: A, RENEWALS_DATA_KEYS_PREVIOUS: `${A},${B}` })).previous).toEqual([B]);
  });
});
