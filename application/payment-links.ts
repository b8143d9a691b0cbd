import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { addDays, shanghaiInstant } from '../domain/civil-date';
import { maskNumber } from '../domain/masking';
import { insertLink, insertOrder, liveLinkOf, premiumForLink, premiumOfLink } from '../db/repositories/payment-links';
import type { PaymentProvider } from '../integrations/payments/port';
import { OperatorError } from './errors';

/*
 * Payment links (docs/architecture.md#online-payment): a random token for one premium, valid until
 * the end of its last grace day at the latest. The URL carries the token only. A link that is
 * unknown, expired, or whose premium is no longer due reads the same as no link at all, so a link
 * cannot tell anyone whether a policy exists.
 */

/** 32 random bytes: 256 bits, 43 characters of base64url. */
const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface PaymentLink {
  token: string;
  url: string;
  expiresAt: Date;
}

export function linkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/p/${token}`;
}

/** 00:00 Shanghai after the last grace day: when the cycle would suspend the policy. */
function endOfGrace(dueDate: string, graceDays: number): Date {
  return new Date(shanghaiInstant(addDays(dueDate, graceDays + 1)));
}

/**
 * The premium's live link, or a new one. `expiresBy` brings the expiry earlier than the end of grace
 * (never later). A premium that is not due, or past its grace, gets none.
 */
export async function paymentLinkFor(
  db: Knex,
  premiumDueId: number,
  options: { baseUrl: string; actor: string; now?: Date; expiresBy?: Date },
): Promise<PaymentLink> {
  const now = options.now ?? new Date();
  const premium = await premiumForLink(db, premiumDueId);
  if (!premium) throw new OperatorError(`no premium due #${premiumDueId}`);
  if (premium.status !== 'due') throw new OperatorError(`premium #${premiumDueId} (${premium.policy_no} due ${premium.due_date}) is ${premium.status}: no payment link`);
  const graceEnds = endOfGrace(premium.due_date, premium.grace_days);
  const expiresAt = options.expiresBy && options.expiresBy < graceEnds ? options.expiresBy : graceEnds;
  if (expiresAt <= now) throw new OperatorError(`premium #${premiumDueId} (${premium.policy_no} due ${premium.due_date}) is past its grace period: no payment link`);
  const live = await liveLinkOf(db, premiumDueId, now);
  if (live && live.expires_at <= expiresAt) return { token: live.token, url: linkUrl(options.baseUrl, live.token), expiresAt: live.expires_at };
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  await insertLink(db, { token, premiumDueId, expiresAt, createdBy: options.actor });
  return { token, url: linkUrl(options.baseUrl, token), expiresAt };
}

/**
 * The links the renewal notices carry (activities' payLinkFor): the premium's live link or a new one,
 * none for a premium not due or past grace. Made by the cycle, so signed `renewal-cycle`.
 */
export function noticePayLinks(db: Knex, baseUrl: () => string | undefined): (premiumDueId: number) => Promise<string | undefined> {
  return async (premiumDueId) => {
    const base = baseUrl();
    if (!base) return undefined;
    try {
      return (await paymentLinkFor(db, premiumDueId, { baseUrl: base, actor: 'renewal-cycle' })).url;
    } catch (error) {
      if (error instanceof OperatorError) return undefined;
      throw error;
    }
  };
}

/** What the hosted page shows: nothing a person could not be shown on a stranger's phone. */
export interface PayPage {
  maskedPolicyNo: string;
  amountDueFen: number;
  dueDate: string;
  expiresAt: Date;
}

async function usableLink(db: Knex, token: string, now: Date) {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const link = await premiumOfLink(db, token);
  if (!link || link.expires_at <= now || link.status !== 'due' || link.amount_due_fen <= 0) return undefined;
  return link;
}

/** The page for a link, or undefined: unknown, expired and settled alike. */
export async function payPageOf(db: Knex, token: string, now = new Date()): Promise<PayPage | undefined> {
  const link = await usableLink(db, token, now);
  if (!link) return undefined;
  return { maskedPolicyNo: maskNumber(link.policy_no), amountDueFen: link.amount_due_fen, dueDate: link.due_date, expiresAt: link.expires_at };
}

/** What the cashier shows as the thing paid for: the insurer's words, never the customer's. */
export const ORDER_DESCRIPTION = '续期保费';

/**
 * Opens an order for what the link's premium has due now (as the database says) at the provider and
 * returns where to send the payer; undefined when the link is not usable. The order row is written
 * before the provider is asked, so an order the provider took is never unknown to us.
 */
export async function startOnlinePayment(db: Knex, provider: PaymentProvider, token: string, clientIp: string, now = new Date()): Promise<{ payUrl: string; outTradeNo: string } | undefined> {
  const link = await usableLink(db, token, now);
  if (!link) return undefined;
  const outTradeNo = `PL${randomBytes(12).toString('hex')}`;
  await insertOrder(db, { outTradeNo, linkToken: link.token, premiumDueId: link.premium_due_id, provider: provider.name, amountFen: link.amount_due_fen });
  const { payUrl } = await provider.createOrder({ outTradeNo, amountFen: link.amount_due_fen, description: ORDER_DESCRIPTION, expiresAt: link.expires_at, clientIp });
  return { payUrl, outTradeNo };
}
