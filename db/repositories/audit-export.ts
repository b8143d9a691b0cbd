import type { Knex } from 'knex';
import { shanghaiInstant, addDays, type CivilDate } from '../../domain/civil-date';
import { CONTACT_POINT_OF, type ContactChannel, type ContactPointType } from '../../domain/channels';
import { isPersonalField, maskPersonalField } from '../../domain/personal-data';
import type { PiiCipher } from '../pii-cipher';

/**
 * The audit trail as compliance reads it (docs/architecture.md#every-contact-step-traceable): one line per
 * audit event, joined with its contact attempt so each contact step tells who was contacted, when,
 * how, with which template, the provider's IDs, the delivery outcome or the rule that suppressed it,
 * and which workflow run and activity did it. Personal data is masked; only recipientsInClear
 * (behind the audited --unmasked export) decrypts.
 */

export interface AuditExportFilter {
  policyNo?: string;
  /** Civil dates in Asia/Shanghai, both inclusive, on the event's time. */
  from?: CivilDate;
  to?: CivilDate;
  channel?: ContactChannel;
  /** Rows up to this seq only: an export is a snapshot of the trail as it stood when it started. */
  throughSeq?: number;
}

export interface AuditExportRow {
  seq: number;
  /** 'YYYY-MM-DD HH:MM:SS' wall clock in Asia/Shanghai. */
  at_shanghai: string;
  at_iso: string;
  policy_no: string | null;
  due_date: string | null;
  kind: string;
  actor: string;
  step: string | null;
  channel: string | null;
  /** template@version */
  template: string | null;
  recipient: string | null;
  provider: string | null;
  provider_message_id: string | null;
  /** sent / delivered / failed (provider code) / suppressed, or what the event records (stage, reason…). */
  outcome: string | null;
  suppression_rule: string | null;
  workflow_id: string | null;
  run_id: string | null;
  activity_id: string | null;
  /** The event's detail as JSON text, personal fields masked. */
  detail: string;
  hash: string;
}

export const AUDIT_EXPORT_COLUMNS: readonly (keyof AuditExportRow)[] = [
  'seq',
  'at_shanghai',
  'at_iso',
  'policy_no',
  'due_date',
  'kind',
  'actor',
  'step',
  'channel',
  'template',
  'recipient',
  'provider',
  'provider_message_id',
  'outcome',
  'suppression_rule',
  'workflow_id',
  'run_id',
  'activity_id',
  'detail',
  'hash',
];

interface JoinedRow {
  seq: number;
  occurred_at: Date;
  kind: string;
  actor: string;
  policy_no: string | null;
  due_date: string | null;
  workflow_id: string | null;
  run_id: string | null;
  activity_id: string | null;
  detail: Record<string, unknown>;
  hash: string;
  channel: string | null;
  attempt_step: string | null;
  template_code: string | null;
  template_version: number | null;
  attempt_status: string | null;
  suppressed_rule: string | null;
  recipient_masked: string | null;
  provider: string | null;
  provider_message_id: string | null;
  provider_code: string | null;
}

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * The channel of an event: the contact's, or 'phone' for a call task (calls are tasks for agents,
 * docs/business-rules.md#call-tasks). SQL so the --channel filter runs in the database.
 */
const CHANNEL_SQL = `coalesce(a.detail ->> 'channel', c.channel::text, CASE WHEN a.detail ->> 'task' = 'call' THEN 'phone' END)`;

function filtered(db: Knex, filter: AuditExportFilter): Knex.QueryBuilder {
  const query = db('audit_events as a').leftJoin('contact_attempts as c', (j) => {
    // Only a well-formed contactId is cast; anything else simply has no attempt.
    j.on(db.raw(`c.id = CASE WHEN a.detail ->> 'contactId' ~ '${UUID}' THEN (a.detail ->> 'contactId')::uuid END`));
  });
  if (filter.policyNo !== undefined) void query.where('a.policy_no', filter.policyNo);
  if (filter.from !== undefined) void query.where('a.occurred_at', '>=', new Date(shanghaiInstant(filter.from)));
  if (filter.to !== undefined) void query.where('a.occurred_at', '<', new Date(shanghaiInstant(addDays(filter.to, 1))));
  if (filter.channel !== undefined) void query.whereRaw(`${CHANNEL_SQL} = ?`, [filter.channel]);
  if (filter.throughSeq !== undefined) void query.where('a.seq', '<=', filter.throughSeq);
  return query;
}

export async function countAuditExportRows(db: Knex, filter: AuditExportFilter): Promise<number> {
  const [row] = await filtered(db, filter).count<{ count: string | number }[]>('* as count');
  return Number(row?.count ?? 0);
}

/** The export's rows in seq order, one page at a time (keyset on seq), masked. */
export async function* auditExportPages(db: Knex, filter: AuditExportFilter, pageSize = 5_000): AsyncGenerator<AuditExportRow[]> {
  let afterSeq = 0;
  for (;;) {
    const rows = await filtered(db, filter)
      .where('a.seq', '>', afterSeq)
      .orderBy('a.seq')
      .limit(pageSize)
      .select<JoinedRow[]>(
        'a.seq',
        'a.occurred_at',
        'a.kind',
        'a.actor',
        'a.policy_no',
        'a.due_date',
        'a.workflow_id',
        'a.run_id',
        'a.activity_id',
        'a.detail',
        'a.hash',
        db.raw(`${CHANNEL_SQL} AS channel`),
        'c.step as attempt_step',
        'c.template_code',
        'c.template_version',
        'c.status as attempt_status',
        'c.suppressed_rule',
        'c.recipient_masked',
        'c.provider',
        'c.provider_message_id',
        'c.provider_code',
      );
    if (rows.length === 0) return;
    yield rows.map(exportRow);
    afterSeq = rows[rows.length - 1]!.seq;
    if (rows.length < pageSize) return;
  }
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null);

function shanghaiWallClock(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function exportRow(row: JoinedRow): AuditExportRow {
  const d = row.detail;
  const template = text(d.template) ?? (row.template_code ? `${row.template_code}@${row.template_version ?? '?'}` : null);
  const rule = text(d.rule) ?? row.suppressed_rule;
  return {
    seq: row.seq,
    at_shanghai: shanghaiWallClock(row.occurred_at),
    at_iso: row.occurred_at.toISOString(),
    policy_no: row.policy_no,
    due_date: row.due_date,
    kind: row.kind,
    actor: row.actor,
    step: text(d.step) ?? row.attempt_step,
    channel: row.channel,
    template,
    recipient: text(d.recipient) ?? row.recipient_masked,
    provider: text(d.provider) ?? row.provider,
    provider_message_id: text(d.providerMessageId) ?? row.provider_message_id,
    outcome: outcomeOf(row, rule),
    suppression_rule: rule,
    workflow_id: row.workflow_id,
    run_id: row.run_id,
    activity_id: row.activity_id,
    detail: JSON.stringify(maskedDetail(d)),
    hash: row.hash,
  };
}

/**
 * What happened, in a word or two. A contact's outcome is the attempt's status now, so a delivery
 * receipt that came after the event shows: "delivered", or "failed (provider code)".
 */
function outcomeOf(row: JoinedRow, rule: string | null): string | null {
  const d = row.detail;
  if (row.kind.endsWith('_suppressed')) return 'suppressed';
  if (row.kind === 'contact_sent') {
    const status = row.attempt_status ?? 'sent';
    return row.provider_code && status === 'failed' ? `failed (${row.provider_code})` : status;
  }
  if (rule) return 'suppressed';
  if (row.kind === 'debit_failed') return [text(d.reason), text(d.rawCode) && `(${text(d.rawCode)})`].filter(Boolean).join(' ') || 'failed';
  if (row.kind === 'premium_paid') return `paid via ${text(d.via) ?? 'unknown'}`;
  return text(d.stage) ?? text(d.outcome) ?? null;
}

/**
 * The detail as stored, with any personal field that is not already masked masked now. Activities
 * write masked values only; this keeps an export safe from a future one that forgets. Free text is
 * left alone: provider message IDs (Alibaba BizId) look like ID numbers to a pattern.
 */
function maskedDetail(value: unknown, key = ''): unknown {
  if (key !== '' && isPersonalField(key)) return maskPersonalField(key, value);
  if (Array.isArray(value)) return value.map((item) => maskedDetail(item));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskedDetail(v, k)]));
}

const POINT_TYPE: Partial<Record<string, ContactPointType>> = CONTACT_POINT_OF;

export interface ClearRecipients {
  rows: AuditExportRow[];
  /** Rows with a masked recipient that no single contact point of the holder matches. */
  unresolved: number;
}

/**
 * Replaces each masked recipient with the clear value, for the audited unmasked export. The attempt
 * keeps only the masked value, so the point is found among the policyholder's contact points of the
 * channel's type by that mask; when none or more than one (different values masking alike) matches,
 * the masked value stays and the row is counted as unresolved rather than guessed.
 */
export async function recipientsInClear(db: Knex, cipher: PiiCipher, rows: readonly AuditExportRow[]): Promise<ClearRecipients> {
  const wanted = rows.flatMap((row) => {
    const type = row.channel ? POINT_TYPE[row.channel] : undefined;
    return row.policy_no && type && row.recipient?.includes('*') ? [{ policyNo: row.policy_no, type, masked: row.recipient }] : [];
  });
  const keyOf = (policyNo: string, type: string, masked: string) => JSON.stringify([policyNo, type, masked]);
  const found = new Map<string, { hashes: Set<string>; valueEnc: string; pointId: number }>();
  if (wanted.length > 0) {
    const result = await db.raw<{ rows: { id: number; policy_no: string; type: string; value_masked: string; value_hash: string; value_enc: string }[] }>(
      `SELECT c.id, p.policy_no, c.type::text AS type, c.value_masked, c.value_hash, c.value_enc
       FROM unnest(?::text[], ?::text[], ?::text[]) AS w(policy_no, type, masked)
       JOIN policies p ON p.policy_no = w.policy_no
       JOIN contact_points c ON c.customer_id = p.holder_customer_id AND c.type::text = w.type AND c.value_masked = w.masked`,
      [wanted.map((w) => w.policyNo), wanted.map((w) => w.type), wanted.map((w) => w.masked)],
    );
    for (const point of result.rows) {
      const key = keyOf(point.policy_no, point.type, point.value_masked);
      const entry = found.get(key) ?? { hashes: new Set<string>(), valueEnc: point.value_enc, pointId: point.id };
      entry.hashes.add(point.value_hash);
      found.set(key, entry);
    }
  }
  const clear = new Map<string, string>();
  let unresolved = 0;
  const out = rows.map((row) => {
    const type = row.channel ? POINT_TYPE[row.channel] : undefined;
    if (!row.policy_no || !type || !row.recipient?.includes('*')) return row;
    const key = keyOf(row.policy_no, type, row.recipient);
    const entry = found.get(key);
    if (!entry || entry.hashes.size !== 1) {
      unresolved += 1;
      return row;
    }
    let value = clear.get(key);
    if (value === undefined) {
      value = cipher.decrypt(entry.valueEnc, { table: 'contact_points', id: entry.pointId });
      clear.set(key, value);
    }
    return { ...row, recipient: value };
  });
  return { rows: out, unresolved };
}
