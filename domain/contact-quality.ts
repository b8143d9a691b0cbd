import { SHARED_CONTACT_THRESHOLD } from './contact-rules';

/**
 * Contact data quality (docs/business-rules.md#verified-contact-points): a number equal to an agent's, or one on file for
 * several unrelated customers, is probably not the policyholder's own (an agent who typed in their own
 * number, a branch phone, a broker's email) and must not be used. Pure: works on keyed hashes only,
 * so flags are computed without ever decrypting a contact point.
 *
 * Flags are stored in contact_points.flags under the keys the contact rules read
 * (db/repositories/contacts.ts → domain/contact-rules.ts):
 *   same_as_agent: the code of the agent whose registered mobile this is   (flag "agent_number")
 *   shared_by:     how many other, unrelated customers hold the same value  (flag "shared_number")
 * Any other key in flags belongs to someone else and is kept as it is.
 */

import type { ContactPointType } from './channels';

export interface HeldContactPoint {
  id: number;
  customerId: number;
  type: ContactPointType;
  valueHash: string;
}

export interface AgentMobile {
  agentCode: string;
  mobileHash: string;
}

/**
 * Two customers who are holder and insured of one policy are related: a parent insuring a child, or
 * spouses, commonly give one number. Related customers count once ("one household"), so a family
 * sharing a phone is not flagged, but three strangers are.
 */
export interface CustomerRelation {
  holderCustomerId: number;
  insuredCustomerId: number;
}

export interface QualityFlags {
  same_as_agent?: string;
  shared_by?: number;
}

export const QUALITY_FLAG_KEYS = ['same_as_agent', 'shared_by'] as const;

export interface QualityOptions {
  /** Unrelated households holding one value at which every one of them is flagged. */
  sharedThreshold: number;
}

/**
 * The contact rules refuse a point once sharedBy >= SHARED_CONTACT_THRESHOLD other customers, i.e.
 * when threshold + 1 households hold it: the default flags exactly the points they refuse.
 */
export const DEFAULT_QUALITY_OPTIONS: Readonly<QualityOptions> = { sharedThreshold: SHARED_CONTACT_THRESHOLD + 1 };

export function assertQualityOptions(options: QualityOptions): void {
  const { sharedThreshold } = options;
  // A lower threshold would write flags the contact rules ignore: points marked "shared" that are still used.
  const lowest = SHARED_CONTACT_THRESHOLD + 1;
  if (!Number.isInteger(sharedThreshold) || sharedThreshold < lowest) {
    throw new RangeError(
      `sharedThreshold must be a whole number >= ${lowest} (the contact rules refuse points shared with ${SHARED_CONTACT_THRESHOLD} or more others), got ${sharedThreshold}`,
    );
  }
}

/** Union-find over customer ids: each customer's household representative. */
function households(relations: readonly CustomerRelation[]): (customerId: number) => number {
  const parent = new Map<number, number>();
  const find = (id: number): number => {
    let root = id;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps repeated lookups flat.
    let node = id;
    while (node !== root) {
      const next = parent.get(node)!;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  for (const { holderCustomerId, insuredCustomerId } of relations) {
    const a = find(holderCustomerId);
    const b = find(insuredCustomerId);
    if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
  }
  return find;
}

/**
 * The quality flags each point should carry now. Points absent from the result carry none. Pass every
 * point that may be flagged (those whose value several customers hold, those matching an agent) and
 * the relations among their customers; points not passed are assumed clean.
 */
export function contactQualityFlags(
  points: readonly HeldContactPoint[],
  agents: readonly AgentMobile[],
  relations: readonly CustomerRelation[],
  options: QualityOptions = DEFAULT_QUALITY_OPTIONS,
): Map<number, QualityFlags> {
  assertQualityOptions(options);
  const household = households(relations);

  // Lowest agent code first, so the flag names the same agent on every run.
  const agentByHash = new Map<string, string>();
  for (const agent of [...agents].sort((a, b) => (a.agentCode < b.agentCode ? -1 : a.agentCode > b.agentCode ? 1 : 0))) {
    if (!agentByHash.has(agent.mobileHash)) agentByHash.set(agent.mobileHash, agent.agentCode);
  }

  const holders = new Map<string, Set<number>>();
  for (const point of points) {
    const key = `${point.type}:${point.valueHash}`;
    const set = holders.get(key) ?? new Set<number>();
    set.add(household(point.customerId));
    holders.set(key, set);
  }

  const result = new Map<number, QualityFlags>();
  for (const point of points) {
    const flags: QualityFlags = {};
    const agentCode = point.type === 'mobile' ? agentByHash.get(point.valueHash) : undefined;
    if (agentCode !== undefined) flags.same_as_agent = agentCode;
    const householdCount = holders.get(`${point.type}:${point.valueHash}`)!.size;
    if (householdCount >= options.sharedThreshold) flags.shared_by = householdCount - 1;
    if (flags.same_as_agent !== undefined || flags.shared_by !== undefined) result.set(point.id, flags);
  }
  return result;
}

/** The quality flags found in a stored flags object (other keys ignored). */
export function qualityFlagsOf(stored: Readonly<Record<string, unknown>>): QualityFlags {
  const flags: QualityFlags = {};
  if (typeof stored.same_as_agent === 'string') flags.same_as_agent = stored.same_as_agent;
  if (typeof stored.shared_by === 'number') flags.shared_by = stored.shared_by;
  return flags;
}

export function sameQualityFlags(a: QualityFlags, b: QualityFlags): boolean {
  return a.same_as_agent === b.same_as_agent && a.shared_by === b.shared_by;
}

/** Replaces the quality flags in a stored flags object, keeping every other key. */
export function withQualityFlags(stored: Readonly<Record<string, unknown>>, flags: QualityFlags): Record<string, unknown> {
  const next: Record<string, unknown> = { ...stored };
  for (const key of QUALITY_FLAG_KEYS) delete next[key];
  return { ...next, ...flags };
}

/**
 * Lost contact (失联, docs/business-rules.md#tasks-that-act): the policyholder has no valid mobile
 * number left, so neither a call nor an SMS can reach them. Judged when a point is marked invalid
 * (a wrong-number call, a provider's bad-address refusal) and cleared when a valid one is on file again.
 */
export const LOST_CONTACT_POINT_TYPE: ContactPointType = 'mobile';

export function isLostContact(points: readonly { type: ContactPointType; status: 'valid' | 'invalid' | 'unverified' }[]): boolean {
  return !points.some((p) => p.type === LOST_CONTACT_POINT_TYPE && p.status === 'valid');
}
