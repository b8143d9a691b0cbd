import type { Command } from '@commander-js/extra-typings';
import { migrateLatest } from '../../db/connection';
import { withDatabase } from '../context';
import { printRecord } from '../output';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description('apply pending schema migrations to DATABASE_URL')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      const applied = await withDatabase((conn) => migrateLatest(conn));
      printRecord({ applied, upToDate: applied.length === 0 }, options);
    });
}
