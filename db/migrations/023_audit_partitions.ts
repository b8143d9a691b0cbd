import type { Knex } from 'knex';
import { readAuditKeys } from '../../config/audit-keys';
import { AUDIT_POLICY_PARTITIONS, AuditHeadKey, headMessage, SYSTEM_PARTITION } from '../audit-chain';
import { currentDatabase, databaseRoles, ident } from '../database-roles';

/**
 * One audit chain per partition of policies instead of one for the whole system
 * (docs/architecture.md#the-audit-chain). Until now every append took one global advisory lock until
 * commit; now it locks only its partition's head row.
 *
 * - Rows written before this migration stay as they are: the legacy chain (chain_partition NULL,
 *   seq 1..n without gaps, each linked to the row before), verified as before.
 * - A new row goes to partition 1 + (SHA-256 of its policy number) mod 64, or to the system partition
 *   0 when it has no policy. It gets the next chain_seq of its partition (gapless, so a deleted row
 *   shows) and links to the previous row of its partition; the first row of every partition links to
 *   the legacy chain's last row (or to the genesis hash on a database that had none). seq stays the
 *   trail's global order (a sequence now: it may skip numbers a rolled-back append took).
 * - audit_chain_heads holds each partition's head (row count, last seq and hash), moved by every
 *   append and signed with HMAC-SHA256 under the audit key the session was handed
 *   (db/connection.ts): a tail cut off a partition no longer matches its signed head. This migration
 *   signs the 65 empty heads with the current key (RENEWALS_AUDIT_KEY), so it needs that key too.
 * - The application role may read the heads but not write them: the chain trigger runs as the owner.
 */
export async function up(knex: Knex): Promise<void> {
  // Takes the table's lock first: no append slips in between reading the legacy head and the new trigger.
  await knex.raw('ALTER TABLE audit_events ADD COLUMN chain_partition smallint, ADD COLUMN chain_seq bigint');
  await knex.raw('CREATE UNIQUE INDEX audit_events_chain_position ON audit_events (chain_partition, chain_seq)');
  // audit verify walks the legacy chain on its own.
  await knex.raw('CREATE INDEX audit_events_legacy_chain ON audit_events (seq) WHERE chain_partition IS NULL');
  const legacy = await knex('audit_events').orderBy('seq', 'desc').first<{ seq: number; hash: string } | undefined>('seq', 'hash');
  await knex.raw(`CREATE SEQUENCE audit_events_seq START WITH ${(legacy?.seq ?? 0) + 1}`);

  // The canonical text of a row, as migration 004 had it for legacy rows; a partitioned row's
  // partition and place in it are part of what its hash covers.
  await knex.raw(`
    CREATE OR REPLACE FUNCTION audit_event_digest(prev text, ev audit_events) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
      SELECT encode(sha256(convert_to(
        prev || '|' || ((to_jsonb(ev) - 'hash' - 'prev_hash' - 'occurred_at'
                         - CASE WHEN ev.chain_partition IS NULL THEN ARRAY['chain_partition', 'chain_seq'] ELSE ARRAY[]::text[] END)::text)
             || '|' || (extract(epoch FROM ev.occurred_at) * 1000000)::bigint::text,
        'UTF8')), 'hex')
    $$`);
  await knex.raw(`
    CREATE FUNCTION audit_partition_of(policy_no text) RETURNS smallint
    LANGUAGE sql IMMUTABLE AS $$
      SELECT CASE WHEN policy_no IS NULL THEN ${SYSTEM_PARTITION}
                  ELSE 1 + ((get_byte(h, 0) * 256 + get_byte(h, 1)) % ${AUDIT_POLICY_PARTITIONS}) END::smallint
      FROM (SELECT sha256(convert_to(policy_no, 'UTF8')) AS h) s
    $$`);

  await knex.schema.createTable('audit_chain_heads', (t) => {
    t.smallint('chain_partition').primary();
    t.bigInteger('chain_seq').notNullable(); // rows in the partition
    t.bigInteger('seq'); // the global seq of its last row; null while it has none
    t.string('hash', 64).notNullable(); // its last row's hash; the legacy head's while it has none
    t.string('key_id', 8).notNullable();
    t.string('mac', 64).notNullable();
    t.timestamp('signed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  const key = new AuditHeadKey(readAuditKeys().current);
  const anchor = legacy?.hash ?? '0'.repeat(64);
  const partitions = Array.from({ length: AUDIT_POLICY_PARTITIONS + 1 }, (_, partition) => partition);
  await knex('audit_chain_heads').insert(
    partitions.map((partition) => ({
      chain_partition: partition,
      chain_seq: 0,
      seq: null,
      hash: anchor,
      key_id: key.id,
      mac: key.mac(headMessage({ partition, chainSeq: 0, seq: null, hash: anchor })),
    })),
  );

  // HMAC-SHA256 (RFC 2104) of a head under the session's audit key, from the two padded keys the
  // session was handed (db/audit-chain.ts); the message is headMessage's.
  await knex.raw(`
    CREATE FUNCTION audit_head_mac(p_partition smallint, p_chain_seq bigint, p_seq bigint, p_hash text) RETURNS text
    LANGUAGE sql STABLE AS $$
      SELECT encode(sha256(decode(current_setting('renewals.audit_key_opad'), 'hex')
             || sha256(decode(current_setting('renewals.audit_key_ipad'), 'hex')
             || convert_to('renewals audit head v1|' || p_partition || '|' || p_chain_seq || '|' || coalesce(p_seq::text, '') || '|' || p_hash, 'UTF8'))), 'hex')
    $$`);
  // Signs a head again under the session's key (a key rotation: `renewals audit sign-heads`), only
  // if it still is the head the caller checked under the key it was signed with.
  await knex.raw(`
    CREATE FUNCTION audit_head_resign(p_partition smallint, p_chain_seq bigint, p_hash text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
      v_key_id text := current_setting('renewals.audit_key_id', true);
    BEGIN
      IF coalesce(v_key_id, '') = '' THEN
        RAISE EXCEPTION 'audit_chain_heads: this session was not handed the audit key (renewals.audit_key_id)'
          USING ERRCODE = 'object_not_in_prerequisite_state';
      END IF;
      UPDATE audit_chain_heads SET key_id = v_key_id, signed_at = now(), mac = audit_head_mac(chain_partition, chain_seq, seq, hash)
       WHERE chain_partition = p_partition AND chain_seq = p_chain_seq AND hash = p_hash;
      RETURN FOUND;
    END $$`);
  await knex.raw(`
    CREATE OR REPLACE FUNCTION audit_events_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
      v_key_id text := current_setting('renewals.audit_key_id', true);
      v_head audit_chain_heads%ROWTYPE;
    BEGIN
      IF coalesce(v_key_id, '') = '' THEN
        RAISE EXCEPTION 'audit_events: this session was not handed the audit key (renewals.audit_key_id): connect through db/connection.ts'
          USING ERRCODE = 'object_not_in_prerequisite_state';
      END IF;
      -- Serialise the writers of one partition only: its head row is the lock, held until commit.
      NEW.chain_partition := audit_partition_of(NEW.policy_no);
      SELECT * INTO v_head FROM audit_chain_heads WHERE chain_partition = NEW.chain_partition FOR UPDATE;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'audit_events: partition % has no head in audit_chain_heads', NEW.chain_partition;
      END IF;
      NEW.seq := nextval('audit_events_seq');
      NEW.chain_seq := v_head.chain_seq + 1;
      NEW.prev_hash := v_head.hash;
      NEW.hash := audit_event_digest(NEW.prev_hash, NEW);
      UPDATE audit_chain_heads
         SET chain_seq = NEW.chain_seq, seq = NEW.seq, hash = NEW.hash, key_id = v_key_id, signed_at = now(),
             mac = audit_head_mac(NEW.chain_partition, NEW.chain_seq, NEW.seq, NEW.hash)
       WHERE chain_partition = NEW.chain_partition;
      RETURN NEW;
    END $$`);

  // The heads move only through the trigger (which runs as the owner); the application reads them.
  const { app } = databaseRoles(await currentDatabase(knex));
  await knex.raw(`REVOKE ALL ON TABLE audit_chain_heads FROM ${ident(app)}`);
  await knex.raw(`GRANT SELECT ON TABLE audit_chain_heads TO ${ident(app)}`);
  await knex.raw(`REVOKE ALL ON SEQUENCE audit_events_seq FROM ${ident(app)}`);
}

export async function down(knex: Knex): Promise<void> {
  const partitioned = await knex('audit_events').whereNotNull('chain_partition').first<{ seq: number } | undefined>('seq');
  if (partitioned) {
    throw new Error('audit_events has rows on partitioned chains (migration 023): rolling back would leave them unverifiable');
  }
  await knex.raw(`
    CREATE OR REPLACE FUNCTION audit_events_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY INVOKER SET search_path = public, pg_temp AS $$
    DECLARE
      previous_seq bigint;
      previous_hash text;
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtext('audit_events_chain'));
      SELECT seq, hash INTO previous_seq, previous_hash FROM audit_events ORDER BY seq DESC LIMIT 1;
      NEW.seq := coalesce(previous_seq, 0) + 1;
      NEW.prev_hash := coalesce(previous_hash, repeat('0', 64));
      NEW.hash := audit_event_digest(NEW.prev_hash, NEW);
      RETURN NEW;
    END $$`);
  await knex.raw('DROP FUNCTION audit_head_resign(smallint, bigint, text)');
  await knex.schema.dropTable('audit_chain_heads');
  await knex.raw('DROP FUNCTION audit_head_mac(smallint, bigint, bigint, text)');
  await knex.raw('DROP FUNCTION audit_partition_of(text)');
  await knex.raw('DROP SEQUENCE audit_events_seq');
  await knex.raw('DROP INDEX audit_events_chain_position');
  await knex.raw('DROP INDEX audit_events_legacy_chain');
  await knex.raw('ALTER TABLE audit_events DROP COLUMN chain_partition, DROP COLUMN chain_seq');
  await knex.raw(`
    CREATE OR REPLACE FUNCTION audit_event_digest(prev text, ev audit_events) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
      SELECT encode(sha256(convert_to(
        prev || '|' || ((to_jsonb(ev) - 'hash' - 'prev_hash' - 'occurred_at')::text)
             || '|' || (extract(epoch FROM ev.occurred_at) * 1000000)::bigint::text,
        'UTF8')), 'hex')
    $$`);
}
