import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyReason } from '../../domain/debit-reasons';
import {
  batchTotals,
  checkAgainstBatch,
  Iso20022Error,
  readCamt054,
  readPain002,
  readPain008,
  resolveTransactionStatuses,
  validateIso20022,
  writeCamt054,
  writePain002,
  writePain008,
  type CollectionBatch,
  type DebitNotification,
  type StatusReport,
} from '../../integrations/bank/iso20022';

const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', 'iso20022', name), 'utf8');

function batch(overrides: Partial<CollectionBatch> = {}): CollectionBatch {
  return {
    messageId: 'RNW-20250310-0001',
    createdAt: '2025-03-09T20:15:00+08:00',
    collectionDate: '2025-03-10',
    sequence: 'RCUR',
    creditor: {
      name: '华夏人寿保险股份有限公司',
      accountNo: '31001509800050012345',
      bankCode: '105290036005',
      creditorSchemeId: 'CN-INS-000123',
    },
    instructions: [
      {
        endToEndId: 'P20190001234-20250310-1',
        amountFen: 320000,
        debtorName: '张三',
        debtorAccountNo: '6217001210012345678',
        debtorBankCode: '105100000017',
        mandateId: 'MD-P20190001234',
        mandateSignedOn: '2019-03-02',
        remittance: '续期保费 P20190001234 第7期 <年交> & 附加险',
      },
      {
        endToEndId: 'P20210007788-20250310-1',
        amountFen: 10,
        debtorName: 'Li Wei',
        debtorAccountNo: '6222020200112345678',
        debtorBankCode: '102100099996',
        mandateId: 'MD-P20210007788',
        mandateSignedOn: '2021-06-30',
      },
      {
        endToEndId: 'P20200004567-20250310-3',
        amountFen: 20,
        debtorName: '欧阳娜娜',
        debtorAccountNo: '6228480010012345678',
        debtorBankCode: '103100000026',
        mandateId: 'MD-P20200004567',
        mandateSignedOn: '2020-01-15',
      },
    ],
    ...overrides,
  };
}

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(Iso20022Error);
    return (error as Error).message;
  }
  throw new Error('expected the file to be rejected');
}

describe('pain.008 collection file', () => {
  it('reads back exactly the batch it was written from, and is valid against the ISO schema', async () => {
    const original = batch();
    const xml = writePain008(original);
    expect(await validateIso20022(xml, 'pain.008.001.02')).toEqual([]);
    expect(readPain008(xml)).toEqual(original);
  });

  it('round-trips a batch without sequence type or remittance lines', async () => {
    const original = batch({ sequence: undefined });
    delete original.sequence;
    const xml = writePain008(original);
    expect(await validateIso20022(xml, 'pain.008.001.02')).toEqual([]);
    expect(readPain008(xml)).toEqual(original);
  });

  it('writes control totals at group and PmtInf level in yuan, summed in whole fen', () => {
    // 3200.00 + 0.10 + 0.20: a float sum would give 3200.3000000000002.
    const xml = writePain008(batch());
    expect(xml.match(/<CtrlSum>[^<]*<\/CtrlSum>/g)).toEqual(['<CtrlSum>3200.30</CtrlSum>', '<CtrlSum>3200.30</CtrlSum>']);
    expect(xml.match(/<NbOfTxs>[^<]*<\/NbOfTxs>/g)).toEqual(['<NbOfTxs>3</NbOfTxs>', '<NbOfTxs>3</NbOfTxs>']);
    expect(xml).toContain('<InstdAmt Ccy="CNY">0.10</InstdAmt>');
    expect(xml).toMatch(/<DbtrAcct>\s*<Id>\s*<Othr>\s*<Id>6217001210012345678<\/Id>/);
    expect(xml).toContain('<MmbId>105100000017</MmbId>');
    expect(xml).not.toContain('IBAN');
  });

  it('gives the totals a bank_files row records', () => {
    expect(batchTotals(batch())).toEqual({ messageId: 'RNW-20250310-0001', nbOfTxs: 3, ctrlSumFen: 320030 });
  });

  describe('refuses to write bad input, naming the instruction and the field', () => {
    const firstInstruction = batch().instructions[0]!;

    it.each([
      ['an empty batch', { instructions: [] }, /instructions: a collection file needs at least one instruction/],
      ['a collection date that does not exist', { collectionDate: '2025-02-30' }, /collectionDate is not a date \(YYYY-MM-DD\): "2025-02-30"/],
      ['a creation time without offset', { createdAt: '2025-03-09T20:15:00' }, /createdAt is not an ISO instant with an offset/],
      ['a message ID over 35 characters', { messageId: 'M'.repeat(36) }, /messageId is longer than 35 characters/],
      ['an unknown sequence type', { sequence: 'LAST' as 'FNAL' }, /sequence must be one of FRST, RCUR, OOFF, FNAL, got "LAST"/],
    ])('%s', (_label, overrides, message) => {
      expect(rejection(() => writePain008(batch(overrides)))).toMatch(message);
    });

    it.each([
      ['a fractional amount', { amountFen: 12.5 }, /instructions\[0\] \(endToEndId "P20190001234-20250310-1"\): amountFen must be a positive whole number of fen, got 12\.5/],
      ['a zero amount', { amountFen: 0 }, /instructions\[0\] .*amountFen must be a positive whole number of fen, got 0/],
      ['an amount given as a string', { amountFen: '3200' as unknown as number }, /amountFen must be a positive whole number of fen, got "3200"/],
      ['an EndToEndId over 35 characters', { endToEndId: 'E'.repeat(36) }, /instructions\[0\] \(endToEndId "E{36}"\): endToEndId is longer than 35 characters/],
      ['a mandate signed after the collection', { mandateSignedOn: '2025-03-11' }, /mandateSignedOn 2025-03-11 is after the collection date 2025-03-10/],
      ['a mandate date that is not a date', { mandateSignedOn: '02/03/2019' }, /instructions\[0\] .*mandateSignedOn is not a date/],
      ['an empty debtor account', { debtorAccountNo: '' }, /instructions\[0\] .*debtorAccountNo is missing or empty/],
    ])('%s', (_label, change, message) => {
      const instructions = [{ ...firstInstruction, ...change }, ...batch().instructions.slice(1)];
      expect(rejection(() => writePain008(batch({ instructions })))).toMatch(message);
    });

    it('a premium twice in one file', () => {
      const instructions = [...batch().instructions, { ...firstInstruction, amountFen: 999 }];
      expect(rejection(() => writePain008(batch({ instructions })))).toMatch(
        /instructions\[3\] \(endToEndId "P20190001234-20250310-1"\): endToEndId repeats instructions\[0\]/,
      );
    });

    it('lists every problem at once, and never echoes names or account numbers', () => {
      const instructions = [{ ...firstInstruction, debtorName: '张三'.repeat(71), debtorAccountNo: '6'.repeat(35), amountFen: -1 }];
      const message = rejection(() => writePain008(batch({ instructions })));
      expect(message).toMatch(/debtorName is longer than 140 characters/);
      expect(message).toMatch(/debtorAccountNo is longer than 34 characters/);
      expect(message).toMatch(/amountFen must be a positive whole number of fen, got -1/);
      expect(message).not.toContain('张三');
      expect(message).not.toContain('666666');
    });
  });

  describe('reading rejects the whole file', () => {
    const xml = writePain008(batch());

    it('when GrpHdr/CtrlSum does not match the transactions', () => {
      const tampered = xml.replace('<CtrlSum>3200.30</CtrlSum>', '<CtrlSum>3204.30</CtrlSum>');
      expect(rejection(() => readPain008(tampered))).toBe(
        'pain.008.001.02 rejected: GrpHdr/CtrlSum 3204.30 does not match the sum of transactions 3200.30',
      );
    });

    it('when PmtInf/CtrlSum does not match, even though the group total does', () => {
      const index = xml.lastIndexOf('<CtrlSum>3200.30</CtrlSum>');
      const tampered = `${xml.slice(0, index)}<CtrlSum>3200.40</CtrlSum>${xml.slice(index + '<CtrlSum>3200.30</CtrlSum>'.length)}`;
      expect(rejection(() => readPain008(tampered))).toBe(
        'pain.008.001.02 rejected: PmtInf/CtrlSum 3200.40 does not match the sum of transactions 3200.30',
      );
    });

    it('compares totals as amounts, not as text (3200.3 is 3200.30)', () => {
      expect(readPain008(xml.replaceAll('<CtrlSum>3200.30</CtrlSum>', '<CtrlSum>3200.3</CtrlSum>'))).toEqual(batch());
    });

    it('when NbOfTxs does not count the transactions, at either level', () => {
      const group = xml.replace('<NbOfTxs>3</NbOfTxs>', '<NbOfTxs>4</NbOfTxs>');
      expect(rejection(() => readPain008(group))).toMatch(/GrpHdr\/NbOfTxs 4 does not match the 3 transactions in the file/);
      const index = xml.lastIndexOf('<NbOfTxs>3</NbOfTxs>');
      const payment = `${xml.slice(0, index)}<NbOfTxs>2</NbOfTxs>${xml.slice(index + '<NbOfTxs>3</NbOfTxs>'.length)}`;
      expect(rejection(() => readPain008(payment))).toMatch(/PmtInf\/NbOfTxs 2 does not match the 3 transactions in the file/);
    });

    it('when the XML is malformed', () => {
      expect(rejection(() => readPain008(xml.slice(0, xml.length - 40)))).toMatch(/pain\.008\.001\.02 rejected: malformed XML at line \d+/);
      expect(rejection(() => readPain008('premium,amount\nP1,100'))).toMatch(/malformed XML/);
    });

    it('when it carries a DTD', () => {
      const withDtd = xml.replace('<Document', '<!DOCTYPE Document [<!ENTITY a "aaaa">]>\n<Document');
      expect(rejection(() => readPain008(withDtd))).toMatch(/DOCTYPE declarations are not allowed/);
    });

    it('when it is another message or another version', () => {
      const newer = xml.replace('pain.008.001.02"', 'pain.008.001.08"');
      expect(rejection(() => readPain008(newer))).toMatch(/Document namespace is "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08", expected "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"/);
      expect(rejection(() => readPain008(fixture('pain002-part-rejected.xml')))).toMatch(/Document namespace/);
    });

    it('when an amount is not whole fen or not in CNY', () => {
      const fraction = xml.replace('<InstdAmt Ccy="CNY">0.10</InstdAmt>', '<InstdAmt Ccy="CNY">0.105</InstdAmt>');
      expect(rejection(() => readPain008(fraction))).toMatch(/PmtInf\/DrctDbtTxInf\[2\]\/InstdAmt 0\.105 is not a whole number of fen/);
      const euro = xml.replace('<InstdAmt Ccy="CNY">0.10</InstdAmt>', '<InstdAmt Ccy="EUR">0.10</InstdAmt>');
      expect(rejection(() => readPain008(euro))).toMatch(/PmtInf\/DrctDbtTxInf\[2\]\/InstdAmt is in EUR, expected CNY/);
    });

    it('when a premium appears twice', () => {
      const twice = xml.replace('P20200004567-20250310-3', 'P20190001234-20250310-1');
      expect(rejection(() => readPain008(twice))).toMatch(/DrctDbtTxInf\[3\]\/PmtId\/EndToEndId P20190001234-20250310-1 appears more than once/);
    });

    it('when it holds more than one collection date', () => {
      const start = xml.indexOf('<PmtInf>');
      const end = xml.indexOf('</PmtInf>') + '</PmtInf>'.length;
      const doubled = `${xml.slice(0, end)}${xml.slice(start, end)}${xml.slice(end)}`;
      expect(rejection(() => readPain008(doubled))).toMatch(/expected one PmtInf \(a batch is one collection date\), found 2/);
    });

    it('when a required element is missing', () => {
      const noMandate = xml.replace(/<MndtId>MD-P20210007788<\/MndtId>/, '');
      expect(rejection(() => readPain008(noMandate))).toMatch(/PmtInf\/DrctDbtTxInf\[2\]\/DrctDbtTx\/MndtRltdInf\/MndtId is missing or empty/);
    });
  });

  it('reads a prefixed-namespace file as the same message', () => {
    const xml = writePain008(batch())
      .replace(/<(\/?)([A-Za-z]+)([ >])/g, '<$1p:$2$3')
      .replace('xmlns=', 'xmlns:p=');
    expect(readPain008(xml)).toEqual(batch());
  });
});

describe('validateIso20022', () => {
  it('reports what breaks the schema, with its line', async () => {
    const xml = writePain008(batch()).replace('<PmtMtd>DD</PmtMtd>', '<PmtMtd>DEBIT</PmtMtd>');
    const line = xml.split('\n').findIndex((text) => text.includes('<PmtMtd>')) + 1;
    const problems = await validateIso20022(xml, 'pain.008.001.02');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^line ${line}: `));
    expect(problems[0]).toMatch(/Element 'PmtMtd': \[facet 'enumeration'\] The value 'DEBIT' is not an element of the set \{'DD'\}/);
  });

  it('finds a file our reader would take but the schema would not (an IBAN where ISO wants one)', async () => {
    const xml = writePain008(batch()).replace(/<Othr>\s*<Id>6217001210012345678<\/Id>\s*<\/Othr>/, '<IBAN>6217001210012345678</IBAN>');
    expect(readPain008(xml).instructions[0]?.debtorAccountNo).toBe('6217001210012345678');
    const problems = await validateIso20022(xml, 'pain.008.001.02');
    expect(problems.join('\n')).toMatch(/Element 'IBAN'.*is not accepted by the pattern/);
  });

  it('rejects a document of another message and text that is not XML', async () => {
    expect(await validateIso20022(fixture('camt054-with-returns.xml'), 'pain.002.001.03')).not.toEqual([]);
    expect((await validateIso20022('not xml', 'camt.054.001.02')).join('\n')).toMatch(/line 1: .*Start tag expected/);
  });

  it('refuses a schema it does not have', async () => {
    await expect(validateIso20022('<a/>', 'pain.001.001.03' as 'pain.008.001.02')).rejects.toThrow(/unknown ISO 20022 schema: "pain.001.001.03"/);
  });
});

const SENT = batchTotals(batch());
const SENT_IDS = batch().instructions.map((instruction) => instruction.endToEndId);

function report(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    messageId: 'SIM-STS-0001',
    createdAt: '2025-03-10T16:00:00+08:00',
    originalMessageId: SENT.messageId,
    originalNbOfTxs: SENT.nbOfTxs,
    originalCtrlSumFen: SENT.ctrlSumFen,
    groupStatus: 'PART',
    statusCounts: [
      { status: 'ACSC', nbOfTxs: 2, ctrlSumFen: 320020 },
      { status: 'RJCT', nbOfTxs: 1, ctrlSumFen: 10 },
    ],
    originalPaymentInfoId: SENT.messageId,
    transactions: [{ endToEndId: 'P20210007788-20250310-1', status: 'RJCT', reasonCode: 'AM04', amountFen: 10, bankRef: 'SIM0000000002' }],
    ...overrides,
  };
}

describe('pain.002 status report', () => {
  it('is written valid against the ISO schema and reads back the same', async () => {
    const original = report({
      transactions: [
        { endToEndId: 'P20190001234-20250310-1', status: 'ACSC', amountFen: 320000, bankRef: 'SIM0000000001' },
        { endToEndId: 'P20210007788-20250310-1', status: 'RJCT', reasonCode: '51', reasonProprietary: true, amountFen: 10 },
        { endToEndId: 'P20200004567-20250310-3', status: 'ACSC', amountFen: 20 },
      ],
    });
    const xml = writePain002(original);
    expect(await validateIso20022(xml, 'pain.002.001.03')).toEqual([]);
    expect(xml).toContain('<Prtry>51</Prtry>');
    expect(readPain002(xml)).toEqual(original);
  });

  it('writes a whole-group answer without a transaction list', async () => {
    const original = report({ groupStatus: 'RJCT', groupReasonCode: 'FF01', statusCounts: undefined, transactions: [] });
    delete original.statusCounts;
    const xml = writePain002(original);
    expect(await validateIso20022(xml, 'pain.002.001.03')).toEqual([]);
    expect(xml).not.toContain('OrgnlPmtInfAndSts');
    // Without a transaction list there is no OrgnlPmtInfAndSts, so no OrgnlPmtInfId to read back.
    expect(readPain002(xml)).toEqual({ ...original, originalPaymentInfoId: undefined });
  });

  describe('the hand-written PART report (rejects only, with per-status counts)', () => {
    const xml = fixture('pain002-part-rejected.xml');
    const sent = { messageId: 'RNW-20250310-0001', nbOfTxs: 5, ctrlSumFen: 2635000 };
    const ids = [
      'P20190001234-20250310-1',
      'P20210007788-20250310-1',
      'P20180009001-20250310-1',
      'P20200004567-20250310-1',
      'P20220003310-20250310-1',
    ];

    it('is valid against the ISO schema', async () => {
      expect(await validateIso20022(xml, 'pain.002.001.03')).toEqual([]);
    });

    it('reads the group status, the counts and the rejects with their reasons', () => {
      const read = readPain002(xml);
      expect(read).toMatchObject({
        messageId: 'CCB-STS-20250310-000417',
        originalMessageId: 'RNW-20250310-0001',
        originalNbOfTxs: 5,
        originalCtrlSumFen: 2635000,
        groupStatus: 'PART',
        statusCounts: [
          { status: 'ACSC', nbOfTxs: 3, ctrlSumFen: 1815000 },
          { status: 'RJCT', nbOfTxs: 2, ctrlSumFen: 820000 },
        ],
      });
      expect(read.transactions).toEqual([
        { endToEndId: 'P20190001234-20250310-1', status: 'RJCT', reasonCode: 'AM04', amountFen: 320000, bankRef: 'CCB2025031000873' },
        { endToEndId: 'P20210007788-20250310-1', status: 'RJCT', reasonCode: 'AC04', amountFen: 500000, bankRef: 'CCB2025031000874' },
      ]);
      expect(read.transactions.map((tx) => classifyReason('iso', tx.reasonCode ?? '').reason)).toEqual(['INSUFFICIENT_FUNDS', 'ACCOUNT_CLOSED']);
      expect(() => checkAgainstBatch(read, sent)).not.toThrow();
    });

    it('gives the unlisted transactions the one status the counts leave for them', () => {
      const resolved = resolveTransactionStatuses(readPain002(xml), ids);
      expect(resolved.map(({ endToEndId, status, reasonCode, inferred }) => ({ endToEndId, status, reasonCode, inferred }))).toEqual([
        { endToEndId: ids[0], status: 'RJCT', reasonCode: 'AM04', inferred: false },
        { endToEndId: ids[1], status: 'RJCT', reasonCode: 'AC04', inferred: false },
        { endToEndId: ids[2], status: 'ACSC', reasonCode: undefined, inferred: true },
        { endToEndId: ids[3], status: 'ACSC', reasonCode: undefined, inferred: true },
        { endToEndId: ids[4], status: 'ACSC', reasonCode: undefined, inferred: true },
      ]);
    });

    it('leaves them open when the counts are not there: never assumes a collection succeeded', () => {
      const withoutCounts = xml.replace(/<NbOfTxsPerSts>[\s\S]*?<\/NbOfTxsPerSts>/g, '');
      const resolved = resolveTransactionStatuses(readPain002(withoutCounts), ids);
      expect(resolved.slice(2).map((entry) => entry.status)).toEqual([undefined, undefined, undefined]);
    });

    it('is refused as the answer to a file with other totals', () => {
      const read = readPain002(xml);
      expect(rejection(() => checkAgainstBatch(read, { ...sent, ctrlSumFen: 2635001 }))).toBe(
        'pain.002.001.03 does not answer RNW-20250310-0001: OrgnlCtrlSum 26350.00 does not match the 26350.01 sent',
      );
      expect(rejection(() => checkAgainstBatch(read, { ...sent, nbOfTxs: 6 }))).toMatch(/OrgnlNbOfTxs 5 does not match the 6 transactions sent/);
      expect(rejection(() => checkAgainstBatch(read, { ...sent, messageId: 'RNW-20250310-0002' }))).toMatch(
        /OrgnlMsgId RNW-20250310-0001 is not the file sent \(RNW-20250310-0002\)/,
      );
    });

    it('is refused when it lists a transaction we did not send, or for another amount', () => {
      const read = readPain002(xml);
      const transactions = [
        { endToEndId: 'P20190001234-20250310-1', amountFen: 320001 },
        { endToEndId: 'P20180009001-20250310-1', amountFen: 500000 },
      ];
      const message = rejection(() => checkAgainstBatch(read, { ...sent, transactions }));
      expect(message).toMatch(/P20190001234-20250310-1: amount 3200.00 does not match the 3200.01 sent/);
      expect(message).toMatch(/OrgnlEndToEndId P20210007788-20250310-1 was not in the file sent/);
    });

    it('takes the PmtInf status when the bank leaves GrpSts out', () => {
      expect(readPain002(xml.replace('<GrpSts>PART</GrpSts>', '')).groupStatus).toBe('PART');
    });

    it('is rejected whole when its counts contradict its totals', () => {
      const tampered = xml.replace('<DtldNbOfTxs>3</DtldNbOfTxs>', '<DtldNbOfTxs>4</DtldNbOfTxs>');
      expect(rejection(() => readPain002(tampered))).toMatch(/NbOfTxsPerSts adds up to 6 transactions, OrgnlNbOfTxs is 5/);
    });
  });

  it('applies a whole-group status to every transaction when nothing is listed', () => {
    const accepted = readPain002(writePain002(report({ groupStatus: 'ACSC', statusCounts: undefined, transactions: [] })));
    expect(resolveTransactionStatuses(accepted, SENT_IDS).map((entry) => [entry.status, entry.inferred])).toEqual([
      ['ACSC', true],
      ['ACSC', true],
      ['ACSC', true],
    ]);
    const rejected = readPain002(writePain002(report({ groupStatus: 'RJCT', groupReasonCode: 'AM05', statusCounts: undefined, transactions: [] })));
    expect(resolveTransactionStatuses(rejected, SENT_IDS).map((entry) => entry.reasonCode)).toEqual(['AM05', 'AM05', 'AM05']);
  });

  describe('reading rejects the whole report', () => {
    const complete = report({
      statusCounts: undefined,
      transactions: [
        { endToEndId: 'P20190001234-20250310-1', status: 'ACSC', amountFen: 320000 },
        { endToEndId: 'P20210007788-20250310-1', status: 'RJCT', reasonCode: 'AM04', amountFen: 10 },
        { endToEndId: 'P20200004567-20250310-3', status: 'ACSC', amountFen: 20 },
      ],
    });
    const xml = writePain002(complete);

    it('when it lists every transaction and they do not add up to OrgnlCtrlSum', () => {
      const tampered = xml.replace('<InstdAmt Ccy="CNY">0.20</InstdAmt>', '<InstdAmt Ccy="CNY">0.25</InstdAmt>');
      expect(rejection(() => readPain002(tampered))).toMatch(/OrgnlGrpInfAndSts\/OrgnlCtrlSum 3200.30 does not match the sum of transactions 3200.35/);
    });

    it('when it lists more transactions than the original file had', () => {
      const tampered = xml.replace('<OrgnlNbOfTxs>3</OrgnlNbOfTxs>', '<OrgnlNbOfTxs>2</OrgnlNbOfTxs>');
      expect(rejection(() => readPain002(tampered))).toMatch(/OrgnlNbOfTxs 2 is less than the 3 transactions listed/);
    });

    it('when the group status says all were collected but one is rejected', () => {
      const tampered = xml.replace('<GrpSts>PART</GrpSts>', '<GrpSts>ACSC</GrpSts>');
      expect(rejection(() => readPain002(tampered))).toMatch(/GrpSts is ACSC but P20210007788-20250310-1 is rejected \(that is PART\)/);
    });

    it('when a transaction is listed twice', () => {
      const tampered = xml.replace('P20200004567-20250310-3', 'P20190001234-20250310-1');
      expect(rejection(() => readPain002(tampered))).toMatch(/OrgnlEndToEndId P20190001234-20250310-1 is listed more than once/);
    });

    it('when a status is not an ISO status', () => {
      const tampered = xml.replace('<TxSts>ACSC</TxSts>', '<TxSts>DONE</TxSts>');
      expect(rejection(() => readPain002(tampered))).toMatch(/OrgnlPmtInfAndSts\[1\]\/TxInfAndSts\[1\]\/TxSts DONE is not one of ACTC, ACCP, ACSP, ACSC, PDNG, RJCT/);
    });
  });

  it('refuses to write a report it would reject on reading', () => {
    expect(rejection(() => writePain002(report({ groupStatus: 'ACSC', statusCounts: undefined })))).toMatch(
      /pain\.002\.001\.03 not written: GrpSts is ACSC but P20210007788-20250310-1 is rejected/,
    );
    expect(rejection(() => writePain002(report({ transactions: [{ endToEndId: 'X', status: 'LOST' as 'RJCT' }] })))).toMatch(
      /transactions\[0\] \(endToEndId "X"\): status must be one of ACTC, ACCP, ACSP, ACSC, PDNG, RJCT, got "LOST"/,
    );
  });
});

describe('camt.054 notification', () => {
  const notification: DebitNotification = {
    messageId: 'SIM-NTF-20250425-0001',
    createdAt: '2025-04-25T18:00:00+08:00',
    notificationId: 'SIM-NTF-20250425-0001-1',
    accountNo: '31001509800050012345',
    entries: [
      { endToEndId: 'P20190001234-20250425-1', amountFen: 320000, bookingDate: '2025-04-25', kind: 'booked', bankRef: 'SIM0000000101' },
      { endToEndId: 'P20210007788-20250310-1', amountFen: 10, bookingDate: '2025-04-25', kind: 'returned', reasonCode: 'MD06', bankRef: 'SIM0000000102' },
      { endToEndId: 'P20200004567-20250310-3', amountFen: 500020, bookingDate: '2025-04-25', kind: 'returned', reasonCode: '37', reasonProprietary: true, bankRef: 'SIM0000000103' },
      { endToEndId: 'P20180009001-20250401-1', amountFen: 700, bookingDate: '2025-04-25', kind: 'returned', bankRef: 'SIM0000000104' },
    ],
  };

  it('is written valid against the ISO schema and reads back the same', async () => {
    const xml = writeCamt054(notification);
    expect(await validateIso20022(xml, 'camt.054.001.02')).toEqual([]);
    expect(readCamt054(xml)).toEqual(notification);
  });

  it('encodes a return as a debit reversal with its reason, and a collection as a credit', () => {
    const xml = writeCamt054(notification);
    expect(xml).toMatch(/<CdtDbtInd>DBIT<\/CdtDbtInd>\s*<RvslInd>true<\/RvslInd>/);
    expect(xml).toMatch(/<SubFmlyCd>UPDD<\/SubFmlyCd>/);
    expect(xml).toMatch(/<RtrInf>\s*<Rsn>\s*<Cd>MD06<\/Cd>/);
    expect(xml).toMatch(/<RtrInf>\s*<Rsn>\s*<Prtry>37<\/Prtry>/);
    // 3200.00 credited, 0.10 + 5000.20 + 7.00 debited back: net 1807.30 debit.
    expect(xml).toMatch(/<Sum>8207.30<\/Sum>\s*<TtlNetNtryAmt>1807.30<\/TtlNetNtryAmt>\s*<CdtDbtInd>DBIT<\/CdtDbtInd>/);
  });

  it('writes an empty notification for a day without bookings', async () => {
    const xml = writeCamt054({ ...notification, entries: [] });
    expect(await validateIso20022(xml, 'camt.054.001.02')).toEqual([]);
    expect(readCamt054(xml).entries).toEqual([]);
  });

  it('refuses a reason on a booked entry and a bad booking date', () => {
    const entries = [{ ...notification.entries[0]!, reasonCode: 'AM04', bookingDate: '2025-4-25' }];
    const message = rejection(() => writeCamt054({ ...notification, entries }));
    expect(message).toMatch(/entries\[0\] \(endToEndId "P20190001234-20250425-1"\): bookingDate is not a date/);
    expect(message).toMatch(/reasonCode is only for a returned entry/);
  });

  describe('the hand-written notification with returns', () => {
    const xml = fixture('camt054-with-returns.xml');

    it('is valid against the ISO schema', async () => {
      expect(await validateIso20022(xml, 'camt.054.001.02')).toEqual([]);
    });

    it('reads collections (one batch-booked entry split per premium) and returns with their reasons', () => {
      const read = readCamt054(xml);
      expect(read).toMatchObject({ messageId: 'CCB-NTF-20250425-000031', notificationId: 'NTF-20250425-31', accountNo: '31001509800050012345' });
      expect(read.entries).toEqual([
        { endToEndId: 'P20200004567-20250425-1', amountFen: 125000, bookingDate: '2025-04-25', kind: 'booked', bankRef: 'CCB25042500101' },
        { endToEndId: 'P20180009001-20250425-1', amountFen: 168050, bookingDate: '2025-04-25', kind: 'booked', bankRef: 'CCB25042500102-1' },
        { endToEndId: 'P20220003310-20250425-2', amountFen: 200000, bookingDate: '2025-04-25', kind: 'booked', bankRef: 'CCB25042500102-2' },
        { endToEndId: 'P20190001234-20250317-2', amountFen: 320000, bookingDate: '2025-04-25', kind: 'returned', reasonCode: 'MD06', bankRef: 'CCB25042500177' },
        { endToEndId: 'P20230011122-20250422-1', amountFen: 86000, bookingDate: '2025-04-25', kind: 'returned', reasonCode: 'AC04', bankRef: 'CCB25042500178' },
      ]);
      const returns = read.entries.filter((entry) => entry.kind === 'returned');
      expect(returns.map((entry) => classifyReason('iso', entry.reasonCode ?? '').reason)).toEqual(['REFUSED_BY_DEBTOR', 'ACCOUNT_CLOSED']);
    });

    it('is rejected whole when TxsSummry does not match the entries', () => {
      expect(rejection(() => readCamt054(xml.replace('<NbOfNtries>4</NbOfNtries>', '<NbOfNtries>5</NbOfNtries>')))).toMatch(
        /Ntfctn\[1\]\/TxsSummry\/TtlNtries\/NbOfNtries 5 does not match the 4 entries/,
      );
      expect(rejection(() => readCamt054(xml.replace('<Sum>4060.00</Sum>', '<Sum>4600.00</Sum>')))).toMatch(
        /Ntfctn\[1\]\/TxsSummry\/TtlDbtNtries\/Sum 4600.00 does not match the sum of entries 4060.00/,
      );
      expect(rejection(() => readCamt054(xml.replace('<TtlNetNtryAmt>870.50</TtlNetNtryAmt>', '<TtlNetNtryAmt>807.50</TtlNetNtryAmt>')))).toMatch(
        /TtlNetNtryAmt 807.50 CRDT does not match the net of entries 870.50 CRDT/,
      );
    });

    it('is rejected whole when a batch-booked entry does not add up', () => {
      const tampered = xml.replace('<Amt Ccy="CNY">1680.50</Amt>', '<Amt Ccy="CNY">1680.00</Amt>');
      expect(rejection(() => readCamt054(tampered))).toMatch(/Ntfctn\[1\]\/Ntry\[2\]\/Amt 3680.50 does not match the sum of its transactions 3680.00/);
    });

    it('is rejected whole when a return is booked as a credit, or an entry is still pending', () => {
      const credit = xml.replace('<CdtDbtInd>DBIT</CdtDbtInd>\n        <RvslInd>', '<CdtDbtInd>CRDT</CdtDbtInd>\n        <RvslInd>');
      expect(rejection(() => readCamt054(credit))).toMatch(/Ntry\[3\]\/CdtDbtInd is CRDT: a returned collection is DBIT on the creditor's account/);
      const pending = xml.replace('<Sts>BOOK</Sts>', '<Sts>PDNG</Sts>');
      expect(rejection(() => readCamt054(pending))).toMatch(/Ntfctn\[1\]\/Ntry\[1\]\/Sts is PDNG: only booked entries are read/);
    });

    it('is rejected whole when an entry cannot be tied to a collection', () => {
      const tampered = xml.replace('<EndToEndId>P20230011122-20250422-1</EndToEndId>', '');
      expect(rejection(() => readCamt054(tampered))).toMatch(/Ntry\[4\]\/NtryDtls\[1\]\/TxDtls\[1\]\/Refs\/EndToEndId is missing or empty/);
    });
  });
});
