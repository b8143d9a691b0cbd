import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { prepareCollectionFile } from '../../application/bank-file-exchange';
import { ingestBankFile } from '../../application/bank-file-ingest';
import { OutputFileExists, placeOutput, stageOutput } from '../../application/output-files';
import { debitAttemptsOfPolicy, policyExists, recordOutgoingFile } from '../../db/repositories/bank-files';
import { isCivilDate, shanghaiDate } from '../../domain/civil-date';
import { formatYuan } from '../../domain/money';
import { SettingsError } from '../../config/settings';
import { FILE_MAC_SUFFIX } from '../../integrations/bank/iso20022';
import { bankFileKey } from '../../workers/bank-keys';
import { cipherFor, creditor, settings, withDatabase, withTemporalClient } from '../context';
import { CliError } from '../errors';
import { printRecord, printRows } from '../output';

export function registerBankCommands(program: Command): void {
  const bank = program.command('bank').description('bank direct debits: ISO 20022 files and debit attempts');

  bank
    .command('export')
    .description("write the day's pain.008 collection file: every accepted debit not yet sent")
    .requiredOption('--date <date>', 'collection date, YYYY-MM-DD (debits due on or before it)')
    .requiredOption('--out <file>', 'where to write the pain.008 (must not exist)')
    .option('--force', 'replace the --out file if it exists')
    .option('--json', 'print the summary as JSON')
    .action(async (options) => {
      const given: string = options.date;
      if (!isCivilDate(given)) throw new CliError(`--date must be YYYY-MM-DD, got ${JSON.stringify(given)}`, 2);
      const out = resolve(options.out);
      if (!options.force && existsSync(out)) throw new CliError(`--out ${options.out} already exists: choose a new file name`, 2);
      const account = creditor();
      const summary = await withDatabase(async (db) => {
        const file = await prepareCollectionFile(db, await cipherFor(db), { collectionDate: options.date, creditor: account, now: new Date() });
        if (!file) return undefined;
        // Written aside first, recorded (claiming its debits), then put in place: no file without its
        // record. Owner-only: it holds the debtors' names and full account numbers.
        const partial = await stageOutput(out, true);
        try {
          await partial.handle.writeFile(file.xml);
          await partial.handle.close();
          await recordOutgoingFile(
            db,
            { direction: 'out', messageType: 'pain.008.001.02', messageId: file.messageId, collectionDate: file.collectionDate, nbOfTxs: file.nbOfTxs, ctrlSumFen: file.ctrlSumFen, sha256: file.sha256, fileName: basename(out) },
            file.attemptIds,
          );
        } catch (error) {
          await partial.handle.close().catch(() => undefined);
          await rm(partial.path, { force: true });
          throw error;
        }
        await placeOutput(partial.path, out, options.force).catch((error: unknown) => {
          // Its debits are recorded as sent in this file: keep it rather than lose it.
          if (error instanceof OutputFileExists) throw new CliError(`--out ${options.out} appeared while the file was written: it is kept as ${partial.path}`, 2);
          throw error;
        });
        return { file: out, messageId: file.messageId, collectionDate: file.collectionDate, transactions: file.nbOfTxs, controlSum: formatYuan(file.ctrlSumFen), sha256: file.sha256 };
      });
      printRecord(summary ?? { file: null, transactions: 0, note: `no accepted debits waiting for a file on or before ${options.date}` }, options);
    });

  bank
    .command('ingest')
    .description('read a pain.002 status report or camt.054 notification and apply it, once its MAC shows it is the bank\'s (a bad file is rejected whole)')
    .argument('<file>', 'the bank file (XML)')
    .option('--mac <file>', `the MAC the bank sent with it (default: the file's name + ${FILE_MAC_SUFFIX})`)
    .option('--json', 'print the outcomes as JSON')
    .action(async (file, options) => {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 2);
      }
      // No MAC file is no MAC: the file is refused (and that is recorded) like one with a wrong MAC.
      const mac = await readFile(options.mac ?? `${file}${FILE_MAC_SUFFIX}`, 'utf8').catch(() => undefined);
      const trust = { macKey: fileKey(), creditorAccountNo: creditor().accountNo };
      const result = await withDatabase((db) => withTemporalClient((client) => ingestBankFile(db, client, { bytes, name: basename(file), ...(mac !== undefined ? { mac } : {}) }, trust)));
      if (options.json) {
        printRecord({ ...result }, options);
        return;
      }
      process.stdout.write(
        `${result.messageType} ${result.messageId}${result.duplicate ? ' (ingested before: nothing new)' : ''}: ${result.applied.length} outcome(s), ${result.stillOpen} still open\n`,
      );
      printRows(result.applied, [
        { header: 'key', value: (r) => r.idempotencyKey },
        { header: 'policy', value: (r) => r.policyNo },
        { header: 'due', value: (r) => r.dueDate },
        { header: 'outcome', value: (r) => r.outcome },
        { header: 'applied as', value: (r) => r.appliedAs },
      ], {});
    });

  program
    .command('debits')
    .description('debit attempts')
    .command('list')
    .description('every debit attempt of a policy, newest due date first')
    .argument('<policyNo>', 'the policy number')
    .option('--json', 'print the attempts as JSON')
    .action(async (policyNo, options) => {
      const rows = await withDatabase(async (db) => {
        if (!(await policyExists(db, policyNo))) throw new CliError(`no policy ${policyNo}`);
        return debitAttemptsOfPolicy(db, policyNo);
      });
      printRows(rows, [
        { header: 'due', value: (r) => r.due_date },
        { header: '#', value: (r) => r.attempt_no },
        { header: 'collection', value: (r) => r.collection_date },
        { header: 'amount', value: (r) => formatYuan(r.amount_fen) },
        { header: 'status', value: (r) => r.status },
        { header: 'reason', value: (r) => (r.reason ? `${r.reason} (${r.raw_code})` : '') },
        { header: 'key', value: (r) => r.idempotency_key },
        { header: 'bank ref', value: (r) => r.bank_ref },
        { header: 'file', value: (r) => r.file_message_id },
        { header: 'resolved', value: (r) => (r.resolved_at ? shanghaiDate(new Date(r.resolved_at).getTime()) : '') },
      ], options);
    });
}

/** BANK_FILE_KEY, or in a demo the simulator's; without it no file can be authenticated. */
function fileKey(): string {
  try {
    return bankFileKey(settings());
  } catch (error) {
    if (error instanceof SettingsError) throw new CliError(error.message);
    throw error;
  }
}
