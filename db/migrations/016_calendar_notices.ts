import type { Knex } from 'knex';

/**
 * The State Council holiday notices loaded with `renewals calendar import` (docs/business-rules.md#business-calendar):
 * one row per published year, and the source of each `business_calendar` row: `notice` for a row a
 * loaded notice brought, `operator` for a day added by hand (every row before this migration).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_notices', (t) => {
    t.integer('year').primary();
    t.string('source', 200).notNullable();
    t.integer('holidays').notNullable();
    t.integer('workdays').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('imported_by', 64).notNullable();
    t.timestamp('imported_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.alterTable('business_calendar', (t) => {
    t.string('source', 16).notNullable().defaultTo('operator');
  });
  await knex.raw(`ALTER TABLE business_calendar ADD CONSTRAINT business_calendar_source CHECK (source IN ('notice', 'operator'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE business_calendar DROP CONSTRAINT business_calendar_source');
  await knex.schema.alterTable('business_calendar', (t) => {
    t.dropColumn('source');
  });
  await knex.schema.dropTable('calendar_notices');
}
