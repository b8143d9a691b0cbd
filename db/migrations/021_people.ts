import type { Knex } from 'knex';

/**
 * People (docs/architecture.md#people): users with their roles and scopes, personal API tokens
 * (only a SHA-256 of the secret is kept) and the one-time setup token of the first start. The
 * application role gets full DML by default privileges: disabling a user, revoking a token and
 * stamping `last_used_at` are updates.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('login', 64).notNullable().unique();
    t.string('display_name', 128).notNullable();
    t.enu('status', ['active', 'disabled'], { useNative: true, enumName: 'user_status' }).notNullable().defaultTo('active');
    t.text('password_hash');
    t.string('oidc_issuer', 512);
    t.string('oidc_subject', 255);
    t.unique(['oidc_issuer', 'oidc_subject']);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('created_by', 64).notNullable();
    t.timestamp('disabled_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_login_shape CHECK (login ~ '^[a-z0-9][a-z0-9._-]{0,63}$')`);
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_oidc_pair CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL))`);

  await knex.schema.createTable('user_roles', (t) => {
    t.integer('user_id').notNullable().references('users.id');
    t.string('role', 32).notNullable();
    t.primary(['user_id', 'role']);
  });

  await knex.schema.createTable('user_scopes', (t) => {
    t.integer('user_id').notNullable().references('users.id');
    t.enu('kind', ['branch', 'team', 'own'], { useNative: true, enumName: 'user_scope_kind' }).notNullable();
    t.string('value', 64).notNullable();
    t.primary(['user_id', 'kind', 'value']);
  });

  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('users.id');
    t.string('name', 64).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('prefix', 16).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.index(['user_id']);
  });

  // At most one setup token at a time (id fixed to 1); redeemed or replaced, it is deleted.
  await knex.schema.createTable('setup_tokens', (t) => {
    t.integer('id').primary();
    t.string('token_hash', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });
  await knex.raw('ALTER TABLE setup_tokens ADD CONSTRAINT setup_tokens_one CHECK (id = 1)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('setup_tokens');
  await knex.schema.dropTable('api_tokens');
  await knex.schema.dropTable('user_scopes');
  await knex.schema.dropTable('user_roles');
  await knex.schema.dropTable('users');
  await knex.raw('DROP TYPE IF EXISTS user_scope_kind');
  await knex.raw('DROP TYPE IF EXISTS user_status');
}
