import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { PiiCipher } from '../../db/pii-cipher';
import { activeMandateAccount, replaceMandate } from '../../db/repositories/mandates';
import { formatYuan } from '../../domain/money';
import { renewalWorkflowId } from '../../domain/renewal-stage';
import type { SimulatedAccount, SimulatedBank } from '../../integrations/bank/simulator';
import {
  accountUpdatedUpdate,
  customerRefusedUpdate,
  holdPlacedUpdate,
  holdReleasedUpdate,
  promiseToPayUpdate,
} from '../../workflows/messages';
import type { ScenarioEvent } from './events';
import { completeTaskOf, OperatorError } from '../../application/operator-events';
import { applyForReinstatement } from '../../application/reinstatements';
import { batchLetters, recordReturnedLetter } from '../../application/letter-batches';
import { latestLetterOf, letterName } from '../../db/repositories/letters';
import { shanghaiInstant } from '../../domain/civil-date';
import { reportPayment } from '../../application/counter-payments';
import { paymentLinkFor, startOnlinePayment } from '../../application/payment-links';
import type { PaymentProvider, PaymentProviderName } from '../../integrations/payments/port';

export interface EventWorld {
  db: Knex;
  cipher: PiiCipher;
  bank: SimulatedBank;
  client: Client;
  /** accounts.csv by account number, for account updates. */
  accounts: ReadonlyMap<string, SimulatedAccount>;
  /** The due date of each policy's premium in the simulated month. */
  dueDates: ReadonlyMap<string, string>;
  /** Where the print house's batches go (a letter is handed over before the post can bring it back). */
  lettersOutbox: string;
  /** The payment-link server, the simulated providers and their payer, for pay_online (docs/architecture.md#online-payment). */
  online?: { linkBase: string; providers: Record<PaymentProviderName, PaymentProvider>; pay: (provider: PaymentProviderName, payUrl: string, at: number) => Promise<void> };
}

export interface AppliedEvent {
  row: number;
  date: string;
  policyNo: string;
  event: ScenarioEvent['kind'];
  applied: boolean;
  note: string;
}

/** The actor of what a scenario's people do: the simulator acts for them (docs/architecture.md#people). */
const SIMULATOR = 'simulator';

/**
 * Applies one scenario event the way the real world would reach the system: money arrives in the
 * bank, a counter payment or a promise comes in through the operator updates, a claim places a
 * hold, a servicing change replaces the mandate. A refusal by the cycle is an outcome, not an error.
 */
export async function applyEvent(world: EventWorld, event: ScenarioEvent): Promise<AppliedEvent> {
  const result = (applied: boolean, note: string): AppliedEvent => ({ row: event.row, date: event.date, policyNo: event.policyNo, event: event.kind, applied, note });
  const dueDate = world.dueDates.get(event.policyNo);
  if (dueDate === undefined) return result(false, 'no premium of this policy in the simulated month');
  const cycle = world.client.workflow.getHandle(renewalWorkflowId(event.policyNo, dueDate));
  try {
    switch (event.kind) {
      case 'deposit': {
        const account = await activeMandateAccount(world.db, world.cipher, event.policyNo);
        if (!account) return result(false, 'the policy has no active mandate');
        if (world.bank.balanceOf(account.bankCode, account.accountNo) === undefined) return result(false, 'the mandate account is not in accounts.csv');
        world.bank.deposit(account.bankCode, account.accountNo, event.amountFen, event.date);
        return result(true, `deposited ¥${formatYuan(event.amountFen)}`);
      }
      case 'pay_counter': {
        const reference = `CTR-${event.date.replaceAll('-', '')}-${event.policyNo}-${event.row}`;
        const payment = {
          kind: 'paymentReceived' as const,
          via: 'counter' as const,
          reference,
          ...(event.amountFen !== undefined ? { amountFen: event.amountFen } : {}),
          ...(event.paidAt !== undefined ? { paidAt: new Date(event.paidAt).toISOString() } : {}),
        };
        // As a cashier's `renewals pay` (no second cashier in a simulated branch): money for a premium already paid goes to suspense.
        const report = await reportPayment(world.db, world.client, event.policyNo, payment, SIMULATOR, { due: dueDate, confirmAboveFen: Number.MAX_SAFE_INTEGER });
        const what = `counter payment ${reference}${event.amountFen !== undefined ? ` of ¥${formatYuan(event.amountFen)}` : ''}${event.paidAt !== undefined ? `, paid ${new Date(event.paidAt).toISOString()}` : ''}`;
        if (report.kind === 'suspense') return result(true, `${what}: the premium was paid already, money in suspense (entry #${report.entryId})`);
        return result(true, what);
      }
      case 'pay_online': {
        if (!world.online) return result(false, 'online payment is not set up in this simulation');
        const premium = await world.db('premium_dues').where({ policy_no: event.policyNo, due_date: dueDate }).first<{ id: string }>('id');
        const at = shanghaiInstant(event.date, '08:00');
        const link = await paymentLinkFor(world.db, Number(premium.id), { baseUrl: world.online.linkBase, actor: SIMULATOR });
        const order = await startOnlinePayment(world.db, world.online.providers[event.provider], link.token, '127.0.0.1', new Date(at));
        if (!order) return result(false, 'the payment link is no longer valid (paid, or past the last grace day)');
        // The customer confirms at the provider, at the simulated hour; its notification reaches the cycle.
        await world.online.pay(event.provider, order.payUrl, at);
        const settled = await world.db('payment_orders').where({ out_trade_no: order.outTradeNo }).first<{ status: string; note: string | null }>('status', 'note');
        const where = event.provider === 'alipay' ? 'Alipay' : 'WeChat Pay';
        return result(settled.status === 'applied', `paid online through the link (${where} order ${order.outTradeNo}): ${settled.status}${settled.note ? `, ${settled.note}` : ''}`);
      }
      case 'promise':
        await cycle.executeUpdate(promiseToPayUpdate, { args: [{ date: event.until, by: SIMULATOR }] });
        return result(true, `promised to pay by ${event.until}`);
      case 'refuse':
        await cycle.executeUpdate(customerRefusedUpdate, { args: [{ reasonCode: event.reasonCode, by: SIMULATOR }] });
        return result(true, `refused, reason ${event.reasonCode}`);
      case 'claim_open':
        await cycle.executeUpdate(holdPlacedUpdate, { args: [{ kind: 'claim', by: SIMULATOR }] });
        return result(true, 'claim hold placed');
      case 'claim_close':
        await cycle.executeUpdate(holdReleasedUpdate, { args: [{ kind: 'claim', by: SIMULATOR }] });
        return result(true, 'claim hold released');
      case 'account_update': {
        const account = world.accounts.get(event.accountNo);
        if (!account) return result(false, 'the new account is not in accounts.csv');
        const changed = await replaceMandate(world.db, world.cipher, event.policyNo, account);
        if (!changed) return result(false, 'that account is already the active mandate');
        await cycle.executeUpdate(accountUpdatedUpdate, { args: [{ by: SIMULATOR }] });
        return result(true, `mandate moved to ${account.bankCode} account`);
      }
      case 'apply_reinstatement': {
        const applied = await applyForReinstatement(world.db, world.client, event.policyNo, event.paymentMethod, SIMULATOR);
        // The signed declaration came with the application: operations capture it at once.
        const declaration = await declarationTaskOf(world.db, applied.workflowId);
        await completeTaskOf(world.db, world.client, declaration, 'done', SIMULATOR);
        return result(true, `application ${applied.workflowId}, decision due ${applied.decisionDueDate}, back premiums by ${event.paymentMethod}`);
      }
      case 'letter_returned': {
        const letter = await latestLetterOf(world.db, event.policyNo);
        if (!letter) return result(false, 'no letter was sent to this policy');
        const at = new Date(shanghaiInstant(event.date, '08:00'));
        // The print house took the day's letters before the post could bring one back.
        if (!letter.handed_over_at) await batchLetters(world.db, { outboxDir: world.lettersOutbox, printHouse: letter.print_house, date: event.date, actor: SIMULATOR, now: at });
        const returned = await recordReturnedLetter(world.db, letterName(letter.id), event.reason, SIMULATOR, at);
        if (!returned.recorded) return result(false, `letter ${returned.letterId} was already recorded returned`);
        return result(true, `letter ${returned.letterId} returned (${event.reason})${returned.pointInvalidated ? ': postal address flagged' : ': no postal address on file to flag'}`);
      }
    }
  } catch (error) {
    if (error instanceof OperatorError) return result(false, error.message);
    if (error instanceof WorkflowNotFoundError) return result(false, 'the cycle has not started or has closed');
    if (error instanceof WorkflowUpdateFailedError) return result(false, `the cycle refused it: ${error.cause?.message ?? error.message}`);
    throw error;
  }
}

/** The declaration task the application opens from its first activity, moments after it starts. */
async function declarationTaskOf(db: Knex, workflowId: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const task = await db('tasks').where({ workflow_id: workflowId, step: 'reinstatement_declaration' }).first<{ id: number } | undefined>('id');
    if (task) return task.id;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${workflowId} opened no declaration task`);
}
