import type { Knex } from 'knex';
import * as m001 from './001_reference_data';
import * as m002 from './002_customers_policies';
import * as m003 from './003_premiums_debits';
import * as m004 from './004_contacts_audit';
import * as m005 from './005_tasks_runs';
import * as m006 from './006_bank_files_receipts';
import * as m007 from './007_import_runs';
import * as m008 from './008_monthly_run_progress';
import * as m009 from './009_report_indexes';
import * as m010 from './010_reinstatement';
import * as m011 from './011_withdrawn_debits';
import * as m012 from './012_key_ring';
import * as m013 from './013_bank_trust';
import * as m014 from './014_database_roles';
import * as m015 from './015_provider_circuits';
import * as m016 from './016_calendar_notices';
import * as m017 from './017_import_dialects';
import * as m018 from './018_tasks_act';
import * as m019 from './019_orphans';
import * as m020 from './020_team_report_indexes';
import * as m021 from './021_people';
import * as m022 from './022_four_eyes';
import * as m023 from './023_audit_partitions';
import * as m027 from './027_hot_path_indexes';
import * as m028 from './028_counter_confirmations';
import * as m029 from './029_console_sessions';
import * as m030 from './030_policy_admin_outbox';
import * as m031 from './031_letters';
import * as m032 from './032_payment_receipts';
import * as m033 from './033_payment_amounts';
import * as m034 from './034_payment_links';
import * as m035 from './035_scope_indexes';
import * as m036 from './036_console_sign_in';
import * as m037 from './037_sign_in_index';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Migrations after this one run as the database's owner role (db/connection.ts, migrateLatest), so
 * everything they create is the owner's and the application role gets its default grants. 015 was
 * written before 014: a database that had it already gets its objects handed over by 014.
 */
export const OWNER_MIGRATIONS_AFTER = '014_database_roles';

/**
 * Migrations listed in code rather than discovered on disk, so they run the same under tsx,
 * vitest and the compiled build. Append only; never rename a released one.
 */
const migrations: ReadonlyArray<readonly [string, Migration]> = [
  ['001_reference_data', m001],
  ['002_customers_policies', m002],
  ['003_premiums_debits', m003],
  ['004_contacts_audit', m004],
  ['005_tasks_runs', m005],
  ['006_bank_files_receipts', m006],
  ['007_import_runs', m007],
  ['008_monthly_run_progress', m008],
  ['009_report_indexes', m009],
  ['010_reinstatement', m010],
  ['011_withdrawn_debits', m011],
  ['012_key_ring', m012],
  ['013_bank_trust', m013],
  ['014_database_roles', m014],
  ['015_provider_circuits', m015],
  ['016_calendar_notices', m016],
  ['017_import_dialects', m017],
  ['018_tasks_act', m018],
  ['019_orphans', m019],
  ['020_team_report_indexes', m020],
  ['021_people', m021],
  ['022_four_eyes', m022],
  ['023_audit_partitions', m023],
  ['027_hot_path_indexes', m027],
  ['028_counter_confirmations', m028],
  ['029_console_sessions', m029],
  ['030_policy_admin_outbox', m030],
  ['031_letters', m031],
  ['032_payment_receipts', m032],
  ['033_payment_amounts', m033],
  ['034_payment_links', m034],
  ['035_scope_indexes', m035],
  ['036_console_sign_in', m036],
  ['037_sign_in_index', m037],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: () => Promise.resolve([...migrations]),
  getMigrationName: ([name]) => name,
  getMigration: ([, migration]) => Promise.resolve(migration),
};
