import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { shanghaiInstant } from '../../domain/civil-date';
import { FileBatchBank } from '../../integrations/bank/file-bank';
import { validateIso20022 } from '../../integrations/bank/iso20022';
import { BankCore } from '../../integrations/bank/simulator/core';
import { SimulatedFileDesk } from '../../integrations/bank/simulator/file-desk';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { runCliCaptured } from '../support/cli';
import { attemptsOf, dueIn, seedFundedPolicy, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * The file bank end to end through the CLI operations use: the day's pain.008 exported, answered
 * by the simulated bank's file desk with a pain.002, ingested; a late return by camt.054.
 */
const taskQueue = 'bank-files-cli';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
const dir = mkdtempSync(join(tmpdir(), 'renewals-bank-files-'));

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue, { bank: new FileBatchBank(), debitTiming: { settleWithinMs: 0, pollEveryMs: 0 } });
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('RENEWALS_DATA_KEY', '22'.repeat(32)); // the rig's cipher key
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.close();
  await env?.teardown();
});

const cli = (...args: string[]) => runCliCaptured(args);

describe('ISO 20022 files through the renewals CLI', () => {
  it('export pain.008 → bank answers pain.002 → ingest settles the cycles; a camt.054 return reopens one', async () => {
    const { dueDate, debits } = await dueIn(env, 3);
    const funded = await seedFundedPolicy(rig, { policyNo: 'P-FILE-1001', holderIdNo: '310101198001031001', nextDueDate: dueDate, premiumFen: 310_000 });
    const short = await seedFundedPolicy(rig, { policyNo: 'P-FILE-1002', holderIdNo: '310101198001031002', nextDueDate: dueDate, premiumFen: 420_000, accountNo: '6222020000000001002' });
    const core = new BankCore({
      accounts: [
        { bankCode: funded.bankCode, accountNo: funded.accountNo, accountName: funded.accountName, balanceFen: 1_000_000, status: 'active' },
        { bankCode: short.bankCode, accountNo: short.accountNo, accountName: short.accountName, balanceFen: 100, status: 'active' },
      ],
    });
    const desk = new SimulatedFileDesk(core);
    const collectionDate = debits[0]!.collectionDate;

    await rig.withWorker(async () => {
      const handles = [];
      for (const p of [funded, short]) handles.push((await startRenewalCycle(env.client, { policyNo: p.policyNo, dueDate }, taskQueue)).handle);
      const wait = shanghaiInstant(collectionDate, '11:30') - (await env.currentTimeMs());
      await env.sleep(wait);

      const pain008 = join(dir, 'collect.xml');
      const exported = await cli('bank', 'export', '--date', collectionDate, '--out', pain008, '--json');
      expect(exported.code).toBe(0);
      expect(JSON.parse(exported.out)).toMatchObject({ collectionDate, transactions: 2, controlSum: '7300.00' });
      const xml = readFileSync(pain008, 'utf8');
      expect(await validateIso20022(xml, 'pain.008.001.02')).toEqual([]);
      // Both debits are now in a file: a second export has nothing to send.
      const again = await cli('bank', 'export', '--date', collectionDate, '--out', join(dir, 'collect-2.xml'), '--json');
      expect(JSON.parse(again.out)).toMatchObject({ transactions: 0 });

      // The bank books the file and answers, each file with its MAC. An answer whose totals do not add
      // up (signed all the same: the bank got it wrong) is refused whole first.
      const pain002 = desk.answerPain008(xml, new Date(await env.currentTimeMs()));
      const tampered = join(dir, 'status-tampered.xml');
      const wrong = pain002.replace(/<OrgnlCtrlSum>7300.00<\/OrgnlCtrlSum>/, '<OrgnlCtrlSum>7200.00</OrgnlCtrlSum>');
      writeFileSync(tampered, wrong);
      writeFileSync(`${tampered}.mac`, desk.macOf(wrong));
      const refused = await cli('bank', 'ingest', tampered);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/^renewals: pain.002.001.03 rejected: .*OrgnlCtrlSum 7200.00 does not match the sum of transactions 7300.00\n$/);
      expect(await rig.database.db('premium_dues').where({ status: 'paid' })).toHaveLength(0);

      const statusFile = join(dir, 'status.xml');
      writeFileSync(statusFile, pain002);
      writeFileSync(`${statusFile}.mac`, desk.macOf(pain002));
      const ingested = await cli('bank', 'ingest', statusFile, '--json');
      expect(ingested.code).toBe(0);
      const result = JSON.parse(ingested.out);
      expect(result).toMatchObject({ messageType: 'pain.002.001.03', duplicate: false, stillOpen: 0 });
      expect(result.applied).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ policyNo: funded.policyNo, outcome: 'succeeded', appliedAs: 'applied' }),
          expect.objectContaining({ policyNo: short.policyNo, outcome: 'failed', appliedAs: 'applied' }),
        ]),
      );
      // The same report again: recorded as seen, nothing changes.
      const repeated = JSON.parse((await cli('bank', 'ingest', statusFile, '--json')).out);
      expect(repeated.duplicate).toBe(true);
      expect((repeated.applied as { appliedAs: string }[]).map((a) => a.appliedAs)).toEqual(['duplicate', 'duplicate']);

      expect(await handles[0]!.query(statusQuery)).toMatchObject({ stage: 'PAID' });
      const listed = JSON.parse((await cli('debits', 'list', short.policyNo, '--json')).out);
      expect(listed).toEqual([expect.objectContaining({ attempt_no: 1, status: 'failed', reason: 'INSUFFICIENT_FUNDS', raw_code: 'AM04', file_message_id: expect.stringMatching(/^RNW/) })]);

      // Weeks later the funded debit comes back: a camt.054 return reopens that premium.
      const paidKey = (result.applied as { policyNo: string; idempotencyKey: string }[]).find((a) => a.policyNo === funded.policyNo)!.idempotencyKey;
      core.returnDebit(paidKey, 'MD06', collectionDate);
      const camt = desk.returnsNotification('110060149018000000001', new Date(await env.currentTimeMs()));
      const camtFile = join(dir, 'returns.xml');
      writeFileSync(camtFile, camt!);
      writeFileSync(`${camtFile}.mac`, desk.macOf(camt!));
      const returned = JSON.parse((await cli('bank', 'ingest', camtFile, '--json')).out);
      expect(returned).toMatchObject({ messageType: 'camt.054.001.02', applied: [expect.objectContaining({ policyNo: funded.policyNo, outcome: 'returned', appliedAs: 'applied' })] });
      expect(await rig.database.db('premium_dues').where({ policy_no: funded.policyNo }).first()).toMatchObject({ status: 'due' });
      await env.sleep(60_000);
      expect(await handles[0]!.query(statusQuery)).toMatchObject({ stage: expect.stringMatching(/DEBITING|IN_GRACE/) });

      for (const handle of handles) await handle.terminate('test done');
    });
  });

  it('a hold placed while the debit waits for the day\'s file takes it back; on release it goes in a later file and pays', async () => {
    const { dueDate, debits } = await dueIn(env, 3);
    const held = await seedFundedPolicy(rig, { policyNo: 'P-FILE-1003', holderIdNo: '310101198001031003', nextDueDate: dueDate, premiumFen: 250_000, accountNo: '6222020000000001003' });
    const core = new BankCore({ accounts: [{ bankCode: held.bankCode, accountNo: held.accountNo, accountName: held.accountName, balanceFen: 1_000_000, status: 'active' }] });
    const desk = new SimulatedFileDesk(core);
    const collectionDate = debits[0]!.collectionDate;
    const until = async <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
      const deadline = Date.now() + 15_000;
      for (let value = await read(); ; value = await read()) {
        if (done(value)) return value;
        if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const attempts = () => attemptsOf(rig, held.policyNo).then((rows) => rows.map((a) => `${a.attempt_no}:${a.status as string}`));

    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: held.policyNo, dueDate }, taskQueue);
      await env.sleep(shanghaiInstant(collectionDate, '11:30') - (await env.currentTimeMs()));
      expect(await attempts()).toEqual(['1:accepted']); // in the day's batch, not yet exported

      expect((await cli('hold', held.policyNo, '--kind', 'claim')).code).toBe(0);
      expect(await until('attempt 1 withdrawn', attempts, (a) => a[0] === '1:withdrawn')).toEqual(['1:withdrawn']);
      const audited = await rig.database.db('audit_events').where({ policy_no: held.policyNo, kind: 'debit_withdrawn' });
      expect(audited.map((e) => e.detail.attemptNo)).toEqual([1]);
      const empty = await cli('bank', 'export', '--date', collectionDate, '--out', join(dir, 'held.xml'), '--json');
      expect(JSON.parse(empty.out)).toMatchObject({ transactions: 0 });

      // Two days on, the claim is settled: the owed attempt is made at once, for the next file.
      await env.sleep(2 * 86_400_000);
      expect((await cli('release', held.policyNo, '--kind', 'claim')).code).toBe(0);
      await until('attempt 2 queued', attempts, (a) => a.length === 2);
      const [, second] = await attemptsOf(rig, held.policyNo);
      expect(second).toMatchObject({ attempt_no: 2, status: 'accepted' });
      const secondDate = second.collection_date as string;
      const pain008 = join(dir, 'after-release.xml');
      const exported = JSON.parse((await cli('bank', 'export', '--date', secondDate, '--out', pain008, '--json')).out);
      expect(exported).toMatchObject({ transactions: 1, controlSum: '2500.00' });
      const statusFile = join(dir, 'after-release-status.xml');
      const answer = desk.answerPain008(readFileSync(pain008, 'utf8'), new Date(await env.currentTimeMs()));
      writeFileSync(statusFile, answer);
      writeFileSync(`${statusFile}.mac`, desk.macOf(answer));
      expect((await cli('bank', 'ingest', statusFile)).code).toBe(0);
      await until('cycle paid', () => handle.query(statusQuery).then((s) => s.stage), (stage) => stage === 'PAID');
      expect(core.account(held.bankCode, held.accountNo)?.balanceFen).toBe(750_000); // debited once

      const history = await cli('policy', 'history', held.policyNo, '--due', dueDate);
      expect(history.out).toMatch(/debit attempt 1 withdrawn from the bank file \(collection held\)/);
      await handle.terminate('test done');
    });
  });

  it('errors are one line naming the problem', async () => {
    expect((await cli('debits', 'list', 'P-NOPE')).err).toBe('renewals: no policy P-NOPE\n');
    expect((await cli('bank', 'export', '--date', '2026-13-01', '--out', join(dir, 'x.xml'))).err).toBe('renewals: --date must be YYYY-MM-DD, got "2026-13-01"\n');
    const missing = await cli('bank', 'ingest', join(dir, 'missing.xml'));
    expect(missing).toMatchObject({ code: 2, err: `renewals: cannot read ${join(dir, 'missing.xml')}: ENOENT\n` });
    const notIso = join(dir, 'not-iso.xml');
    writeFileSync(notIso, '<Document xmlns="urn:example"/>');
    writeFileSync(`${notIso}.mac`, new SimulatedFileDesk(new BankCore()).macOf('<Document xmlns="urn:example"/>')); // from the bank, all the same
    expect((await cli('bank', 'ingest', notIso)).err).toMatch(/^renewals: not-iso.xml is neither a pain.002.001.03 status report nor a camt.054.001.02 notification/);
  });
});
