import type { Knex } from 'knex';

/**
 * Contact attempts (operational, their status follows delivery receipts) and the audit trail
 * (append-only and hash-chained: the story compliance reads, including every suppressed contact).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('contact_attempts', (t) => {
    // The ID handed to the provider (OutId, SessionContext, Message-ID) so a retry can ask before resending.
    t.uuid('id').primary();
    t.string('policy_no', 32).notNullable().references('policies.policy_no');
    t.date('due_date').notNullable();
    t.string('step', 48).notNullable(); // plan step, e.g. reminder_d-30
    t.enu('channel', ['sms', 'wechat', 'email', 'phone', 'letter'], { useNative: true, enumName: 'contact_attempt_channel' })
      .notNullable();
    t.string('template_code', 64);
    t.integer('template_version');
    t.enu('status', ['pending', 'sent', 'delivered', 'failed', 'suppressed'], {
      useNative: true,
      enumName: 'contact_attempt_status',
    }).notNullable();
    t.string('suppressed_rule', 32);
    t.string('recipient_masked', 200);
    t.string('provider', 32);
    t.string('provider_message_id', 200);
    t.string('provider_code', 64);
    t.string('workflow_id', 200).notNullable();
    t.string('run_id', 64).notNullable();
    t.string('activity_id', 64).notNullable();
    t.timestamp('planned_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('receipt_at', { useTz: true });
    // One attempt per step and channel of one cycle: a retried activity finds its row instead of sending again.
    t.unique(['workflow_id', 'step', 'channel']);
    t.index(['policy_no', 'due_date']);
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigInteger('seq').primary(); // assigned under the chain lock, so seq order is chain order
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('kind', 48).notNullable();
    t.string('policy_no', 32);
    t.date('due_date');
    t.string('workflow_id', 200);
    t.string('run_id', 64);
    t.string('activity_id', 64);
    t.string('actor', 64).notNullable();
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.index(['policy_no', 'due_date']);
  });
  // The canonical text of a row: every column but the hashes, timestamps as epoch microseconds so the
  // result does not depend on the session's TimeZone. audit verify recomputes exactly this.
  await knex.raw(`
    CREATE FUNCTION audit_event_digest(prev text, ev audit_events) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
      SELECT encode(sha256(convert_to(
        prev || '|' || ((to_jsonb(ev) - 'hash' - 'prev_hash' - 'occurred_at')::text)
             || '|' || (extract(epoch FROM ev.occurred_at) * 1000000)::bigint::text,
        'UTF8')), 'hex')
    $$`);
  await knex.raw(`
    CREATE FUNCTION audit_events_chain() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
      previous_seq bigint;
      previous_hash text;
    BEGIN
      -- Serialise writers so each row links to the one committed just before it, and number rows
      -- without gaps (a sequence would leave gaps on rollback, hiding real deletions among them).
      PERFORM pg_advisory_xact_lock(hashtext('audit_events_chain'));
      SELECT seq, hash INTO previous_seq, previous_hash FROM audit_events ORDER BY seq DESC LIMIT 1;
      NEW.seq := coalesce(previous_seq, 0) + 1;
      NEW.prev_hash := coalesce(previous_hash, repeat('0', 64));
      NEW.hash := audit_event_digest(NEW.prev_hash, NEW);
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_chain()`);
  await knex.raw(`
    CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await knex.raw(`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
  await knex.raw(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);
}

export async function down(knex: Knex): Promise<void> {
  // The digest function takes the table's row type, so it goes first; the triggers go with the table.
  await knex.raw('DROP FUNCTION audit_event_digest(text, audit_events)');
  await knex.schema.dropTable('audit_events');
  await knex.raw('DROP FUNCTION audit_events_refuse_change()');
  await knex.raw('DROP FUNCTION audit_events_chain()');
  await knex.schema.dropTable('contact_attempts');
  await knex.raw('DROP TYPE IF EXISTS contact_attempt_status');
  await knex.raw('DROP TYPE IF EXISTS contact_attempt_channel');
}
