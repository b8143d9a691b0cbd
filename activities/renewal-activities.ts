import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { ContactLimits } from '../domain/contact-rules';
import type { PiiCipher } from '../db/pii-cipher';
import type { BankPort } from '../integrations/bank/port';
import type { EmailPort } from '../integrations/messaging/port';
import type { TextMessagePort } from '../integrations/messaging/text-channels';
import { createContactActivities } from './contact-activities';
import { createCycleActivities } from './cycle-activities';
import { createDebitActivities, type DebitTiming } from './debit-activities';
import { createMonthlyRunActivities } from './monthly-run-activities';
import { createReinstatementActivities } from './reinstatement-activities';
import type { PolicyAdminPort } from '../integrations/policy-admin/port';
import { SimulatedPolicyAdmin } from '../integrations/policy-admin/simulator';

export type { CycleRef } from './origin';

export interface RenewalActivityDeps {
  db: Knex;
  cipher: PiiCipher;
  bank: BankPort;
  email: EmailPort;
  text: TextMessagePort;
  limits?: ContactLimits;
  /** How long a debit activity waits on an accepted debit (0 for file banks, which answer by report). */
  debitTiming?: DebitTiming;
  /** For the monthly run, which starts cycles from an activity (the worker supplies one when absent). */
  client?: Client;
  /** Where a reduced paid-up change is requested; the simulator when none is configured. */
  policyAdmin?: PolicyAdminPort;
  /** The customer-service number notices give; default SERVICE_HOTLINE from the environment. */
  serviceHotline?: string;
}

/** Every activity of the renewal cycle and the monthly run, with their ports injected. */
export function createRenewalActivities(deps: RenewalActivityDeps) {
  return {
    ...createCycleActivities(deps),
    ...createContactActivities({ ...deps, ...(process.env.SERVICE_HOTLINE && !deps.serviceHotline ? { serviceHotline: process.env.SERVICE_HOTLINE } : {}) }),
    ...createDebitActivities(deps),
    ...createMonthlyRunActivities(deps),
    ...createReinstatementActivities({ ...deps, policyAdmin: deps.policyAdmin ?? new SimulatedPolicyAdmin() }),
  };
}

export type RenewalActivities = ReturnType<typeof createRenewalActivities>;
