import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayCallbackReceiver, type GatewayCallbackReceiver } from '../../application/gateway-callbacks';
import { startRenewalCycle } from '../../application/renewal-cycles';
import type { AppliedOutcome } from '../../application/bank-results';
import { shanghaiInstant } from '../../domain/civil-date';
import { GatewayBank } from '../../integrations/bank/gateway/gateway-bank';
import { SIMULATOR_DEFAULTS, startBankSimulator, type RunningBankSimulator } from '../../integrations/bank/simulator/http-server';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { dueIn, startCycleRig, type CycleRig } from '../support/cycle-rig';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * The asynchronous gateway's results and returns arriving by callback: the gateway accepts the
 * debit, the cycle waits, the callback settles it; weeks later a return callback reopens it.
 */
const taskQueue = 'gateway-callbacks';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let bank: RunningBankSimulator;
let receiver: GatewayCallbackReceiver;
const applied: AppliedOutcome[] = [];

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  bank = await startBankSimulator({ processingDelayMs: 300 });
  const gateway = new GatewayBank({ url: bank.gatewayUrl, merchantId: SIMULATOR_DEFAULTS.merchantId, userName: SIMULATOR_DEFAULTS.userName, userPass: SIMULATOR_DEFAULTS.userPass, signingKey: SIMULATOR_DEFAULTS.signingKey });
  // No waiting inside the activity: the answer must come by callback.
  rig = await startCycleRig(env, taskQueue, { bank: gateway, debitTiming: { settleWithinMs: 0, pollEveryMs: 0 } });
  receiver = await startGatewayCallbackReceiver({
    db: rig.database.db,
    client: env.client,
    classify: (code) => gateway.classify(code),
    signingKey: SIMULATOR_DEFAULTS.signingKey,
    merchantId: SIMULATOR_DEFAULTS.merchantId,
    onApplied: (a) => applied.push(...a),
  });
  bank.gateway.configure({ callbackUrl: receiver.url });
});

afterAll(async () => {
  await receiver?.close();
  await bank?.close();
  await rig?.close();
  await env?.teardown();
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('gateway callbacks', () => {
  it('a result callback settles an accepted debit; a return callback reopens the premium', async () => {
    const { dueDate, debits } = await dueIn(env, 3);
    const policy = samplePolicy({ policyNo: 'P-CB-0001', holderIdNo: '310101198001050001', nextDueDate: dueDate, premiumFen: 260_000 });
    await seedPolicy(rig.database.db, rig.cipher, policy);
    bank.core.openAccount({ bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, balanceFen: 1_000_000, status: 'active' });
    const db = rig.database.db;

    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      // Just past the debit: the server's clock stops there, so only the callback can settle it.
      await env.sleep(shanghaiInstant(debits[0]!.collectionDate, '10:01') - (await env.currentTimeMs()));
      await until(async () => (await handle.query(statusQuery)).stage === 'PAID', 'the result callback');
      expect(applied).toEqual([expect.objectContaining({ policyNo: policy.policyNo, outcome: 'succeeded', appliedAs: 'applied' })]);
      const [attempt] = await db('debit_attempts').select('idempotency_key', 'status');
      expect(attempt).toMatchObject({ status: 'succeeded' });

      bank.core.returnDebit(attempt.idempotency_key as string, '51', debits[0]!.collectionDate);
      await until(async () => (await db('premium_dues').where({ policy_no: policy.policyNo }).first()).status === 'due', 'the return callback');
      expect(applied[1]).toMatchObject({ outcome: 'returned', appliedAs: 'applied' });
      expect(await db('debit_attempts').first()).toMatchObject({ status: 'returned', reason: 'INSUFFICIENT_FUNDS' });
      // The premium row is reopened as the callback is taken; the cycle hears of it by signal just after.
      await until(async () => (await handle.query(statusQuery)).stage !== 'PAID', 'the cycle to leave PAID');
      expect(bank.core.successfulDebits()).toHaveLength(1);
      await handle.terminate('test done');
    });
  });
});
