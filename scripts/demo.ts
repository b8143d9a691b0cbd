/**
 * npm run demo: the first vertical slice end to end on the embedded defaults. A small portfolio
 * due in 31 days runs through its cycle on the time-skipping server (a month in seconds), against
 * embedded PostgreSQL and a real SMTP server, and the outcome is printed per premium.
 *
 *   npm run demo [-- --json] [-- --out <folder>]
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { startRenewalCycle } from '../clients/renewal-cycles';
import { connect, migrateLatest } from '../db/connection';
import { PiiCipher } from '../db/pii-cipher';
import { verifyAuditChain } from '../db/repositories/audit';
import { premiumOutcome } from '../db/repositories/premium-outcomes';
import { addDays, shanghaiDate } from '../domain/civil-date';
import { formatYuan } from '../domain/money';
import { SimulatedBank } from '../integrations/bank/simulator';
import { SmtpEmail } from '../integrations/messaging/smtp-email';
import { RecordingTextChannels } from '../integrations/messaging/text-channels';
import { createRenewalWorker, workflowsPath } from '../workers/renewal-worker';
import { createDatabase, startPostgres } from './provision/postgres';
import { samplePortfolio } from './sample-portfolio';
import { seedSamplePortfolio } from './seed';
import { startSmtpCatcher } from './smtp-catcher';
import { startTimeSkippingServer } from './temporal-env';

const { values: args } = parseArgs({
  options: { json: { type: 'boolean', default: false }, out: { type: 'string', default: 'demo-output' } },
});

function say(line: string): void {
  // Progress to stderr, so --json output on stdout stays machine-readable.
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const outDir = resolve(args.out ?? 'demo-output');
  mkdirSync(outDir, { recursive: true });

  say('1/5 PostgreSQL');
  const postgres = await startPostgres();
  const databaseUrl = process.env.DATABASE_URL ? postgres.url : await createDatabase(postgres.url, 'renewals_demo');
  const db = connect(databaseUrl);
  const cleanups: (() => Promise<void>)[] = [async () => db.destroy(), () => postgres.stop()];
  try {
    const applied = await migrateLatest(db);
    say(`    ${postgres.source}; migrations applied: ${applied.length ? applied.join(', ') : 'none (up to date)'}`);

    say('2/5 SMTP server for the reminders');
    const smtp = await startSmtpCatcher({ dir: join(outDir, 'emails') });
    cleanups.unshift(() => smtp.close());
    say(`    ${smtp.url}, messages saved as .eml in ${join(outDir, 'emails')}`);

    say('3/5 Temporal time-skipping test server');
    const { env, source } = await startTimeSkippingServer();
    cleanups.unshift(() => env.teardown());
    say(`    ${source}`);

    const today = shanghaiDate(await env.currentTimeMs());
    const dueDate = addDays(today, 31);
    const portfolio = samplePortfolio(dueDate);
    const cipher = PiiCipher.fromEnv();
    say(`4/5 ${portfolio.length} policies due ${dueDate} (today is ${today} on the server's clock)`);
    await seedSamplePortfolio(db, cipher, portfolio);
    const bank = new SimulatedBank(portfolio.map((p) => p.account));
    const email = new SmtpEmail(smtp.url, 'Renewals 续期服务 <renewals@insurer.example>');
    cleanups.unshift(() => Promise.resolve(email.close()));

    say('5/5 running the cycles: reminder at D-30 09:00, debit on D 10:00');
    const wallStart = Date.now();
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: new DefaultLogger('WARN') });
    const worker = await createRenewalWorker(env.nativeConnection, { db, cipher, bank, email, text: new RecordingTextChannels() }, { workflowBundle });
    const results = await worker.runUntil(async () => {
      const handles = [];
      for (const { policy } of portfolio) {
        handles.push((await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate })).handle);
      }
      // One result awaited at a time: each await lets the server skip time for all cycles at once.
      const done = [];
      for (const handle of handles) {
        const result = await handle.result();
        say(`    ${handle.workflowId} → ${result.stage}`);
        done.push(result);
      }
      return done;
    });
    const wallSeconds = (Date.now() - wallStart) / 1000;

    const rows = [];
    for (const [i, { policy, story }] of portfolio.entries()) {
      const outcome = await premiumOutcome(db, policy.policyNo, dueDate);
      if (!outcome) throw new Error(`premium of ${policy.policyNo} due ${dueDate} is missing`);
      rows.push({
        policyNo: policy.policyNo,
        dueDate,
        premium: formatYuan(policy.premiumFen),
        status: outcome.status,
        cycle: results[i]!.stage,
        paidOn: outcome.paidAt ? shanghaiDate(outcome.paidAt.getTime()) : null,
        paidVia: outcome.paidVia,
        debitAttempts: outcome.debitAttempts,
        lastReason: outcome.lastDebitReason,
        contacts: outcome.contactsSent,
        suppressed: outcome.suppressedRules,
        tasks: outcome.tasks,
        lapsedOn: outcome.lapsedAt ? shanghaiDate(outcome.lapsedAt.getTime()) : null,
        expected: story,
      });
    }
    const audit = await verifyAuditChain(db);
    const summary = {
      dueDate,
      wallSeconds,
      premiums: rows.length,
      paid: rows.filter((r) => r.status === 'paid').length,
      emailsCaught: smtp.messages.length,
      auditRows: audit.rows,
      auditChainIntact: audit.firstBreak === undefined,
      rows,
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      console.table(rows.map(({ expected: _expected, suppressed, ...r }) => ({ ...r, suppressed: [...new Set(suppressed)].join(',') })));
      console.log(
        `${summary.paid} of ${summary.premiums} premiums paid; ${summary.emailsCaught} emails delivered over SMTP; ` +
          `${summary.auditRows} audit rows, hash chain ${summary.auditChainIntact ? 'intact' : `BROKEN at seq ${audit.firstBreak?.seq}`}.`,
      );
      console.log(
        `Whole cycles (reminders, debits, grace, lapse and the 2-year reinstatement window) took ${wallSeconds.toFixed(1)} s of wall time. Emails: ${join(outDir, 'emails')}`,
      );
    }
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
