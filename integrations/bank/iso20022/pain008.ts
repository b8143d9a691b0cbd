/**
 * pain.008.001.02 (CustomerDirectDebitInitiation): the collection file we send the bank.
 *
 * Chinese accounts are not IBANs and Chinese banks have no BIC in domestic clearing, so accounts go
 * in `Id/Othr/Id` and bank codes in `FinInstnId/ClrSysMmbId/MmbId` (both XSD-valid). One file is
 * one collection date: one PmtInf, with NbOfTxs/CtrlSum at group and PmtInf level, because banks
 * reject a whole file whose totals do not add up, and so do we when reading one.
 */
import {
  amountElement,
  buildMessage,
  formatYuan,
  InputProblems,
  itemLabel,
  parseMessage,
  sumFen,
  XmlNode,
} from './xml';

export const PAIN_008 = 'pain.008.001.02';

export type SequenceType = 'FRST' | 'RCUR' | 'OOFF' | 'FNAL';
const SEQUENCE_TYPES: readonly SequenceType[] = ['FRST', 'RCUR', 'OOFF', 'FNAL'];

export interface Creditor {
  name: string;
  accountNo: string;
  bankCode: string;
  creditorSchemeId: string;
}

/** One premium to collect. Holds personal data: never logged, never in a workflow payload. */
export interface CollectionInstruction {
  /** The debit attempt's idempotency key (≤ 35 characters), stored before the file is sent. */
  endToEndId: string;
  amountFen: number;
  debtorName: string;
  debtorAccountNo: string;
  debtorBankCode: string;
  /** The policy's debit authorisation (代扣授权书) and the day it was signed. */
  mandateId: string;
  mandateSignedOn: string;
  remittance?: string;
}

export interface CollectionBatch {
  /** GrpHdr/MsgId (≤ 35), unique per file; also used as PmtInfId. */
  messageId: string;
  /** ISO instant with an offset. */
  createdAt: string;
  collectionDate: string;
  creditor: Creditor;
  sequence?: SequenceType;
  instructions: CollectionInstruction[];
}

export function writePain008(batch: CollectionBatch): string {
  checkBatch(batch);
  const ctrlSum = formatYuan(sumFen(batch.instructions.map((instruction) => instruction.amountFen)));
  const nbOfTxs = String(batch.instructions.length);
  const { creditor } = batch;
  return buildMessage(PAIN_008, 'CstmrDrctDbtInitn', {
    GrpHdr: {
      MsgId: batch.messageId,
      CreDtTm: batch.createdAt,
      NbOfTxs: nbOfTxs,
      CtrlSum: ctrlSum,
      InitgPty: { Nm: creditor.name },
    },
    PmtInf: {
      PmtInfId: batch.messageId,
      PmtMtd: 'DD',
      // Each premium is booked on its own, so every collection and return is reported per EndToEndId.
      BtchBookg: 'false',
      NbOfTxs: nbOfTxs,
      CtrlSum: ctrlSum,
      PmtTpInf: batch.sequence ? { SeqTp: batch.sequence } : undefined,
      ReqdColltnDt: batch.collectionDate,
      Cdtr: { Nm: creditor.name },
      CdtrAcct: { Id: { Othr: { Id: creditor.accountNo } }, Ccy: 'CNY' },
      CdtrAgt: { FinInstnId: { ClrSysMmbId: { MmbId: creditor.bankCode } } },
      CdtrSchmeId: { Id: { PrvtId: { Othr: { Id: creditor.creditorSchemeId } } } },
      DrctDbtTxInf: batch.instructions.map((instruction) => ({
        PmtId: { EndToEndId: instruction.endToEndId },
        InstdAmt: amountElement(instruction.amountFen),
        DrctDbtTx: { MndtRltdInf: { MndtId: instruction.mandateId, DtOfSgntr: instruction.mandateSignedOn } },
        DbtrAgt: { FinInstnId: { ClrSysMmbId: { MmbId: instruction.debtorBankCode } } },
        Dbtr: { Nm: instruction.debtorName.trim() },
        DbtrAcct: { Id: { Othr: { Id: instruction.debtorAccountNo } } },
        RmtInf: instruction.remittance === undefined ? undefined : { Ustrd: instruction.remittance.trim() },
      })),
    },
  });
}

function checkBatch(batch: CollectionBatch): void {
  const problems = new InputProblems();
  problems.text('', 'messageId', batch.messageId, 35);
  problems.instant('', 'createdAt', batch.createdAt);
  problems.date('', 'collectionDate', batch.collectionDate);
  problems.oneOf('', 'sequence', batch.sequence, SEQUENCE_TYPES, true);
  const creditor: Partial<Creditor> = batch.creditor ?? {};
  problems.text('creditor.', 'name', creditor.name, 140);
  problems.text('creditor.', 'accountNo', creditor.accountNo, 34, { echo: false });
  problems.text('creditor.', 'bankCode', creditor.bankCode, 35);
  problems.text('creditor.', 'creditorSchemeId', creditor.creditorSchemeId, 35);
  const instructions = Array.isArray(batch.instructions) ? batch.instructions : [];
  if (instructions.length === 0) problems.add('instructions: a collection file needs at least one instruction');
  const seen = new Map<string, number>();
  instructions.forEach((instruction, index) => {
    const where = itemLabel('instructions', index, instruction.endToEndId);
    problems.text(where, 'endToEndId', instruction.endToEndId, 35);
    const first = seen.get(instruction.endToEndId);
    if (first !== undefined) problems.add(`${where}endToEndId repeats instructions[${first}]: a premium is never collected twice in one file`);
    else seen.set(instruction.endToEndId, index);
    problems.positiveFen(where, 'amountFen', instruction.amountFen);
    problems.text(where, 'debtorName', instruction.debtorName?.trim(), 140, { echo: false });
    problems.text(where, 'debtorAccountNo', instruction.debtorAccountNo, 34, { echo: false });
    problems.text(where, 'debtorBankCode', instruction.debtorBankCode, 35);
    problems.text(where, 'mandateId', instruction.mandateId, 35);
    problems.date(where, 'mandateSignedOn', instruction.mandateSignedOn);
    if (typeof instruction.mandateSignedOn === 'string' && instruction.mandateSignedOn > batch.collectionDate) {
      problems.add(`${where}mandateSignedOn ${instruction.mandateSignedOn} is after the collection date ${batch.collectionDate}`);
    }
    problems.text(where, 'remittance', instruction.remittance?.trim(), 140, { optional: true });
  });
  const total = sumFen(instructions.map((instruction) => instruction.amountFen));
  if (!Number.isSafeInteger(total)) problems.add('instructions: the total amount is too large for one file');
  problems.throwIfAny(`${PAIN_008} not written`);
}

const REPEATABLE = new Set(['PmtInf', 'DrctDbtTxInf', 'Ustrd']);

/**
 * Reads a pain.008 (ours, or one under test) and rejects it whole when anything is off: malformed,
 * not one collection date, a duplicate EndToEndId, or NbOfTxs/CtrlSum that do not add up.
 */
export function readPain008(xml: string): CollectionBatch {
  const { root, fail } = parseMessage(xml, PAIN_008, 'CstmrDrctDbtInitn', REPEATABLE);
  const header = root.child('GrpHdr');
  const paymentInfos = root.list('PmtInf');
  if (paymentInfos.length !== 1) {
    fail(`expected one PmtInf (a batch is one collection date), found ${paymentInfos.length}`);
  }
  // The only PmtInf: named without an index in messages.
  const paymentPath = 'PmtInf';
  const payment = new XmlNode((paymentInfos[0] as XmlNode).value, paymentPath, fail);
  const method = payment.text('PmtMtd');
  if (method !== 'DD') fail(`${paymentPath}/PmtMtd is ${method}, expected DD (direct debit)`);

  const seen = new Set<string>();
  const instructions = payment.list('DrctDbtTxInf').map((tx): CollectionInstruction => {
    const endToEndId = tx.textAt('PmtId/EndToEndId');
    if (seen.has(endToEndId)) fail(`${tx.path}/PmtId/EndToEndId ${endToEndId} appears more than once`);
    seen.add(endToEndId);
    const amountFen = tx.amountFen('InstdAmt');
    if (amountFen === 0) fail(`${tx.path}/InstdAmt is zero`);
    const mandate = tx.child('DrctDbtTx').child('MndtRltdInf');
    const remittance = tx.optional('RmtInf')?.list('Ustrd').map((line) => line.ownText()).join(' ');
    return {
      endToEndId,
      amountFen,
      debtorName: tx.textAt('Dbtr/Nm'),
      debtorAccountNo: accountNo(tx.child('DbtrAcct')),
      debtorBankCode: bankCode(tx.child('DbtrAgt')),
      mandateId: mandate.text('MndtId'),
      mandateSignedOn: mandate.date('DtOfSgntr'),
      ...(remittance ? { remittance } : {}),
    };
  });
  if (instructions.length === 0) fail(`${paymentPath} has no DrctDbtTxInf`);

  const amounts = instructions.map((instruction) => instruction.amountFen);
  checkTotals(header, 'GrpHdr', amounts, fail, true);
  checkTotals(payment, paymentPath, amounts, fail, false);

  const sequence = payment.optionalTextAt('PmtTpInf/SeqTp');
  if (sequence !== undefined && !SEQUENCE_TYPES.includes(sequence as SequenceType)) {
    fail(`${paymentPath}/PmtTpInf/SeqTp ${sequence} is not one of ${SEQUENCE_TYPES.join(', ')}`);
  }
  return {
    messageId: header.text('MsgId'),
    createdAt: header.dateTime('CreDtTm'),
    collectionDate: payment.date('ReqdColltnDt'),
    creditor: {
      name: payment.textAt('Cdtr/Nm'),
      accountNo: accountNo(payment.child('CdtrAcct')),
      bankCode: bankCode(payment.child('CdtrAgt')),
      creditorSchemeId: schemeId(payment.child('CdtrSchmeId')),
    },
    ...(sequence ? { sequence: sequence as SequenceType } : {}),
    instructions,
  };
}

/** NbOfTxs (required at group level by the XSD) and CtrlSum, when given, must match the transactions. */
function checkTotals(
  node: XmlNode,
  path: string,
  amounts: readonly number[],
  fail: (problem: string) => never,
  countRequired: boolean,
): void {
  const count = countRequired ? node.optionalCount('NbOfTxs') ?? fail(`${path}/NbOfTxs is missing`) : node.optionalCount('NbOfTxs');
  if (count !== undefined && count !== amounts.length) {
    fail(`${path}/NbOfTxs ${count} does not match the ${amounts.length} transactions in the file`);
  }
  const ctrlSum = node.optionalDecimalFen('CtrlSum');
  const total = sumFen(amounts);
  if (ctrlSum && ctrlSum.fen !== total) {
    fail(`${path}/CtrlSum ${ctrlSum.text} does not match the sum of transactions ${formatYuan(total)}`);
  }
}

function accountNo(account: XmlNode): string {
  const id = account.child('Id');
  return id.optionalTextAt('Othr/Id') ?? id.optionalText('IBAN') ?? id.textAt('Othr/Id');
}

function bankCode(agent: XmlNode): string {
  const institution = agent.child('FinInstnId');
  return (
    institution.optionalTextAt('ClrSysMmbId/MmbId') ??
    institution.optionalTextAt('Othr/Id') ??
    institution.optionalText('BIC') ??
    institution.textAt('ClrSysMmbId/MmbId')
  );
}

function schemeId(party: XmlNode): string {
  const id = party.child('Id');
  return id.optionalTextAt('PrvtId/Othr/Id') ?? id.optionalTextAt('OrgId/Othr/Id') ?? id.textAt('PrvtId/Othr/Id');
}

/** The totals of a batch as they are written in its file (for bank_files rows and pain.002 checks). */
export function batchTotals(batch: CollectionBatch): { messageId: string; nbOfTxs: number; ctrlSumFen: number } {
  return {
    messageId: batch.messageId,
    nbOfTxs: batch.instructions.length,
    ctrlSumFen: sumFen(batch.instructions.map((instruction) => instruction.amountFen)),
  };
}
