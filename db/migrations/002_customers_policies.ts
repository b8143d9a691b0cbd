import type { Knex } from 'knex';

/**
 * Customers, their contact points and policies. Personal data is stored twice: masked for display
 * and AES-GCM encrypted (`*_enc`) for the activities that must use it; `*_hash` columns are keyed
 * hashes for equality lookups (dedupe, shared-number flags) without decrypting.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('customers', (t) => {
    t.bigIncrements('id');
    t.string('name_masked', 100).notNullable();
    t.text('name_enc').notNullable();
    t.string('id_type', 16).notNullable();
    t.string('id_no_masked', 40).notNullable();
    t.text('id_no_enc').notNullable();
    t.string('id_no_hash', 64).notNullable();
    t.date('birth_date');
    t.timestamps(true, true);
    t.unique(['id_type', 'id_no_hash']);
  });
  await knex.schema.createTable('contact_points', (t) => {
    t.bigIncrements('id');
    t.bigInteger('customer_id').notNullable().references('customers.id');
    t.enu('type', ['mobile', 'email', 'wechat'], { useNative: true, enumName: 'contact_point_type' }).notNullable();
    t.string('value_masked', 200).notNullable();
    t.text('value_enc').notNullable();
    t.string('value_hash', 64).notNullable().index();
    t.enu('status', ['valid', 'invalid', 'unverified'], { useNative: true, enumName: 'contact_point_status' })
      .notNullable()
      .defaultTo('unverified');
    t.string('source', 32).notNullable();
    t.timestamp('verified_at', { useTz: true });
    // e.g. {"same_as_agent": "A001"} or {"shared_by": 4}
    t.jsonb('flags').notNullable().defaultTo('{}');
    t.timestamps(true, true);
    t.unique(['customer_id', 'type', 'value_hash']);
  });
  await knex.schema.createTable('consents', (t) => {
    t.bigIncrements('id');
    t.bigInteger('customer_id').notNullable().references('customers.id');
    t.string('kind', 32).notNullable(); // marketing, service_sms, …
    t.boolean('granted').notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('policies', (t) => {
    t.string('policy_no', 32).primary();
    t.string('product_code', 32).notNullable().references('products.code');
    t.enu('channel', ['agency', 'bancassurance', 'telemarketing', 'internet', 'group'], {
      useNative: true,
      enumName: 'sales_channel',
    }).notNullable();
    t.string('branch_code', 16).notNullable().references('branches.code');
    t.string('agent_code', 32).references('agents.code'); // null: orphan
    t.bigInteger('holder_customer_id').notNullable().references('customers.id');
    t.bigInteger('insured_customer_id').references('customers.id');
    t.enu('preferred_channel', ['sms', 'wechat', 'email', 'phone'], { useNative: true, enumName: 'contact_channel' });
    t.date('issue_date').notNullable();
    t.enu('payment_frequency', ['annual', 'semiannual', 'quarterly', 'monthly'], {
      useNative: true,
      enumName: 'payment_frequency',
    }).notNullable();
    t.bigInteger('premium_fen').notNullable();
    t.date('paid_to_date');
    t.date('next_due_date');
    t.integer('next_installment_no');
    t.boolean('apl_elected').notNullable().defaultTo(false);
    t.bigInteger('cash_value_fen').notNullable().defaultTo(0);
    t.string('segment', 8);
    t.enu('status', ['in_force', 'grace', 'lapsed', 'terminated'], { useNative: true, enumName: 'policy_status' })
      .notNullable();
    t.timestamps(true, true);
    t.index(['next_due_date', 'policy_no']);
  });
  await knex.schema.createTable('mandates', (t) => {
    t.bigIncrements('id');
    t.string('policy_no', 32).notNullable().references('policies.policy_no');
    t.string('bank_code', 16).notNullable();
    t.string('account_masked', 40).notNullable();
    t.text('account_enc').notNullable();
    t.string('account_hash', 64).notNullable();
    t.string('account_name_masked', 100).notNullable();
    t.text('account_name_enc').notNullable();
    t.enu('status', ['active', 'revoked', 'replaced'], { useNative: true, enumName: 'mandate_status' })
      .notNullable()
      .defaultTo('active');
    t.timestamp('authorised_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // At most one active mandate per policy: the account the next debit goes to is never ambiguous.
  await knex.raw(`CREATE UNIQUE INDEX mandates_one_active ON mandates (policy_no) WHERE status = 'active'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mandates');
  await knex.schema.dropTable('policies');
  await knex.schema.dropTable('consents');
  await knex.schema.dropTable('contact_points');
  await knex.schema.dropTable('customers');
  for (const type of [
    'mandate_status',
    'policy_status',
    'payment_frequency',
    'contact_channel',
    'sales_channel',
    'contact_point_status',
    'contact_point_type',
  ]) {
    await knex.raw(`DROP TYPE IF EXISTS ${type}`);
  }
}
