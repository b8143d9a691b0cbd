import type { Knex } from 'knex';

/**
 * Console sign-in shared by every console process (docs/architecture.md#console):
 * - `console_sign_in_failures`: one row per failed password sign-in and key (a login or a client
 *   address), the key kept only as its SHA-256; rows older than the limiter's window are pruned.
 * - `console_oidc_flows`: an OIDC sign-in begun in a browser, named by the SHA-256 of the random value
 *   its cookie carries; state, nonce and PKCE verifier are derived from that value, so nothing here
 *   completes a sign-in. Taken once by the callback; expired rows are pruned.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('console_sign_in_failures', (t) => {
    t.bigIncrements('id');
    t.string('key_hash', 64).notNullable();
    t.timestamp('failed_at', { useTz: true }).notNullable();
    t.index(['key_hash', 'failed_at']);
    t.index(['failed_at']);
  });
  await knex.schema.createTable('console_oidc_flows', (t) => {
    t.string('flow_hash', 64).primary();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('console_oidc_flows');
  await knex.schema.dropTable('console_sign_in_failures');
}
