import type { Knex } from 'knex';

/**
 * Indexes for a person's scope (docs/architecture.md#people): the policies of a branch, of an agent,
 * and an agent's team. A scoped page or report finds its policies through them instead of reading
 * every policy (reports/scope-sql.ts, db/repositories/tasks.ts listTasks; BENCHMARKS.md "Console pages").
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX IF NOT EXISTS policies_branch_code ON policies (branch_code)');
  await knex.raw('CREATE INDEX IF NOT EXISTS policies_agent_code ON policies (agent_code) WHERE agent_code IS NOT NULL');
  await knex.raw('CREATE INDEX IF NOT EXISTS agents_team_code ON agents (team_code)');
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['agents_team_code', 'policies_agent_code', 'policies_branch_code']) await knex.raw(`DROP INDEX IF EXISTS ${index}`);
}
