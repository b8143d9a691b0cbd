import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OutputFileExists, writeOutputFile } from '../../application/output-files';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { startSmtpCatcher } from '../../scripts/smtp-catcher';
import { simulationOutputFiles, writeSimulationOutputs } from '../../scripts/simulate/outputs';
import { runCliCaptured, type CliRun } from '../support/cli';
import { restoreSignIn } from '../support/people';
import { approvedUnmaskRequest } from '../support/unmask';
import { freshDatabase, type TestDatabase } from '../support/database';
import { DATA_KEY, DUE_MONTH, HOLDER, seedInjectedPortfolio, simulationResult } from './injected-portfolio';

/**
 * Output files: personal data is written owner-only (0600), and a file already there is replaced
 * only with --force; without it the command fails in one line naming the file, exit code 2, and
 * leaves the file as it was.
 */
let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  t = await freshDatabase();
  await seedInjectedPortfolio(t.db);
  dir = await mkdtemp(join(tmpdir(), 'renewals-output-files-'));
  vi.stubEnv('DATABASE_URL', t.url);
  vi.stubEnv('RENEWALS_DATA_KEY', DATA_KEY);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
  await t?.drop();
});

const modeOf = (file: string) => statSync(file).mode & 0o777;

/** A file already there, world-readable, with content that must survive a refused command. */
async function existing(name: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, 'keep me', { mode: 0o644 });
  return file;
}

/** Exit 2 and one error line (after the simulator's progress lines, if any); the file untouched. */
function expectRefused(run: CliRun, message: string, file: string): Promise<void> {
  expect(run.code).toBe(2);
  expect(run.out).toBe('');
  const lines = run.err.trimEnd().split('\n');
  expect(lines.filter((line) => line.startsWith('renewals:'))).toEqual([`renewals: ${message}`]);
  expect(lines.at(-1)).toBe(`renewals: ${message}`);
  return expect(readFile(file, 'utf8')).resolves.toBe('keep me');
}

describe('writeOutputFile', () => {
  it('writes personal data owner-only, and replaces a world-readable file with an owner-only one when forced', async () => {
    const fresh = join(dir, 'fresh.txt');
    await writeOutputFile(fresh, 'names', { personalData: true });
    expect(modeOf(fresh)).toBe(0o600);
    const old = await existing('old.txt');
    await writeOutputFile(old, 'names', { personalData: true, force: true });
    expect(await readFile(old, 'utf8')).toBe('names');
    expect(modeOf(old)).toBe(0o600);
  });

  it('refuses a file already there without force, keeps it, and leaves no partial file behind', async () => {
    const sub = await mkdtemp(join(dir, 'refuse-'));
    const file = join(sub, 'report.csv');
    await writeFile(file, 'keep me');
    const refused = writeOutputFile(file, 'new', { personalData: false });
    await expect(refused).rejects.toBeInstanceOf(OutputFileExists);
    await expect(refused).rejects.toMatchObject({ usage: true, message: `${file} already exists: give --force to replace it` });
    expect(await readFile(file, 'utf8')).toBe('keep me');
    expect(await readdir(sub)).toEqual(['report.csv']);
  });
});

describe('renewals report --out', () => {
  it.each(['daily', 'monthly', 'reinstatement', 'lapsed'] as const)('%s: refuses an existing file, replaces it with --force', async (kind) => {
    const args = {
      daily: ['report', 'daily', '--date', HOLDER.nextDueDate],
      monthly: ['report', 'monthly', '--month', DUE_MONTH],
      reinstatement: ['report', 'reinstatement', '--from', DUE_MONTH, '--to', DUE_MONTH],
      lapsed: ['report', 'lapsed'],
    }[kind];
    const file = await existing(`${kind}.csv`);
    await expectRefused(await runCliCaptured([...args, '--format', 'csv', '--out', file]), `--out ${file} already exists: give --force to replace it`, file);

    const forced = await runCliCaptured([...args, '--format', 'csv', '--out', file, '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(await readFile(file, 'utf8')).toMatch(/^\uFEFF/);
  });
});

describe('renewals audit export --out', () => {
  it('refuses an existing file with its message, replaces it with --force; masked and unmasked are owner-only', async () => {
    const file = await existing('audit.csv');
    const args = ['audit', 'export', '--policy', HOLDER.policyNo, '--out', file];
    await expectRefused(await runCliCaptured(args), `--out ${file} already exists: choose another name or remove it`, file);

    const forced = await runCliCaptured([...args, '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('customer_refused');
    expect(modeOf(file)).toBe(0o600);

    const unmasked = join(dir, 'audit-unmasked.json');
    const request = await approvedUnmaskRequest(t.db, [], 'complaint review');
    const run = await runCliCaptured(['audit', 'export', '--format', 'json', '--unmasked', '--request', request, '--out', unmasked]);
    restoreSignIn(); // the compliance officers step back: the default operator runs what follows
    expect(run.code, run.err).toBe(0);
    expect(modeOf(unmasked)).toBe(0o600);
  });
});

describe('renewals bank export --out', () => {
  it('refuses an existing file with its message; with --force writes the pain.008 owner-only (names and full account numbers)', async () => {
    const file = await existing('collect.xml');
    const args = ['bank', 'export', '--date', HOLDER.nextDueDate, '--out', file, '--json'];
    await expectRefused(await runCliCaptured(args), `--out ${file} already exists: choose a new file name`, file);

    const forced = await runCliCaptured([...args, '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(JSON.parse(forced.out)).toMatchObject({ file, transactions: 1 });
    const xml = await readFile(file, 'utf8');
    expect(xml).toContain(HOLDER.accountNo);
    expect(modeOf(file)).toBe(0o600);
    expect((await readdir(dir)).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });
});

describe('renewals simulate --out', () => {
  let scenario: string;

  beforeAll(async () => {
    scenario = await mkdtemp(join(dir, 'scenario-'));
    const due = `${new Date().getFullYear() + 1}-06-15`;
    await writeFile(join(scenario, 'policies.csv'), `policy_no,next_due_date\nS001,${due}\n`);
    await writeFile(join(scenario, 'agents.csv'), 'agent_code,name,mobile,team_code,branch_code,status,leader_code\n');
    await writeFile(join(scenario, 'accounts.csv'), 'bank_code,account_no,account_name,balance,status,daily_limit\n');
  });

  it.each([['audit.csv'], ['premiums.csv'], [join('emails', '00001.eml')]])('refuses a folder holding %s from an earlier run, before playing the month', async (name) => {
    const out = await mkdtemp(join(dir, 'simulation-'));
    await mkdir(join(out, 'emails'));
    const file = join(out, name);
    await writeFile(file, 'keep me');
    const run = await runCliCaptured(['simulate', scenario, '--out', out]);
    await expectRefused(run, `${file} already exists: give --force to replace the simulation's files`, file);
    expect(existsSync(join(out, 'simulation.json'))).toBe(false);
  });

  it('writeSimulationOutputs: refuses without force, replaces with it; the audit export is owner-only', async () => {
    const out = await mkdtemp(join(dir, 'simulation-'));
    const files = simulationOutputFiles(out, DUE_MONTH);
    await writeFile(files.premiumsCsv, 'keep me');
    await expect(writeSimulationOutputs(t.db, DUE_MONTH, '2027-03-31', files, simulationResult([]), false)).rejects.toBeInstanceOf(OutputFileExists);
    expect(await readFile(files.premiumsCsv, 'utf8')).toBe('keep me');

    await writeSimulationOutputs(t.db, DUE_MONTH, '2027-03-31', files, simulationResult([]), true);
    expect(await readFile(files.premiumsCsv, 'utf8')).toContain('policyNo');
    expect(modeOf(files.auditCsv)).toBe(0o600);
    expect(modeOf(files.auditJson)).toBe(0o600);
  });

  it('the emails (.eml) are owner-only', async () => {
    const emails = join(await mkdtemp(join(dir, 'mail-')), 'emails');
    const smtp = await startSmtpCatcher({ dir: emails });
    const email = new SmtpEmail(smtp.url, 'renewals@example.cn');
    try {
      await email.send({ contactId: 'c-1', to: HOLDER.holderEmail!, subject: '续期提醒', text: `${HOLDER.holderName} 您好`, html: '<p>您好</p>' });
    } finally {
      email.close();
      await smtp.close();
    }
    expect(await readdir(emails)).toEqual(['00001.eml']);
    const eml = join(emails, '00001.eml');
    expect(await readFile(eml, 'utf8')).toContain(HOLDER.holderEmail!);
    expect(modeOf(eml)).toBe(0o600);
  });
});
