import type { Knex } from 'knex';

/**
 * Online payment (docs/architecture.md#online-payment): a payment link is a random token for one
 * premium, with an expiry; an order is one attempt to pay through a link at WeChat Pay or Alipay
 * (out_trade_no never reused); a notification row records every notification received, believed or
 * refused. None of them holds personal data: the premium is named by its id only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payment_links', (t) => {
    // 32 random bytes, base64url (43 characters): unguessable, so it is the key itself.
    t.string('token', 43).primary();
    t.bigInteger('premium_due_id').notNullable().references('premium_dues.id');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.string('created_by', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['premium_due_id', 'expires_at']);
  });
  await knex.schema.createTable('payment_orders', (t) => {
    t.bigIncrements('id');
    t.string('out_trade_no', 32).notNullable().unique();
    t.string('link_token', 43).notNullable().references('payment_links.token');
    t.bigInteger('premium_due_id').notNullable().references('premium_dues.id');
    t.string('provider', 16).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.string('status', 16).notNullable().defaultTo('open');
    t.string('transaction_id', 64);
    t.timestamp('paid_at', { useTz: true });
    // How the payment reached the cycle: applied, or why not (the cycle's refusal, in words).
    t.string('note', 300);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('settled_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_provider CHECK (provider IN ('wechatpay', 'alipay'))`);
  await knex.raw(`ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_status CHECK (status IN ('open', 'applied', 'not_applied'))`);
  await knex.raw(`ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_amount CHECK (amount_fen > 0)`);
  await knex.raw(`CREATE INDEX payment_orders_open ON payment_orders (created_at) WHERE status = 'open'`);
  await knex.schema.createTable('payment_notifications', (t) => {
    t.bigIncrements('id');
    t.string('provider', 16).notNullable();
    // As the notification claimed it; null when it could not be read.
    t.string('out_trade_no', 64);
    t.string('outcome', 16).notNullable();
    t.string('reason', 300);
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE payment_notifications ADD CONSTRAINT payment_notifications_outcome
    CHECK (outcome IN ('applied', 'duplicate', 'not_applied', 'not_paid', 'unknown_order', 'refused'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payment_notifications');
  await knex.schema.dropTable('payment_orders');
  await knex.schema.dropTable('payment_links');
}
