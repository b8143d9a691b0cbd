import { demoDefaultRefusals } from '../config/demo-defaults';
import type { Settings } from '../config/settings';
import { bankRefusals } from './bank-wiring';
import { letterRefusals } from './letter-wiring';
import { receiptRefusals } from './receipt-keys';
import { policyAdminRefusals } from './policy-admin-wiring';
import { messagingRefusals } from './text-channel-wiring';

/** Every demo value a worker would run on outside RENEWALS_ENV=demo, one line each: all said at once, before it starts. */
export function workerRefusals(settings: Settings): string[] {
  return [
    ...demoDefaultRefusals(settings, ['email', 'hotline']),
    ...bankRefusals(settings.bank, settings.environment),
    ...messagingRefusals(settings.messaging, settings.environment),
    // Receipts of the messages it sends come back only through pushes authenticated with these.
    ...receiptRefusals(settings.messaging, settings.environment),
    // Changes for the policy administration system go to it, signed: never to the in-memory stand-in.
    ...policyAdminRefusals(settings.policyAdmin, settings.environment),
    // Letters are printed: a font that covers Chinese must load (in the demo too), and the insurer's own name on them.
    ...letterRefusals(settings, settings.environment),
  ];
}
