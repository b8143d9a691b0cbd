import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { renewalWorkflowId } from '../../domain/renewal-stage';
import type { CycleRig } from './cycle-rig';
import { samplePolicy, seedPolicy } from './fixtures';

/** Premiums of several months for monthly-run tests: policies seeded through the real repository. */
export class MonthSeeder {
  private holders = 0;
  readonly policyNos = new Map<string, string[]>();

  constructor(private readonly rig: CycleRig) {}

  nextHolderIdNo(): string {
    this.holders += 1;
    return String(320102198001010000 + this.holders);
  }

  /** `count` in-force policies whose next premium falls due in `month`, spread over its days. */
  async seedMonth(month: string, count: number, prefix: string): Promise<string[]> {
    const policyNos: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const policyNo = `${prefix}${String(i).padStart(3, '0')}`;
      const day = String(1 + (i % 28)).padStart(2, '0');
      await seedPolicy(this.rig.database.db, this.rig.cipher, samplePolicy({ policyNo, holderIdNo: this.nextHolderIdNo(), nextDueDate: `${month}-${day}` }));
      policyNos.push(policyNo);
    }
    this.policyNos.set(month, policyNos);
    return policyNos;
  }

  async premiumsOf(month: string): Promise<{ policy_no: string; due_date: string; run_month: string | null; workflow_id: string | null }[]> {
    return this.rig.database.db('premium_dues').whereIn('policy_no', this.policyNos.get(month)!).orderBy('policy_no').select('policy_no', 'due_date', 'run_month', 'workflow_id');
  }

  /** How many of the month's seeded premiums have a cycle workflow (running or closed). */
  async existingCycles(client: Client, month: string): Promise<number> {
    let n = 0;
    for (const p of await this.premiumsOf(month)) if (await cycleExists(client, p.policy_no, p.due_date)) n += 1;
    return n;
  }
}

export async function cycleExists(client: Client, policyNo: string, dueDate: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(renewalWorkflowId(policyNo, dueDate)).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** Polls `read` until `ok`, failing with the last value after the timeout. */
export async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await sleep(50);
  }
}
