import type { Knex } from 'knex';

/** Organisation, products, plans and the business calendar: data the rules read, not the cycle writes. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('branches', (t) => {
    t.string('code', 16).primary();
    t.string('name', 100).notNullable();
  });
  await knex.schema.createTable('agents', (t) => {
    t.string('code', 32).primary();
    t.string('name_masked', 100).notNullable();
    t.text('name_enc').notNullable();
    t.string('mobile_masked', 20);
    t.text('mobile_enc');
    // Lookup key (keyed hash) to flag customer numbers equal to an agent's, without decrypting.
    t.string('mobile_hash', 64).index();
    t.string('team_code', 32).notNullable();
    t.string('branch_code', 16).notNullable().references('branches.code');
    t.enu('status', ['active', 'departed'], { useNative: true, enumName: 'agent_status' }).notNullable();
    t.string('leader_code', 32);
    t.timestamps(true, true);
  });
  await knex.schema.createTable('teams', (t) => {
    t.string('code', 32).primary();
    t.string('branch_code', 16).notNullable().references('branches.code');
    t.string('leader_code', 32);
  });
  await knex.schema.createTable('collection_plans', (t) => {
    t.string('code', 32).notNullable();
    t.integer('version').notNullable();
    t.jsonb('definition').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['code', 'version']);
  });
  await knex.schema.createTable('products', (t) => {
    t.string('code', 32).primary();
    t.string('name', 200).notNullable();
    t.integer('grace_days').notNullable().defaultTo(60);
    t.integer('reinstatement_years').notNullable().defaultTo(2);
    t.string('plan_code', 32).notNullable().defaultTo('standard-60');
  });
  await knex.schema.createTable('business_calendar', (t) => {
    t.date('day').primary();
    t.enu('kind', ['holiday', 'workday'], { useNative: true, enumName: 'calendar_day_kind' }).notNullable();
    t.string('name', 100).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('business_calendar');
  await knex.schema.dropTable('products');
  await knex.schema.dropTable('collection_plans');
  await knex.schema.dropTable('teams');
  await knex.schema.dropTable('agents');
  await knex.schema.dropTable('branches');
  await knex.raw('DROP TYPE IF EXISTS calendar_day_kind');
  await knex.raw('DROP TYPE IF EXISTS agent_status');
}
