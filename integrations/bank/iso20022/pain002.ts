/**
 * pain.002.001.03 (CustomerPaymentStatusReport): the bank's answer to one of our pain.008 files.
 *
 * A report need not list every transaction: a group status of ACSC or RJCT with no list applies to
 * all of them, and a PART report commonly lists only the rejects, with per-status counts
 * (NbOfTxsPerSts). `resolveTransactionStatuses` turns a report into a status per EndToEndId and
 * says so when the report leaves a transaction's status open.
 */
import {
  amountElement,
  buildMessage,
  formatYuan,
  InputProblems,
  Iso20022Error,
  itemLabel,
  parseMessage,
  readReason,
  reasonElement,
  sumFen,
  type XmlNode,
} from './xml';
import { PAIN_008 } from './pain008';

export const PAIN_002 = 'pain.002.001.03';

export type TransactionStatus = 'ACTC' | 'ACCP' | 'ACSP' | 'ACSC' | 'PDNG' | 'RJCT';
export type GroupStatus = TransactionStatus | 'PART';

const TRANSACTION_STATUSES: readonly TransactionStatus[] = ['ACTC', 'ACCP', 'ACSP', 'ACSC', 'PDNG', 'RJCT'];
const GROUP_STATUSES: readonly GroupStatus[] = [...TRANSACTION_STATUSES, 'PART'];

export interface TransactionStatusReport {
  endToEndId: string;
  status: TransactionStatus;
  /** StsRsnInf/Rsn: an ISO code (Cd), or the bank's own code (Prtry, reasonProprietary true). */
  reasonCode?: string;
  reasonProprietary?: boolean;
  amountFen?: number;
  /** AcctSvcrRef: the bank's reference for the transaction. */
  bankRef?: string;
}

/** NbOfTxsPerSts: how many of the original transactions have each status. */
export interface StatusCount {
  status: TransactionStatus;
  nbOfTxs: number;
  ctrlSumFen?: number;
}

export interface StatusReport {
  messageId: string;
  createdAt: string;
  originalMessageId: string;
  originalNbOfTxs: number;
  originalCtrlSumFen: number;
  groupStatus: GroupStatus;
  groupReasonCode?: string;
  groupReasonProprietary?: boolean;
  statusCounts?: StatusCount[];
  /** OrgnlPmtInfId; our pain.008 uses its MsgId, which is the default. */
  originalPaymentInfoId?: string;
  /** The transactions the report lists: possibly fewer than the original file had. */
  transactions: TransactionStatusReport[];
}

export function writePain002(report: StatusReport): string {
  checkReport(report);
  const group = {
    OrgnlMsgId: report.originalMessageId,
    OrgnlMsgNmId: PAIN_008,
    OrgnlNbOfTxs: String(report.originalNbOfTxs),
    OrgnlCtrlSum: formatYuan(report.originalCtrlSumFen),
    GrpSts: report.groupStatus,
    StsRsnInf:
      report.groupReasonCode === undefined
        ? undefined
        : { Rsn: reasonElement(report.groupReasonCode, report.groupReasonProprietary) },
    NbOfTxsPerSts: report.statusCounts?.map((count) => ({
      DtldNbOfTxs: String(count.nbOfTxs),
      DtldSts: count.status,
      DtldCtrlSum: count.ctrlSumFen === undefined ? undefined : formatYuan(count.ctrlSumFen),
    })),
  };
  const payment =
    report.transactions.length === 0
      ? undefined
      : {
          OrgnlPmtInfId: report.originalPaymentInfoId ?? report.originalMessageId,
          TxInfAndSts: report.transactions.map((tx) => ({
            OrgnlEndToEndId: tx.endToEndId,
            TxSts: tx.status,
            StsRsnInf: tx.reasonCode === undefined ? undefined : { Rsn: reasonElement(tx.reasonCode, tx.reasonProprietary) },
            AcctSvcrRef: tx.bankRef,
            OrgnlTxRef: tx.amountFen === undefined ? undefined : { Amt: { InstdAmt: amountElement(tx.amountFen) } },
          })),
        };
  return buildMessage(PAIN_002, 'CstmrPmtStsRpt', {
    GrpHdr: { MsgId: report.messageId, CreDtTm: report.createdAt },
    OrgnlGrpInfAndSts: group,
    OrgnlPmtInfAndSts: payment,
  });
}

function checkReport(report: StatusReport): void {
  const problems = new InputProblems();
  problems.text('', 'messageId', report.messageId, 35);
  problems.instant('', 'createdAt', report.createdAt);
  problems.text('', 'originalMessageId', report.originalMessageId, 35);
  problems.text('', 'originalPaymentInfoId', report.originalPaymentInfoId, 35, { optional: true });
  problems.count('', 'originalNbOfTxs', report.originalNbOfTxs);
  problems.count('', 'originalCtrlSumFen', report.originalCtrlSumFen);
  problems.oneOf('', 'groupStatus', report.groupStatus, GROUP_STATUSES);
  problems.text('', 'groupReasonCode', report.groupReasonCode, 35, { optional: true });
  report.statusCounts?.forEach((count, index) => {
    const where = `statusCounts[${index}].`;
    problems.oneOf(where, 'status', count.status, TRANSACTION_STATUSES);
    problems.count(where, 'nbOfTxs', count.nbOfTxs);
    if (count.ctrlSumFen !== undefined) problems.count(where, 'ctrlSumFen', count.ctrlSumFen);
  });
  const transactions = Array.isArray(report.transactions) ? report.transactions : [];
  const seen = new Set<string>();
  transactions.forEach((tx, index) => {
    const where = itemLabel('transactions', index, tx.endToEndId);
    problems.text(where, 'endToEndId', tx.endToEndId, 35);
    if (seen.has(tx.endToEndId)) problems.add(`${where}endToEndId is listed twice`);
    seen.add(tx.endToEndId);
    problems.oneOf(where, 'status', tx.status, TRANSACTION_STATUSES);
    problems.text(where, 'reasonCode', tx.reasonCode, 35, { optional: true });
    problems.text(where, 'bankRef', tx.bankRef, 35, { optional: true });
    if (tx.amountFen !== undefined) problems.positiveFen(where, 'amountFen', tx.amountFen);
  });
  problems.throwIfAny(`${PAIN_002} not written`);
  // The same consistency the reader demands: a bank simulator must not write what we would reject.
  try {
    checkConsistency(report);
  } catch (error) {
    if (error instanceof Iso20022Error) throw new Iso20022Error(`${PAIN_002} not written`, error.problems);
    throw error;
  }
}

const REPEATABLE = new Set(['OrgnlPmtInfAndSts', 'TxInfAndSts', 'StsRsnInf', 'NbOfTxsPerSts', 'AddtlInf']);

/**
 * Reads a status report and rejects it whole when it contradicts itself: totals that do not add
 * up, a transaction listed twice, statuses that disagree with the group status or the counts.
 */
export function readPain002(xml: string): StatusReport {
  const { root, fail } = parseMessage(xml, PAIN_002, 'CstmrPmtStsRpt', REPEATABLE);
  const header = root.child('GrpHdr');
  const group = root.child('OrgnlGrpInfAndSts');
  const originalMessageName = group.text('OrgnlMsgNmId');
  if (!originalMessageName.startsWith('pain.008')) {
    fail(`OrgnlGrpInfAndSts/OrgnlMsgNmId is ${originalMessageName}: not a report on a direct debit file`);
  }
  const originalNbOfTxs = group.optionalCount('OrgnlNbOfTxs') ?? fail('OrgnlGrpInfAndSts/OrgnlNbOfTxs is missing');
  const originalCtrlSum = group.optionalDecimalFen('OrgnlCtrlSum') ?? fail('OrgnlGrpInfAndSts/OrgnlCtrlSum is missing');
  const payments = root.list('OrgnlPmtInfAndSts');

  const transactions = payments.flatMap((payment) => {
    const paymentStatus = optionalStatus(payment, 'PmtInfSts', GROUP_STATUSES, fail);
    return payment.list('TxInfAndSts').map((tx) => readTransaction(tx, paymentStatus, group, fail));
  });
  const groupStatus = optionalStatus(group, 'GrpSts', GROUP_STATUSES, fail) ?? derivedGroupStatus(payments, transactions, originalNbOfTxs, fail);
  const statusCounts = group.list('NbOfTxsPerSts').map((count): StatusCount => {
    const ctrlSum = count.optionalDecimalFen('DtldCtrlSum');
    return {
      status: optionalStatus(count, 'DtldSts', TRANSACTION_STATUSES, fail) ?? fail(`${count.path}/DtldSts is missing`),
      nbOfTxs: count.optionalCount('DtldNbOfTxs') ?? fail(`${count.path}/DtldNbOfTxs is missing`),
      ...(ctrlSum ? { ctrlSumFen: ctrlSum.fen } : {}),
    };
  });

  const report: StatusReport = {
    messageId: header.text('MsgId'),
    createdAt: header.dateTime('CreDtTm'),
    originalMessageId: group.text('OrgnlMsgId'),
    originalNbOfTxs,
    originalCtrlSumFen: originalCtrlSum.fen,
    groupStatus,
    ...groupReason(group),
    ...(statusCounts.length > 0 ? { statusCounts } : {}),
    ...(payments.length === 1 ? { originalPaymentInfoId: (payments[0] as XmlNode).text('OrgnlPmtInfId') } : {}),
    transactions,
  };
  for (const payment of payments) checkPaymentTotals(payment, report, fail);
  checkConsistency(report);
  return report;
}

function readTransaction(
  tx: XmlNode,
  paymentStatus: GroupStatus | undefined,
  group: XmlNode,
  fail: (problem: string) => never,
): TransactionStatusReport {
  const endToEndId = tx.text('OrgnlEndToEndId');
  // TxSts may be left out when the PmtInf or group status already says it (not when it is PART).
  const inherited = [paymentStatus, group.optionalText('GrpSts')].find((status) => status !== undefined && status !== 'PART');
  const status = optionalStatus(tx, 'TxSts', TRANSACTION_STATUSES, fail) ?? (inherited as TransactionStatus | undefined);
  if (!status) fail(`${tx.path}/TxSts is missing and no PmtInfSts or GrpSts gives it`);
  const amount = tx.optionalAt('OrgnlTxRef/Amt');
  const amountFen = amount?.optionalAmountFen('InstdAmt');
  const bankRef = tx.optionalText('AcctSvcrRef');
  return {
    endToEndId,
    status,
    ...readReason(tx.list('StsRsnInf')[0]?.optional('Rsn')),
    ...(amountFen !== undefined ? { amountFen } : {}),
    ...(bankRef !== undefined ? { bankRef } : {}),
  };
}

function groupReason(group: XmlNode): Pick<StatusReport, 'groupReasonCode' | 'groupReasonProprietary'> {
  const { reasonCode, reasonProprietary } = readReason(group.list('StsRsnInf')[0]?.optional('Rsn'));
  return {
    ...(reasonCode !== undefined ? { groupReasonCode: reasonCode } : {}),
    ...(reasonProprietary ? { groupReasonProprietary: true } : {}),
  };
}

function optionalStatus<T extends string>(node: XmlNode, name: string, allowed: readonly T[], fail: (problem: string) => never): T | undefined {
  const text = node.optionalText(name);
  if (text === undefined) return undefined;
  if (!allowed.includes(text as T)) fail(`${node.path ? `${node.path}/` : ''}${name} ${text} is not one of ${allowed.join(', ')}`);
  return text as T;
}

/** No GrpSts: take the single PmtInfSts, or the statuses of a complete transaction list. */
function derivedGroupStatus(
  payments: readonly XmlNode[],
  transactions: readonly TransactionStatusReport[],
  originalNbOfTxs: number,
  fail: (problem: string) => never,
): GroupStatus {
  const paymentStatus = payments.length === 1 ? (payments[0] as XmlNode).optionalText('PmtInfSts') : undefined;
  if (paymentStatus !== undefined) return paymentStatus as GroupStatus;
  if (transactions.length === originalNbOfTxs && transactions.length > 0) {
    const statuses = new Set(transactions.map((tx) => tx.status));
    return statuses.size === 1 ? (transactions[0] as TransactionStatusReport).status : 'PART';
  }
  return fail('OrgnlGrpInfAndSts/GrpSts is missing and the report does not list every transaction');
}

/** A PmtInf block's own OrgnlNbOfTxs/OrgnlCtrlSum, when given, bound what it lists. */
function checkPaymentTotals(payment: XmlNode, report: StatusReport, fail: (problem: string) => never): void {
  const listedIds = new Set(payment.list('TxInfAndSts').map((tx) => tx.text('OrgnlEndToEndId')));
  const listed = report.transactions.filter((tx) => listedIds.has(tx.endToEndId));
  const count = payment.optionalCount('OrgnlNbOfTxs');
  if (count !== undefined && listed.length > count) {
    fail(`${payment.path}/OrgnlNbOfTxs ${count} is less than the ${listed.length} transactions it lists`);
  }
  const ctrlSum = payment.optionalDecimalFen('OrgnlCtrlSum');
  if (count !== undefined && ctrlSum && listed.length === count && listed.every((tx) => tx.amountFen !== undefined)) {
    const total = sumFen(listed.map((tx) => tx.amountFen ?? 0));
    if (total !== ctrlSum.fen) fail(`${payment.path}/OrgnlCtrlSum ${ctrlSum.text} does not match the sum of transactions ${formatYuan(total)}`);
  }
}

/** What a report must satisfy on its own, read or written. */
function checkConsistency(report: StatusReport): void {
  const problems: string[] = [];
  const { transactions, groupStatus } = report;
  const seen = new Set<string>();
  for (const tx of transactions) {
    if (seen.has(tx.endToEndId)) problems.push(`OrgnlEndToEndId ${tx.endToEndId} is listed more than once`);
    seen.add(tx.endToEndId);
  }
  if (transactions.length > report.originalNbOfTxs) {
    problems.push(`OrgnlGrpInfAndSts/OrgnlNbOfTxs ${report.originalNbOfTxs} is less than the ${transactions.length} transactions listed`);
  }
  if (transactions.length === report.originalNbOfTxs && transactions.every((tx) => tx.amountFen !== undefined)) {
    const total = sumFen(transactions.map((tx) => tx.amountFen ?? 0));
    if (total !== report.originalCtrlSumFen) {
      problems.push(`OrgnlGrpInfAndSts/OrgnlCtrlSum ${formatYuan(report.originalCtrlSumFen)} does not match the sum of transactions ${formatYuan(total)}`);
    }
  }
  if (groupStatus === 'RJCT') {
    for (const tx of transactions) {
      if (tx.status !== 'RJCT') problems.push(`GrpSts is RJCT but ${tx.endToEndId} has TxSts ${tx.status}`);
    }
  } else if (groupStatus !== 'PART') {
    for (const tx of transactions) {
      if (tx.status === 'RJCT') problems.push(`GrpSts is ${groupStatus} but ${tx.endToEndId} is rejected (that is PART)`);
    }
  }
  if (report.statusCounts && report.statusCounts.length > 0) problems.push(...countProblems(report, report.statusCounts));
  if (problems.length > 0) throw new Iso20022Error(`${PAIN_002} rejected`, problems);
}

function countProblems(report: StatusReport, counts: readonly StatusCount[]): string[] {
  const problems: string[] = [];
  const total = counts.reduce((sum, count) => sum + count.nbOfTxs, 0);
  if (total !== report.originalNbOfTxs) {
    problems.push(`NbOfTxsPerSts adds up to ${total} transactions, OrgnlNbOfTxs is ${report.originalNbOfTxs}`);
  }
  if (counts.every((count) => count.ctrlSumFen !== undefined)) {
    const sum = sumFen(counts.map((count) => count.ctrlSumFen ?? 0));
    if (sum !== report.originalCtrlSumFen) {
      problems.push(`NbOfTxsPerSts/DtldCtrlSum adds up to ${formatYuan(sum)}, OrgnlCtrlSum is ${formatYuan(report.originalCtrlSumFen)}`);
    }
  }
  const statuses = new Set(counts.map((count) => count.status));
  if (statuses.size !== counts.length) problems.push('NbOfTxsPerSts gives the same DtldSts more than once');
  for (const status of new Set(report.transactions.map((tx) => tx.status))) {
    const listed = report.transactions.filter((tx) => tx.status === status);
    const counted = counts.find((count) => count.status === status);
    if (!counted || listed.length > counted.nbOfTxs) {
      problems.push(`${listed.length} transactions listed as ${status}, NbOfTxsPerSts counts ${counted?.nbOfTxs ?? 0}`);
    } else if (listed.length === counted.nbOfTxs && counted.ctrlSumFen !== undefined && listed.every((tx) => tx.amountFen !== undefined)) {
      const sum = sumFen(listed.map((tx) => tx.amountFen ?? 0));
      if (sum !== counted.ctrlSumFen) {
        problems.push(`NbOfTxsPerSts DtldCtrlSum for ${status} is ${formatYuan(counted.ctrlSumFen)}, the transactions listed add up to ${formatYuan(sum)}`);
      }
    }
  }
  return problems;
}

/** What we sent, to hold a report against. */
export interface SentBatch {
  messageId: string;
  nbOfTxs: number;
  ctrlSumFen: number;
  /** When given, every transaction the report lists must be one of these, for the same amount. */
  transactions?: readonly { endToEndId: string; amountFen: number }[];
}

/** Rejects a report that does not answer the file we sent: another file, or other totals. */
export function checkAgainstBatch(report: StatusReport, batch: SentBatch): void {
  const problems: string[] = [];
  if (report.originalMessageId !== batch.messageId) {
    problems.push(`OrgnlMsgId ${report.originalMessageId} is not the file sent (${batch.messageId})`);
  }
  if (report.originalNbOfTxs !== batch.nbOfTxs) {
    problems.push(`OrgnlNbOfTxs ${report.originalNbOfTxs} does not match the ${batch.nbOfTxs} transactions sent`);
  }
  if (report.originalCtrlSumFen !== batch.ctrlSumFen) {
    problems.push(`OrgnlCtrlSum ${formatYuan(report.originalCtrlSumFen)} does not match the ${formatYuan(batch.ctrlSumFen)} sent`);
  }
  if (batch.transactions) {
    const sent = new Map(batch.transactions.map((tx) => [tx.endToEndId, tx.amountFen]));
    for (const tx of report.transactions) {
      const amountFen = sent.get(tx.endToEndId);
      if (amountFen === undefined) problems.push(`OrgnlEndToEndId ${tx.endToEndId} was not in the file sent`);
      else if (tx.amountFen !== undefined && tx.amountFen !== amountFen) {
        problems.push(`${tx.endToEndId}: amount ${formatYuan(tx.amountFen)} does not match the ${formatYuan(amountFen)} sent`);
      }
    }
  }
  if (problems.length > 0) throw new Iso20022Error(`${PAIN_002} does not answer ${batch.messageId}`, problems);
}

export interface ResolvedStatus {
  endToEndId: string;
  /** undefined: the report leaves this transaction open (keep waiting, or query the bank). */
  status: TransactionStatus | undefined;
  reasonCode?: string;
  reasonProprietary?: boolean;
  bankRef?: string;
  /** True when the status comes from the group status or the counts, not from a listed line. */
  inferred: boolean;
}

/**
 * The status of each transaction we sent, as far as the report tells it. A listed transaction
 * has its own status. An unlisted one takes the group status, unless that is PART: then only
 * if NbOfTxsPerSts leaves a single status for the unlisted rest. Never guesses success.
 */
export function resolveTransactionStatuses(report: StatusReport, endToEndIds: readonly string[]): ResolvedStatus[] {
  const listed = new Map(report.transactions.map((tx) => [tx.endToEndId, tx]));
  const unlistedStatus = statusOfUnlisted(report);
  return endToEndIds.map((endToEndId): ResolvedStatus => {
    const tx = listed.get(endToEndId);
    if (tx) {
      return {
        endToEndId,
        status: tx.status,
        ...(tx.reasonCode !== undefined ? { reasonCode: tx.reasonCode } : {}),
        ...(tx.reasonProprietary ? { reasonProprietary: true } : {}),
        ...(tx.bankRef !== undefined ? { bankRef: tx.bankRef } : {}),
        inferred: false,
      };
    }
    if (!unlistedStatus) return { endToEndId, status: undefined, inferred: false };
    const groupReason = unlistedStatus === 'RJCT' && report.groupStatus === 'RJCT' ? report.groupReasonCode : undefined;
    return {
      endToEndId,
      status: unlistedStatus,
      ...(groupReason !== undefined ? { reasonCode: groupReason } : {}),
      ...(groupReason !== undefined && report.groupReasonProprietary ? { reasonProprietary: true } : {}),
      inferred: true,
    };
  });
}

function statusOfUnlisted(report: StatusReport): TransactionStatus | undefined {
  if (report.groupStatus !== 'PART') return report.groupStatus;
  if (!report.statusCounts) return undefined;
  const remaining = report.statusCounts
    .map((count) => ({
      status: count.status,
      left: count.nbOfTxs - report.transactions.filter((tx) => tx.status === count.status).length,
    }))
    .filter((count) => count.left > 0);
  return remaining.length === 1 ? remaining[0]?.status : undefined;
}
