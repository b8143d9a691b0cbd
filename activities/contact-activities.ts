import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { DEFAULT_SERVICE_HOTLINE } from '../config/settings';
import { bankCollectionDate, cnMainlandCalendar, cycleCalendarYears } from '../domain/business-calendar';
import { callScriptFor } from '../domain/call-scripts';
import { addDays, daysBetween, shanghaiDate } from '../domain/civil-date';
import { lastGraceDay } from '../domain/cycle-schedule';
import { taskPriority } from '../domain/task-priority';
import { CONTACT_POINT_OF, type ContactChannel, type TextChannel } from '../domain/channels';
import { checkContact, DEFAULT_CONTACT_LIMITS, routeCallTask, type ContactLimits } from '../domain/contact-rules';
import { CONTACT_SEND_ATTEMPTS, type ChannelWait, type ContactExpiry } from '../domain/contact-waits';
import type { DebitReason } from '../domain/debit-reasons';
import { RETURNED_ADDRESS_RULE } from '../domain/letters';
import { ORPHAN_NOTICE_STEP, type ServicingRole } from '../domain/orphans';
import { appendAudit, appendAuditOnce } from '../db/repositories/audit';
import { holdMessage, recordSendAndEarlyReceipts } from '../db/repositories/contact-receipts';
import { loadCycleContext } from '../db/repositories/cycles';
import { loadCalendarSources } from '../db/repositories/calendar';
import {
  holderContactsOf,
  markContactExpired,
  markContactFailed,
  markContactPointInvalid,
  markContactSuppressed,
  noteContactRefusal,
  openContactAttempt,
  pendingContactsOfStep,
  type HolderContacts,
} from '../db/repositories/contacts';
import { servicingOf } from '../db/repositories/orphans';
import { completeTask, openAuditedTask, taskRoutingFor, type NewTask } from '../db/repositories/tasks';
import { PersonalDataUnreadable, type PiiCipher } from '../db/pii-cipher';
import { ProviderError, type EmailPort } from '../integrations/messaging/port';
import { SMTP_PROVIDER } from '../integrations/messaging/smtp-email';
import { renderNotice, type NoticeFields, type RenderedNotice } from '../integrations/messaging/templates/renewal-notices';
import type { TextMessagePort } from '../integrations/messaging/text-channels';
import { createLogger } from '../observability/logger';
import { requireCycle } from './cycle-activities';
import { activityOrigin, auditOf, type CycleRef, type Origin } from './origin';
import { sendUnderCircuit } from './provider-send';
import { reportUnreadable, UNREADABLE_RULE } from './personal-data-unreadable';

/**
 * What a text provider is handed: its registered template (by our template key, e.g.
 * debit_failed.account_unusable) and the variables, all non-personal (policy number, amount, dates).
 */
function providerTemplate(notice: RenderedNotice, channel: TextChannel): { template: string; params: Record<string, string> } {
  if (channel === 'sms' && notice.sms) return { template: notice.sms.templateKey, params: notice.sms.params };
  if (channel === 'wechat' && notice.wechat) {
    return { template: notice.wechat.templateKey, params: Object.fromEntries(Object.entries(notice.wechat.data).map(([key, v]) => [key, v.value])) };
  }
  return { template: notice.templateKey, params: {} };
}

/** A task of this cycle, linked to the activity that opens it, due in two days. */
function cycleTask(ref: CycleRef, o: Origin, task: Pick<NewTask, 'kind' | 'step' | 'assigneeRole' | 'assigneeAgentCode'>): NewTask {
  return {
    ...task,
    policyNo: ref.policyNo,
    dueDate: ref.dueDate,
    dueAt: new Date(o.at.getTime() + 2 * 86_400_000),
    workflowId: o.workflowId,
    runId: o.runId,
    activityId: o.activityId,
  };
}

/** The call script the caller works from (domain/call-scripts.ts), recorded with the task. */
function scriptOf(request: TaskRequest): { callScript?: string } {
  if (request.task === 'fix_account' || request.step === 'grace_end_escalation') return {};
  try {
    const script = callScriptFor(request.step);
    return { callScript: `${script.id}@${script.version}` };
  } catch {
    return {}; // a plan step without a script of its own: the task still opens
  }
}

export interface ContactRequest {
  step: string;
  template: string;
  channels: ContactChannel[];
  /** Every channel that can be used, rather than the first that works. */
  allChannels: boolean;
  reason?: DebitReason;
  /** Decided by the cycle (hold, promise, stale): record, do not send. */
  suppressedBy?: string;
  /** What the notice says beyond the premium itself (window dates, quotes): dates and fen only. */
  fields?: Omit<NoticeFields, 'policyNo'>;
}

export interface ContactOutcome {
  sent: ContactChannel[];
  suppressed: { channel: ContactChannel; rule: string }[];
  /** Channels that could not go now (a provider down): the step is owed (attemptContact only). */
  waiting?: ChannelWait[];
}

/** One orphan notice: the policy, and the departure that orphaned it. */
export interface OrphanNoticeRef {
  policyNo: string;
  agentCode: string;
  departedOn: string;
}

export interface TaskRequest {
  step: string;
  task: 'call' | 'escalation' | 'fix_account';
  assignee: 'agent' | 'team_lead' | 'operations';
  suppressedBy?: string;
  /** The step's own urgency (the reinstatement window's high-value calls): weighed into the priority. */
  priority?: 'high' | 'normal';
}

/** The task's priority (domain/task-priority.ts) from its premium as it stands at `at`; 0 when the premium is not on file. */
async function priorityOf(db: Knex, ref: CycleRef, at: Date, hint: TaskRequest['priority']): Promise<number> {
  const cycle = await loadCycleContext(db, ref.policyNo, ref.dueDate);
  if (!cycle) return 0;
  const daysToLapse = cycle.status === 'lapsed' ? null : daysBetween(shanghaiDate(at.getTime()), lastGraceDay(cycle.snapshot));
  return taskPriority({
    premiumFen: cycle.amountFen,
    paymentFrequency: cycle.snapshot.paymentFrequency,
    daysToLapse,
    segment: cycle.snapshot.segment,
    ...(hint ? { hint } : {}),
  });
}


const WEEK_MS = 7 * 86_400_000;
/** The notices that tell how to pay, and so carry the payment link when there is one. */
const PAY_LINK_TEMPLATES = new Set(['pre_due_reminder', 'debit_tomorrow_keep_funds', 'debit_failed', 'lapse_risk_notice', 'final_notice']);
/** Suppression rules that say the contact data is missing or unusable, rather than "not now". */
const DATA_GAPS = new Set(['no_verified_contact', 'flagged_number']);

export function createContactActivities(deps: {
  db: Knex;
  cipher: PiiCipher;
  email: EmailPort;
  text: TextMessagePort;
  limits?: ContactLimits;
  /** The customer-service number notices give (SERVICE_HOTLINE). */
  serviceHotline?: string;
  /** Where a provider circuit's opening and closing are said (the alert's log line). */
  alerts?: Logger;
  /**
   * The premium's payment link for the notices that tell how to pay (docs/architecture.md#online-payment),
   * undefined when it has none (not due, past grace); absent when online payment is off.
   */
  payLinkFor?: (premiumDueId: number) => Promise<string | undefined>;
}) {
  const { db, cipher, email, text } = deps;
  const alerts = deps.alerts ?? createLogger('provider-circuits');
  const serviceHotline = deps.serviceHotline ?? DEFAULT_SERVICE_HOTLINE;
  const limits = deps.limits ?? DEFAULT_CONTACT_LIMITS;

  /**
   * Nothing went out and the only reasons were the contact data (no verified point, a flagged
   * number): that is a gap for operations to fix, not a silence. One task per cycle.
   */
  async function reportContactGap(ref: CycleRef, o: Origin, step: string, outcome: ContactOutcome): Promise<void> {
    if (outcome.sent.length > 0 || outcome.suppressed.length === 0) return;
    if (!outcome.suppressed.every((s) => DATA_GAPS.has(s.rule))) return;
    await openAuditedTask(db, cycleTask(ref, o, { kind: 'fix_contact', step: 'verify_contact', assigneeRole: 'operations', assigneeAgentCode: null }), auditOf(ref, o), {
      because: step,
      rules: outcome.suppressed.map((s) => `${s.channel}:${s.rule}`),
    });
  }

  /** A cycle's notice: the premium's amount, dates and debit day, and whatever the step adds. */
  async function cycleNotice(ref: CycleRef, request: ContactRequest): Promise<RenderedNotice> {
    const cycle = await requireCycle(db, ref);
    const { rows, noticeYears } = await loadCalendarSources(db);
    const calendar = cnMainlandCalendar(rows, { noticeYears, computeYears: cycleCalendarYears(ref.dueDate) });
    const payLink = deps.payLinkFor && PAY_LINK_TEMPLATES.has(request.template) ? await deps.payLinkFor(cycle.premiumDueId) : undefined;
    return renderNotice(request.template, {
      policyNo: ref.policyNo,
      dueDate: ref.dueDate,
      debitDate: bankCollectionDate(calendar, ref.dueDate),
      amountFen: cycle.amountFen,
      lastGraceDay: addDays(ref.dueDate, cycle.snapshot.graceDays),
      reason: request.reason,
      serviceHotline,
      ...(payLink ? { payLink } : {}),
      ...request.fields,
    });
  }

  /**
   * One step of the plan on its channels: each attempt row is written before the provider is called
   * and carries its ID there; every channel not used is recorded with the rule that stopped it. A
   * channel whose provider cannot take it now either makes the activity fail for Temporal to retry
   * (`mayWait` false: the caller waits) or is answered as waiting (the cycle owes the step and goes on).
   */
  async function contact(ref: CycleRef, request: ContactRequest, mayWait: boolean, rendered?: RenderedNotice): Promise<ContactOutcome> {
    const o = activityOrigin();
    const lastTry = Context.current().info.attempt >= CONTACT_SEND_ATTEMPTS;
    const outcome: ContactOutcome = { sent: [], suppressed: [] };
    // A notice about the policy rather than a premium (the orphan notice) comes rendered.
    const notice = rendered ?? (await cycleNotice(ref, request));
    // The holder's points and recent sends, read once for the step (docs/architecture.md#hot-paths);
    // what this step sends is added as it goes, so a later channel counts it as a re-read would.
    let holderReads: Promise<HolderContacts> | undefined;
    const holder = () => (holderReads ??= holderContactsOf(db, ref.policyNo, new Date(o.at.getTime() - WEEK_MS)));

    for (const channel of request.channels) {
      if (!request.allChannels && outcome.sent.length > 0) break;
      // A letter goes to the postal address on file, when there is one (docs/architecture.md#letters).
      const point = (await holder()).points[channel === 'letter' ? 'postal' : CONTACT_POINT_OF[channel]];
      const freshId = randomUUID();
      const attempt = await openContactAttempt(db, {
        id: freshId,
        policyNo: ref.policyNo,
        dueDate: ref.dueDate,
        step: request.step,
        channel,
        templateCode: request.template,
        templateVersion: notice.version,
        recipientMasked: point?.valueMasked ?? null,
        workflowId: o.workflowId,
        runId: o.runId,
        activityId: o.activityId,
        plannedAt: o.at,
      });
      // A retried activity finds what the first try did and does not do it again.
      if (attempt.status === 'sent' || attempt.status === 'delivered') {
        outcome.sent.push(channel);
        continue;
      }
      if (attempt.status === 'suppressed' || attempt.status === 'failed') {
        outcome.suppressed.push({ channel, rule: attempt.suppressed_rule ?? 'provider_rejected' });
        continue;
      }
      const audit = auditOf(ref, o);
      const recipient = point?.valueMasked ?? 'postal address on file';
      const textChannel: TextChannel = channel === 'letter' ? 'letter' : channel === 'wechat' ? 'wechat' : 'sms';
      const provider = channel === 'email' ? SMTP_PROVIDER : (text.providerOf?.(textChannel) ?? textChannel);
      /**
       * The recipient in clear, or undefined when its value cannot be decrypted (a key not configured
       * or wrong): then the attempt is recorded as failed with that reason, operations get a task, and
       * the next channel is tried. Retrying could not help, and the cycle must go on.
       */
      const clearRecipient = async (): Promise<string | undefined> => {
        if (channel === 'letter' && !point) return `保单 ${ref.policyNo} 投保人（地址以保单档案为准）\nPolicyholder of ${ref.policyNo} (address as on the policy file)`;
        try {
          return cipher.decrypt(point!.valueEnc, { table: 'contact_points', id: point!.id });
        } catch (error) {
          if (!(error instanceof PersonalDataUnreadable)) throw error;
          await db.transaction(async (trx) => {
            await markContactFailed(trx, attempt.id, UNREADABLE_RULE);
            await appendAudit(trx, { ...audit, kind: 'contact_failed', detail: { contactId: attempt.id, step: request.step, channel, recipient, code: UNREADABLE_RULE, keyId: error.keyId } });
          });
          await reportUnreadable(db, ref, o, error, request.step);
          outcome.suppressed.push({ channel, rule: UNREADABLE_RULE });
          return undefined;
        }
      };
      const recordSent = async (sent: { provider: string; providerMessageId: string }) => {
        await db.transaction(async (trx) => {
          await holdMessage(trx, sent.providerMessageId);
          await recordSendAndEarlyReceipts(trx, { contactId: attempt.id, provider: sent.provider, providerMessageId: sent.providerMessageId, at: o.at });
          await appendAudit(trx, {
            ...audit,
            kind: 'contact_sent',
            detail: {
              contactId: attempt.id,
              step: request.step,
              channel,
              // The SMS with a payment link is its own registered text (`<key>.link`): the record names it.
              template: `${channel === 'sms' && notice.sms ? notice.sms.templateKey : notice.templateKey}@${notice.version}`,
              recipient,
              provider: sent.provider,
              providerMessageId: sent.providerMessageId,
            },
          });
        });
        outcome.sent.push(channel);
        if (holderReads) (await holderReads).recent.push({ channel, at: o.at });
      };
      /** The provider cannot take it now: owed (mayWait), or the activity fails and Temporal retries. */
      const waitFor = async (wait: ChannelWait): Promise<void> => {
        if (!mayWait) {
          throw ApplicationFailure.retryable(`${wait.provider} cannot take messages now (${wait.why} ${wait.code}): contact ${attempt.id} waits`, 'ProviderUnavailable');
        }
        await db.transaction(async (trx) => {
          await noteContactRefusal(trx, attempt.id, `${wait.provider}:${wait.code}`);
          await appendAuditOnce(
            trx,
            { ...audit, kind: 'contact_waiting', detail: { contactId: attempt.id, step: request.step, channel, provider: wait.provider, why: wait.why, code: wait.code } },
            { contactId: attempt.id },
          );
        });
        (outcome.waiting ??= []).push(wait);
      };

      try {
        // The row was written by an earlier try, which may have reached the provider before it died:
        // ask the provider by our contact ID before anything else, rules included (invariant 2).
        // SMTP has no such question: an email is resent under the same Message-ID.
        if (attempt.id !== freshId && channel !== 'email' && (channel === 'letter' || point)) {
          const to = await clearRecipient();
          if (to === undefined) continue;
          const earlier = await text.status(textChannel, attempt.id, shanghaiDate(new Date(attempt.created_at).getTime()), to);
          if (earlier.state === 'accepted' || earlier.state === 'delivered') {
            await recordSent({ provider, providerMessageId: earlier.providerMessageId });
            continue;
          }
        }

        let rule = request.suppressedBy;
        // A letter the post brought back flagged its address: no letter goes there until a new one is verified.
        if (!rule && channel === 'letter' && point?.status === 'invalid') rule = RETURNED_ADDRESS_RULE;
        if (!rule && channel !== 'letter') {
          const { recent } = await holder();
          const decision = checkContact({
            channel,
            now: o.at.getTime(),
            contactPoint: point && { status: point.status, flags: point.flags },
            recentContacts: recent.map((c) => ({ channel: c.channel, at: c.at.getTime() })),
            holds: [],
            serviceNotice: true,
            statusChange: notice.statusChange,
            limits,
          });
          if (!decision.allowed) rule = decision.rule;
        }
        if (rule) {
          await db.transaction(async (trx) => {
            await markContactSuppressed(trx, attempt.id, rule);
            await appendAudit(trx, { ...audit, kind: 'contact_suppressed', detail: { contactId: attempt.id, step: request.step, channel, rule } });
          });
          outcome.suppressed.push({ channel, rule });
          continue;
        }

        const to = await clearRecipient();
        if (to === undefined) continue;
        const answer = await sendUnderCircuit({ db, alerts }, { provider, channel, at: o.at.getTime(), witness: audit }, async () => {
          if (channel === 'email') return { provider: SMTP_PROVIDER, ...(await email.send({ contactId: attempt.id, to, ...notice })) };
          const body = textChannel === 'sms' ? notice.sms?.text : textChannel === 'letter' ? notice.letter?.text : undefined;
          return text.send({
            contactId: attempt.id,
            channel: textChannel,
            to,
            ...providerTemplate(notice, textChannel),
            templateVersion: notice.version,
            text: body ?? notice.text,
            ...(textChannel === 'letter' ? { letter: { date: shanghaiDate(new Date(attempt.planned_at).getTime()), policyNo: ref.policyNo, postalPointId: point?.id ?? null } } : {}),
          });
        });
        if (answer.result === 'sent') {
          await recordSent(answer);
          continue;
        }
        if (answer.result === 'wait') {
          await waitFor(answer.wait);
          if (!request.allChannels) break; // the step waits for this channel rather than moving on to the next
          continue;
        }
        // Refused for this recipient or message (bad number, unsubscribed, template): recorded, not retried;
        // a bad address or number is no longer used.
        const error = answer.error;
        const invalidPoint = error.failure.badAddress === true && point !== undefined;
        await db.transaction(async (trx) => {
          await markContactFailed(trx, attempt.id, `${error.provider}:${error.code}`);
          const lost = invalidPoint ? await markContactPointInvalid(trx, point.id, { providerRejected: `${error.provider}:${error.code}` }) : { lostContact: [] };
          // A later channel on the same point sees it invalid, as a re-read would.
          if (invalidPoint) point.status = 'invalid';
          await appendAudit(trx, {
            ...audit,
            kind: 'contact_failed',
            detail: {
              contactId: attempt.id,
              step: request.step,
              channel,
              recipient,
              provider: error.provider,
              code: error.code,
              pointInvalidated: invalidPoint,
              ...(lost.lostContact.length > 0 ? { lostContact: lost.lostContact } : {}),
            },
          });
        });
        outcome.suppressed.push({ channel, rule: 'provider_rejected' });
      } catch (error) {
        // Throttling and outages are retried by Temporal (this row is found again, the provider asked
        // first); on the last try the step is left owed instead, so the cycle goes on.
        if (!(mayWait && lastTry && error instanceof ProviderError && error.failure.kind === 'transient')) throw error;
        await waitFor({ channel, provider: error.provider, why: 'transient', code: error.code });
        if (!request.allChannels) break;
      }
    }
    await reportContactGap(ref, o, request.step, outcome);
    return outcome;
  }

  return {
    /** A step that must go before its caller goes on: a provider that cannot take it now is retried until it can. */
    sendContact(ref: CycleRef, request: ContactRequest): Promise<ContactOutcome> {
      return contact(ref, request, false);
    },

    /**
     * A cycle's step that must not hold anything up: what cannot go now is answered as `waiting` (a
     * provider's circuit open, or transient failures through the last of CONTACT_SEND_ATTEMPTS tries),
     * and the cycle tries again later.
     */
    attemptContact(ref: CycleRef, request: ContactRequest): Promise<ContactOutcome> {
      return contact(ref, request, true);
    },

    /** A waiting step whose moment passed: its rows still pending are recorded expired, with why, never sent. */
    async expireContact(ref: CycleRef, expiry: { step: string; reason: ContactExpiry; waitedFor: string }): Promise<void> {
      const o = activityOrigin();
      const audit = auditOf(ref, o);
      await db.transaction(async (trx) => {
        const rows = await pendingContactsOfStep(trx, o.workflowId, expiry.step);
        for (const row of rows) {
          await markContactExpired(trx, row.id, row.provider_code);
          await appendAuditOnce(trx, { ...audit, kind: 'contact_expired', detail: { contactId: row.id, channel: row.channel, ...expiry } }, { contactId: row.id });
        }
        // Nothing was written for it (every try failed before its rows): the trail still says it expired.
        if (rows.length === 0) await appendAuditOnce(trx, { ...audit, kind: 'contact_expired', detail: { contactId: null, ...expiry } }, { step: expiry.step });
      });
    },

    /** `by`: the person who worked the task (none from histories recorded before). */
    async completeTask(ref: CycleRef, completion: { step: string; outcome: string; by?: string }): Promise<void> {
      const o = activityOrigin();
      const { by, ...done } = completion;
      await db.transaction(async (trx) => {
        const taskId = await completeTask(trx, o.workflowId, done.step, done.outcome, o.at);
        await appendAuditOnce(trx, { ...auditOf(ref, o, by), kind: 'task_completed', detail: { taskId: taskId ?? null, ...done } }, { step: done.step });
      });
    },

    /**
     * The orphan notice (docs/business-rules.md#orphan-policies): who serves the policy now, read
     * when it goes, so a reassignment made meanwhile is what the customer is told. Sent through the
     * same path as every cycle contact (rows first, contact rules, suppressions recorded); its rows
     * carry the departure day where a cycle's carry the due date. A letter always goes (the written
     * notice); SMS and email go where a verified point and the rules allow.
     */
    async sendOrphanNotice(notice: OrphanNoticeRef): Promise<ContactOutcome & { servicingRole: ServicingRole }> {
      const servicing = await servicingOf(db, notice.policyNo);
      if (!servicing) {
        throw ApplicationFailure.nonRetryable(
          `policy ${notice.policyNo} has no active agent or team lead to name: reassign it (renewals policies reassign) before the notice can go`,
          'NoServicingPerson',
        );
      }
      const rendered = renderNotice('orphan_notice', {
        policyNo: notice.policyNo,
        servicingRole: servicing.role,
        servicingMasked: servicing.nameMasked,
        servicingCode: servicing.code,
        serviceHotline,
      });
      const request: ContactRequest = { step: ORPHAN_NOTICE_STEP, template: 'orphan_notice', channels: ['letter', 'sms', 'email'], allChannels: true };
      const outcome = await contact({ policyNo: notice.policyNo, dueDate: notice.departedOn }, request, false, rendered);
      return { ...outcome, servicingRole: servicing.role };
    },

    /** Opens a follow-up task for the right person (orphan policies go to the team lead), or records why not. */
    async openCycleTask(ref: CycleRef, request: TaskRequest): Promise<{ taskId?: number; assigneeRole?: string; orphan?: boolean }> {
      const o = activityOrigin();
      if (request.suppressedBy) {
        await appendAuditOnce(db, { ...auditOf(ref, o), kind: 'task_suppressed', detail: { step: request.step, task: request.task, rule: request.suppressedBy } });
        return {};
      }
      const routing = await taskRoutingFor(db, ref.policyNo);
      const assignment =
        request.assignee === 'operations'
          ? { assigneeRole: 'operations' as const, assigneeCode: null, orphan: routing.agentStatus !== 'active' }
          : routeCallTask({ ...routing, escalation: request.assignee === 'team_lead' });
      const priority = await priorityOf(db, ref, o.at, request.priority);
      const task = await openAuditedTask(
        db,
        { ...cycleTask(ref, o, { kind: request.task, step: request.step, assigneeRole: assignment.assigneeRole, assigneeAgentCode: assignment.assigneeCode }), priority },
        auditOf(ref, o),
        { assignee: assignment.assigneeCode, orphan: assignment.orphan, priority, ...scriptOf(request) },
      );
      return { taskId: task.id, assigneeRole: assignment.assigneeRole, orphan: assignment.orphan };
    },
  };
}
