import type { Command } from '@commander-js/extra-typings';
import { dueOption, findCycle } from '../../application/operator-events';
import { paymentLinkFor } from '../../application/payment-links';
import { checkOpenOrders } from '../../application/payment-links-sweep';
import { readOnlinePaymentSettings, type OnlinePaymentSettings } from '../../config/online-payment';
import { configuredPaymentProviders } from '../../integrations/payments/configured-providers';
import { updateOptions, withDatabase, withTemporalClient } from '../context';
import { CliError } from '../errors';
import { printRecord } from '../output';
import { actingUser } from '../session';
import { asOperator } from './operator';

function onlinePayment(): OnlinePaymentSettings {
  const settings = readOnlinePaymentSettings(process.env);
  if (!settings) throw new CliError('PAY_LINK_BASE_URL is not set: online payment is off (README "Online payment")', 2);
  return settings;
}

/** `renewals payments links create|check` (docs/architecture.md#online-payment). */
export function registerPaymentLinkCommands(program: Command): void {
  const payments = program.commands.find((c) => c.name() === 'payments')!;
  const links = payments.command('links').description('online payment links (WeChat Pay, Alipay): issue one, recover lost notifications');
  links
    .command('create')
    .description("the live payment link of a policy's premium due (a new one if none lives): the URL carries a random token only")
    .requiredOption('--policy <policy-no>', 'the policy number')
    .option('--due <date>', 'the premium due on this date (default: the oldest still due)')
    .option('--json', 'print the link as JSON')
    .action(async (options) => {
      const settings = onlinePayment();
      const due = dueOption(options.due);
      const link = await asOperator(() =>
        withDatabase(async (db) => {
          const target = await findCycle(db, options.policy, due);
          return paymentLinkFor(db, target.premium.id, { baseUrl: settings.baseUrl, actor: actingUser().ref });
        }),
      );
      printRecord({ url: link.url, expiresAt: link.expiresAt.toISOString() }, options);
    });
  links
    .command('check')
    .description("ask WeChat Pay / Alipay about orders still open after some minutes, and apply those paid (a notification lost)")
    .option('--older-than <minutes>', 'only orders made at least this many minutes ago (default PAY_ORDER_CHECK_MINUTES, 10)')
    .option('--json', 'print the counts as JSON')
    .action(async (options) => {
      const settings = onlinePayment();
      const minutes = options.olderThan === undefined ? settings.checkAfterMinutes : Number(options.olderThan);
      if (!Number.isInteger(minutes) || minutes < 0) throw new CliError(`--older-than must be a whole number of minutes, got "${options.olderThan}"`, 2);
      const providers = configuredPaymentProviders(settings);
      const result = await asOperator(() => withDatabase((db) => withTemporalClient((client) => checkOpenOrders(db, client, providers, { olderThanMinutes: minutes, ...updateOptions() }))));
      printRecord({ ...result }, options);
    });
}
