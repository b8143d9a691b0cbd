import type { Command } from '@commander-js/extra-typings';
import { refreshContactFlags } from '../../db/repositories/contact-quality';
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
        return refreshContactFlags(db, threshold === undefined ? {} : { sharedThreshold: threshold });
      });
      printRecord({ ...result }, options);
    });
}
