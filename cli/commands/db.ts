import type { Command } from '@commander-js/extra-typings';
import { connect, migrateLatest } from '../../db/connection';
import { migrationDatabaseUrl } from '../context';
import { printRecord } from '../output';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description('apply pending schema migrations as DATABASE_MIGRATION_URL (DATABASE_URL when unset), a member of the owner role')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      const conn = connect(migrationDatabaseUrl(), { max: 1 });
      let applied: string[];
      try {
        applied = await migrateLatest(conn);
      } finally {
        await conn.destroy();
      }
      printRecord({ applied, upToDate: applied.length === 0 }, options);
    });
}
