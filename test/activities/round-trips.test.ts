import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactActivities, type ContactOutcome } from '../../activities/contact-activities';
import { createDebitActivities } from '../../activities/debit-activities';
import { PiiCipher } from '../../db/pii-cipher';
import { shanghaiInstant } from '../../domain/civil-date';
import type { DebitResult } from '../../domain/cycle-state';
import { SimulatedBank } from '../../integrations/bank/simulator';
import type { BankPort } from '../../integrations/bank/port';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { RecordingTextChannels } from '../../integrations/messaging/text-channels';
import { startSmtpCatcher, type SmtpCatcher } from '../../scripts/smtp-catcher';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';
import { countQueries } from '../support/query-count';

/**
 * Round trips per step (docs/architecture.md#hot-paths): a cycle's contact step on one channel and
 * its first debit are run against real PostgreSQL and every statement is counted. A change that
 * adds round trips to these paths must raise the budget here, on purpose.
 */
const BUDGET = { contactStep: 10, debitStep: 6, debitBankCalls: 1 };

let database: TestDatabase;
let smtp: SmtpCatcher;
let email: SmtpEmail;
const cipher = new PiiCipher('66'.repeat(32));
const text = new RecordingTextChannels();

beforeAll(async () => {
  database = await freshDatabase();
  smtp = await startSmtpCatcher();
  email = new SmtpEmail(smtp.url, 'renewals@insurer.example');
});

afterAll(async () => {
  email?.close();
  await smtp?.close();
  await database?.drop();
});

function activity(workflowId: string, activityId: string, at: number, attempt = 1) {
  return new MockActivityEnvironment({ activityId, attempt, currentAttemptScheduledTimestampMs: at, workflowExecution: { workflowId, runId: 'run-1' } });
}

/** A bank that counts the calls made to it. */
function countingBank(bank: SimulatedBank): BankPort & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    submitDebit: (instruction) => {
      calls.push('submit');
      return bank.submitDebit(instruction);
    },
    queryDebit: (key) => {
      calls.push('query');
      return bank.queryDebit(key);
    },
    classify: (code) => bank.classify(code),
  };
}

describe('round trips per step', () => {
  it(`a single-channel contact step: at most ${BUDGET.contactStep} statements`, async () => {
    const policy = samplePolicy({ policyNo: 'P-RT-0001', holderIdNo: '320102198001017001', nextDueDate: '2026-12-24' });
    await seedPolicy(database.db, cipher, policy);
    const contacts = createContactActivities({ db: database.db, cipher, email, text });
    const ref = { policyNo: policy.policyNo, dueDate: '2026-12-24' };
    const env = activity(`renewal-${ref.policyNo}-${ref.dueDate}`, '5', shanghaiInstant('2026-11-24', '10:00'));
    const { result, queries } = await countQueries(database.db, () =>
      env.run<[], ContactOutcome, () => Promise<ContactOutcome>>(() =>
        contacts.attemptContact(ref, { step: 'pre_due_reminder', template: 'pre_due_reminder', channels: ['sms'], allChannels: false }),
      ),
    );
    expect(result.sent).toEqual(['sms']);
    process.stderr.write(`[round trips] contact step: ${queries.length}\n${queries.map((q) => `  ${q.sql}`).join('\n')}\n`);
    expect(queries.length).toBeLessThanOrEqual(BUDGET.contactStep);
  });

  it(`a first debit that succeeds: at most ${BUDGET.debitStep} statements and ${BUDGET.debitBankCalls} bank calls`, async () => {
    const policy = samplePolicy({ policyNo: 'P-RT-0002', holderIdNo: '320102198001017002', accountNo: '6222020000000007002', nextDueDate: '2026-12-24' });
    await seedPolicy(database.db, cipher, policy);
    const simulated = new SimulatedBank([{ bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, status: 'active', balanceFen: policy.premiumFen * 2 }]);
    const bank = countingBank(simulated);
    const debits = createDebitActivities({ db: database.db, cipher, bank });
    const ref = { policyNo: policy.policyNo, dueDate: '2026-12-24' };
    const env = activity(`renewal-${ref.policyNo}-${ref.dueDate}`, '9', shanghaiInstant('2026-12-24', '10:00'));
    const { result, queries } = await countQueries(database.db, () =>
      env.run<[], DebitResult, () => Promise<DebitResult>>(() => debits.collectDebit(ref, 1, '2026-12-24')),
    );
    expect(result).toMatchObject({ status: 'succeeded' });
    expect(simulated.successfulDebits()).toHaveLength(1);
    process.stderr.write(`[round trips] debit step: ${queries.length}, bank calls ${bank.calls.join(',')}\n${queries.map((q) => `  ${q.sql}`).join('\n')}\n`);
    expect(queries.length).toBeLessThanOrEqual(BUDGET.debitStep);
    expect(bank.calls.length).toBeLessThanOrEqual(BUDGET.debitBankCalls);
  });
});
