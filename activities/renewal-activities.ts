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
}

/** Every activity of the renewal cycle and the monthly run, with their ports injected. */
export function createRenewalActivities(deps: RenewalActivityDeps) {
  return {
    ...createCycleActivities(deps),
    ...createContactActivities(deps),
    ...createDebitActivities(deps),
    ...createMonthlyRunActivities(deps),
  };
}

export type RenewalActivities = ReturnType<typeof createRenewalActivities>;
