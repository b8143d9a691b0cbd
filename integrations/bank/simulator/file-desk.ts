import { randomBytes } from 'node:crypto';
import { fileMac, readPain008, writeCamt054, writePain002, type StatusReport } from '../iso20022';
import type { BankCore } from './core';
import { SIMULATOR_KEYS } from './keys';

/**
 * The simulated bank's file desk: it takes the insurer's pain.008, books every collection on the
 * requested date, and answers with a pain.002 status report; returns since the last exchange go
 * out as a camt.054 notification. Both are written with the same ISO 20022 writers the insurer's
 * reader is tested against, so a round trip exercises real files. Like a real bank it sends each
 * file with its detached MAC (macOf: FILE.mac, see iso20022/file-mac.ts).
 */
export class SimulatedFileDesk {
  private serial = 0;
  /** Message ids are unique across desks too, as a bank's are: the insurer refuses an id it holds with other content. */
  private readonly run = randomBytes(4).toString('hex').toUpperCase();

  constructor(
    private readonly core: BankCore,
    private readonly bankId = 'SIMBANK',
    /** The file MAC key agreed with the insurer; default the simulator's own (keys.ts). */
    private readonly macKey: string = SIMULATOR_KEYS.fileMac,
  ) {}

  /** The MAC the bank sends with a file it wrote (the file's UTF-8 bytes), to be saved as FILE.mac. */
  macOf(xml: string): string {
    return fileMac(Buffer.from(xml, 'utf8'), this.macKey);
  }

  /** Books a pain.008 and returns the pain.002 that answers it (ACSC / RJCT per transaction). */
  answerPain008(pain008: string, at: Date): string {
    const batch = readPain008(pain008);
    const outcomes = this.core.collectBatch(
      batch.instructions.map((i) => ({
        endToEndId: i.endToEndId,
        bankCode: i.debtorBankCode,
        accountNo: i.debtorAccountNo,
        accountName: i.debtorName,
        amountFen: i.amountFen,
        mandateId: i.mandateId,
      })),
      batch.collectionDate,
    );
    const amountOf = new Map(batch.instructions.map((i) => [i.endToEndId, i.amountFen]));
    const rejected = outcomes.filter((o) => o.status === 'RJCT').length;
    const report: StatusReport = {
      messageId: this.nextId('STS'),
      createdAt: at.toISOString(),
      originalMessageId: batch.messageId,
      originalNbOfTxs: batch.instructions.length,
      originalCtrlSumFen: batch.instructions.reduce((sum, i) => sum + i.amountFen, 0),
      groupStatus: rejected === 0 ? 'ACSC' : rejected === outcomes.length ? 'RJCT' : 'PART',
      transactions: outcomes.map((o) => ({
        endToEndId: o.endToEndId,
        status: o.status,
        ...(o.reasonCode ? { reasonCode: o.reasonCode } : {}),
        amountFen: amountOf.get(o.endToEndId),
        bankRef: o.bankRef,
      })),
    };
    return writePain002(report);
  }

  /** The returns the insurer has not been told about, as one camt.054; undefined when there are none. */
  returnsNotification(creditorAccountNo: string, at: Date): string | undefined {
    const returns = this.core.takePendingReturns();
    if (returns.length === 0) return undefined;
    return writeCamt054({
      messageId: this.nextId('NTF'),
      createdAt: at.toISOString(),
      accountNo: creditorAccountNo,
      entries: returns.map((r) => ({
        endToEndId: r.idempotencyKey,
        amountFen: r.amountFen,
        bookingDate: r.returnedOn,
        kind: 'returned' as const,
        reasonCode: r.reasonCode,
        bankRef: r.returnRef,
      })),
    });
  }

  private nextId(prefix: string): string {
    this.serial += 1;
    return `${this.bankId}-${prefix}-${this.run}-${String(this.serial).padStart(6, '0')}`;
  }
}
