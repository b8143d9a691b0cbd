import type { Knex } from 'knex';

/** Payment links, orders and notifications (db/migrations/034_payment_links.ts). No personal data. */

export interface LinkedPremium {
  token: string;
  premium_due_id: number;
  expires_at: Date;
  policy_no: string;
  due_date: string;
  status: string;
  grace_days: number;
  /** The premium less what was paid towards it, as the database says now. */
  amount_due_fen: number;
}

/** What was paid towards the premium and not reversed since (a returned debit is reversed). */
const paidSoFar = (db: Knex) => db('payments').where('premium_due_id', db.ref('d.id')).whereNull('reversed_at').sum('amount_fen');

/** The premium a link is for, with what is still due; undefined for a token never issued. */
export async function premiumOfLink(db: Knex, token: string): Promise<LinkedPremium | undefined> {
  const row = await db('payment_links as l')
    .join('premium_dues as d', 'd.id', 'l.premium_due_id')
    .join('policies as p', 'p.policy_no', 'd.policy_no')
    .join('products as r', 'r.code', 'p.product_code')
    .where('l.token', token)
    .first<(Omit<LinkedPremium, 'amount_due_fen'> & { amount_fen: string; paid: string | null }) | undefined>(
      'l.token',
      'l.premium_due_id',
      'l.expires_at',
      'd.policy_no',
      'd.due_date',
      'd.status',
      'r.grace_days',
      'd.amount_fen',
      paidSoFar(db).as('paid'),
    );
  if (!row) return undefined;
  const { amount_fen, paid, ...rest } = row;
  return { ...rest, premium_due_id: Number(rest.premium_due_id), amount_due_fen: Number(amount_fen) - Number(paid ?? 0) };
}

export interface PremiumForLink {
  id: number;
  policy_no: string;
  due_date: string;
  status: string;
  grace_days: number;
}

export async function premiumForLink(db: Knex, premiumDueId: number): Promise<PremiumForLink | undefined> {
  const row = await db('premium_dues as d')
    .join('policies as p', 'p.policy_no', 'd.policy_no')
    .join('products as r', 'r.code', 'p.product_code')
    .where('d.id', premiumDueId)
    .first<PremiumForLink | undefined>('d.id', 'd.policy_no', 'd.due_date', 'd.status', 'r.grace_days');
  return row ? { ...row, id: Number(row.id) } : undefined;
}

/** The link of this premium that lives longest past `now`, if one does. */
export async function liveLinkOf(db: Knex, premiumDueId: number, now: Date): Promise<{ token: string; expires_at: Date } | undefined> {
  return db('payment_links').where('premium_due_id', premiumDueId).andWhere('expires_at', '>', now).orderBy('expires_at', 'desc').first('token', 'expires_at');
}

export async function insertLink(db: Knex, link: { token: string; premiumDueId: number; expiresAt: Date; createdBy: string }): Promise<void> {
  await db('payment_links').insert({ token: link.token, premium_due_id: link.premiumDueId, expires_at: link.expiresAt, created_by: link.createdBy });
}

export type OrderStatus = 'open' | 'applied' | 'not_applied';

export interface PaymentOrderRow {
  id: number;
  out_trade_no: string;
  link_token: string;
  premium_due_id: number;
  provider: string;
  amount_fen: number;
  status: OrderStatus;
  transaction_id: string | null;
  paid_at: Date | null;
  note: string | null;
  created_at: Date;
  settled_at: Date | null;
}

export async function insertOrder(db: Knex, order: { outTradeNo: string; linkToken: string; premiumDueId: number; provider: string; amountFen: number }): Promise<void> {
  await db('payment_orders').insert({ out_trade_no: order.outTradeNo, link_token: order.linkToken, premium_due_id: order.premiumDueId, provider: order.provider, amount_fen: order.amountFen });
}

/** The order, locked until the caller's transaction ends: one notification or query applies it at a time. */
export async function lockOrder(trx: Knex.Transaction, provider: string, outTradeNo: string): Promise<(PaymentOrderRow & { policy_no: string; due_date: string }) | undefined> {
  const row = await trx('payment_orders as o')
    .join('premium_dues as d', 'd.id', 'o.premium_due_id')
    .where({ 'o.out_trade_no': outTradeNo, 'o.provider': provider })
    .forUpdate('o')
    .first<(PaymentOrderRow & { policy_no: string; due_date: string }) | undefined>('o.*', 'd.policy_no', 'd.due_date');
  return row ? { ...row, amount_fen: Number(row.amount_fen) } : undefined;
}

export async function settleOrder(db: Knex, id: number, settled: { status: Exclude<OrderStatus, 'open'>; transactionId: string; paidAt: Date | undefined; note: string }): Promise<void> {
  await db('payment_orders')
    .where({ id, status: 'open' })
    .update({ status: settled.status, transaction_id: settled.transactionId.slice(0, 64), paid_at: settled.paidAt ?? null, note: settled.note.slice(0, 300), settled_at: db.fn.now() });
}

export async function ordersOf(db: Knex, premiumDueId: number): Promise<PaymentOrderRow[]> {
  return db('payment_orders').where('premium_due_id', premiumDueId).orderBy('id');
}

/** Orders still open that were made between `from` and `before`: the sweep asks their providers. */
export async function openOrdersBetween(db: Knex, from: Date, before: Date, limit = 200): Promise<Pick<PaymentOrderRow, 'out_trade_no' | 'provider'>[]> {
  return db('payment_orders').where('status', 'open').andWhere('created_at', '>=', from).andWhere('created_at', '<', before).orderBy('created_at').limit(limit).select('out_trade_no', 'provider');
}

export type NotificationOutcome = 'applied' | 'duplicate' | 'not_applied' | 'not_paid' | 'unknown_order' | 'refused';

export async function recordNotification(db: Knex, row: { provider: string; outTradeNo?: string; outcome: NotificationOutcome; reason?: string }): Promise<void> {
  await db('payment_notifications').insert({ provider: row.provider, out_trade_no: row.outTradeNo?.slice(0, 64) ?? null, outcome: row.outcome, reason: row.reason?.slice(0, 300) ?? null });
}
