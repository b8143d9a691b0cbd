/**
 * Why the simulated bank refuses a debit, and the raw code each channel answers with. The core
 * decides in these neutral terms; the channel that carried the debit speaks its own code family
 * (ISO 20022 for files, UnionPay numbering for the collection gateway), as real banks do.
 */
export type Refusal =
  | 'NO_SUCH_ACCOUNT'
  | 'ACCOUNT_CLOSED'
  | 'ACCOUNT_FROZEN'
  | 'CARD_LOST'
  | 'DORMANT'
  | 'EXPIRED'
  | 'NAME_MISMATCH'
  | 'NO_MANDATE'
  | 'MANDATE_REVOKED'
  | 'DAILY_LIMIT'
  | 'INSUFFICIENT_FUNDS';

/** The code families the simulator speaks (a subset of domain/debit-reasons CodeFamily). */
export type SimulatorCodeFamily = 'iso' | 'unionpay';

interface RefusalCodes {
  iso: string;
  unionpay: string;
  /** The bank's message (ERR_MSG on the gateway); never carries personal data. */
  message: string;
}

/*
 * UnionPay has no own code for a closed or dormant account, a name mismatch or a missing mandate;
 * issuers answer with the nearest ISO 8583 code, and so does the simulator:
 * closed → 14 (no such account), dormant → 62 (restricted card), name mismatch → 05 (do not honour:
 * verification failed), no mandate → 03 (invalid merchant: this creditor has no agreement on the
 * card), revoked mandate → 57 (not permitted to the cardholder: the holder withdrew it).
 */
const CODES: Readonly<Record<Refusal, RefusalCodes>> = {
  NO_SUCH_ACCOUNT: { iso: 'AC01', unionpay: '14', message: '无效卡号(无此账号)' },
  ACCOUNT_CLOSED: { iso: 'AC04', unionpay: '14', message: '账户已销户' },
  ACCOUNT_FROZEN: { iso: 'AC06', unionpay: '62', message: '账户已冻结' },
  CARD_LOST: { iso: 'AC06', unionpay: '41', message: '挂失卡' },
  DORMANT: { iso: 'AC06', unionpay: '62', message: '不动户(受限制的卡)' },
  EXPIRED: { iso: 'AC06', unionpay: '54', message: '过期的卡' },
  NAME_MISMATCH: { iso: 'BE01', unionpay: '05', message: '不予承兑(户名不符)' },
  NO_MANDATE: { iso: 'MD01', unionpay: '03', message: '无效商户(未签约代收)' },
  MANDATE_REVOKED: { iso: 'MD01', unionpay: '57', message: '不允许持卡人进行的交易(代收授权已撤销)' },
  DAILY_LIMIT: { iso: 'AM02', unionpay: '61', message: '超出金额限制(日累计)' },
  INSUFFICIENT_FUNDS: { iso: 'AM04', unionpay: '51', message: '余额不足' },
};

export function refusalCode(refusal: Refusal, family: SimulatorCodeFamily): string {
  return CODES[refusal][family];
}

export function refusalMessage(refusal: Refusal): string {
  return CODES[refusal].message;
}
