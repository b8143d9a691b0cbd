import type { Command } from '@commander-js/extra-typings';
import { checkContactQuality } from '../../db/repositories/contact-quality';
import { requireNoRotation, withDatabase } from '../context';
import { CliError } from '../errors';
import { printRecord } from '../output';

export function registerContactCommands(program: Command): void {
  const contacts = program.command('contacts').description('customer contact data');
  contacts
    .command('check-quality')
    .description("flag contact points equal to an agent's number or shared by unrelated customers (flagged points are not used)")
    .option('--shared-threshold <n>', 'customers sharing one number or email before it is flagged (default 3)')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      const threshold = options.sharedThreshold === undefined ? undefined : Number(options.sharedThreshold);
      if (threshold !== undefined && !Number.isInteger(threshold)) throw new CliError(`--shared-threshold must be a whole number, got ${options.sharedThreshold}`, 2);
      const result = await withDatabase(async (db) => {
        // Points are compared by keyed hash: not while a key rotation is under way.
        await requireNoRotation(db);
        // The computation the nightly schedule runs too (workflows/contact-quality.ts).
        const check = await checkContactQuality(db, threshold === undefined ? {} : { sharedThreshold: threshold });
        if (!check.ran) await requireNoRotation(db); // a rotation began meanwhile: its one-line error
        return check.ran ? { flagged: check.flagged, cleared: check.cleared } : { flagged: 0, cleared: 0 };
      });
      printRecord({ ...result }, options);
    });
}
