import type { Knex } from 'knex';

/** What is owed, what was tried at the bank, and what was received. Money is integer fen. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('premium_dues', (t) => {
    t.bigIncrements('id');
    t.string('policy_no', 32).notNullable().references('policies.policy_no');
    t.date('due_date').notNullable();
    t.integer('installment_no').notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.check('?? > 0', ['amount_fen'], 'premium_dues_amount_positive');
    t.enu('status', ['due', 'paid', 'lapsed', 'waived', 'closed'], { useNative: true, enumName: 'premium_status' })
      .notNullable()
      .defaultTo('due');
    t.timestamp('paid_at', { useTz: true });
    t.enu('paid_via', ['debit', 'counter', 'online', 'transfer', 'apl'], { useNative: true, enumName: 'payment_via' });
    t.string('workflow_id', 200);
    t.string('run_month', 7); // YYYY-MM of the monthly run that started the cycle
    t.timestamps(true, true);
    t.unique(['policy_no', 'due_date']);
    t.index(['due_date', 'policy_no']);
  });
  await knex.schema.createTable('debit_attempts', (t) => {
    t.bigIncrements('id');
    t.bigInteger('premium_due_id').notNullable().references('premium_dues.id');
    t.integer('attempt_no').notNullable();
    // Stored before submission; sent to the bank as EndToEndId / request number. Never reused.
    t.string('idempotency_key', 64).notNullable().unique();
    t.string('bank_code', 16).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.date('collection_date').notNullable();
    t.enu('status', ['prepared', 'submitted', 'accepted', 'succeeded', 'failed', 'unknown', 'returned'], {
      useNative: true,
      enumName: 'debit_status',
    }).notNullable();
    t.string('bank_ref', 64);
    t.string('raw_code', 32);
    t.string('reason', 32); // normalised reason, see domain reason codes
    t.boolean('customer_fault');
    t.string('workflow_id', 200).notNullable();
    t.string('run_id', 64).notNullable();
    t.string('activity_id', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('submitted_at', { useTz: true });
    t.timestamp('resolved_at', { useTz: true });
    t.unique(['premium_due_id', 'attempt_no']);
  });
  // At most one debit in flight per premium: invariant 1 held by the database, not only the workflow.
  await knex.raw(`CREATE UNIQUE INDEX debit_attempts_one_in_flight ON debit_attempts (premium_due_id)
    WHERE status IN ('prepared', 'submitted', 'accepted', 'unknown')`);
  await knex.schema.createTable('payments', (t) => {
    t.bigIncrements('id');
    t.bigInteger('premium_due_id').notNullable().references('premium_dues.id');
    t.bigInteger('amount_fen').notNullable();
    t.enu('via', null, { useNative: true, existingType: true, enumName: 'payment_via' }).notNullable();
    // Bank reference, counter receipt number or debit idempotency key: one payment per reference and
    // channel for a premium (two branches may issue the same receipt number for different premiums).
    t.string('reference', 64).notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.boolean('reconciled').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['premium_due_id', 'via', 'reference']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payments');
  await knex.schema.dropTable('debit_attempts');
  await knex.schema.dropTable('premium_dues');
  await knex.raw('DROP TYPE IF EXISTS debit_status');
  await knex.raw('DROP TYPE IF EXISTS payment_via');
  await knex.raw('DROP TYPE IF EXISTS premium_status');
}
