import type { Knex } from 'knex';
import { expect } from 'vitest';
import { actAs } from './acting';
import { runCliCaptured } from './cli';

/**
 * An unmask request (`audit unmask request` with these filter arguments) by one compliance person,
 * approved by a second, who is the person acting afterwards: its id, for `audit export --unmasked --request`.
 */
export async function approvedUnmaskRequest(db: Knex, filterArgs: string[], reason: string): Promise<string> {
  await actAs(db, { roles: ['compliance'] });
  const asked = await runCliCaptured(['audit', 'unmask', 'request', ...filterArgs, '--reason', reason, '--json']);
  expect(asked.code, asked.err).toBe(0);
  const id = String((JSON.parse(asked.out) as { id: number }).id);
  await actAs(db, { roles: ['compliance'] });
  const approved = await runCliCaptured(['audit', 'unmask', 'approve', id]);
  expect(approved.code, approved.err).toBe(0);
  return id;
}
