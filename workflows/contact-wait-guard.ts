import { patched } from '@temporalio/workflow';

/**
 * Contacts never hold up the cycle: a step that cannot go now (a provider down, its circuit open) is
 * owed and tried again later while the debits and the lapse go on. Before, the cycle waited on the
 * send, retried without end. Asked at each contact: a history recorded before replays as it ran
 * (fixture renewal-cycle-paid-first-debit.json); a running cycle takes the new path at its next contact.
 * Its own module so a test can bundle the workflow without the guard and watch an old history fail.
 */
export const CONTACTS_WAIT_PATCH = 'contacts-never-hold-up-the-cycle';

export function contactsMayWait(): boolean {
  return patched(CONTACTS_WAIT_PATCH);
}
