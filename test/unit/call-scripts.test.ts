import { describe, expect, it } from 'vitest';
import {
  CALL_SCRIPTS_VERSION,
  CALL_STEPS,
  callPurposeOf,
  callScriptFor,
  COMMON_OBJECTIONS,
  type CallScript,
  type Objection,
} from '../../domain/call-scripts';
import { STANDARD_60 } from '../../domain/collection-plan';
import { REASON_RULES, type DebitReason } from '../../domain/debit-reasons';
import type { Bilingual } from '../../domain/bilingual';
import { NON_PAYMENT_REASON_CODES } from '../../domain/non-payment-reasons';
import { TASK_OUTCOMES } from '../../domain/task-outcomes';

const PLAN_CALL_STEPS = STANDARD_60.tasks.map((t) => t.step);
const OTHER_CALL_STEPS = ['fix_account_1', 'reinstatement_call_30d', 'reinstatement_call_180d', 'reinstatement_call_365d', 'reinstatement_call_closing'];
const ALL_STEPS = [...PLAN_CALL_STEPS, ...OTHER_CALL_STEPS];
const OBJECTIONS: Objection[] = [...NON_PAYMENT_REASON_CODES, ...COMMON_OBJECTIONS];

function lines(script: CallScript): Bilingual[] {
  return [script.title, ...script.opening, ...script.keyPoints, ...script.options, ...script.objectionHandling, ...script.compliance, ...script.outcomes.map((o) => o.when)];
}

describe('a script for every call task of the default plan', () => {
  it.each(STANDARD_60.tasks.map((t) => [t.step, t.assignee] as const))('%s, worked by the %s', (step, assignee) => {
    const script = callScriptFor(step);
    expect(script.step).toBe(step);
    expect(script.caller).toBe(assignee);
    expect(script.version).toBe(CALL_SCRIPTS_VERSION);
    expect(script.opening.length).toBeGreaterThan(0);
    expect(script.keyPoints.length).toBeGreaterThan(0);
    expect(script.options.length).toBeGreaterThan(0);
  });

  it('reads the purpose from the step, including steps a configured plan names its own way', () => {
    expect(PLAN_CALL_STEPS.map(callPurposeOf)).toEqual(['pre_due_high_value', 'grace_first_call', 'mid_grace', 'grace_escalation']);
    expect(callPurposeOf('call_d-20')).toBe('pre_due_high_value');
    expect(callPurposeOf('call_d+10')).toBe('grace_first_call');
    expect(callPurposeOf('call_d+35')).toBe('mid_grace');
    expect(callPurposeOf('escalation_d+50')).toBe('grace_escalation');
    expect(callPurposeOf('fix_account_3')).toBe('account_fix');
    expect(callPurposeOf('reinstatement_call_365d')).toBe('reinstatement');
    for (const [step, purpose] of Object.entries(CALL_STEPS)) expect(callPurposeOf(step)).toBe(purpose);
  });

  it('names an unknown step or objection', () => {
    expect(() => callScriptFor('grace_end_escalation')).toThrow(/no call script for task step "grace_end_escalation"/);
    expect(() => callScriptFor('call_d+7', 13 as Objection)).toThrow(/no call script for objection 13/);
    expect(() => callScriptFor('call_d+7', 'too_expensive' as Objection)).toThrow(/objection "too_expensive"/);
  });
});

describe('objections', () => {
  it.each(ALL_STEPS)('%s has handling for every non-payment reason code 1–12, recording that code', (step) => {
    expect(NON_PAYMENT_REASON_CODES).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const seen = new Set<string>();
    for (const code of NON_PAYMENT_REASON_CODES) {
      const script = callScriptFor(step, code);
      expect(script.objection).toBe(code);
      expect(script.nonPaymentReason).toBe(code);
      expect(script.id).toBe(`${script.purpose}/${code}`);
      expect(script.objectionHandling.length, `code ${code}`).toBeGreaterThan(0);
      seen.add(script.objectionHandling[0]!.zh);
    }
    expect(seen.size).toBe(12);
  });

  it('handles the common objections; only financial difficulty implies a reason code (8)', () => {
    for (const objection of COMMON_OBJECTIONS) {
      const script = callScriptFor('call_d+7', objection);
      expect(script.objectionHandling.length, objection).toBeGreaterThan(0);
      expect(script.nonPaymentReason).toBe(objection === 'financial_difficulty' ? 8 : undefined);
    }
    expect(callScriptFor('call_d+7', 'financial_difficulty').objectionHandling).toEqual(callScriptFor('call_d+7', 8).objectionHandling);
  });

  it('answers a wish to surrender with the facts and the choice left to the customer', () => {
    const text = callScriptFor('call_d+30', 'wants_to_surrender').objectionHandling.map((l) => l.zh).join('');
    expect(text).toContain('30日内退还现金价值');
    expect(text).toContain('完全由客户决定');
    expect(text).toContain('离职业务员');
  });

  it('has no handling and no reason code without an objection', () => {
    const script = callScriptFor('call_d+7');
    expect(script.objectionHandling).toEqual([]);
    expect(script.nonPaymentReason).toBeUndefined();
    expect(script.id).toBe('grace_first_call');
  });
});

describe('outcomes and compliance', () => {
  it('offers exactly the outcome codes a call task accepts', () => {
    expect([...TASK_OUTCOMES]).toEqual(['reached', 'no_answer', 'wrong_number', 'promised', 'refused', 'account_fixed', 'done', 'paid_elsewhere']);
    for (const step of ALL_STEPS) expect(callScriptFor(step).outcomes.map((o) => o.code)).toEqual([...TASK_OUTCOMES]);
  });

  it('reminds every caller of the calling hours, identification, no debt wording, no sales, own accounts and recording the outcome', () => {
    for (const step of ALL_STEPS) {
      const compliance = callScriptFor(step).compliance.map((l) => `${l.zh} ${l.en}`).join('\n');
      expect(compliance).toContain('09:00–21:00');
      expect(compliance).toMatch(/报明姓名.*确认对方是投保人本人/);
      expect(compliance).toContain('不是债务');
      expect(compliance).toContain('不推销');
      expect(compliance).toContain('本人账户');
      expect(compliance).toContain('1000元');
      expect(compliance).toMatch(/记录结果代码.*未缴原因代码/);
    }
  });

  it('keeps debt and sales wording out of everything said to the customer', () => {
    const DENY = [/欠款/, /欠费/, /催收/, /逾期/, /债务/, /优惠/, /促销/, /新品/, /推荐购买/, /\bdebt/i, /overdue/i, /discount/i, /promotion/i];
    for (const step of ALL_STEPS) {
      for (const objection of [undefined, ...OBJECTIONS]) {
        const script = callScriptFor(step, objection);
        // The compliance lines name the forbidden words in order to forbid them.
        const said = [script.title, ...script.opening, ...script.keyPoints, ...script.options, ...script.objectionHandling];
        for (const line of said) for (const word of DENY) expect(`${line.zh} ${line.en}`, `${script.id}`).not.toMatch(word);
      }
    }
  });

  it('is complete in both languages', () => {
    for (const step of ALL_STEPS) {
      for (const objection of [undefined, ...OBJECTIONS]) {
        for (const line of lines(callScriptFor(step, objection))) {
          expect(line.zh).toMatch(/[\u4e00-\u9fff]/);
          expect(line.en).toMatch(/^[\x20-\x7e’–…]+$/);
        }
      }
    }
  });
});

describe('fitting the script to the case', () => {
  it('mentions the automatic premium loan only where it may apply', () => {
    const apl = (s: CallScript) => s.options.some((o) => o.zh.includes('自动垫交'));
    expect(apl(callScriptFor('call_d+30', undefined, { aplElected: true }))).toBe(true);
    expect(apl(callScriptFor('call_d+30', undefined, { aplElected: false }))).toBe(false);
    expect(callScriptFor('call_d+30').options.find((o) => o.zh.includes('自动垫交'))?.zh).toMatch(/^先查看保单是否选择了自动垫交/);
    expect(apl(callScriptFor('call_d-15', undefined, { aplElected: true }))).toBe(false);
  });

  it('offers reduced paid-up from mid-grace on, not before', () => {
    const rpu = (step: string) => callScriptFor(step).options.some((o) => o.zh.includes('减额交清'));
    expect(['call_d-15', 'call_d+7', 'call_d+30', 'escalation_d+45'].map(rpu)).toEqual([false, false, true, true]);
  });

  it('tells an orphan policy’s customer that their adviser left, and the team lead calls', () => {
    const script = callScriptFor('call_d+30', undefined, { orphan: true });
    expect(script.caller).toBe('team_lead');
    expect(script.opening.at(-1)?.zh).toContain('原服务人员已离职');
    expect(callScriptFor('call_d+30').opening.some((l) => l.zh.includes('离职'))).toBe(false);
    expect(callScriptFor('escalation_d+45').opening.some((l) => l.zh.includes('离职'))).toBe(false);
  });

  it.each(Object.keys(REASON_RULES) as DebitReason[])('explains a last debit that failed with %s', (reason) => {
    const plain = callScriptFor('call_d+7');
    const fitted = callScriptFor('call_d+7', undefined, { debitReason: reason });
    expect(fitted.keyPoints.length).toBe(plain.keyPoints.length + 1);
    const point = fitted.keyPoints.at(-1)!.zh;
    if (!REASON_RULES[reason].customerFault) expect(point).toMatch(/不是客户的问题|不要责怪客户|重新签署授权/);
    if (reason === 'INSUFFICIENT_FUNDS') expect(point).toContain('存入足额保费');
  });

  it('is deterministic: the same question gives the same script', () => {
    expect(callScriptFor('call_d+7', 8, { aplElected: true })).toEqual(callScriptFor('call_d+7', 8, { aplElected: true }));
  });
});
