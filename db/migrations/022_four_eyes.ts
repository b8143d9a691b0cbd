import type { Knex } from 'knex';

/**
 * Four-eyes for unmasked audit exports (docs/business-rules.md#four-eyes): one compliance person
 * requests, a second approves, and the export consumes the approved request once. People are opaque
 * references (`user:42`), never names; the reason is stored masked.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_unmask_requests', (t) => {
    t.bigIncrements('id');
    t.string('requested_by', 64).notNullable();
    t.text('reason').notNullable();
    t.jsonb('filter').notNullable();
    t.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('approved_by', 64);
    t.timestamp('approved_at', { useTz: true });
    t.timestamp('used_at', { useTz: true });
    t.string('used_by', 64);
  });
  // The rule holds even for a hand-written UPDATE: no one approves their own request.
  await knex.raw(`ALTER TABLE audit_unmask_requests ADD CONSTRAINT audit_unmask_second_person CHECK (approved_by IS NULL OR approved_by <> requested_by)`);
  await knex.raw(`ALTER TABLE audit_unmask_requests ADD CONSTRAINT audit_unmask_used_once_approved CHECK (used_at IS NULL OR approved_at IS NOT NULL)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_unmask_requests');
}
