import { createHash, createHmac } from 'node:crypto';

/**
 * The audit chain's partitions and the keys that sign their heads (docs/architecture.md#the-audit-chain).
 * The SQL twins of these functions live in migration 023 (audit_partition_of, the head's MAC in
 * audit_events_chain); test/db/audit-partitions.test.ts checks that both give the same answers.
 */

/** Partitions of policies, fixed by migration 023; partition 0 is the system's (rows without a policy). */
export const AUDIT_POLICY_PARTITIONS = 64;
export const SYSTEM_PARTITION = 0;

/** The partition a row goes to: 1 + (the first two bytes of SHA-256 of the policy number) mod 64, or 0 without a policy. */
export function auditPartitionOf(policyNo: string | null | undefined): number {
  if (policyNo === null || policyNo === undefined) return SYSTEM_PARTITION;
  return 1 + (createHash('sha256').update(policyNo, 'utf8').digest().readUInt16BE(0) % AUDIT_POLICY_PARTITIONS);
}

/** What a head's MAC covers: its partition, how many rows it has, the global seq and the hash of its last row. */
export function headMessage(head: { partition: number; chainSeq: number; seq: number | null; hash: string }): string {
  return `renewals audit head v1|${head.partition}|${head.chainSeq}|${head.seq ?? ''}|${head.hash}`;
}

/**
 * One audit key (RENEWALS_AUDIT_KEY or a previous one): signs heads with HMAC-SHA256. The database
 * computes the same HMAC inside the chain trigger from the two padded keys the session hands it
 * (`renewals.audit_key_ipad`, `renewals.audit_key_opad`: RFC 2104's K XOR ipad and K XOR opad),
 * so an append stays one statement.
 */
export class AuditHeadKey {
  /** 8 hex characters stored with each head: which key signed it; reveals nothing of the key. */
  readonly id: string;
  private readonly key: Buffer;

  constructor(hex: string) {
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('an audit key must be 64 hex characters (a 256-bit key)');
    this.key = Buffer.from(hex, 'hex');
    this.id = createHmac('sha256', this.key).update('renewals audit key id').digest('hex').slice(0, 8);
  }

  mac(message: string): string {
    return createHmac('sha256', this.key).update(message, 'utf8').digest('hex');
  }

  /** The session settings the chain trigger signs with: the key's id and its two padded blocks, hex. */
  sessionSettings(): { id: string; ipad: string; opad: string } {
    const block = Buffer.alloc(64);
    this.key.copy(block);
    const pad = (byte: number) => Buffer.from(block.map((b) => b ^ byte)).toString('hex');
    return { id: this.id, ipad: pad(0x36), opad: pad(0x5c) };
  }
}
