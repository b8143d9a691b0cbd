import type { Knex } from 'knex';

/**
 * After suspension: one row per suspension (its window and how it ended), the reinstatement
 * applications made in it, and the reduced paid-up choices. Facts for the reinstatement rate and the
 * lapsed-policy list, written by the cycle's window stage and the `reinstatement` workflow.
 */
export async function up(knex: Knex): Promise<void> {
  // Interp. (III) Art. 8 lets the insurer charge interest on back premiums: the product's simple
  // annual rate in basis points. 500 (5.00 %) is an assumption for products that do not say.
  await knex.schema.alterTable('products', (t) => {
    t.integer('reinstatement_interest_bp').notNullable().defaultTo(500);
  });
  await knex.raw('ALTER TABLE products ADD CONSTRAINT products_reinstatement_interest_range CHECK (reinstatement_interest_bp BETWEEN 0 AND 10000)');
  await knex.raw(`ALTER TYPE policy_status ADD VALUE IF NOT EXISTS 'paid_up'`);

  await knex.schema.createTable('suspensions', (t) => {
    t.bigIncrements('id');
    t.string('policy_no', 32).notNullable().references('policies.policy_no');
    // The premium whose non-payment suspended the policy: one suspension each.
    t.bigInteger('premium_due_id').notNullable().unique().references('premium_dues.id');
    t.date('lapsed_due_date').notNullable();
    t.timestamp('suspended_at', { useTz: true }).notNullable();
    t.date('suspension_date').notNullable();
    // The window closes (and the contract is terminated) at 00:00 of this date.
    t.date('window_closes_on').notNullable();
    // Premium a year at suspension, for ranking by value; high value as the plan defines it.
    t.bigInteger('annual_premium_fen').notNullable();
    t.boolean('high_value').notNullable();
    t.enu('outcome', ['open', 'reinstated', 'terminated', 'reduced_paid_up'], { useNative: true, enumName: 'suspension_outcome' })
      .notNullable()
      .defaultTo('open');
    t.timestamp('outcome_at', { useTz: true });
    t.string('workflow_id', 200).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['outcome', 'window_closes_on']);
    t.index(['policy_no']);
  });

  await knex.schema.createTable('reinstatement_applications', (t) => {
    t.bigIncrements('id');
    t.bigInteger('suspension_id').notNullable().references('suspensions.id');
    t.string('policy_no', 32).notNullable().references('policies.policy_no');
    t.string('workflow_id', 200).notNullable().unique();
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.date('decision_due_date').notNullable();
    t.enu('payment_method', ['debit', 'counter'], { useNative: true, enumName: 'reinstatement_payment_method' }).notNullable();
    t.enu('status', ['under_review', 'evidence_requested', 'approved', 'declined', 'withdrawn', 'approval_expired', 'reinstated'], {
      useNative: true,
      enumName: 'reinstatement_status',
    })
      .notNullable()
      .defaultTo('under_review');
    t.string('approved_by', 16); // underwriter | deemed_consent
    t.timestamp('approved_at', { useTz: true });
    t.date('pay_by');
    t.string('decline_reason', 32);
    t.jsonb('quote'); // the itemised arrears and interest of the payment (fen)
    t.bigInteger('paid_fen');
    t.string('paid_via', 16);
    t.string('payment_reference', 64);
    t.timestamp('paid_at', { useTz: true });
    t.date('effective_date');
    t.date('suicide_exclusion_ends');
    t.date('contestability_ends');
    t.date('next_due_date');
    t.timestamp('closed_at', { useTz: true });
    t.timestamps(true, true);
    t.index(['policy_no']);
    t.index(['status']);
  });

  await knex.schema.createTable('reduced_paid_up_choices', (t) => {
    t.bigIncrements('id');
    t.string('policy_no', 32).notNullable().references('policies.policy_no');
    t.bigInteger('premium_due_id').notNullable().references('premium_dues.id');
    t.enu('stage', ['grace_end', 'reinstatement_window'], { useNative: true, enumName: 'reduced_paid_up_stage' }).notNullable();
    t.enu('choice', ['accepted', 'declined'], { useNative: true, enumName: 'reduced_paid_up_choice' }).notNullable();
    t.bigInteger('cash_value_fen').notNullable();
    t.bigInteger('net_single_premium_fen').notNullable();
    t.timestamp('decided_at', { useTz: true }).notNullable();
    // The policy administration system's reference for the change, once requested (accepted only).
    t.string('admin_request_id', 64);
    t.string('workflow_id', 200).notNullable();
    // A choice is recorded once per activity that records it (a retry finds it); a declined offer
    // may be accepted later, each its own row.
    t.string('activity_id', 64).notNullable();
    t.unique(['workflow_id', 'activity_id']);
    t.index(['policy_no']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reduced_paid_up_choices');
  await knex.schema.dropTable('reinstatement_applications');
  await knex.schema.dropTable('suspensions');
  for (const type of ['reduced_paid_up_choice', 'reduced_paid_up_stage', 'reinstatement_status', 'reinstatement_payment_method', 'suspension_outcome']) {
    await knex.raw(`DROP TYPE IF EXISTS ${type}`);
  }
  await knex.schema.alterTable('products', (t) => {
    t.dropColumn('reinstatement_interest_bp'); // its check goes with it
  });
  // PostgreSQL cannot drop an enum value: 'paid_up' stays in policy_status.
}
