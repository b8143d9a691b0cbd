import type { Knex } from 'knex';

/**
 * Agent departures (docs/business-rules.md#orphan-policies): one row per agent and departure day,
 * written by `renewals agents depart` with its audit row. The orphan notices it starts are named by
 * policy and departure, so recording the same departure again starts nothing new.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agent_departures', (t) => {
    t.string('agent_code', 32).notNullable().references('agents.code');
    t.date('departed_on').notNullable();
    t.string('recorded_by', 64).notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['agent_code', 'departed_on']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('agent_departures');
}
