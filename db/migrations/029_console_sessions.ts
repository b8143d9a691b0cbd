import type { Knex } from 'knex';

/**
 * The operations console's browser sessions (docs/architecture.md#console): only the SHA-256 of the
 * random session id the cookie carries is kept, so a copy of the table signs no one in. The CSRF
 * secret is per session; idle and absolute expiry are judged from `last_seen_at` and `created_at`.
 * Signing out deletes the row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('console_sessions', (t) => {
    t.bigIncrements('id');
    t.string('session_hash', 64).notNullable().unique();
    t.integer('user_id').notNullable().references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.string('csrf_secret', 64).notNullable();
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('console_sessions');
}
