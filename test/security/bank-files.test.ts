import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_CREDITOR } from '../../config/settings';
import { addDays } from '../../domain/civil-date';
import { fileMac, writeCamt054, type DebitNotificationEntry } from '../../integrations/bank/iso20022';
import { BankCore } from '../../integrations/bank/simulator/core';
import { SimulatedFileDesk } from '../../integrations/bank/simulator/file-desk';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { DATA_KEY, rejections, seedAcceptedDebit, standing } from './bank-attempts';

/**
 * Issue 14: a camt.054 was applied without comparing its account with ours, its amounts with the
 * attempts, or its transactions with a file we sent, and no file was authenticated. Now a file is
 * read only once its MAC is the bank's, and applied only when every transaction is a debit of a
 * file we sent, as sent, on our account: otherwise `renewals bank ingest` refuses it whole (exit 1,
 * the reason named), records why, and leaves every attempt as it was.
 */
let env: TestWorkflowEnvironment;
let database: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'renewals-bank-files-security-'));
const desk = new SimulatedFileDesk(new BankCore());
const DAY = '2026-12-24';
let inFile: Awaited<ReturnType<typeof seedAcceptedDebit>>[];
let notSent: Awaited<ReturnType<typeof seedAcceptedDebit>>;
let pain008: string;

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  database = await freshDatabase();
  vi.stubEnv('DATABASE_URL', database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('RENEWALS_DATA_KEY', DATA_KEY);
  const policy = (n: string, nextDueDate: string) => ({ policyNo: `P-FSEC-${n}`, holderIdNo: `31010119800106${n}`, holderMobile: `1391235${n}`, accountNo: `62220200002${n}8888`, nextDueDate, premiumFen: 310_000 });
  inFile = [await seedAcceptedDebit(database.db, policy('0001', DAY), () => `pain.008:${DAY}`), await seedAcceptedDebit(database.db, policy('0002', DAY), () => `pain.008:${DAY}`)];
  // Accepted, but its collection date is later: no file carries it yet.
  notSent = await seedAcceptedDebit(database.db, policy('0003', addDays(DAY, 10)), () => `pain.008:${addDays(DAY, 10)}`);
  const out = join(dir, 'collect.xml');
  expect((await runCliCaptured(['bank', 'export', '--date', DAY, '--out', out])).code).toBe(0);
  pain008 = readFileSync(out, 'utf8');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await database?.drop();
  await env?.teardown();
});

let files = 0;
/** Writes a file as the bank would deliver it (with its MAC, or none, or one made with another key) and ingests it. */
async function ingest(xml: string, mac: 'bank' | 'none' | 'another key' = 'bank') {
  files += 1;
  const file = join(dir, `in-${files}.xml`);
  writeFileSync(file, xml);
  if (mac === 'bank') writeFileSync(`${file}.mac`, desk.macOf(xml));
  if (mac === 'another key') writeFileSync(`${file}.mac`, fileMac(xml, 'a-key-the-bank-never-had'));
  return { file, ...(await runCliCaptured(['bank', 'ingest', file, '--json'])) };
}

let notifications = 0;
/** A camt.054 booking collections on an account, as the bank writes one. */
function notification(entries: Partial<DebitNotificationEntry>[], options: { accountNo?: string; messageId?: string } = {}): string {
  notifications += 1;
  return writeCamt054({
    messageId: options.messageId ?? `SIMBANK-NTF-SEC-${notifications}`,
    createdAt: `${DAY}T18:00:00+08:00`,
    accountNo: options.accountNo ?? DEMO_CREDITOR.accountNo,
    entries: entries.map((entry, index) => ({ endToEndId: '', amountFen: 310_000, bookingDate: DAY, kind: 'booked', bankRef: `BK-${notifications}-${index}`, ...entry })),
  });
}

const untouched = async () => {
  for (const { attempt } of [...inFile, notSent]) expect(await standing(database.db, attempt.id)).toEqual({ attempt: 'accepted', premium: 'due', payments: 0 });
};

describe('bank files renewals bank ingest refuses', () => {
  it('a camt.054 without a MAC, or with one made with another key: not authenticated', async () => {
    const xml = notification([{ endToEndId: inFile[0]!.attempt.idempotency_key }]);
    const unsigned = await ingest(xml, 'none');
    expect(unsigned).toMatchObject({ code: 1, out: '' });
    expect(unsigned.err).toBe(`renewals: in-${files}.xml rejected, not authenticated as the bank’s: no MAC came with it (in-${files}.xml.mac)\n`);
    const forged = await ingest(xml, 'another key');
    expect(forged.code).toBe(1);
    expect(forged.err).toMatch(/rejected, not authenticated as the bank’s: its MAC does not match: not from the bank, or changed since\n$/);
    await untouched();
    expect((await rejections(database.db)).slice(-2).map((r) => [r.actor, r.detail.reason])).toEqual([
      ['bank-file', 'authentication'],
      ['bank-file', 'authentication'],
    ]);
  });

  it.each([
    ['for another amount', () => notification([{ endToEndId: inFile[0]!.attempt.idempotency_key }, { endToEndId: inFile[1]!.attempt.idempotency_key, amountFen: 310_001 }]), /entry 2 \(RNW[0-9A-Z]{26}\): amount 3100.01 is not the 3100.00 debited/],
    ['on another account', () => notification([{ endToEndId: inFile[0]!.attempt.idempotency_key }], { accountNo: '6222020000000009999' }), /Ntfctn\/Acct is not our collection account/],
    ['about a debit no file of ours carried', () => notification([{ endToEndId: inFile[0]!.attempt.idempotency_key }, { endToEndId: notSent.attempt.idempotency_key }]), /entry 2: not a debit of ours/],
    ['about a key someone guessed', () => notification([{ endToEndId: 'RNW1A1' }]), /entry 1: not a debit of ours/],
  ])('a signed camt.054 %s: whole, with the reason, and none of its entries applied', async (_what, xml, reason) => {
    const result = await ingest(xml());
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/rejected, not about debits we made as it says: /);
    expect(result.err).toMatch(reason);
    for (const personal of ['6222020000000009999', inFile[0]!.policy.accountNo, inFile[0]!.policy.holderName]) expect(result.err).not.toContain(personal);
    await untouched();
    const [last] = (await rejections(database.db)).slice(-1);
    expect(last).toMatchObject({ actor: 'camt.054.001.02', detail: { reason: 'mismatch' } });
    expect(last!.detail.problems.join('; ')).toMatch(reason);
  });

  it('a signed pain.002 answering a file we never sent', async () => {
    const messageId = /<MsgId>([^<]+)<\/MsgId>/.exec(pain008)![1]!;
    const report = desk.answerPain008(pain008.replaceAll(messageId, 'RNW20261224TNOTOURS'), new Date(`${DAY}T18:00:00+08:00`));
    const result = await ingest(report);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^renewals: pain.002.001.03 rejected: status report SIMBANK-STS-[0-9A-F]{8}-\d{6} answers RNW20261224TNOTOURS, which we never sent\n$/);
    await untouched();
    expect((await rejections(database.db)).at(-1)).toMatchObject({ actor: 'pain.002.001.03', detail: { reason: 'mismatch' } });
  });

  it('a file id received before with other bytes; the same bytes again are a harmless duplicate', async () => {
    const [first] = inFile;
    const genuine = notification([{ endToEndId: first!.attempt.idempotency_key }], { messageId: 'SIMBANK-NTF-REPLAY-1' });
    const applied = await ingest(genuine);
    expect(applied).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(applied.out)).toMatchObject({ duplicate: false, applied: [expect.objectContaining({ idempotencyKey: first!.attempt.idempotency_key, outcome: 'succeeded' })] });
    const paid = await standing(database.db, first!.attempt.id);
    expect(paid).toEqual({ attempt: 'succeeded', premium: 'paid', payments: 1 });

    // The same message id, now booking the other debit too: not the file the bank sent under that id.
    const replayed = await ingest(notification([{ endToEndId: first!.attempt.idempotency_key }, { endToEndId: inFile[1]!.attempt.idempotency_key }], { messageId: 'SIMBANK-NTF-REPLAY-1' }));
    expect(replayed.code).toBe(1);
    expect(replayed.err).toMatch(/rejected, its message id came before with other content: message id SIMBANK-NTF-REPLAY-1 was received before with other content\n$/);
    expect(await standing(database.db, inFile[1]!.attempt.id)).toEqual({ attempt: 'accepted', premium: 'due', payments: 0 });
    expect((await rejections(database.db)).at(-1)).toMatchObject({ actor: 'camt.054.001.02', detail: { reason: 'replayed_file' } });

    const again = await ingest(genuine);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ duplicate: true, applied: [expect.objectContaining({ appliedAs: 'duplicate' })] });
    expect(await standing(database.db, first!.attempt.id)).toEqual(paid);
  });
});
