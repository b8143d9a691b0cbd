import type { Knex } from 'knex';
import { addMonths } from '../../domain/months';
import { REPORTED_VIAS } from '../../domain/payments';

/** How the month's premiums were paid (docs/business-rules.md#payment-amounts): what the demo prints. */
export interface PaymentMix {
  /** Payments not reversed, by way: how many and how much (fen). */
  byWay: { via: string; payments: number; amountFen: number }[];
  /** Payments people reported (counter, online, transfer) that paid only part of their premium. */
  partPayments: number;
  /** Suspensions undone by a payment made within grace and reported after. */
  suspensionsUndone: number;
  /** Money in the suspense ledger, by reason. */
  suspense: { reason: string; entries: number; amountFen: number }[];
}

export async function paymentMix(db: Knex, month: string): Promise<PaymentMix> {
  const span = { from: `${month}-01`, to: `${addMonths(month, 1)}-01` };
  const ofMonth = (alias: string) => db.raw(`${alias}.due_date >= :from AND ${alias}.due_date < :to`, span);
  const byWay = await db('payments as p')
    .join('premium_dues as d', 'd.id', 'p.premium_due_id')
    .whereRaw(ofMonth('d'))
    .whereNull('p.reversed_at')
    .groupBy('p.via')
    .orderBy('p.via')
    .select<{ via: string; payments: string; amount: string }[]>('p.via', db.raw('count(*) AS payments'), db.raw('sum(p.amount_fen) AS amount'));
  const [part] = await db('payments as p')
    .join('premium_dues as d', 'd.id', 'p.premium_due_id')
    .whereRaw(ofMonth('d'))
    .whereNull('p.reversed_at')
    .whereIn('p.via', REPORTED_VIAS)
    .whereRaw('p.amount_fen < d.amount_fen')
    .count<{ count: string }[]>('* as count');
  const [undone] = await db('suspensions as s').join('premium_dues as d', 'd.id', 's.premium_due_id').whereRaw(ofMonth('d')).where('s.outcome', 'undone').count<{ count: string }[]>('* as count');
  const suspense = await db('suspense_entries as e')
    .join('premium_dues as d', 'd.id', 'e.premium_due_id')
    .whereRaw(ofMonth('d'))
    .groupBy('e.reason')
    .orderBy('e.reason')
    .select<{ reason: string; entries: string; amount: string }[]>('e.reason', db.raw('count(*) AS entries'), db.raw('sum(e.amount_fen) AS amount'));
  return {
    byWay: byWay.map((r) => ({ via: r.via, payments: Number(r.payments), amountFen: Number(r.amount) })),
    partPayments: Number(part?.count ?? 0),
    suspensionsUndone: Number(undone?.count ?? 0),
    suspense: suspense.map((r) => ({ reason: r.reason, entries: Number(r.entries), amountFen: Number(r.amount) })),
  };
}
