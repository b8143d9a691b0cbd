import { addDays } from '../../domain/civil-date';
import type { Invented } from './invented';

/** What one customer's month looks like: the account the bank holds and what happens when. */
export interface Story {
  balanceYuan: number;
  accountStatus?: 'active' | 'closed' | 'frozen';
  accountClass?: 'I' | 'II' | 'III';
  dailyLimitYuan?: number;
  /** A new account authorised this many days after the due date (an account_update event). */
  newAccount?: { day: number };
  /** Days relative to the due date. */
  events: { day: number; event: string; value?: string }[];
}

export interface Behaviour {
  name: string;
  /** Share of the portfolio, in percent. */
  weight: number;
  story(context: { dueDate: string; premiumYuan: number; rng: Invented }): Story;
}

const short = (premium: number, rng: Invented) => Math.round(premium * rng.int(5, 40)) / 100;

/** The mix a renewal team meets in a month; weights add up to 100. */
export const BEHAVIOURS: readonly Behaviour[] = [
  { name: 'funded', weight: 48, story: ({ premiumYuan, rng }) => ({ balanceYuan: premiumYuan * rng.int(12, 40) / 10, events: [] }) },
  {
    name: 'deposits in grace',
    weight: 10,
    story: ({ premiumYuan, rng }) => ({ balanceYuan: short(premiumYuan, rng), events: [{ day: rng.int(2, 25), event: 'deposit', value: premiumYuan.toFixed(2) }] }),
  },
  { name: 'never funded', weight: 5, story: ({ premiumYuan, rng }) => ({ balanceYuan: short(premiumYuan, rng), events: [] }) },
  {
    // Lapses, applies to reinstate ten days into the window, funds the account; no decision within
    // 30 days is consent, and the back premiums with interest are debited.
    name: 'lapses, then reinstates',
    weight: 2,
    story: ({ premiumYuan, rng }) => ({
      balanceYuan: short(premiumYuan, rng),
      events: [
        { day: 71, event: 'apply_reinstatement', value: 'debit' },
        { day: 72, event: 'deposit', value: (premiumYuan * 1.1).toFixed(2) },
      ],
    }),
  },
  { name: 'closed account, new one authorised', weight: 3, story: ({ premiumYuan, rng }) => ({ balanceYuan: premiumYuan * 2, accountStatus: 'closed', newAccount: { day: rng.int(8, 20) }, events: [] }) },
  { name: 'closed account, never fixed', weight: 2, story: ({ premiumYuan }) => ({ balanceYuan: premiumYuan * 2, accountStatus: 'closed', events: [] }) },
  { name: 'frozen account, pays at the counter', weight: 2, story: ({ premiumYuan, rng }) => ({ balanceYuan: premiumYuan * 2, accountStatus: 'frozen', events: [{ day: rng.int(10, 30), event: 'pay_counter' }] }) },
  { name: 'pays at the counter in grace', weight: 3, story: ({ premiumYuan, rng }) => ({ balanceYuan: short(premiumYuan, rng), events: [{ day: rng.int(5, 40), event: 'pay_counter' }] }) },
  { name: 'pays at the counter before the due date', weight: 3, story: ({ premiumYuan, rng }) => ({ balanceYuan: short(premiumYuan, rng), events: [{ day: -rng.int(3, 12), event: 'pay_counter' }] }) },
  {
    name: 'promises and keeps it',
    weight: 5,
    story: ({ dueDate, premiumYuan, rng }) => ({
      balanceYuan: short(premiumYuan, rng),
      events: [
        { day: 4, event: 'promise', value: addDays(dueDate, 20) },
        { day: 19, event: 'deposit', value: premiumYuan.toFixed(2) },
      ],
    }),
  },
  { name: 'promises and breaks it', weight: 2, story: ({ dueDate, premiumYuan, rng }) => ({ balanceYuan: short(premiumYuan, rng), events: [{ day: 4, event: 'promise', value: addDays(dueDate, 15) }] }) },
  { name: 'refuses', weight: 3, story: ({ premiumYuan, rng }) => ({ balanceYuan: short(premiumYuan, rng), events: [{ day: rng.int(8, 30), event: 'refuse', value: String(rng.pick([2, 4, 8, 10])) }] }) },
  {
    name: 'claim open during grace, then pays',
    weight: 2,
    story: ({ premiumYuan, rng }) => ({
      balanceYuan: short(premiumYuan, rng),
      events: [
        { day: 8, event: 'claim_open' },
        { day: 45, event: 'claim_close' },
        { day: 50, event: 'deposit', value: premiumYuan.toFixed(2) },
      ],
    }),
  },
  {
    // Half at the counter before the due date: the debit on the due date asks only for the rest.
    name: 'pays part at the counter, the debit takes the rest',
    weight: 2,
    story: ({ premiumYuan, rng }) => ({ balanceYuan: premiumYuan * 0.6, events: [{ day: -rng.int(2, 8), event: 'pay_counter', value: (premiumYuan / 2).toFixed(2) }] }),
  },
  {
    name: 'pays online through the payment link',
    weight: 2,
    story: ({ premiumYuan, rng }) => {
      const balanceYuan = short(premiumYuan, rng);
      const day = rng.int(3, 30);
      // WeChat Pay or Alipay by the day's parity: no draw of its own, so the rest of the seeded scenario stays as it was.
      return { balanceYuan, events: [{ day, event: 'pay_online', ...(day % 2 === 0 ? { value: 'alipay' } : {}) }] };
    },
  },
  {
    // Paid at 23:59 of the last grace day, reported after the suspension: it is undone.
    name: 'pays at the counter on the last grace day, reported the next morning',
    weight: 1,
    story: ({ dueDate, premiumYuan, rng }) => ({
      balanceYuan: short(premiumYuan, rng),
      events: [{ day: 61, event: 'pay_counter', value: `${premiumYuan.toFixed(2)}@${addDays(dueDate, 60)} 23:59` }],
    }),
  },
  // The excess goes to the suspense ledger with a refund task.
  { name: 'pays too much at the counter', weight: 1, story: ({ premiumYuan, rng }) => ({ balanceYuan: short(premiumYuan, rng), events: [{ day: rng.int(5, 20), event: 'pay_counter', value: (premiumYuan + 100).toFixed(2) }] }) },
  {
    name: 'over the daily limit, pays at the counter',
    weight: 4,
    story: ({ premiumYuan, rng }) => ({
      balanceYuan: premiumYuan * 3,
      accountClass: 'II',
      dailyLimitYuan: Math.max(1, Math.floor(premiumYuan / 2)),
      events: [{ day: rng.int(15, 35), event: 'pay_counter' }],
    }),
  },
];
