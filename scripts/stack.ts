/**
 * npm run stack: the local stack for development and operations trials.
 *   - Temporal dev server on localhost:7233 with its Web UI on http://localhost:8233 and the
 *     search attributes registered (history kept in a SQLite file across restarts); with
 *     `--temporal postgres`, the production-shaped server instead (PostgreSQL persistence and
 *     visibility in the databases temporal and temporal_visibility, `--history-shards` or
 *     NUM_HISTORY_SHARDS shards, no Web UI; docs/architecture.md, "The production-shaped Temporal"),
 *   - PostgreSQL with migrations applied (DATABASE_URL, else embedded with data kept across restarts),
 *   - an SMTP catcher on localhost:1025 saving every message as .eml,
 *   - the operations console on http://127.0.0.1:8080 (--console-port),
 *   - a renewal worker, and (unless --no-sample) a sample portfolio whose cycles are started,
 *     so there is something to look at in the UI at once.
 * Ctrl-C stops everything.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger } from '@temporalio/worker';
import { rotateDataKeys } from '../application/key-rotation';
import { startGatewayCallbackReceiver } from '../application/gateway-callbacks';
import { monthlyRunCalendarWarning } from '../application/monthly-runs';
import { startRenewalCycle } from '../application/renewal-cycles';
import { connect, migrateLatest } from '../db/connection';
import { recordReceipts } from '../db/repositories/contact-receipts';
import { recordReceiptRejection } from '../db/repositories/receipt-rejections';
import { configuredKeys } from '../config/data-keys';
import { readDemoSettings, redactUrl } from '../config/settings';
import { describeKeyRing } from '../db/key-ring-description';
import { openKeyRing } from '../db/key-ring';
import { PiiCipher } from '../db/pii-cipher';
import { addDays, shanghaiDate } from '../domain/civil-date';
import { monthOf } from '../domain/months';
import { GatewayBank } from '../integrations/bank/gateway/gateway-bank';
import { SIMULATOR_DEFAULTS, startBankSimulator } from '../integrations/bank/simulator/http-server';
import { SmtpEmail } from '../integrations/messaging/smtp-email';
import { HttpPolicyAdmin } from '../integrations/policy-admin/http-policy-admin';
import { DEMO_POLICY_ADMIN_SECRET, startPolicyAdminReceiver } from '../integrations/policy-admin/receiver';
import { startPolicyAdminRelay } from '../application/policy-admin-relay';
import { policyAdminFor } from '../workers/policy-admin-wiring';
import { gatewaySigningKey } from '../workers/bank-keys';
import { createRenewalWorker } from '../workers/renewal-worker';
import { noticePayLinks } from '../application/payment-links';
import { scheduledLetterBatches } from '../application/letter-batches';
import { installLetterBatchSchedule } from '../application/letter-batch-schedule';
import { installTemporalRuntime } from '../workers/temporal-runtime';
import { cacheDir } from './provision/cache';
import { createApplicationLogin, createDatabase, startPostgres } from './provision/postgres';
import { samplePortfolio } from './sample-portfolio';
import { seedSamplePortfolio } from './seed';
import { ensureDemoPeople } from '../application/demo-people';
import { buildConsole } from '../console/server';
import { readConsoleSettings } from '../console/settings';
import { createLogger } from '../observability/logger';
import { withDurableLetters } from '../workers/letter-wiring';
import { startMessagingSimulators } from './messaging-simulators';
import { startOnlinePaymentStack } from './payment-simulators';
import { startSmtpCatcher } from './smtp-catcher';
import { historyShards } from './provision/temporal-server';
import { startDevServer, startPostgresTemporal } from './temporal-env';

const { values: args } = parseArgs({
  options: {
    'no-sample': { type: 'boolean', default: false },
    'temporal-port': { type: 'string', default: '7233' },
    'ui-port': { type: 'string', default: '8233' },
    'postgres-port': { type: 'string', default: '55432' },
    'smtp-port': { type: 'string', default: '1025' },
    'console-port': { type: 'string', default: '8080' },
    'paylinks-port': { type: 'string', default: '8090' },
    temporal: { type: 'string', default: 'dev' },
    'history-shards': { type: 'string' },
  },
});


function port(name: keyof typeof args): number {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) throw new Error(`--${name} must be a port number, got ${String(args[name])}`);
  return value;
}

/**
 * Where the stack keeps its state. PostgreSQL runs as the `postgres` user when we are root, and
 * that user cannot enter root's home, so as root the state lives under /var/tmp instead.
 */
function stackDir(): string {
  const chosen = process.env.RENEWALS_STACK_DIR;
  if (chosen) {
    mkdirSync(chosen, { recursive: true, mode: 0o700 });
    return chosen;
  }
  if (userInfo().uid !== 0) return cacheDir('stack');
  const dir = '/var/tmp/renewals-stack';
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}

/** The password of the stack's application login: made once, kept with the stack's state (the export line stays valid across restarts). */
function appLoginPassword(state: string): string {
  const file = join(state, 'postgres-app-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function main(): Promise<void> {
  if (args.temporal !== 'dev' && args.temporal !== 'postgres') throw new Error(`--temporal must be dev or postgres, got ${args.temporal}`);
  installTemporalRuntime(new DefaultLogger('WARN'));
  const state = stackDir();
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((e: unknown) => console.error(String(e)));
  };
  try {
    // The stack runs simulators only: a demo, whatever the shell says. Said to the whole process too,
    // since what it starts (the database's audit keys among them) reads RENEWALS_ENV itself.
    process.env.RENEWALS_ENV = 'demo';
    const settings = readDemoSettings();
    // The print house outbox of the stack: under its state unless LETTERS_OUTBOX_DIR says otherwise.
    const lettersOutbox = settings.demoDefaults.includes('LETTERS_OUTBOX_DIR') ? join(state, 'letters-outbox') : settings.letters.outboxDir;
    const keys = configuredKeys(settings);
    const cipher = PiiCipher.forKeys(keys);
    const ownServer = settings.databaseMigrationUrl ?? settings.databaseUrl;
    const postgres = await startPostgres(ownServer ? {} : { dataDir: join(state, 'pgdata'), port: port('postgres-port') });
    stops.push(() => postgres.stop());
    // Migrations as the server's superuser (or your DATABASE_MIGRATION_URL); everything else as the
    // application's login, which has the application role only (README, Database roles).
    const migrationUrl = ownServer ? postgres.url : await createDatabase(postgres.url, 'renewals');
    const migrator = connect(migrationUrl, { max: 1 });
    const applied = await migrateLatest(migrator).finally(() => migrator.destroy());
    const databaseUrl = await createApplicationLogin(migrationUrl, { password: appLoginPassword(state) });
    const db = connect(databaseUrl);
    stops.push(() => db.destroy());

    const smtp = await startSmtpCatcher({ port: port('smtp-port'), dir: join(state, 'mail') });
    stops.push(() => smtp.close());

    const { env, source } =
      args.temporal === 'postgres'
        ? await startPostgresTemporal({
            postgresUrl: postgres.url,
            port: port('temporal-port'),
            historyShards: historyShards(args['history-shards'] ?? process.env.NUM_HISTORY_SHARDS),
            logFile: join(state, 'temporal-server.log'),
            cipher,
          }).then(({ env, server, source }) => {
            stops.push(() => server.stop());
            return { env, source: `${source}; log ${join(state, 'temporal-server.log')}` };
          })
        : await startDevServer({
            port: port('temporal-port'),
            uiPort: port('ui-port'),
            dbFilename: join(state, 'temporal.sqlite'),
            cipher,
          });
    stops.push(() => env.teardown());

    const ring = await openKeyRing(db, cipher);
    // The stack's own demo data: a rotation it finds (a database from before key ids) is finished at once.
    if (ring.retiring.length > 0) await rotateDataKeys(db, cipher);
    const today = shanghaiDate(Date.now());
    const dueDate = addDays(today, 45);
    const portfolio = args['no-sample'] ? [] : samplePortfolio(dueDate);
    await seedSamplePortfolio(db, cipher, portfolio);
    // One user per role (demo passwords, refused outside the demo) and a token for other shells.
    const demoPeople = await ensureDemoPeople(db, settings.environment);
    // The bank as a service (collection gateway + admin endpoints), SMS / WeChat simulators with a
    // receipt server: the worker reaches all of them over HTTP, as it would the real ones.
    // One signing key for the simulated gateway, the adapter and the callback receiver.
    const signingKey = gatewaySigningKey(settings);
    const bankService = await startBankSimulator({ accounts: portfolio.map((p) => p.account), signingKey });
    stops.push(() => bankService.close());
    const bank = new GatewayBank({ url: bankService.gatewayUrl, merchantId: SIMULATOR_DEFAULTS.merchantId, userName: SIMULATOR_DEFAULTS.userName, userPass: SIMULATOR_DEFAULTS.userPass, signingKey });
    // Refused receipt pushes are audit rows (receipt_rejected), as in production.
    const messaging = await startMessagingSimulators(
      (receipts) => recordReceipts(db, receipts),
      (refused) => recordReceiptRejection(db, refused),
    );
    stops.push(() => messaging.close());
    const email = new SmtpEmail(smtp.url, settings.email.mailFrom);
    stops.push(() => Promise.resolve(email.close()));
    // Letters are rendered and stored as in production; `renewals letters batch` writes them to the outbox.
    const letters = withDurableLetters(messaging.text, db, { ...settings.letters, outboxDir: lettersOutbox });
    // Notices carry payment links once the page server below is up (its port is known then).
    const payLinkBase: { url?: string } = {};
    const payLinkFor = noticePayLinks(db, () => payLinkBase.url);
    // The daily letter batch writes to the same outbox as `renewals letters batch`.
    const letterBatches = scheduledLetterBatches(db, { outboxDir: lettersOutbox });
    const worker = await createRenewalWorker(env.nativeConnection, { db, cipher, bank, email, text: letters.text, serviceHotline: settings.serviceHotline, payLinkFor, letterBatches }, { failureCipher: cipher });
    // Results and returns come back by callback too (the cycles' own checks remain the fallback).
    const callbacks = await startGatewayCallbackReceiver({ db, client: env.client, classify: (code) => bank.classify(code), signingKey, merchantId: SIMULATOR_DEFAULTS.merchantId });
    bankService.gateway.configure({ callbackUrl: callbacks.url });
    stops.push(() => callbacks.close());
    // The policy administration system: the reference receiver, fed by the outbox's relay over signed HTTP.
    const policyAdminSecret = settings.policyAdmin.secret ?? DEMO_POLICY_ADMIN_SECRET;
    const policyAdminReceiver = await startPolicyAdminReceiver({ secret: policyAdminSecret });
    stops.push(() => policyAdminReceiver.close());
    const relay = startPolicyAdminRelay(db, new HttpPolicyAdmin({ url: policyAdminReceiver.url, secret: policyAdminSecret }), {
      ...policyAdminFor({ environment: 'demo', policyAdmin: { ...settings.policyAdmin, url: policyAdminReceiver.url, secret: policyAdminSecret } }).relay,
      onError: (error: unknown) => process.stderr.write(`policy administration relay pass failed: ${error instanceof Error ? error.name : 'error'}\n`),
    });
    // Stops run in reverse: the relay's pass in progress ends before its receiver and the database close.
    stops.push(() => relay.stop());
    const running = worker.run();
    stops.push(async () => {
      // The SDK may already be shutting the worker down on the same signal.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    // The operations console on 127.0.0.1 (docs/architecture.md#console); a busy port is said, not fatal.
    const consoleApp = await buildConsole({
      db,
      temporal: { client: env.client },
      logger: createLogger('console', { level: 'warn' }),
      limiterKey: cipher.current.limiterKey,
      settings: readConsoleSettings({ ...process.env, RENEWALS_ENV: 'demo', DATABASE_URL: databaseUrl, CONSOLE_HOST: '127.0.0.1', CONSOLE_PORT: String(port('console-port')) }),
      policyRules: { counterConfirmAboveFen: settings.counterConfirmAboveFen, temporalUiUrl: `http://localhost:${port('ui-port')}` },
    });
    stops.push(() => consoleApp.close());
    const consoleUrl = await consoleApp
      .listen({ host: '127.0.0.1', port: port('console-port') })
      .then(() => `http://127.0.0.1:${port('console-port')}/   (sign in as demo-collector, password ${demoPeople.people.find((p) => p.login === 'demo-collector')?.password ?? 'as below'})`)
      .catch((error: unknown) => `not started: ${error instanceof Error ? error.message : String(error)} (give the stack a free --console-port)`);

    // Payment links with the WeChat Pay and Alipay simulators (docs/architecture.md#online-payment).
    const payments = await startOnlinePaymentStack(db, env.client, port('paylinks-port'));
    stops.push(() => payments.close());
    payLinkBase.url = payments.urls.links;

    // The daily letter batch at 17:00 Shanghai, as `renewals schedule letters` installs it (installing again updates it).
    const letterSchedule = await installLetterBatchSchedule(env.client, { at: '17:00' });

    // The sample cycles' month and its grace: said once on stderr when the calendar there is provisional.
    const calendarWarning = await monthlyRunCalendarWarning(db, monthOf(dueDate));
    if (calendarWarning) process.stderr.write(`${calendarWarning}\n`);

    const started = [];
    for (const { policy } of portfolio) {
      const { handle, started: isNew } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate });
      started.push(`${handle.workflowId}${isNew ? '' : ' (already running)'}`);
    }

    const uiPort = port('ui-port');
    console.log(`
Local stack is up (Ctrl-C stops it). State kept in ${state}.
  Temporal       ${env.address}   (${source})
  Temporal UI    ${args.temporal === 'dev' ? `http://localhost:${uiPort}/namespaces/default/workflows` : 'none on the PostgreSQL-backed server (docker-compose.yml runs temporalio/ui beside it)'}
  PostgreSQL     ${redactUrl(databaseUrl)}   (${postgres.source}; the application's login; migrations applied now: ${applied.length}, as ${redactUrl(migrationUrl)})
  SMTP catcher   ${smtp.url}   (messages saved in ${join(state, 'mail')})
  Bank simulator ${bankService.url}   (gateway POST /gateway; admin /sim/accounts, /sim/deposits, /sim/faults, /sim/ledger; callbacks to ${callbacks.url})
  SMS / WeChat   ${messaging.urls.sms}  ${messaging.urls.wechat}   (receipts pushed to ${messaging.urls.receipts}: push token shown as ***)
  Worker         task queue "renewals", in this process
  Console        ${consoleUrl}
  Policy admin   ${policyAdminReceiver.url}   (reference receiver; the outbox's relay delivers to it, signed)
  Payment links  ${payments.urls.links}/p/<token>   (renewals payments links create --policy …; WeChat Pay ${payments.urls.wechatpay}, Alipay ${payments.urls.alipay})
  Letters        PDFs stored in the database for print house ${settings.letters.printHouse}; renewals letters batch writes them to ${lettersOutbox}
                 (Schedule ${letterSchedule.scheduleId} batches them daily at ${letterSchedule.at} ${letterSchedule.timeZone}; next ${letterSchedule.nextRuns[0] ?? 'none'})
  Keys           RENEWALS_ENV=demo; ${describeKeyRing(ring, keys)}
  Demo users     one per role, made by the stack (demo passwords; production refuses them):
${demoPeople.people.map((p) => `                 ${p.login.padEnd(22)} password ${p.password}`).join('\n')}
                 sign in with: npx renewals login demo-operations-lead

For another shell (npm run worker, the renewals CLI, psql, the temporal CLI):
  export RENEWALS_ENV=demo DATABASE_URL='${databaseUrl}' DATABASE_MIGRATION_URL='${migrationUrl}' TEMPORAL_ADDRESS='${env.address}' RENEWALS_TOKEN='${demoPeople.operatorToken}' SMTP_URL='${smtp.url}' BANK_GATEWAY_URL='${bankService.gatewayUrl}' POLICY_ADMIN_URL='${policyAdminReceiver.url}' POLICY_ADMIN_SECRET='${policyAdminSecret}' LETTERS_OUTBOX_DIR='${lettersOutbox}' ${Object.entries({ ...messaging.env, ...payments.env }).map(([k, v]) => `${k}='${v}'`).join(' ')}
${started.length ? `\nSample cycles (due ${dueDate}, reminders in 15 days):\n${started.map((s) => `  ${s}`).join('\n')}\nFind one by search attribute:\n  temporal workflow list --address ${env.address} --query 'PolicyNo="${portfolio[0]!.policy.policyNo}"'\n` : ''}`);

    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    console.log('stopping…');
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`stack failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
