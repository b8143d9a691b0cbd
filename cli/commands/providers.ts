import type { Command } from '@commander-js/extra-typings';
import { providerCircuits, resetProvider } from '../../application/provider-circuits';
import { shanghaiTime } from '../../application/policy-view';
import { withDatabase, withTemporalClient } from '../context';
import { printRecord, printRows } from '../output';
import { actingUser } from '../session';
import { asOperator } from './operator';


const when = (ms: number | undefined) => (ms === undefined ? '' : shanghaiTime(new Date(ms)));

/** `renewals providers list|reset`: the messaging providers' circuits (docs/business-rules.md#when-a-provider-fails). */
export function registerProviderCommands(program: Command): void {
  const providers = program.command('providers').description('messaging providers: circuits opened when a provider refuses every message');

  providers
    .command('list')
    .description('every circuit: closed, open (contacts wait) or probing, with the code that opened it and the next probe')
    .option('--json', 'print the circuits as JSON')
    .action(async (options) => {
      const circuits = await withDatabase((db) => providerCircuits(db));
      printRows(circuits, [
        { header: 'provider', value: (c) => c.provider },
        { header: 'status', value: (c) => c.status },
        { header: 'code', value: (c) => c.code ?? '' },
        { header: 'opened', value: (c) => when(c.openedAt) },
        { header: 'next probe', value: (c) => (c.status === 'closed' ? '' : when(c.probeAt)) },
        { header: 'failed probes', value: (c) => c.failedProbes },
        { header: 'openings', value: (c) => c.openings },
      ], options);
    });

  providers
    .command('reset')
    .description('close a circuit now (the balance topped up, the key fixed): its task is done and waiting contacts are tried at once')
    .argument('<provider>', 'alibaba-sms, tencent-sms, wechat-oa, smtp or print-house')
    .option('--reason <text>', 'what was fixed, for the audit trail')
    .option('--json', 'print the result as JSON')
    .action(async (provider, options) => {
      const reset = await asOperator(() => withDatabase((db) => withTemporalClient((client) => resetProvider(db, client, provider, actingUser().ref, options.reason))));
      if (options.json) {
        printRecord({ ...reset }, options);
        return;
      }
      process.stdout.write(
        reset.closed
          ? `${provider}: circuit closed; ${reset.cyclesWoken} cycle(s) with waiting contacts told to try now\n`
          : `${provider}: circuit was not open; ${reset.cyclesWoken} cycle(s) with waiting contacts told to try now\n`,
      );
    });
}
