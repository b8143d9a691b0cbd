/**
 * workflows/contact-wait-guard.ts without its patch marker: the new contact path always. Bundled in
 * place of the guard by test/workflow/contact-wait-guard.test.ts to show an old history fails without it.
 */
export const CONTACTS_WAIT_PATCH = 'contacts-never-hold-up-the-cycle';

export function contactsMayWait(): boolean {
  return true;
}
