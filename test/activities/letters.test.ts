import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createContactActivities, type ContactOutcome, type ContactRequest } from '../../activities/contact-activities';
import { batchChecksum, batchLetters, recordReturnedLetter, type BatchManifest } from '../../application/letter-batches';
import { readSettings } from '../../config/settings';
import { PiiCipher } from '../../db/pii-cipher';
import { letterName } from '../../db/repositories/letters';
import { shanghaiInstant } from '../../domain/civil-date';
import { LettersApart } from '../../integrations/letters/letters-apart';
import { PrintHouseLetters, type LetterStore } from '../../integrations/letters/print-house-letters';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { RecordingTextChannels } from '../../integrations/messaging/text-channels';
import { databaseLetterStore } from '../../workers/letter-wiring';
import type { Client } from '@temporalio/client';
import { applyEvent } from '../../scripts/simulate/apply-event';
import { parseEvents } from '../../scripts/simulate/events';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';
import { sendSampleLetter } from '../support/letters';

/**
 * Letters end to end against real PostgreSQL (docs/architecture.md#letters): the letter step renders
 * and stores one letter per contact even when its activity is retried; a batch writes the folder and
 * manifest and records the letters sent; a second batch takes only new letters; a returned letter
 * flags the address and the next letter there is suppressed.
 */
let database: TestDatabase;
let outbox: string;
const cipher = new PiiCipher('45'.repeat(32));
const settings = readSettings({ RENEWALS_ENV: 'demo' }).letters;
const ref = { policyNo: 'P-LTR-0001', dueDate: '2026-10-24' };
const address = '张三丰\n上海市黄浦区南京东路 100 号 1201 室\n200001';
let postalPointId: number;
let run = 0;
/** Throws once after storing, as a worker that dies before the activity records the send. */
let dieAfterStore = false;

function letterChannel(): PrintHouseLetters {
  const store = databaseLetterStore(database.db);
  const dying: LetterStore = {
    ...store,
    store: async (letter) => {
      const stored = await store.store(letter);
      if (dieAfterStore) {
        dieAfterStore = false;
        throw new Error('worker died after storing the letter');
      }
      return stored;
    },
  };
  return new PrintHouseLetters({ store: dying, font: { path: settings.fontPath, ...(settings.fontName ? { name: settings.fontName } : {}) }, sender: { name: settings.senderName, address: settings.senderAddress }, printHouse: 'PH-TEST' });
}

beforeAll(async () => {
  database = await freshDatabase();
  outbox = mkdtempSync(join(tmpdir(), 'letters-outbox-'));
  await seedPolicy(database.db, cipher, samplePolicy({ policyNo: ref.policyNo, holderIdNo: '320102198001016666', nextDueDate: ref.dueDate }));
  const { holder_customer_id: customerId } = await database.db('policies').where({ policy_no: ref.policyNo }).first<{ holder_customer_id: string }>('holder_customer_id');
  const [point] = await database.db('contact_points')
    .insert({ customer_id: customerId, type: 'postal', value_masked: '上海市黄浦区南京东路***', value_enc: cipher.encrypt(address), value_hash: cipher.hash(address), status: 'valid', source: 'test' })
    .returning<{ id: string }[]>('id');
  postalPointId = Number(point!.id);
});

afterAll(async () => {
  rmSync(outbox, { recursive: true, force: true });
  await database?.drop();
});

/** One letter step as its own workflow's activity (attempt n), at a Shanghai wall-clock time. */
async function sendLetter(step: string, at: string, options: { workflowId?: string; attempt?: number; policyNo?: string } = {}): Promise<ContactOutcome> {
  const letterRef = { ...ref, policyNo: options.policyNo ?? ref.policyNo };
  run += 1;
  const [date, time] = at.split(' ');
  const env = new MockActivityEnvironment({
    activityId: 'letter',
    attempt: options.attempt ?? 1,
    currentAttemptScheduledTimestampMs: shanghaiInstant(date!, time),
    workflowExecution: { workflowId: options.workflowId ?? `renewal-${letterRef.policyNo}-${step}`, runId: `run-${run}` },
  });
  const email = new SmtpEmail('smtp://127.0.0.1:1', 'renewals@insurer.example');
  const activities = createContactActivities({ db: database.db, cipher, email, text: new LettersApart(new RecordingTextChannels(), letterChannel()) });
  const request: ContactRequest = { step, template: 'lapse_letter', channels: ['letter'], allChannels: false, fields: { suspensionDate: '2026-12-24' } };
  try {
    return await env.run<[], ContactOutcome, () => Promise<ContactOutcome>>(() => activities.sendContact(letterRef, request));
  } finally {
    email.close();
  }
}

function readManifest(folder: string): BatchManifest {
  return JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as BatchManifest;
}

describe('letters', () => {
  it('a letter step renders and stores one letter, even when its activity dies after storing and is retried', async () => {
    dieAfterStore = true;
    await expect(sendLetter('lapse_letter', '2026-12-25 10:00', { workflowId: 'renewal-letter-retry' })).rejects.toThrow('worker died after storing the letter');
    const retried = await sendLetter('lapse_letter', '2026-12-25 10:01', { workflowId: 'renewal-letter-retry', attempt: 2 });
    expect(retried).toEqual({ sent: ['letter'], suppressed: [] });
    const letters = await database.db('letters').where({ policy_no: ref.policyNo });
    expect(letters).toHaveLength(1);
    const [letter] = letters as { id: string; contact_attempt_id: string; pages: number; sha256: string; pdf: Buffer; letter_date: string; contact_point_id: string }[];
    expect(letter!.letter_date).toBe('2026-12-25');
    expect(Number(letter!.contact_point_id)).toBe(postalPointId);
    expect(createHash('sha256').update(letter!.pdf).digest('hex')).toBe(letter!.sha256);
    const attempt = await database.db('contact_attempts').where({ id: letter!.contact_attempt_id }).first();
    expect(attempt).toMatchObject({ status: 'sent', provider: 'print-house', provider_message_id: letterName(letter!.id), recipient_masked: '上海市黄浦区南京东路***' });
    // The address is in the PDF, never in the audit trail.
    const audit = await database.db('audit_events').where({ kind: 'contact_sent', workflow_id: 'renewal-letter-retry' });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('南京东路 100 号');
  });

  it('a batch writes its folder whole with the manifest (count, pages, checksums) and records the letters sent; a second run that day takes only new letters', async () => {
    await sendLetter('lapse_letter_2', '2026-12-26 10:00');
    const first = await batchLetters(database.db, { outboxDir: outbox, printHouse: 'PH-TEST', date: '2026-12-26', actor: 'test:ops' });
    expect(first.manifest).toMatchObject({ batchId: 'PH-TEST-20261226-01', printHouse: 'PH-TEST', date: '2026-12-26', count: 2 });
    const folder = first.folder!;
    expect(readdirSync(outbox)).toEqual(['PH-TEST-20261226-01']); // no staging folder left behind
    const manifest = readManifest(folder);
    expect(manifest).toEqual(first.manifest);
    const stored = await database.db('letters').orderBy('id').select<{ id: string; pages: number; sha256: string; contact_attempt_id: string }[]>('id', 'pages', 'sha256', 'contact_attempt_id');
    expect(manifest.totalPages).toBe(stored.reduce((sum, l) => sum + l.pages, 0));
    expect(manifest.files.map((f) => f.file)).toEqual(stored.map((l) => `${letterName(l.id)}.pdf`));
    for (const file of manifest.files) expect(createHash('sha256').update(readFileSync(join(folder, file.file))).digest('hex')).toBe(file.sha256);
    expect(manifest.sha256).toBe(batchChecksum(manifest.files));
    expect(readdirSync(folder).sort()).toEqual([...manifest.files.map((f) => f.file), 'manifest.json'].sort());
    // Named by letter ID only: nothing personal in the folder's names or the manifest.
    expect(JSON.stringify(manifest)).not.toMatch(/张三丰|南京东路|P-LTR-0001/);

    const handed = await database.db('letters').whereNull('handed_over_at');
    expect(handed).toEqual([]);
    const attempts = await database.db('contact_attempts').whereIn('id', stored.map((l) => l.contact_attempt_id)).pluck('status');
    expect(attempts).toEqual(['delivered', 'delivered']);
    const audit = await database.db('audit_events').where({ kind: 'letter_batch_handed_over' });
    expect(audit).toEqual([expect.objectContaining({ actor: 'test:ops' })]);
    expect(audit[0].detail).toMatchObject({ batchId: 'PH-TEST-20261226-01', letters: 2, pages: manifest.totalPages, sha256: manifest.sha256 });

    // Nothing new: no batch. A new letter: the day's second batch, with that letter only.
    expect(await batchLetters(database.db, { outboxDir: outbox, printHouse: 'PH-TEST', date: '2026-12-26', actor: 'test:ops' })).toEqual({});
    await sendLetter('lapse_letter_3', '2026-12-26 15:00');
    const second = await batchLetters(database.db, { outboxDir: outbox, printHouse: 'PH-TEST', date: '2026-12-26', actor: 'test:ops' });
    expect(second.manifest).toMatchObject({ batchId: 'PH-TEST-20261226-02', count: 1 });
    expect(second.manifest!.files.map((f) => f.file)).not.toContain(manifest.files[0]!.file);
    // Another print house has nothing waiting.
    expect(await batchLetters(database.db, { outboxDir: outbox, printHouse: 'PH-OTHER', date: '2026-12-26', actor: 'test:ops' })).toEqual({});
  });

  it('a returned letter is audited, fails its contact, flags the postal address, and the next letter there is suppressed', async () => {
    const letter = await database.db('letters').orderBy('id').first<{ id: string; contact_attempt_id: string }>('id', 'contact_attempt_id');
    await expect(recordReturnedLetter(database.db, letterName(letter.id), 'lost_in_space', 'test:ops')).rejects.toThrow(/--reason must be one of/);
    await expect(recordReturnedLetter(database.db, 'LTR99999999', 'moved', 'test:ops')).rejects.toThrow('letter LTR99999999 is not on file');

    const returned = await recordReturnedLetter(database.db, letterName(letter.id), 'moved', 'test:ops');
    expect(returned).toMatchObject({ letterId: letterName(letter.id), policyNo: ref.policyNo, recorded: true, pointInvalidated: true });
    expect(await database.db('letters').where({ id: letter.id }).first()).toMatchObject({ return_reason: 'moved' });
    expect(await database.db('contact_points').where({ id: postalPointId }).first()).toMatchObject({ status: 'invalid', flags: { letter_returned: `${letterName(letter.id)}:moved` } });
    expect(await database.db('contact_attempts').where({ id: letter.contact_attempt_id }).first()).toMatchObject({ status: 'failed', provider_code: 'RETURNED:moved' });
    const audit = await database.db('audit_events').where({ kind: 'letter_returned' });
    expect(audit).toEqual([expect.objectContaining({ policy_no: ref.policyNo, actor: 'test:ops' })]);
    expect(JSON.stringify(audit)).not.toContain('南京东路 100 号');
    // Recorded once.
    expect((await recordReturnedLetter(database.db, letterName(letter.id), 'moved', 'test:ops')).recorded).toBe(false);

    const before = await database.db('letters').count<{ count: string }[]>({ count: '*' });
    const next = await sendLetter('lapse_letter_4', '2026-12-28 10:00');
    expect(next).toEqual({ sent: [], suppressed: [{ channel: 'letter', rule: 'returned_address' }] });
    expect(await database.db('letters').count<{ count: string }[]>({ count: '*' })).toEqual(before);
  });

  it('renewals letters batch and returned, as the operations lead runs them; a holder without a postal address on file', async () => {
    await seedPolicy(database.db, cipher, samplePolicy({ policyNo: 'P-LTR-0002', holderIdNo: '320102198001017777', nextDueDate: ref.dueDate }));
    expect(await sendLetter('lapse_letter', '2026-12-29 10:00', { policyNo: 'P-LTR-0002' })).toEqual({ sent: ['letter'], suppressed: [] });
    vi.stubEnv('DATABASE_URL', database.url);
    vi.stubEnv('LETTERS_OUTBOX_DIR', outbox);
    vi.stubEnv('PRINT_HOUSE_CODE', 'PH-TEST');
    try {
      const batch = await runCliCaptured(['letters', 'batch', '--date', '2026-12-29', '--json']);
      expect(batch.err).toBe('');
      expect(batch.code).toBe(0);
      const manifest = JSON.parse(batch.out) as BatchManifest & { folder: string };
      expect(manifest).toMatchObject({ batchId: 'PH-TEST-20261229-01', count: 1, folder: join(outbox, 'PH-TEST-20261229-01') });
      const again = await runCliCaptured(['letters', 'batch', '--date', '2026-12-29']);
      expect(again.out).toBe('no letters waiting for print house PH-TEST: no batch written\n');
      expect((await runCliCaptured(['letters', 'batch', '--date', '29/12/2026'])).code).toBe(2);

      const letterId = manifest.files[0]!.letterId;
      const wrong = await runCliCaptured(['letters', 'returned', letterId, '--reason', 'gone']);
      expect(wrong.code).toBe(2);
      expect(wrong.err).toContain('--reason must be one of unknown_address, moved');
      const returned = await runCliCaptured(['letters', 'returned', letterId, '--reason', 'unknown_address']);
      expect(returned.code).toBe(0);
      expect(returned.out).toBe(`letter ${letterId} (P-LTR-0002) recorded returned (unknown_address); it went to no postal address on file: nothing to flag\n`);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('the simulator\'s letter_returned: the policy\'s latest letter is handed over if need be, then returned and its address flagged', async () => {
    const parsed = parseEvents(Buffer.from('date,policy_no,event,value\n2026-12-30,P-LTR-0003,letter_returned,moved\n2026-12-30,P-LTR-0003,letter_returned,\n2026-12-30,P-LTR-0003,letter_returned,lost\n'));
    expect(parsed.events.map((e) => (e.kind === 'letter_returned' ? e.reason : e.kind))).toEqual(['moved', 'unknown_address']);
    expect(parsed.errors).toEqual([expect.objectContaining({ row: 4, column: 'value', reason: expect.stringContaining('a returned letter takes why it came back') })]);

    await seedPolicy(database.db, cipher, samplePolicy({ policyNo: 'P-LTR-0003', holderIdNo: '320102198001018888', nextDueDate: ref.dueDate }));
    const { holder_customer_id: customerId } = await database.db('policies').where({ policy_no: 'P-LTR-0003' }).first<{ holder_customer_id: string }>('holder_customer_id');
    const [point] = await database.db('contact_points')
      .insert({ customer_id: customerId, type: 'postal', value_masked: '南京市***', value_enc: cipher.encrypt('南京市鼓楼区 1 号'), value_hash: cipher.hash('南京市鼓楼区 1 号'), status: 'valid', source: 'test' })
      .returning<{ id: string }[]>('id');
    expect(await sendLetter('lapse_letter', '2026-12-30 07:00', { policyNo: 'P-LTR-0003' })).toEqual({ sent: ['letter'], suppressed: [] });

    const noCycle = { workflow: { getHandle: () => ({}) } } as unknown as Client;
    const world = { db: database.db, cipher, bank: undefined as never, client: noCycle, accounts: new Map(), dueDates: new Map([['P-LTR-0003', ref.dueDate]]), lettersOutbox: outbox };
    const applied = await applyEvent(world, parsed.events[0]!);
    expect(applied).toMatchObject({ applied: true, note: expect.stringMatching(/^letter LTR\d{8} returned \(moved\): postal address flagged$/) });
    const letter = await database.db('letters').where({ policy_no: 'P-LTR-0003' }).first();
    expect(letter).toMatchObject({ return_reason: 'moved', batch_id: 'PH-TEST-20261230-01' });
    expect(await database.db('contact_points').where({ id: point!.id }).first()).toMatchObject({ status: 'invalid' });
    expect(await applyEvent(world, parsed.events[1]!)).toMatchObject({ applied: false, note: expect.stringContaining('already recorded returned') });
  });

  it('a run that died after putting its folder in place and before its commit: the next run records that folder as it stands, never a second batch of its letters', async () => {
    const house = 'PH-CRASH';
    await seedPolicy(database.db, cipher, samplePolicy({ policyNo: 'P-LTR-0004', holderIdNo: '320102198001019999', nextDueDate: ref.dueDate }));
    const letter = (step: string) => sendSampleLetter(database.db, cipher, { policyNo: 'P-LTR-0004', dueDate: ref.dueDate, step, at: '2026-12-31 09:00', printHouse: house });
    await letter('lapse_letter');
    await letter('lapse_letter_2');
    const options = { outboxDir: outbox, printHouse: house, date: '2026-12-31', actor: 'test:ops' };
    /** The batch's transaction as a savepoint of one rolled back: its folder renamed into place, nothing recorded, as after a crash before the commit. */
    const dieBeforeCommit = () =>
      database.db
        .transaction(async (outer) => {
          await batchLetters(outer, options);
          throw new Error('the worker died before the commit');
        })
        .catch((error: unknown) => expect(String(error)).toContain('died before the commit'));

    await dieBeforeCommit();
    const orphan = join(outbox, 'PH-CRASH-20261231-01');
    const left = readManifest(orphan);
    expect(left.count).toBe(2);
    expect(await database.db('letters').where({ print_house: house }).whereNotNull('batch_id')).toEqual([]);

    // A letter came meanwhile: the run records the folder left in place, then batches only the new letter.
    await letter('lapse_letter_3');
    const retry = await batchLetters(database.db, options);
    expect(retry.recovered).toEqual([left]);
    expect(retry.manifest).toMatchObject({ batchId: 'PH-CRASH-20261231-02', count: 1 });
    expect(retry.manifest!.files.map((f) => f.letterId)).not.toContain(left.files[0]!.letterId);
    expect(readManifest(orphan)).toEqual(left); // the folder as it stood, not rewritten
    const recorded = await database.db('letters').where({ print_house: house }).orderBy('id').pluck('batch_id');
    expect(recorded).toEqual(['PH-CRASH-20261231-01', 'PH-CRASH-20261231-01', 'PH-CRASH-20261231-02']);
    const attempts = await database.db('contact_attempts').join('letters', 'letters.contact_attempt_id', 'contact_attempts.id').where('letters.print_house', house).pluck('contact_attempts.status');
    expect(attempts).toEqual(['delivered', 'delivered', 'delivered']);
    const audit = await database.db('audit_events').where({ kind: 'letter_batch_handed_over' }).whereRaw(`detail ->> 'printHouse' = ?`, [house]).orderByRaw(`detail ->> 'batchId'`);
    expect(audit.map((a: { detail: Record<string, unknown> }) => [a.detail.batchId, a.detail.recovered ?? false])).toEqual([['PH-CRASH-20261231-01', true], ['PH-CRASH-20261231-02', false]]);
    expect(await batchLetters(database.db, options)).toEqual({});

    // A folder left in place that no longer matches its letters is not recorded: the run stops and names it.
    await letter('lapse_letter_4');
    await dieBeforeCommit();
    const tampered = join(outbox, 'PH-CRASH-20261231-03');
    writeFileSync(join(tampered, readManifest(tampered).files[0]!.file), 'not the letter');
    await expect(batchLetters(database.db, options)).rejects.toThrow(`${tampered} is in the outbox but no batch PH-CRASH-20261231-03 is recorded, and it cannot be recorded as it stands (${readManifest(tampered).files[0]!.file} is missing or differs from the stored letter): look at it, move it aside and run again`);
    expect(await database.db('letters').where({ print_house: house }).whereNull('batch_id').pluck('id')).toHaveLength(1);
    // Moved aside, the next run writes the batch afresh.
    rmSync(tampered, { recursive: true });
    expect((await batchLetters(database.db, options)).manifest).toMatchObject({ batchId: 'PH-CRASH-20261231-03', count: 1 });
  });
});
