/** The simulated bank's view of a customer account: who holds it, what may be debited from it. */

export const ACCOUNT_STATUSES = ['active', 'closed', 'frozen', 'lost', 'dormant', 'expired'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** PBOC account tiers (银发〔2015〕392号): Class I full function, II and III with daily debit caps. */
export const ACCOUNT_CLASSES = ['I', 'II', 'III'] as const;
export type AccountClass = (typeof ACCOUNT_CLASSES)[number];

/** Daily debit caps per account class, in fen: Class II RMB 10,000, Class III RMB 2,000. */
export const PBOC_DAILY_LIMIT_FEN: Readonly<Record<AccountClass, number | null>> = {
  I: null,
  II: 1_000_000,
  III: 200_000,
};

export type MandateStatus = 'active' | 'revoked';

/** A direct-debit authorisation (代扣授权) the account holder gave one creditor. */
export interface Mandate {
  /** The collecting creditor (gateway merchant, ISO creditor scheme id); omitted: the bank's own creditor. */
  creditorId?: string;
  mandateId: string;
  status: MandateStatus;
}

export interface SimulatedAccount {
  bankCode: string;
  accountNo: string;
  accountName: string;
  balanceFen: number;
  status: AccountStatus;
  /** Omitted: Class I. */
  accountClass?: AccountClass;
  /** A daily debit limit the holder set, in fen; Class II/III are also capped by the PBOC limit. */
  dailyLimitFen?: number | null;
  /**
   * Authorisations on file. Omitted: one active mandate for the bank's own creditor, matching any
   * mandate id (the usual case); an empty list means none, so every debit is refused (MD01).
   */
  mandates?: Mandate[];
  /** A bank-side fault on this account: every debit is rejected with this raw code (e.g. MS03, 96). */
  faultCode?: string;
}

/** The cap that applies to one day's debits, or null when there is none. */
export function effectiveDailyLimitFen(account: Pick<SimulatedAccount, 'accountClass' | 'dailyLimitFen'>): number | null {
  const pboc = PBOC_DAILY_LIMIT_FEN[account.accountClass ?? 'I'];
  const own = account.dailyLimitFen ?? null;
  if (pboc === null) return own;
  return own === null ? pboc : Math.min(own, pboc);
}

export function accountKey(bankCode: string, accountNo: string): string {
  return `${bankCode}/${accountNo}`;
}
