import { describe, expect, it } from 'vitest';
import { DECLINE_REASONS, type DeclineReason } from '../../domain/reinstatement-application';
import { NOTICE_VARIABLES } from '../../integrations/messaging/templates/notice-fields';
import { renderNotice, requiredNoticeFields, smsRegistrationText, type NoticeFields, type RenderedNotice } from '../../integrations/messaging/templates/renewal-notices';

/** As the reinstatement stage passes them: an arrears quote of 24690.00 + 975.77, then the reinstatement record. */
const APPROVED: NoticeFields = {
  policyNo: 'P202600001',
  serviceHotline: '95500',
  approvedBy: 'underwriter',
  backPremiumsFen: 2_469_000,
  interestFen: 97_577,
  totalDueFen: 2_566_577,
  payBy: '2027-07-15',
};

const DECLINED: NoticeFields = {
  policyNo: 'P202600001',
  serviceHotline: '95500',
  declineReason: 'RISK_INCREASED_HEALTH',
  reinstatementWindowEnd: '2028-04-30',
  cashValueFen: 888_800,
};

const REINSTATED: NoticeFields = {
  policyNo: 'P202600001',
  serviceHotline: '95500',
  totalDueFen: 2_566_577,
  effectiveDate: '2027-06-15',
  suicideExclusionEnds: '2029-06-14',
  nextDueDate: '2028-03-01',
};

const DECLINE_CODES = Object.keys(DECLINE_REASONS) as DeclineReason[];

/** Every text the customer can see, on every channel. */
function shown(n: RenderedNotice): string[] {
  return [n.subject, n.text, n.html, n.letter?.text, n.sms?.text, ...Object.values(n.wechat?.data ?? {}).map((d) => d.value)].filter((t): t is string => t !== undefined);
}

describe('reinstatement_approved', () => {
  it('by the underwriter: the amounts in yuan, the date to pay by, and cover from the day of payment', () => {
    const notice = renderNotice('reinstatement_approved', APPROVED);
    expect(notice).toMatchObject({ variant: 'default', templateKey: 'reinstatement_approved', version: 1 });
    const letter = notice.letter!.text;
    expect(letter).toContain('经本公司核保审核，已同意恢复保单效力');
    expect(letter).toContain('请于 2027-07-15 前（含当日）补交保费 24690.00 元及利息 975.77 元，合计 25665.77 元');
    expect(letter).toContain('保单自补交保费及利息之日起恢复效力');
    expect(letter).toContain('自杀免责期间）重新计算');
    expect(letter).toContain('back premiums of RMB 24690.00 and interest of RMB 975.77, RMB 25665.77 in total, by 2027-07-15');
    expect(letter).toContain('such as the suicide exclusion) start again');
    expect(letter).not.toMatch(/视为|deemed|taken to agree/);
    expect(notice.sms).toMatchObject({ templateKey: 'reinstatement_approved', params: { policyNo: 'P202600001', payBy: '2027-07-15', totalDue: '25665.77' } });
    expect(notice.sms!.text).toContain('复效申请已获同意，请于2027-07-15前补交保费及利息共25665.77元');
    expect(notice.wechat!.data).toMatchObject({ keyword2: { value: '同意复效 Approved' }, keyword3: { value: '25665.77元' }, keyword4: { value: '2027-07-15' } });
  });

  it('by deemed consent: says no refusal came within 30 days of the application', () => {
    const notice = renderNotice('reinstatement_approved', { ...APPROVED, approvedBy: 'deemed_consent' });
    expect(notice).toMatchObject({ variant: 'deemed_consent', templateKey: 'reinstatement_approved.deemed_consent' });
    expect(notice.text).toContain('收到您为保单 P202600001 提交的恢复保单效力（复效）申请后三十日内未作出拒绝决定，依照法律规定视为同意');
    expect(notice.text).toContain('within 30 days of receiving it, so by law we are taken to agree');
    expect(notice.text).not.toContain('核保审核');
    expect(notice.text).toContain('合计 25665.77 元');
    expect(notice.sms!.templateKey).toBe('reinstatement_approved.deemed_consent');
    expect(notice.sms!.text).toContain('依法视为同意');
    expect(notice.wechat!.data.keyword2?.value).toBe('视为同意 Deemed consent');
  });

  it('needs approvedBy to say who approved, and refuses a value it does not know', () => {
    expect(() => renderNotice('reinstatement_approved', { ...APPROVED, approvedBy: undefined })).toThrow('notice reinstatement_approved needs field approvedBy, which is missing');
    expect(() => renderNotice('reinstatement_approved', { ...APPROVED, approvedBy: 'agent' as 'underwriter' })).toThrow(
      'notice reinstatement_approved: notice field approvedBy must be one of underwriter, deemed_consent, got "agent"',
    );
  });
});

describe('reinstatement_declined', () => {
  it.each<[DeclineReason, string, RegExp, RegExp]>([
    ['RISK_INCREASED_HEALTH', 'risk_increased_health', /根据被保险人的健康告知及相关资料进行了评估.*本通知不列明具体健康信息/, /gives no health details/],
    ['RISK_INCREASED_OCCUPATION', 'risk_increased_occupation', /职业或所从事活动的变化/, /occupation or activities/],
    ['RISK_INCREASED_OTHER', 'risk_increased_other', /经核保评估，认为保单效力中止期间被保险人的风险显著增加/, /underwriting assessment found/],
    ['EVIDENCE_NOT_PROVIDED', 'evidence_not_provided', /所需的资料未能在作出决定前收到/, /did not reach us before the decision was due/],
  ])('%s → %s', (declineReason, variant, zh, en) => {
    const notice = renderNotice('reinstatement_declined', { ...DECLINED, declineReason });
    expect(notice.variant).toBe(variant);
    expect(notice.templateKey).toBe(`reinstatement_declined.${variant}`);
    expect(notice.sms!.templateKey).toBe(`reinstatement_declined.${variant}`);
    const letter = notice.letter!.text;
    expect(letter).toMatch(zh);
    expect(letter).toMatch(en);
    expect(letter).toContain('保单仍处于效力中止状态');
    expect(letter).toContain('2028-04-30 前');
    expect(letter).toContain('重新申请复效');
    expect(letter).toContain('until 2028-04-30');
    expect(letter).toContain('现金价值（目前约为 8888.00 元');
    expect(letter).toContain('投保人可致电客服热线 95500');
    expect(notice.sms!.text).toContain('可于2028-04-30前重新申请，详询95500');
    expect(notice.wechat).toBeUndefined();
  });

  it('never gives medical detail anywhere, nor even the kind of reason in the SMS', () => {
    for (const declineReason of DECLINE_CODES) {
      const notice = renderNotice('reinstatement_declined', { ...DECLINED, declineReason });
      for (const text of shown(notice)) expect(text, declineReason).not.toMatch(/病|诊断|医|住院|手术|diagnos|illness|disease|medical|hospital|surgery/i);
      expect(notice.sms!.text, declineReason).not.toMatch(/健康|职业|health|occupation/i);
      expect(smsRegistrationText('reinstatement_declined', 'tencent', notice.variant)).not.toMatch(/健康|职业/);
    }
  });

  it('leaves the cash value out when it is not known', () => {
    const text = renderNotice('reinstatement_declined', { ...DECLINED, cashValueFen: undefined }).text;
    expect(text).toContain('退还保单的现金价值。');
    expect(text).not.toContain('目前约为');
    expect(text).not.toContain('currently about');
  });

  it('needs declineReason, one of the domain codes', () => {
    expect(requiredNoticeFields('reinstatement_declined').sort()).toEqual(['declineReason', 'policyNo', 'reinstatementWindowEnd', 'serviceHotline']);
    expect(() => renderNotice('reinstatement_declined', { ...DECLINED, declineReason: undefined })).toThrow('notice reinstatement_declined needs field declineReason, which is missing');
    expect(() => renderNotice('reinstatement_declined', { ...DECLINED, declineReason: 'TOO_OLD' as DeclineReason })).toThrow(
      `notice reinstatement_declined: notice field declineReason must be one of ${DECLINE_CODES.join(', ')}, got "TOO_OLD"`,
    );
  });
});

describe('policy_reinstated', () => {
  it('in force from the day of payment, the amount received, the restarted suicide exclusion and the next premium', () => {
    const notice = renderNotice('policy_reinstated', REINSTATED);
    expect(notice).toMatchObject({ variant: 'default', templateKey: 'policy_reinstated', version: 1 });
    const letter = notice.letter!.text;
    expect(letter).toContain('补交的保费及利息共 25665.77 元，保单自 2027-06-15 起恢复效力');
    expect(letter).toContain('自杀的免责期间自 2027-06-15 起重新计算，至 2029-06-14 止');
    expect(letter).toContain('下一期续期保费应于 2028-03-01 缴纳');
    expect(letter).toContain('We have received RMB 25665.77');
    expect(letter).toContain('the suicide exclusion runs again from 2027-06-15 to 2029-06-14');
    expect(letter).toContain('The next renewal premium is due on 2028-03-01');
    expect(notice.sms).toMatchObject({ paramOrder: ['policyNo', 'totalDue', 'effectiveDate'] });
    expect(notice.sms!.text).toContain('保单自2027-06-15起恢复效力');
    expect(notice.sms!.text).not.toMatch(/自杀|suicide/i);
    expect(Object.values(notice.wechat!.data).map((d) => d.value).join(' ')).not.toMatch(/自杀|suicide/i);
    expect(notice.wechat!.data).toMatchObject({ keyword2: { value: '2027-06-15' }, keyword3: { value: '25665.77元' }, keyword4: { value: '有效 In force' } });
  });

  it('leaves out the next premium when the paying term is over', () => {
    expect(requiredNoticeFields('policy_reinstated')).not.toContain('nextDueDate');
    const notice = renderNotice('policy_reinstated', { ...REINSTATED, nextDueDate: undefined });
    expect(notice.text).not.toMatch(/下一期|next renewal premium/);
    expect(notice.text).not.toMatch(/\n\n\n/);
    expect(notice.html).not.toContain('<p></p>');
  });
});

describe('fields of the reinstatement notices', () => {
  it('each template says what it needs', () => {
    expect(requiredNoticeFields('reinstatement_approved').sort()).toEqual(['approvedBy', 'backPremiumsFen', 'interestFen', 'payBy', 'policyNo', 'totalDueFen']);
    expect(requiredNoticeFields('policy_reinstated').sort()).toEqual(['effectiveDate', 'policyNo', 'suicideExclusionEnds', 'totalDueFen']);
  });

  it.each([
    ['reinstatement_approved', APPROVED],
    ['reinstatement_declined', DECLINED],
    ['policy_reinstated', REINSTATED],
  ] as const)('%s: each required field missing is named', (id, fields) => {
    for (const field of requiredNoticeFields(id)) {
      expect(() => renderNotice(id, { ...fields, [field]: undefined }), field).toThrow(`notice ${id} needs field ${field}, which is missing`);
    }
  });

  it.each<[string, NoticeFields, RegExp]>([
    ['reinstatement_approved', { ...APPROVED, interestFen: 975.77 }, /reinstatement_approved: notice field interestFen must be a whole, non-negative number of fen, got 975.77/],
    ['reinstatement_approved', { ...APPROVED, totalDueFen: -1 }, /notice field totalDueFen must be a whole, non-negative number of fen/],
    ['reinstatement_approved', { ...APPROVED, backPremiumsFen: '24690' as unknown as number }, /notice field backPremiumsFen must be a whole/],
    ['reinstatement_approved', { ...APPROVED, payBy: '2027-02-30' }, /notice field payBy must be a date YYYY-MM-DD, got "2027-02-30"/],
    ['policy_reinstated', { ...REINSTATED, effectiveDate: '15/06/2027' }, /notice field effectiveDate must be a date YYYY-MM-DD/],
    ['policy_reinstated', { ...REINSTATED, suicideExclusionEnds: '2029-6-14' }, /notice field suicideExclusionEnds must be a date YYYY-MM-DD/],
    // Optional, but checked whenever given.
    ['policy_reinstated', { ...REINSTATED, nextDueDate: '2028-13-01' }, /notice field nextDueDate must be a date YYYY-MM-DD/],
  ])('%s refuses a malformed field: %j', (id, fields, error) => {
    expect(() => renderNotice(id, fields)).toThrow(error);
  });

  it('adds no personal data: the new variables are amounts and dates', () => {
    const added = ['interest', 'totalDue', 'payBy', 'effectiveDate', 'suicideExclusionEnds', 'nextDueDate'] as const;
    expect(added.map((v) => NOTICE_VARIABLES[v].field)).toEqual(['interestFen', 'totalDueFen', 'payBy', 'effectiveDate', 'suicideExclusionEnds', 'nextDueDate']);
    for (const n of [renderNotice('reinstatement_approved', APPROVED), renderNotice('policy_reinstated', REINSTATED)]) {
      for (const [name, value] of Object.entries(n.sms!.params)) expect(`${name}=${value}`).toMatch(/^(policyNo=P202600001|totalDue=\d+\.\d\d|(payBy|effectiveDate)=\d{4}-\d\d-\d\d)$/);
    }
  });

  it('keeps SMS and WeChat within the limits with the longest values', () => {
    const long = { policyNo: 'P0123456789012345678', serviceHotline: '400-820-8888', backPremiumsFen: 9_999_999_999, interestFen: 9_999_999_999, totalDueFen: 9_999_999_999 };
    const notices = [
      ...(['underwriter', 'deemed_consent'] as const).map((approvedBy) => renderNotice('reinstatement_approved', { ...APPROVED, ...long, approvedBy })),
      ...DECLINE_CODES.map((declineReason) => renderNotice('reinstatement_declined', { ...DECLINED, ...long, declineReason })),
      renderNotice('policy_reinstated', { ...REINSTATED, ...long }),
    ];
    for (const n of notices) {
      const [zh] = n.sms!.text.split(/ (?=[A-Z])/);
      expect(zh!.length, n.templateKey).toBeLessThanOrEqual(200);
      expect(n.sms!.text.length, n.templateKey).toBeLessThanOrEqual(300);
      for (const [key, { value }] of Object.entries(n.wechat?.data ?? {})) if (key.startsWith('keyword')) expect(value.length, `${n.templateKey} ${key}`).toBeLessThanOrEqual(20);
    }
  });
});
