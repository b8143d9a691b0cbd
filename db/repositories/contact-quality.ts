import type { Knex } from 'knex';
import type { ContactPointType } from '../../domain/channels';
import {
  contactQualityFlags,
  DEFAULT_QUALITY_OPTIONS,
  assertQualityOptions,
  qualityFlagsOf,
  sameQualityFlags,
  withQualityFlags,
  type HeldContactPoint,
  type QualityOptions,
} from '../../domain/contact-quality';
import { retiringKeys } from './data-keys';

export interface ContactFlagsRefresh {
  /** Points whose quality flags were set or changed (e.g. shared by more customers than before). */
  flagged: number;
  /** Points that carried a quality flag and no longer do. */
  cleared: number;
}

interface PointRow {
  id: number;
  customer_id: number;
  type: ContactPointType;
  value_hash: string;
  flags: Record<string, unknown>;
}

/**
 * Recomputes the agent_number (same_as_agent) and shared_number (shared_by) flags of every contact
 * point from the keyed hashes, and writes only the points whose flags change. Nothing is decrypted.
 * Only points that can be flagged are loaded: values held by enough customers, mobiles equal to an
 * agent's, and points flagged today (to clear them), so the work follows the suspects, not the table.
 * updated_at is left alone: it orders a customer's points for contact, and a flag is not a new number.
 */
export async function refreshContactFlags(db: Knex, options: Partial<QualityOptions> = {}): Promise<ContactFlagsRefresh> {
  const settings: QualityOptions = { ...DEFAULT_QUALITY_OPTIONS, ...options };
  assertQualityOptions(settings);

  return db.transaction(async (trx) => {
    // One refresh at a time: two would each compute from the other's half-written flags.
    await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('contact_points_quality_flags'))`);

    const sharedValues = trx('contact_points')
      .select('type', 'value_hash')
      .groupBy('type', 'value_hash')
      .havingRaw('count(DISTINCT customer_id) >= ?', [settings.sharedThreshold]);
    const agentHashes = trx('agents').whereNotNull('mobile_hash').select('mobile_hash');
    const candidates = await trx('contact_points as c')
      .where((q) => {
        void q
          .whereIn(['c.type', 'c.value_hash'], sharedValues)
          .orWhere((m) => void m.where('c.type', 'mobile').whereIn('c.value_hash', agentHashes))
          .orWhereRaw(`c.flags ->> 'same_as_agent' IS NOT NULL OR c.flags ->> 'shared_by' IS NOT NULL`);
      })
      .orderBy('c.id')
      .select<PointRow[]>('c.id', 'c.customer_id', 'c.type', 'c.value_hash', 'c.flags');
    if (candidates.length === 0) return { flagged: 0, cleared: 0 };

    const customerIds = [...new Set(candidates.map((p) => p.customer_id))];
    const mobileHashes = [...new Set(candidates.filter((p) => p.type === 'mobile').map((p) => p.value_hash))];
    const agents = await trx('agents')
      .whereRaw('mobile_hash = ANY(?::text[])', [mobileHashes])
      .select<{ code: string; mobile_hash: string }[]>('code', 'mobile_hash');
    const relations = await trx('policies')
      .whereNotNull('insured_customer_id')
      .whereRaw('holder_customer_id <> insured_customer_id')
      .whereRaw('holder_customer_id = ANY(?::bigint[])', [customerIds])
      .whereRaw('insured_customer_id = ANY(?::bigint[])', [customerIds])
      .distinct<{ holder_customer_id: number; insured_customer_id: number }[]>('holder_customer_id', 'insured_customer_id');

    // Every holder of a shared value is a candidate, so the households counted are complete; a value
    // that is not shared enters only through a stale flag, and falls under the threshold as it should.
    const points: HeldContactPoint[] = candidates.map((p) => ({ id: p.id, customerId: p.customer_id, type: p.type, valueHash: p.value_hash }));
    const wanted = contactQualityFlags(
      points,
      agents.map((a) => ({ agentCode: a.code, mobileHash: a.mobile_hash })),
      relations.map((r) => ({ holderCustomerId: r.holder_customer_id, insuredCustomerId: r.insured_customer_id })),
      settings,
    );

    let flagged = 0;
    let cleared = 0;
    for (const point of candidates) {
      const before = qualityFlagsOf(point.flags);
      const after = wanted.get(point.id) ?? {};
      if (sameQualityFlags(before, after)) continue;
      await trx('contact_points')
        .where({ id: point.id })
        .update({ flags: JSON.stringify(withQualityFlags(point.flags, after)) });
      if (after.same_as_agent === undefined && after.shared_by === undefined) cleared += 1;
      else flagged += 1;
    }
    return { flagged, cleared };
  });
}

/** A quality check: the flags refreshed, or not run because a key rotation is under way. */
export type ContactQualityCheck = ({ ran: true } & ContactFlagsRefresh) | { ran: false; retiringKeys: string[] };

/**
 * What `renewals contacts check-quality` and the nightly schedule both run: refreshContactFlags,
 * unless a key rotation is under way (points are compared by keyed hash, which would miss rows
 * still under the retiring key): then nothing is changed and the retiring keys are named.
 */
export async function checkContactQuality(db: Knex, options: Partial<QualityOptions> = {}): Promise<ContactQualityCheck> {
  const retiring = await retiringKeys(db);
  if (retiring.length > 0) return { ran: false, retiringKeys: retiring };
  return { ran: true, ...(await refreshContactFlags(db, options)) };
}
