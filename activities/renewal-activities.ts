import type { Knex } from 'knex';
import type { ContactLimits } from '../domain/contact-rules';
import type { PiiCipher } from '../db/pii-cipher';
import type { BankPort } from '../integrations/bank/port';
import type { EmailPort } from '../integrations/messaging/port';
import type { TextMessagePort } from '../integrations/messaging/text-channels';
import type { PolicyAdminPort } from '../integrations/policy-admin/port';
import { SimulatedPolicyAdmin } from '../integrations/policy-admin/simulator';
import { createContactActivities } from './contact-activities';
import { createContactQualityActivities } from './contact-quality-activities';
import { createCycleActivities } from './cycle-activities';
import type { StartCycle } from './cycle-starter';
import { createDebitActivities, type DebitTiming } from './debit-activities';
import { createMonthlyRunActivities } from './monthly-run-activities';
import { failUnreadableForGood } from './personal-data-unreadable';
import { createReducedPaidUpActivities } from './reduced-paid-up-activities';
import { createReinstatedPolicyActivities } from './reinstated-policy-activities';
import { createReinstatementApplicationActivities } from './reinstatement-application-activities';
import { createReinstatementDebitActivities } from './reinstatement-debit-activities';
import { createReinstatementWindowActivities } from './reinstatement-window-activities';
import { createTaskSweepActivities } from './task-sweep-activities';

export type { CycleRef } from './origin';
export type { CycleToStart, StartCycle } from './cycle-starter';

export interface RenewalActivityDeps {
  db: Knex;
  cipher: PiiCipher;
  bank: BankPort;
  email: EmailPort;
  text: TextMessagePort;
  limits?: ContactLimits;
  /** How long a debit activity waits on an accepted debit (0 for file banks, which answer by report). */
  debitTiming?: DebitTiming;
  /** Starts cycles: the monthly run's pages and a reinstated policy's next premium (the worker supplies it). */
  startCycle?: StartCycle;
  /** Where a reduced paid-up change is requested; the simulator when none is configured. */
  policyAdmin?: PolicyAdminPort;
  /** The customer-service number notices give (SERVICE_HOTLINE; a placeholder when not given). */
  serviceHotline?: string;
}

/** Every activity of the renewal cycle, the monthly run and reinstatement, with their ports injected. */
export function createRenewalActivities(deps: RenewalActivityDeps) {
  return failUnreadableForGood(deps.db, {
    ...createCycleActivities(deps),
    ...createContactActivities(deps),
    ...createContactQualityActivities(deps),
    ...createDebitActivities(deps),
    ...createMonthlyRunActivities(deps),
    ...createReinstatementWindowActivities(deps),
    ...createReinstatementApplicationActivities(deps),
    ...createReinstatementDebitActivities(deps),
    ...createReinstatedPolicyActivities(deps),
    ...createReducedPaidUpActivities({ ...deps, policyAdmin: deps.policyAdmin ?? new SimulatedPolicyAdmin() }),
    ...createTaskSweepActivities(deps),
  });
}

export type RenewalActivities = ReturnType<typeof createRenewalActivities>;
