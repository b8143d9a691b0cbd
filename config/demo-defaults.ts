/**
 * Production refuses the demo's values (RENEWALS_ENV=demo allows them): each refusal is one line
 * naming the variable to set. The bank simulator's credentials and the providers' placeholders are
 * refused where they are applied (workers/bank-wiring.ts, workers/text-channel-wiring.ts).
 */
import type { CreditorSettings, Environment, Settings } from './settings';
import { SettingsError } from './settings-error';

/** What uses a demo value. */
export type DemoDefaultUse = 'creditor' | 'email' | 'hotline';

const VARIABLES: Record<DemoDefaultUse, readonly string[]> = {
  creditor: ['BANK_CREDITOR_NAME', 'BANK_CREDITOR_ACCOUNT', 'BANK_CREDITOR_BANK_CODE', 'BANK_CREDITOR_ID'],
  email: ['SMTP_URL', 'MAIL_FROM'],
  hotline: ['SERVICE_HOTLINE'],
};

const WHAT: Record<string, string> = {
  SMTP_URL: "the local mail catcher's address",
  MAIL_FROM: 'the example sender address',
  SERVICE_HOTLINE: 'the placeholder customer-service number',
};

/** One line per demo value in use outside the demo, for the given uses. */
export function demoDefaultRefusals(settings: Settings, uses: readonly DemoDefaultUse[]): string[] {
  if (settings.environment === 'demo') return [];
  const refusals: string[] = [];
  for (const use of uses) {
    const unset = VARIABLES[use].filter((name) => settings.demoDefaults.includes(name));
    if (unset.length === 0) continue;
    if (use === 'creditor') {
      refusals.push(`${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set: outside RENEWALS_ENV=demo the demo collection account is refused (set the insurer's own)`);
    } else {
      for (const name of unset) refusals.push(`${name} is not set: outside RENEWALS_ENV=demo ${WHAT[name]} is refused`);
    }
  }
  return refusals;
}

/** Throws the refusals, one per line; nothing when there are none. */
export function refuse(refusals: readonly string[]): void {
  if (refusals.length > 0) throw new SettingsError(refusals.join('\n'));
}

/** The insurer's collection account for pain.008, never the demo's outside the demo. */
export function requireCreditor(settings: Settings): CreditorSettings {
  refuse(demoDefaultRefusals(settings, ['creditor']));
  return settings.creditor;
}

/** A URL that carries personal data or credentials: https outside the demo. */
export function plainHttpRefusal(environment: Environment, name: string, url: string): string | undefined {
  if (environment === 'demo' || !/^http:\/\//i.test(url)) return undefined;
  return `${name} must be https:// outside RENEWALS_ENV=demo (plain http:// is the simulators')`;
}
