import type { Knex } from 'knex';

/** Schema for the reports work (issue 6). Filled in by that change; an empty migration is harmless. */
export async function up(_knex: Knex): Promise<void> {}

export async function down(_knex: Knex): Promise<void> {}
