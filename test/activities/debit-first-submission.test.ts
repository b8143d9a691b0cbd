import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDebitActivities } from '../../activities/debit-activities';
import { PiiCipher } from '../../db/pii-cipher';
import { shanghaiInstant } from '../../domain/civil-date';
import type { DebitResult } from '../../domain/cycle-state';
import { SimulatedBank } from '../../integrations/bank/simulator';
import type { BankPort, DebitInstruction } from '../../integrations/bank/port';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * The bank is asked about a debit's key before it is sent, so a retried activity never debits
 * twice; the question is skipped only when this very try made the key (its attempt row is new), as
 * nobody can have sent a key that did not exist (docs/architecture.md#hot-paths). Each case runs
 * collectDebit against PostgreSQL and the simulated bank, and reads the bank's ledger.
 */
let database: TestDatabase;
const cipher = new PiiCipher('88'.repeat(32));
let policies = 0;

beforeAll(async () => {
  database = await freshDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/** The simulated bank, its calls counted; `beforeBooking` / `afterBooking` make the next submit fail as a dropped connection would. */
function bankOf(simulated: SimulatedBank) {
  const calls: string[] = [];
  const faults = { beforeBooking: 0, afterBooking: 0 };
  const bank: BankPort = {
    submitDebit: async (instruction: DebitInstruction) => {
      calls.push('submit');
      if (faults.beforeBooking > 0) {
        faults.beforeBooking -= 1;
        throw new Error('connection reset before the bank read the request');
      }
      const answer = await simulated.submitDebit(instruction);
      if (faults.afterBooking > 0) {
        faults.afterBooking -= 1;
        throw new Error('connection reset after the bank booked the debit');
      }
      return answer;
    },
    queryDebit: (key) => {
      calls.push('query');
      return simulated.queryDebit(key);
    },
    classify: (code) => simulated.classify(code),
  };
  return { bank, calls, faults };
}

async function cycleWithAccount() {
  policies += 1;
  const n = String(policies).padStart(4, '0');
  const policy = samplePolicy({ policyNo: `P-FIRST-${n}`, holderIdNo: `32010219800101${n}`, accountNo: `622202000000000${n}`, nextDueDate: '2026-12-24' });
  await seedPolicy(database.db, cipher, policy);
  const simulated = new SimulatedBank([{ bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, status: 'active', balanceFen: policy.premiumFen * 3 }]);
  return { ref: { policyNo: policy.policyNo, dueDate: '2026-12-24' }, simulated, policy };
}

function collect(debits: ReturnType<typeof createDebitActivities>, ref: { policyNo: string; dueDate: string }, attempt: number): Promise<DebitResult> {
  const env = new MockActivityEnvironment({
    activityId: '9',
    attempt,
    currentAttemptScheduledTimestampMs: shanghaiInstant('2026-12-24', '10:00'),
    workflowExecution: { workflowId: `renewal-${ref.policyNo}-${ref.dueDate}`, runId: 'run-1' },
  });
  return env.run<[], DebitResult, () => Promise<DebitResult>>(() => debits.collectDebit(ref, 1, '2026-12-24'));
}

async function attemptRow(policyNo: string) {
  return database.db('debit_attempts as a')
    .join('premium_dues as d', 'd.id', 'a.premium_due_id')
    .where('d.policy_no', policyNo)
    .first<{ status: string; submitted_at: Date | null }>('a.status', 'a.submitted_at');
}

describe('a first debit sends without asking the bank; every other try asks first', () => {
  it('a first try: one call, the submission; the row stored as submitted before it', async () => {
    const { ref, simulated, policy } = await cycleWithAccount();
    const { bank, calls } = bankOf(simulated);
    expect(await collect(createDebitActivities({ db: database.db, cipher, bank }), ref, 1)).toMatchObject({ status: 'succeeded' });
    expect(calls).toEqual(['submit']);
    expect(simulated.ledger.filter((e) => e.accountNo === policy.accountNo && e.outcome === 'debited')).toHaveLength(1);
    expect(await attemptRow(ref.policyNo)).toMatchObject({ status: 'succeeded', submitted_at: expect.any(Date) });
  });

  it('the answer lost after the bank booked it: the retry asks, finds it, and does not send again', async () => {
    const { ref, simulated, policy } = await cycleWithAccount();
    const { bank, calls, faults } = bankOf(simulated);
    const debits = createDebitActivities({ db: database.db, cipher, bank });
    faults.afterBooking = 1;
    await expect(collect(debits, ref, 1)).rejects.toThrow(/after the bank booked/);
    expect(await attemptRow(ref.policyNo)).toMatchObject({ status: 'submitted' });
    expect(await collect(debits, ref, 2)).toMatchObject({ status: 'succeeded' });
    expect(calls).toEqual(['submit', 'query']);
    expect(simulated.ledger.filter((e) => e.accountNo === policy.accountNo && e.outcome === 'debited')).toHaveLength(1);
  });

  it('an unknown answer: the retry asks before anything else', async () => {
    const { ref, simulated, policy } = await cycleWithAccount();
    const { bank, calls } = bankOf(simulated);
    const debits = createDebitActivities({ db: database.db, cipher, bank });
    simulated.lostAnswers = 1;
    await expect(collect(debits, ref, 1)).rejects.toThrow(/bank answer unknown/);
    expect(await collect(debits, ref, 2)).toMatchObject({ status: 'succeeded' });
    expect(calls).toEqual(['submit', 'query']);
    expect(simulated.ledger.filter((e) => e.accountNo === policy.accountNo && e.outcome === 'debited')).toHaveLength(1);
  });

  it('the request lost before the bank read it: the retry asks, finds nothing, and sends under the same key', async () => {
    const { ref, simulated, policy } = await cycleWithAccount();
    const { bank, calls, faults } = bankOf(simulated);
    const debits = createDebitActivities({ db: database.db, cipher, bank });
    faults.beforeBooking = 1;
    await expect(collect(debits, ref, 1)).rejects.toThrow(/before the bank read/);
    expect(await collect(debits, ref, 2)).toMatchObject({ status: 'succeeded' });
    expect(calls).toEqual(['submit', 'query', 'submit']);
    const debited = simulated.ledger.filter((e) => e.accountNo === policy.accountNo && e.outcome === 'debited');
    expect(debited).toHaveLength(1);
  });

  it('a row an earlier try stored (it died before the bank call): this try did not make the key, so it asks', async () => {
    const { ref, simulated } = await cycleWithAccount();
    const { bank, calls } = bankOf(simulated);
    // The first try stored its row and died: a bank that never answers stands for the process killed mid-call.
    const dead: BankPort = { ...bank, submitDebit: () => new Promise(() => undefined) };
    void collect(createDebitActivities({ db: database.db, cipher, bank: dead }), ref, 1);
    for (let i = 0; i < 50 && !(await attemptRow(ref.policyNo)); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    calls.length = 0;
    expect(await collect(createDebitActivities({ db: database.db, cipher, bank }), ref, 2)).toMatchObject({ status: 'succeeded' });
    expect(calls).toEqual(['query', 'submit']);
  });

  it('an account that cannot be read: no call to the bank at all, the attempt fails on the insurer’s side', async () => {
    const { ref, simulated } = await cycleWithAccount();
    const { bank, calls } = bankOf(simulated);
    const otherKey = new PiiCipher('99'.repeat(32));
    expect(await collect(createDebitActivities({ db: database.db, cipher: otherKey, bank }), ref, 1)).toMatchObject({ status: 'failed', reason: 'NO_MANDATE' });
    expect(calls).toEqual([]);
    expect(await attemptRow(ref.policyNo)).toMatchObject({ status: 'failed', submitted_at: null });
  });
});
