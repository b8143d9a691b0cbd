import { describe, expect, it } from 'vitest';
import { cnMainlandCalendar } from '../../domain/business-calendar';
import { shanghaiDate, shanghaiInstant } from '../../domain/civil-date';
import { isAgentCode, ORPHAN_NOTICE_DAYS, orphanNoticePlan, orphanNoticeWorkflowId, spreadOverAgents } from '../../domain/orphans';
import { renderNotice } from '../../integrations/messaging/templates/renewal-notices';

const calendar = cnMainlandCalendar();

describe('when the orphan notice goes', () => {
  it('at 10:00 on the next business day after the departure', () => {
    // Wednesday 2026-12-02 → Thursday.
    expect(orphanNoticePlan('2026-12-02', calendar)).toEqual({ sendAt: shanghaiInstant('2026-12-03', '10:00'), lastDay: '2027-01-01', late: false });
  });

  it('a departure recorded after its notice moment is told at the next business morning from now', () => {
    // Recorded on Wednesday 2026-12-09 at 15:00 for a departure on 2026-12-01: Thursday 10:00.
    expect(orphanNoticePlan('2026-12-01', calendar, shanghaiInstant('2026-12-09', '15:00'))).toEqual({ sendAt: shanghaiInstant('2026-12-10', '10:00'), lastDay: '2026-12-31', late: false });
    // Recorded at 08:00 on a business day: that day at 10:00.
    expect(orphanNoticePlan('2026-12-01', calendar, shanghaiInstant('2026-12-09', '08:00')).sendAt).toBe(shanghaiInstant('2026-12-09', '10:00'));
    // Recorded on Saturday: Monday.
    expect(shanghaiDate(orphanNoticePlan('2026-12-01', calendar, shanghaiInstant('2026-12-12', '09:00')).sendAt)).toBe('2026-12-14');
    // Recorded 40 days late: it goes at once, flagged late.
    expect(orphanNoticePlan('2026-10-20', calendar, shanghaiInstant('2026-12-01', '11:00'))).toMatchObject({ lastDay: '2026-11-19', late: true });
  });

  it('a time before the planned moment changes nothing', () => {
    expect(orphanNoticePlan('2026-12-02', calendar, shanghaiInstant('2026-12-02', '18:00'))).toEqual(orphanNoticePlan('2026-12-02', calendar));
  });

  it('skips the weekend: a Friday departure is told on Monday', () => {
    expect(shanghaiDate(orphanNoticePlan('2026-12-04', calendar).sendAt)).toBe('2026-12-07');
  });

  it('skips the National Day holiday and stays within 30 days', () => {
    const plan = orphanNoticePlan('2026-09-30', calendar);
    expect(calendar.isBusinessDay(shanghaiDate(plan.sendAt))).toBe(true);
    expect(shanghaiDate(plan.sendAt) > '2026-10-01').toBe(true);
    expect(shanghaiDate(plan.sendAt) <= plan.lastDay).toBe(true);
    expect(plan.lastDay).toBe('2026-10-30');
  });

  it('every departure day of a year is told within the 30 days', () => {
    for (let day = shanghaiInstant('2026-01-01'); day < shanghaiInstant('2027-01-01'); day += 86_400_000) {
      const on = shanghaiDate(day);
      const plan = orphanNoticePlan(on, calendar);
      expect(shanghaiDate(plan.sendAt) > on).toBe(true);
      expect((plan.sendAt - shanghaiInstant(on)) / 86_400_000).toBeLessThanOrEqual(ORPHAN_NOTICE_DAYS);
    }
  });

  it('refuses a malformed date', () => {
    expect(() => orphanNoticePlan('2026-13-01', calendar)).toThrow(/YYYY-MM-DD/);
  });
});

describe('orphan notice identity', () => {
  it('is one workflow per policy and departure', () => {
    expect(orphanNoticeWorkflowId('P1', 'A7', '2026-12-02')).toBe('orphan-notice-P1-A7-2026-12-02');
    expect(orphanNoticeWorkflowId('P1', 'A7', '2026-12-02')).toBe(orphanNoticeWorkflowId('P1', 'A7', '2026-12-02'));
    expect(orphanNoticeWorkflowId('P1', 'A7', '2027-01-02')).not.toBe(orphanNoticeWorkflowId('P1', 'A7', '2026-12-02'));
  });

  it('agent codes', () => {
    expect(isAgentCode('A0012')).toBe(true);
    expect(isAgentCode('')).toBe(false);
    expect(isAgentCode('A 1')).toBe(false);
    expect(isAgentCode('x'.repeat(33))).toBe(false);
  });
});

describe('spreading policies over a team', () => {
  it('deals sorted policies in turn to sorted agents', () => {
    const spread = spreadOverAgents(['P3', 'P1', 'P2', 'P4', 'P5'], ['B', 'A']);
    expect([...spread]).toEqual([
      ['P1', 'A'],
      ['P2', 'B'],
      ['P3', 'A'],
      ['P4', 'B'],
      ['P5', 'A'],
    ]);
  });

  it('is the same whatever order the inputs come in', () => {
    expect([...spreadOverAgents(['P2', 'P1'], ['A', 'B', 'A'])]).toEqual([...spreadOverAgents(['P1', 'P2', 'P1'], ['B', 'A'])]);
  });

  it('refuses a team with no active agent', () => {
    expect(() => spreadOverAgents(['P1'], [])).toThrow(/no active agent/);
  });
});

describe('orphan_notice template', () => {
  const fields = { policyNo: 'P202600001', servicingMasked: '王**', servicingCode: 'A0012', serviceHotline: '95500' };

  it('names the new agent by masked name and code, in Chinese then English, on letter, email, SMS and WeChat', () => {
    const notice = renderNotice('orphan_notice', { ...fields, servicingRole: 'agent' });
    expect(notice.version).toBe(1);
    expect(notice.channels).toEqual(['letter', 'email', 'sms', 'wechat']);
    expect(notice.letter?.text).toContain('服务人员 王**（工号 A0012）');
    expect(notice.letter?.text).toContain('adviser 王** (agent code A0012)');
    expect(notice.sms?.text).toContain('现由服务人员王**（工号A0012）为您服务');
    expect(notice.text).toContain('95500');
    expect(notice.statusChange).toBe(false);
  });

  it('names the team lead until a new agent is assigned', () => {
    const notice = renderNotice('orphan_notice', { ...fields, servicingRole: 'team_lead' });
    expect(notice.templateKey).toBe('orphan_notice.team_lead');
    expect(notice.text).toContain('团队主管 王**');
    expect(notice.text).toContain('team lead 王**');
  });

  it('refuses a name in clear and a missing role', () => {
    expect(() => renderNotice('orphan_notice', { ...fields, servicingRole: 'agent', servicingMasked: '王小明' })).toThrow(/servicingMasked must be a masked name/);
    expect(() => renderNotice('orphan_notice', fields)).toThrow(/needs field servicingRole/);
  });
});
