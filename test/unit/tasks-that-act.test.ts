import { describe, expect, it } from 'vitest';
import { isLostContact } from '../../domain/contact-quality';
import { escalatedAssignee, isOverdue } from '../../domain/task-escalation';
import { outcomeEffect, outcomesOf, PAYMENT_CONFIRMATION_OUTCOMES, PAYMENT_CONFIRMATION_STEP, settlementAt, TASK_OUTCOMES } from '../../domain/task-outcomes';

const today = '2026-12-06';

describe('what an outcome does (outcomeEffect)', () => {
  it('a promise carries its date, from today on', () => {
    expect(outcomeEffect('promised', { date: '2026-12-20' }, today)).toEqual({ kind: 'promise', date: '2026-12-20' });
    expect(outcomeEffect('promised', { date: today }, today)).toEqual({ kind: 'promise', date: today });
    expect(outcomeEffect('promised', {}, today)).toEqual({ error: 'the outcome promised needs --date YYYY-MM-DD, the date the customer promised to pay by' });
    expect(outcomeEffect('promised', { date: '2026-12-05' }, today)).toEqual({ error: '--date 2026-12-05 is in the past (today is 2026-12-06)' });
    expect(outcomeEffect('promised', { date: '2026-02-30' }, today)).toEqual({ error: '--date must be a date YYYY-MM-DD, got "2026-02-30"' });
    expect(outcomeEffect('promised', { date: '20 Dec' }, today)).toEqual({ error: '--date must be a date YYYY-MM-DD, got "20 Dec"' });
  });

  it('a refusal carries a non-payment reason code 1–12', () => {
    expect(outcomeEffect('refused', { reason: '8' }, today)).toEqual({ kind: 'refusal', reasonCode: 8 });
    expect(outcomeEffect('refused', { reason: '12' }, today)).toEqual({ kind: 'refusal', reasonCode: 12 });
    expect(outcomeEffect('refused', {}, today)).toEqual({ error: 'the outcome refused needs --reason, a non-payment reason code 1–12' });
    for (const bad of ['0', '13', 'x', '8.5', '-1', '']) {
      expect(outcomeEffect('refused', { reason: bad }, today)).toEqual({ error: `--reason must be a non-payment reason code 1–12, got "${bad}"` });
    }
  });

  it('a wrong number and a payment made elsewhere act; the other outcomes only close the task', () => {
    expect(outcomeEffect('wrong_number', {}, today)).toEqual({ kind: 'wrong_number' });
    expect(outcomeEffect('paid_elsewhere', {}, today)).toEqual({ kind: 'payment_to_confirm' });
    for (const outcome of ['reached', 'no_answer', 'account_fixed', 'done', 'retry_debit', 'lapse', 'not_found']) {
      expect(outcomeEffect(outcome, {}, today)).toEqual({ kind: 'none' });
    }
    // Every call outcome is one of these.
    expect(TASK_OUTCOMES).toContain('paid_elsewhere');
  });

  it('a date or reason goes with its own outcome only', () => {
    expect(outcomeEffect('reached', { date: '2026-12-20' }, today)).toEqual({ error: '--date goes with the outcome promised only, not reached' });
    expect(outcomeEffect('promised', { date: '2026-12-20', reason: '8' }, today)).toEqual({ error: '--reason goes with the outcome refused only, not promised' });
    expect(outcomeEffect('wrong_number', { reason: '12' }, today)).toEqual({ error: '--reason goes with the outcome refused only, not wrong_number' });
  });

  it('a payment to confirm is closed by the payment itself, or as not found', () => {
    expect(outcomesOf(PAYMENT_CONFIRMATION_STEP)).toEqual(PAYMENT_CONFIRMATION_OUTCOMES);
    expect(outcomesOf(PAYMENT_CONFIRMATION_STEP)).toEqual(['not_found']);
  });
});

describe('tasks settle with their cycle (settlementAt)', () => {
  it('paid, lapsed, reinstated and closed settle the open tasks; the stages in between do not', () => {
    expect(settlementAt('PAID')).toEqual({ because: 'premium_paid', keepKinds: [] });
    expect(settlementAt('CLOSED')).toEqual({ because: 'cycle_closed', keepKinds: [] });
    expect(settlementAt('REINSTATED')).toEqual({ because: 'reinstated', keepKinds: [] });
    // A payment still to be confirmed outlives the lapse: money found later still counts.
    expect(settlementAt('LAPSED')).toEqual({ because: 'lapsed', keepKinds: ['payment_confirmation'] });
    for (const stage of ['PRE_DUE', 'DEBITING', 'IN_GRACE']) expect(settlementAt(stage)).toBeUndefined();
  });
});

describe('overdue tasks go up (escalatedAssignee)', () => {
  it("an agent's task goes to their team lead, else to operations", () => {
    expect(escalatedAssignee({ role: 'agent', agentCode: 'A001' }, 'L001')).toEqual({ role: 'team_lead', agentCode: 'L001' });
    expect(escalatedAssignee({ role: 'agent', agentCode: 'A001' }, null)).toEqual({ role: 'operations', agentCode: null });
    // A team lead's own policy: nobody above them in the team, so operations.
    expect(escalatedAssignee({ role: 'agent', agentCode: 'L001' }, 'L001')).toEqual({ role: 'operations', agentCode: null });
  });

  it('a task already with a team lead, operations or an underwriter stays with them (flagged only)', () => {
    for (const current of [
      { role: 'team_lead' as const, agentCode: 'L001' },
      { role: 'operations' as const, agentCode: null },
      { role: 'underwriter' as const, agentCode: null },
    ]) {
      expect(escalatedAssignee(current, 'L009')).toEqual(current);
    }
  });

  it('overdue once its deadline has passed, not at the deadline itself', () => {
    expect(isOverdue(1000, 999)).toBe(false);
    expect(isOverdue(1000, 1000)).toBe(false);
    expect(isOverdue(1000, 1001)).toBe(true);
  });
});

describe('lost contact (isLostContact)', () => {
  it('no valid mobile left: lost; any valid mobile: reachable', () => {
    expect(isLostContact([])).toBe(true);
    expect(isLostContact([{ type: 'mobile', status: 'invalid' }, { type: 'email', status: 'valid' }])).toBe(true);
    expect(isLostContact([{ type: 'mobile', status: 'unverified' }])).toBe(true);
    expect(isLostContact([{ type: 'mobile', status: 'invalid' }, { type: 'mobile', status: 'valid' }])).toBe(false);
  });
});
