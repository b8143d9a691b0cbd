import type { Knex } from 'knex';

import type { ContactChannel, ContactPointType } from '../../domain/channels';
import { isLostContact, LOST_CONTACT_POINT_TYPE } from '../../domain/contact-quality';

export interface ContactAttemptRow {
  id: string;
  status: 'pending' | 'sent' | 'delivered' | 'failed' | 'suppressed';
  suppressed_rule: string | null;
  provider_message_id: string | null;
  /** Wall-clock time the row was written, just before the first provider call: the provider's "sent on" day. */
  created_at: Date;
  /** Business time of the first try (the workflow's clock): a letter is dated with it. */
  planned_at: Date;
}

/**
 * Writes the attempt row before the provider is called (invariant 2). A retried activity gets the
 * row it wrote the first time, with whatever status it reached.
 */
export async function openContactAttempt(
  db: Knex,
  attempt: {
    id: string;
    policyNo: string;
    dueDate: string;
    step: string;
    channel: ContactChannel;
    templateCode: string;
    templateVersion: number;
    recipientMasked: string | null;
    workflowId: string;
    runId: string;
    activityId: string;
    plannedAt: Date;
  },
): Promise<ContactAttemptRow> {
  const [inserted] = await db('contact_attempts')
    .insert({
      id: attempt.id,
      policy_no: attempt.policyNo,
      due_date: attempt.dueDate,
      step: attempt.step,
      channel: attempt.channel,
      template_code: attempt.templateCode,
      template_version: attempt.templateVersion,
      status: 'pending',
      recipient_masked: attempt.recipientMasked,
      workflow_id: attempt.workflowId,
      run_id: attempt.runId,
      activity_id: attempt.activityId,
      planned_at: attempt.plannedAt,
    })
    .onConflict(['workflow_id', 'step', 'channel'])
    .ignore()
    .returning<ContactAttemptRow[]>(['id', 'status', 'suppressed_rule', 'provider_message_id', 'created_at', 'planned_at']);
  // The row this call wrote (one round trip), or the one an earlier try wrote.
  if (inserted) return inserted;
  return db('contact_attempts')
    .where({ workflow_id: attempt.workflowId, step: attempt.step, channel: attempt.channel })
    .first<ContactAttemptRow>('id', 'status', 'suppressed_rule', 'provider_message_id', 'created_at', 'planned_at');
}

export async function markContactSent(db: Knex, id: string, provider: string, providerMessageId: string, at: Date): Promise<void> {
  await db('contact_attempts')
    .where({ id, status: 'pending' })
    .update({ status: 'sent', provider, provider_message_id: providerMessageId, sent_at: at });
}

/** The provider refused the message for good (bad number, unsubscribed): its code is kept. */
export async function markContactFailed(db: Knex, id: string, providerCode: string): Promise<void> {
  await db('contact_attempts').where({ id, status: 'pending' }).update({ status: 'failed', provider_code: providerCode });
}

export async function markContactSuppressed(db: Knex, id: string, rule: string): Promise<void> {
  await db('contact_attempts').where({ id, status: 'pending' }).update({ status: 'suppressed', suppressed_rule: rule });
}

/** Why a contact point is no longer used: a provider's bad-address refusal, a call that found a wrong number, a letter the post returned. */
export type PointInvalidBecause = { providerRejected: string } | { wrongNumberTask: number } | { letterReturned: string };

/**
 * The one writer of a contact point's invalidity. The provider said the address or number itself is
 * bad (SMTP 5.1.1, an illegal mobile, an invalid openid), or a caller reported a wrong number: the
 * point is no longer used (status invalid) and says why, until someone verifies a new one. A holder
 * left without a valid mobile has their policies flagged lost contact (domain/contact-quality.ts
 * isLostContact); the policy numbers newly flagged are returned. Run it inside the caller's
 * transaction, with the audit row that reports it.
 */
export async function markContactPointInvalid(db: Knex, pointId: number, because: PointInvalidBecause): Promise<{ lostContact: string[] }> {
  const flag =
    'providerRejected' in because
      ? { provider_rejected: because.providerRejected }
      : 'letterReturned' in because
        ? { letter_returned: because.letterReturned }
        : { wrong_number_task: because.wrongNumberTask };
  const [point] = await db('contact_points')
    .where({ id: pointId })
    .update({ status: 'invalid', flags: db.raw(`flags || ?::jsonb`, [JSON.stringify(flag)]), updated_at: db.fn.now() })
    .returning<{ customer_id: number }[]>('customer_id');
  if (!point) return { lostContact: [] };
  return flagLostContact(db, Number(point.customer_id));
}

/** Flags the holder's policies lost contact when the holder has no valid mobile left; the policy numbers newly flagged. */
export async function flagLostContact(db: Knex, customerId: number): Promise<{ lostContact: string[] }> {
  const points = await db('contact_points').where({ customer_id: customerId }).select<{ type: ContactPointType; status: StoredContactPoint['status'] }[]>('type', 'status');
  if (!isLostContact(points)) return { lostContact: [] };
  const flagged = await db('policies')
    .where({ holder_customer_id: customerId })
    .whereNull('lost_contact_at')
    .update({ lost_contact_at: db.fn.now() })
    .returning<{ policy_no: string }[]>('policy_no');
  return { lostContact: flagged.map((p) => p.policy_no).sort() };
}

/**
 * Contact points of these holders were written or confirmed (an import): a policy flagged lost
 * contact whose holder has a valid mobile again is reachable, and the flag is cleared.
 *
 * The flagged policies are found first, from `policies` alone, and only they are joined to their
 * holder's points. One statement joining both let the planner, whose statistics lag behind a bulk
 * import into fresh tables, drive the join from every mobile on file and probe the holder array for
 * each: seconds per batch, growing with the book (docs/architecture.md#imports).
 */
export async function clearLostContact(db: Knex, customerIds: readonly number[]): Promise<number> {
  if (customerIds.length === 0) return 0;
  // One array parameter, not a placeholder per holder: an import batch names up to a thousand.
  const flagged = await db('policies').whereRaw('holder_customer_id = any(?::bigint[])', [[...new Set(customerIds)]]).whereNotNull('lost_contact_at').pluck<string[]>('policy_no');
  if (flagged.length === 0) return 0;
  return db('policies as p')
    .whereRaw('p.policy_no = any(?::text[])', [flagged])
    .whereNotNull('p.lost_contact_at')
    .whereExists(db('contact_points as c').whereRaw('c.customer_id = p.holder_customer_id').where({ 'c.type': LOST_CONTACT_POINT_TYPE, 'c.status': 'valid' }))
    .update({ lost_contact_at: null });
}

/** A contact that waited for its provider and whose moment passed: recorded, never sent. */
export async function markContactExpired(db: Knex, id: string, providerCode: string | null): Promise<void> {
  await db('contact_attempts').where({ id, status: 'pending' }).update({ status: 'suppressed', suppressed_rule: 'expired', provider_code: providerCode });
}

/** The provider's last refusal of a contact still pending (it waits): kept for the record and the expiry. */
export async function noteContactRefusal(db: Knex, id: string, providerCode: string): Promise<void> {
  await db('contact_attempts').where({ id, status: 'pending' }).update({ provider_code: providerCode });
}

/** The cycles with a contact waiting on this provider (its last refusal came from it). */
export async function cyclesWaitingFor(db: Knex, provider: string): Promise<string[]> {
  return db('contact_attempts').where({ status: 'pending' }).whereLike('provider_code', `${provider}:%`).distinct().pluck('workflow_id');
}

/** The rows of a step still pending (waiting for a provider), in this cycle. */
export async function pendingContactsOfStep(db: Knex, workflowId: string, step: string): Promise<{ id: string; channel: ContactChannel; provider_code: string | null }[]> {
  return db('contact_attempts').where({ workflow_id: workflowId, step, status: 'pending' }).select('id', 'channel', 'provider_code');
}

export interface StoredContactPoint {
  /** Names the point when its value cannot be decrypted (never the value). */
  id: number;
  valueEnc: string;
  valueMasked: string;
  status: 'valid' | 'invalid' | 'unverified';
  flags: { sameAsAgent?: string; sharedBy?: number };
}

/** The policyholder's contact point of one type: a valid one if any, else the newest on file. */
export async function contactPointFor(db: Knex, policyNo: string, type: ContactPointType): Promise<StoredContactPoint | undefined> {
  const row = await db('contact_points as c')
    .join('policies as p', 'p.holder_customer_id', 'c.customer_id')
    .where({ 'p.policy_no': policyNo, 'c.type': type })
    .orderByRaw(`(c.status = 'valid') desc, c.updated_at desc`)
    .first<{ id: number; value_enc: string; value_masked: string; status: StoredContactPoint['status']; flags: { same_as_agent?: string; shared_by?: number } } | undefined>(
      'c.id',
      'c.value_enc',
      'c.value_masked',
      'c.status',
      'c.flags',
    );
  return (
    row && {
      id: Number(row.id),
      valueEnc: row.value_enc,
      valueMasked: row.value_masked,
      status: row.status,
      flags: { sameAsAgent: row.flags.same_as_agent, sharedBy: row.flags.shared_by },
    }
  );
}

/** What a contact step reads about the policyholder before it sends: their contact points and what they were sent lately. */
export interface HolderContacts {
  /** Per type, the point contactPointFor would pick: a valid one if any, else the newest on file. */
  points: Partial<Record<ContactPointType, StoredContactPoint>>;
  /** Messages sent to the holder (on any of their policies) since the instant asked for, for the caps. */
  recent: { channel: ContactChannel; at: Date }[];
}

/**
 * contactPointFor for every type and sentContactsOfHolder, in one round trip: a contact step reads
 * them once, not once per channel (docs/architecture.md#hot-paths).
 */
export async function holderContactsOf(db: Knex, policyNo: string, since: Date): Promise<HolderContacts> {
  const { rows } = await db.raw<{
    rows: {
      points: { type: ContactPointType; id: number; value_enc: string; value_masked: string; status: StoredContactPoint['status']; flags: { same_as_agent?: string; shared_by?: number } }[];
      recent: { channel: ContactChannel; at: number }[];
    }[];
  }>(
    `SELECT
       (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT DISTINCT ON (c.type) c.type, c.id, c.value_enc, c.value_masked, c.status, c.flags
          FROM contact_points c JOIN policies p ON p.holder_customer_id = c.customer_id
          WHERE p.policy_no = ?
          ORDER BY c.type, (c.status = 'valid') DESC, c.updated_at DESC) x) AS points,
       (SELECT coalesce(json_agg(json_build_object('channel', a.channel, 'at', extract(epoch FROM a.sent_at) * 1000)), '[]')
          FROM contact_attempts a JOIN policies p ON p.policy_no = a.policy_no
          WHERE p.holder_customer_id IN (SELECT holder_customer_id FROM policies WHERE policy_no = ?)
            AND a.status IN ('sent', 'delivered') AND a.sent_at >= ?) AS recent`,
    [policyNo, policyNo, since],
  );
  const row = rows[0]!;
  const points: HolderContacts['points'] = {};
  for (const point of row.points) {
    points[point.type] = {
      id: Number(point.id),
      valueEnc: point.value_enc,
      valueMasked: point.value_masked,
      status: point.status,
      flags: { sameAsAgent: point.flags.same_as_agent, sharedBy: point.flags.shared_by },
    };
  }
  return { points, recent: row.recent.map((r) => ({ channel: r.channel, at: new Date(Number(r.at)) })) };
}

/** Messages sent to the policyholder (on any of their policies) since an instant, for the caps. */
export async function sentContactsOfHolder(db: Knex, policyNo: string, since: Date): Promise<{ channel: ContactChannel; at: Date }[]> {
  return db('contact_attempts as a')
    .join('policies as p', 'p.policy_no', 'a.policy_no')
    .whereIn('p.holder_customer_id', db('policies').select('holder_customer_id').where({ policy_no: policyNo }))
    .whereIn('a.status', ['sent', 'delivered'])
    .where('a.sent_at', '>=', since)
    .select<{ channel: ContactChannel; at: Date }[]>('a.channel', 'a.sent_at as at');
}

/**
 * A caller reported a wrong number on this policy: the holder's mobile that a call dials (the one
 * contactPointFor picks) is marked invalid through the one writer above. The point invalidated (none
 * when the holder has no valid mobile to begin with) and the policies newly flagged lost contact.
 */
export async function wrongNumberReported(db: Knex, policyNo: string, taskId: number): Promise<{ point?: { id: number; masked: string }; lostContact: string[] }> {
  const point = await contactPointFor(db, policyNo, LOST_CONTACT_POINT_TYPE);
  if (point?.status === 'valid') {
    const { lostContact } = await markContactPointInvalid(db, point.id, { wrongNumberTask: taskId });
    return { point: { id: point.id, masked: point.valueMasked }, lostContact };
  }
  const holder = await db('policies').where({ policy_no: policyNo }).first<{ holder_customer_id: number } | undefined>('holder_customer_id');
  return holder ? flagLostContact(db, Number(holder.holder_customer_id)) : { lostContact: [] };
}
