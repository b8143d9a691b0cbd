import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_AUDIT_KEY, readAuditKeys } from '../../config/audit-keys';
import { AuditHeadKey, auditPartitionOf, headMessage, SYSTEM_PARTITION } from '../../db/audit-chain';
import { createHash, createHmac } from 'node:crypto';

const K = 'a5'.repeat(32);
const OLD = 'b6'.repeat(32);

describe('the audit key (RENEWALS_AUDIT_KEY)', () => {
  it('outside the demo: required, never the development key, malformed named without its value', () => {
    expect(() => readAuditKeys({})).toThrow(/^RENEWALS_AUDIT_KEY is not set: outside RENEWALS_ENV=demo/);
    expect(() => readAuditKeys({ RENEWALS_AUDIT_KEY: DEVELOPMENT_AUDIT_KEY })).toThrow('RENEWALS_AUDIT_KEY is the public development key: outside RENEWALS_ENV=demo set a key of your own');
    expect(() => readAuditKeys({ RENEWALS_AUDIT_KEY: 'secret-but-short' })).toThrow(/^RENEWALS_AUDIT_KEY must be 64 hex characters \(a 256-bit key\)$/);
    expect(readAuditKeys({ RENEWALS_AUDIT_KEY: K.toUpperCase() })).toEqual({ current: K, previous: [], development: false });
  });

  it('in the demo: the development key when unset', () => {
    expect(readAuditKeys({ RENEWALS_ENV: 'demo' })).toEqual({ current: DEVELOPMENT_AUDIT_KEY, previous: [], development: true });
    expect(readAuditKeys({ RENEWALS_ENV: 'demo', RENEWALS_AUDIT_KEY: '' })).toMatchObject({ development: true });
  });

  it('previous keys verify only: the development key by name, the current one dropped, a bad entry named by position', () => {
    expect(readAuditKeys({ RENEWALS_AUDIT_KEY: K, RENEWALS_AUDIT_KEYS_PREVIOUS: `${OLD}, development ${K}` })).toEqual({
      current: K,
      previous: [OLD, DEVELOPMENT_AUDIT_KEY],
      development: false,
    });
    expect(() => readAuditKeys({ RENEWALS_AUDIT_KEY: K, RENEWALS_AUDIT_KEYS_PREVIOUS: `${OLD},nope` })).toThrow('RENEWALS_AUDIT_KEYS_PREVIOUS: entry 2 is not 64 hex characters (or "development")');
  });
});

describe('partitions and head signatures (db/audit-chain.ts)', () => {
  it('a policy goes to 1 + its SHA-256’s first two bytes mod 64; no policy, the system partition', () => {
    const digest = createHash('sha256').update('P202600001').digest();
    expect(auditPartitionOf('P202600001')).toBe(1 + (digest.readUInt16BE(0) % 64));
    expect(auditPartitionOf(null)).toBe(SYSTEM_PARTITION);
    expect(auditPartitionOf(undefined)).toBe(SYSTEM_PARTITION);
  });

  it('the padded keys handed to the database give RFC 2104’s HMAC-SHA256', () => {
    const key = new AuditHeadKey(K);
    const { ipad, opad, id } = key.sessionSettings();
    const message = headMessage({ partition: 7, chainSeq: 3, seq: 42, hash: 'f'.repeat(64) });
    expect(message).toBe(`renewals audit head v1|7|3|42|${'f'.repeat(64)}`);
    const inner = createHash('sha256').update(Buffer.from(ipad, 'hex')).update(message).digest();
    expect(createHash('sha256').update(Buffer.from(opad, 'hex')).update(inner).digest('hex')).toBe(key.mac(message));
    expect(key.mac(message)).toBe(createHmac('sha256', Buffer.from(K, 'hex')).update(message).digest('hex'));
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(new AuditHeadKey(OLD).id).not.toBe(id);
    expect(headMessage({ partition: 0, chainSeq: 0, seq: null, hash: '0'.repeat(64) })).toBe(`renewals audit head v1|0|0||${'0'.repeat(64)}`);
  });
});
