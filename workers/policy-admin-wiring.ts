import { plainHttpRefusal, refuse } from '../config/demo-defaults';
import { redactUrl, type Environment, type PolicyAdminSettings, type Settings } from '../config/settings';
import type { RelayOptions } from '../application/policy-admin-relay';
import { HttpPolicyAdmin } from '../integrations/policy-admin/http-policy-admin';
import type { PolicyAdminPort } from '../integrations/policy-admin/port';
import { DEMO_POLICY_ADMIN_SECRET } from '../integrations/policy-admin/receiver';
import { SimulatedPolicyAdmin } from '../integrations/policy-admin/simulator';

/** A shared secret shorter than this is refused outside the demo: it signs every change to a contract. */
const MIN_SECRET_LENGTH = 32;

/**
 * Where the relay delivers the outbox's changes (docs/architecture.md#policy-administration):
 * POLICY_ADMIN_URL with POLICY_ADMIN_SECRET, the policy administration system over signed HTTP; in
 * RENEWALS_ENV=demo without a URL, the in-memory stand-in, said as such at start.
 */
export function policyAdminFor(all: Pick<Settings, 'environment' | 'policyAdmin'>): { port: PolicyAdminPort; relay: RelayOptions & { everyMs: number }; describe: string; standIn?: string } {
  const settings = all.policyAdmin;
  refuse(policyAdminRefusals(settings, all.environment));
  const relay = {
    maxAttempts: settings.maxAttempts,
    backoff: { baseMs: settings.backoffMs, maxMs: settings.backoffMaxMs },
    // A claimed change is left alone for longer than its delivery can take.
    leaseMs: Math.max(60_000, 3 * settings.timeoutMs),
    everyMs: settings.relayEveryMs,
  };
  if (!settings.url) {
    return {
      port: new SimulatedPolicyAdmin(),
      relay,
      describe: 'in-memory stand-in',
      standIn: 'policy administration changes (suspension, reinstatement, reduced paid-up, premium loans) are delivered to an in-memory stand-in: no POLICY_ADMIN_URL (RENEWALS_ENV=demo only)',
    };
  }
  return { port: new HttpPolicyAdmin({ url: settings.url, secret: settings.secret!, timeoutMs: settings.timeoutMs }), relay, describe: `signed HTTP to ${redactUrl(settings.url)}` };
}

/** What stops a worker delivering changes as it should, one line per variable to set. */
export function policyAdminRefusals(settings: PolicyAdminSettings, environment: Environment): string[] {
  const refusals: string[] = [];
  if (environment === 'production' && !settings.url) {
    refusals.push('POLICY_ADMIN_URL is not set: outside RENEWALS_ENV=demo the changes the policy administration system must make are delivered to it, never kept in memory');
  }
  if ((environment === 'production' || settings.url) && !settings.secret) {
    refusals.push('POLICY_ADMIN_SECRET is not set: every delivery to the policy administration system is signed with it');
  }
  if (environment === 'production' && settings.secret === DEMO_POLICY_ADMIN_SECRET) {
    refusals.push("POLICY_ADMIN_SECRET is the local stack's reference receiver's: outside RENEWALS_ENV=demo set the one shared with the policy administration system");
  } else if (environment === 'production' && settings.secret && settings.secret.length < MIN_SECRET_LENGTH) {
    refusals.push(`POLICY_ADMIN_SECRET must be at least ${MIN_SECRET_LENGTH} characters outside RENEWALS_ENV=demo`);
  }
  const http = settings.url ? plainHttpRefusal(environment, 'POLICY_ADMIN_URL', settings.url) : undefined;
  if (http) refusals.push(http);
  return refusals;
}

