import type { Knex } from 'knex';

/**
 * Money is believed only from the bank, about a debit we made (docs/architecture.md#never-debit-twice):
 * - each renewal debit attempt keeps the debtor account it was sent to, masked as banks echo it, so an
 *   answer about another account is refused;
 * - a reinstatement debit's key is stored before submission, so a retried activity reuses it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('debit_attempts', (t) => {
    t.string('debtor_account_masked', 40);
  });
  // Attempts made before: the account of the mandate in force (theirs, unless replaced since).
  await knex.raw(`UPDATE debit_attempts a SET debtor_account_masked = m.account_masked
    FROM premium_dues p JOIN mandates m ON m.policy_no = p.policy_no AND m.status = 'active'
    WHERE p.id = a.premium_due_id`);
  await knex.schema.createTable('reinstatement_debits', (t) => {
    t.bigIncrements('id');
    t.string('application_workflow_id', 200).notNullable().references('reinstatement_applications.workflow_id');
    t.integer('attempt_no').notNullable();
    // Sent to the bank as EndToEndId / REQ_SN; never reused.
    t.string('idempotency_key', 64).notNullable().unique();
    t.bigInteger('amount_fen').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['application_workflow_id', 'attempt_no']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reinstatement_debits');
  await knex.schema.alterTable('debit_attempts', (t) => {
    t.dropColumn('debtor_account_masked');
  });
}
