/**
 * camt.054.001.02 (BankToCustomerDebitCreditNotification) on the insurer's collection account.
 *
 * Encoding, as banks book direct debits on the creditor's account:
 * - a collected premium is a credit: `CdtDbtInd` CRDT, bank transaction code PMNT / IDDT / PMDD
 *   (Payments / Issued Direct Debits / Direct Debit);
 * - a return (the debtor's bank sends the money back, possibly weeks after a "success") is a
 *   reversal of that credit: `CdtDbtInd` DBIT with `RvslInd` true, code PMNT / IDDT / UPDD
 *   (Reversal due to payment return), and the reason in `TxDtls/RtrInf/Rsn` (Cd for ISO codes,
 *   Prtry for a bank's own).
 * The reader takes an entry as a return when it has `RvslInd` true or a `RtrInf`. Every entry
 * carries the collection's EndToEndId in `NtryDtls/TxDtls/Refs`.
 */
import {
  amountElement,
  buildMessage,
  formatYuan,
  InputProblems,
  itemLabel,
  parseMessage,
  readReason,
  reasonElement,
  sumFen,
  type XmlNode,
} from './xml';

export const CAMT_054 = 'camt.054.001.02';

export interface DebitNotificationEntry {
  endToEndId: string;
  amountFen: number;
  /** BookgDt, as a Shanghai civil date. */
  bookingDate: string;
  kind: 'booked' | 'returned';
  /** RtrInf/Rsn of a return: an ISO code (Cd), or the bank's own code (Prtry, reasonProprietary true). */
  reasonCode?: string;
  reasonProprietary?: boolean;
  /** AcctSvcrRef: the bank's reference for the booking. */
  bankRef: string;
}

export interface DebitNotification {
  messageId: string;
  /** ISO instant with an offset. */
  createdAt: string;
  /** Ntfctn/Id; defaults to messageId when writing. */
  notificationId?: string;
  /** The insurer's collection account the entries are booked on. */
  accountNo: string;
  entries: DebitNotificationEntry[];
}

export function writeCamt054(notification: DebitNotification): string {
  checkNotification(notification);
  const { entries } = notification;
  const credits = entries.filter((entry) => entry.kind === 'booked').map((entry) => entry.amountFen);
  const debits = entries.filter((entry) => entry.kind === 'returned').map((entry) => entry.amountFen);
  const net = sumFen(credits) - sumFen(debits);
  return buildMessage(CAMT_054, 'BkToCstmrDbtCdtNtfctn', {
    GrpHdr: { MsgId: notification.messageId, CreDtTm: notification.createdAt },
    Ntfctn: {
      Id: notification.notificationId ?? notification.messageId,
      CreDtTm: notification.createdAt,
      Acct: { Id: { Othr: { Id: notification.accountNo } }, Ccy: 'CNY' },
      TxsSummry: {
        TtlNtries: {
          NbOfNtries: String(entries.length),
          Sum: formatYuan(sumFen([...credits, ...debits])),
          TtlNetNtryAmt: formatYuan(Math.abs(net)),
          CdtDbtInd: net < 0 ? 'DBIT' : 'CRDT',
        },
        TtlCdtNtries: { NbOfNtries: String(credits.length), Sum: formatYuan(sumFen(credits)) },
        TtlDbtNtries: { NbOfNtries: String(debits.length), Sum: formatYuan(sumFen(debits)) },
      },
      Ntry: entries.map((entry) => {
        const returned = entry.kind === 'returned';
        return {
          Amt: amountElement(entry.amountFen),
          CdtDbtInd: returned ? 'DBIT' : 'CRDT',
          RvslInd: returned ? 'true' : undefined,
          Sts: 'BOOK',
          BookgDt: { Dt: entry.bookingDate },
          AcctSvcrRef: entry.bankRef,
          BkTxCd: { Domn: { Cd: 'PMNT', Fmly: { Cd: 'IDDT', SubFmlyCd: returned ? 'UPDD' : 'PMDD' } } },
          NtryDtls: {
            TxDtls: {
              Refs: { EndToEndId: entry.endToEndId },
              AmtDtls: { TxAmt: { Amt: amountElement(entry.amountFen) } },
              RtrInf: returned && entry.reasonCode !== undefined ? { Rsn: reasonElement(entry.reasonCode, entry.reasonProprietary) } : undefined,
            },
          },
        };
      }),
    },
  });
}

function checkNotification(notification: DebitNotification): void {
  const problems = new InputProblems();
  problems.text('', 'messageId', notification.messageId, 35);
  problems.instant('', 'createdAt', notification.createdAt);
  problems.text('', 'notificationId', notification.notificationId, 35, { optional: true });
  problems.text('', 'accountNo', notification.accountNo, 34, { echo: false });
  const entries = Array.isArray(notification.entries) ? notification.entries : [];
  entries.forEach((entry, index) => {
    const where = itemLabel('entries', index, entry.endToEndId);
    problems.text(where, 'endToEndId', entry.endToEndId, 35);
    problems.positiveFen(where, 'amountFen', entry.amountFen);
    problems.date(where, 'bookingDate', entry.bookingDate);
    problems.oneOf(where, 'kind', entry.kind, ['booked', 'returned']);
    problems.text(where, 'bankRef', entry.bankRef, 35);
    problems.text(where, 'reasonCode', entry.reasonCode, 35, { optional: true });
    if (entry.kind === 'booked' && entry.reasonCode !== undefined) problems.add(`${where}reasonCode is only for a returned entry`);
  });
  problems.throwIfAny(`${CAMT_054} not written`);
}

const REPEATABLE = new Set(['Ntfctn', 'Ntry', 'NtryDtls', 'TxDtls', 'AddtlInf', 'Ustrd']);

/**
 * Reads a notification and rejects it whole when an entry cannot be tied to a collection, is not
 * booked, or the summary totals (TxsSummry) do not match the entries.
 */
export function readCamt054(xml: string): DebitNotification {
  const { root, fail } = parseMessage(xml, CAMT_054, 'BkToCstmrDbtCdtNtfctn', REPEATABLE);
  const header = root.child('GrpHdr');
  const notifications = root.list('Ntfctn');
  if (notifications.length === 0) fail('no Ntfctn');
  const accounts = new Set(notifications.map((ntfctn) => accountNo(ntfctn)));
  if (accounts.size > 1) fail('the Ntfctn blocks are for different accounts');
  const entries = notifications.flatMap((ntfctn) => {
    const ntfctnEntries = ntfctn.list('Ntry').map((entry) => readEntry(entry, fail));
    checkSummary(ntfctn, ntfctn.list('Ntry'), fail);
    return ntfctnEntries.flat();
  });
  const seen = new Set<string>();
  for (const entry of entries) {
    const key = `${entry.kind}/${entry.endToEndId}`;
    if (seen.has(key)) fail(`EndToEndId ${entry.endToEndId} is ${entry.kind} more than once`);
    seen.add(key);
  }
  const first = notifications[0] as XmlNode;
  return {
    messageId: header.text('MsgId'),
    createdAt: header.dateTime('CreDtTm'),
    notificationId: first.text('Id'),
    accountNo: accountNo(first),
    entries,
  };
}

function accountNo(ntfctn: XmlNode): string {
  const id = ntfctn.child('Acct').child('Id');
  return id.optionalTextAt('Othr/Id') ?? id.optionalText('IBAN') ?? id.textAt('Othr/Id');
}

/** One Ntry: one collection, or several when the bank booked a batch with one TxDtls each. */
function readEntry(entry: XmlNode, fail: (problem: string) => never): DebitNotificationEntry[] {
  const status = entry.text('Sts');
  if (status !== 'BOOK') fail(`${entry.path}/Sts is ${status}: only booked entries are read`);
  const direction = entry.text('CdtDbtInd');
  const reversal = entry.boolean('RvslInd') === true;
  const details = entry.list('NtryDtls').flatMap((block) => block.list('TxDtls'));
  if (details.length === 0) fail(`${entry.path} has no NtryDtls/TxDtls: it cannot be tied to a collection`);
  const returned = reversal || details.some((tx) => tx.has('RtrInf'));
  // A collection credits our account; its return debits it back. Anything else is not a premium.
  const expected = returned ? 'DBIT' : 'CRDT';
  if (direction !== expected) {
    fail(`${entry.path}/CdtDbtInd is ${direction}: a ${returned ? 'returned' : 'booked'} collection is ${expected} on the creditor's account`);
  }
  const entryAmount = entry.amountFen('Amt');
  const bookingDate = entry.dateOrDateTime('BookgDt');
  const entryRef = entry.optionalText('AcctSvcrRef');
  const transactions = details.map((tx): DebitNotificationEntry => {
    const amountFen = tx.optionalAt('AmtDtls/TxAmt')?.amountFen('Amt') ?? tx.optionalAt('AmtDtls/InstdAmt')?.amountFen('Amt');
    if (amountFen === undefined && details.length > 1) fail(`${tx.path}/AmtDtls/TxAmt/Amt is missing in a batch-booked entry`);
    const bankRef = tx.optionalTextAt('Refs/AcctSvcrRef') ?? entryRef ?? fail(`${entry.path}/AcctSvcrRef is missing`);
    return {
      endToEndId: tx.textAt('Refs/EndToEndId'),
      amountFen: amountFen ?? entryAmount,
      bookingDate,
      kind: returned ? 'returned' : 'booked',
      ...(returned ? readReason(tx.optionalAt('RtrInf/Rsn')) : {}),
      bankRef,
    };
  });
  const total = sumFen(transactions.map((tx) => tx.amountFen));
  if (total !== entryAmount) {
    fail(`${entry.path}/Amt ${formatYuan(entryAmount)} does not match the sum of its transactions ${formatYuan(total)}`);
  }
  for (const tx of transactions) if (tx.amountFen === 0) fail(`${entry.path}: EndToEndId ${tx.endToEndId} has a zero amount`);
  return transactions;
}

/** TxsSummry, when present, must count and sum the entries it summarises. */
function checkSummary(ntfctn: XmlNode, entries: readonly XmlNode[], fail: (problem: string) => never): void {
  const summary = ntfctn.optional('TxsSummry');
  if (!summary) return;
  const amounts = entries.map((entry) => ({ fen: entry.amountFen('Amt'), credit: entry.text('CdtDbtInd') === 'CRDT' }));
  const check = (name: string, selected: readonly { fen: number; credit: boolean }[]): void => {
    const totals = summary.optional(name);
    if (!totals) return;
    const count = totals.optionalCount('NbOfNtries');
    if (count !== undefined && count !== selected.length) {
      fail(`${totals.path}/NbOfNtries ${count} does not match the ${selected.length} entries`);
    }
    const sum = totals.optionalDecimalFen('Sum');
    const total = sumFen(selected.map((amount) => amount.fen));
    if (sum && sum.fen !== total) fail(`${totals.path}/Sum ${sum.text} does not match the sum of entries ${formatYuan(total)}`);
  };
  check('TtlNtries', amounts);
  check('TtlCdtNtries', amounts.filter((amount) => amount.credit));
  check('TtlDbtNtries', amounts.filter((amount) => !amount.credit));
  const net = summary.optional('TtlNtries')?.optionalDecimalFen('TtlNetNtryAmt');
  if (net) {
    const signed = sumFen(amounts.map((amount) => (amount.credit ? amount.fen : -amount.fen)));
    const direction = summary.optionalTextAt('TtlNtries/CdtDbtInd') ?? 'CRDT';
    const stated = direction === 'DBIT' ? -net.fen : net.fen;
    if (stated !== signed) {
      fail(`TxsSummry/TtlNtries/TtlNetNtryAmt ${net.text} ${direction} does not match the net of entries ${formatYuan(Math.abs(signed))} ${signed < 0 ? 'DBIT' : 'CRDT'}`);
    }
  }
}
