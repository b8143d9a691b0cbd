import type { Command } from '@commander-js/extra-typings';
import { batchLetters, recordReturnedLetter } from '../../application/letter-batches';
import { settings, withDatabase } from '../context';
import { CliError } from '../errors';
import { printRecord } from '../output';
import { actingUser } from '../session';
import { asOperator } from './operator';

/**
 * `renewals letters batch|returned`: printed letters (docs/architecture.md#letters). A batch hands the
 * day's letters to a print house through the outbox folder its SFTP pickup reads; a letter the post
 * brought back is recorded and its address flagged.
 */
export function registerLetterCommands(program: Command): void {
  const letters = program.command('letters').description('printed letters (信函): daily batches for the print house, returned letters');

  letters
    .command('batch')
    .description('write the letters not yet handed over into one batch folder under LETTERS_OUTBOX_DIR (PDFs and manifest.json) and record them sent')
    .option('--date <YYYY-MM-DD>', 'the batch day: letters dated on or before it (today, Asia/Shanghai, when omitted)')
    .option('--print-house <code>', 'the print house (PRINT_HOUSE_CODE when omitted)')
    .option('--json', 'print the manifest as JSON')
    .action(async (options) => {
      const config = settings();
      if (config.environment !== 'demo' && config.demoDefaults.includes('LETTERS_OUTBOX_DIR')) {
        throw new CliError('LETTERS_OUTBOX_DIR is not set: outside RENEWALS_ENV=demo name the folder the print house picks batches up from', 2);
      }
      const printHouse = options.printHouse ?? config.letters.printHouse;
      const result = await asOperator(() =>
        withDatabase((db) => batchLetters(db, { outboxDir: config.letters.outboxDir, printHouse, ...(options.date ? { date: options.date } : {}), actor: actingUser().ref })),
      );
      const recovered = result.recovered ?? [];
      if (!options.json) {
        // Folders a run that died before its commit left in place, recorded as they stood (docs/architecture.md#letters).
        for (const r of recovered) process.stdout.write(`batch ${r.batchId}: ${r.count} letter(s), ${r.totalPages} page(s), already in the outbox from a run that stopped before recording it: recorded now\n`);
      }
      if (!result.manifest) {
        if (options.json && recovered.length > 0) printRecord({ printHouse, count: 0, recovered }, options);
        else process.stdout.write(`no letters waiting for print house ${printHouse}: no batch written\n`);
        return;
      }
      const { manifest } = result;
      if (options.json) {
        printRecord({ ...manifest, folder: result.folder, ...(recovered.length > 0 ? { recovered } : {}) }, options);
        return;
      }
      process.stdout.write(`batch ${manifest.batchId}: ${manifest.count} letter(s), ${manifest.totalPages} page(s), sha256 ${manifest.sha256}, in ${result.folder}\n`);
    });

  letters
    .command('returned')
    .description('record a letter the post brought back: audited, its contact failed, the postal address flagged so no letter goes there again')
    .argument('<letterId>', 'the letter, e.g. LTR00000012 (its file name in the batch)')
    .requiredOption('--reason <code>', 'unknown_address, moved, refused, unclaimed, deceased or other')
    .option('--json', 'print the result as JSON')
    .action(async (letterId, options) => {
      const returned = await asOperator(() => withDatabase((db) => recordReturnedLetter(db, letterId, options.reason, actingUser().ref)));
      if (options.json) {
        printRecord({ ...returned }, options);
        return;
      }
      if (!returned.recorded) {
        process.stdout.write(`letter ${returned.letterId} was already recorded returned: nothing changed\n`);
        return;
      }
      const flagged = returned.pointInvalidated ? 'its postal address is flagged: no letter goes there until a new one is verified' : 'it went to no postal address on file: nothing to flag';
      const lost = returned.lostContact.length > 0 ? `; lost contact: ${returned.lostContact.join(', ')}` : '';
      process.stdout.write(`letter ${returned.letterId} (${returned.policyNo}) recorded returned (${returned.reason}); ${flagged}${lost}\n`);
    });
}
