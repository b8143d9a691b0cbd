import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cnMainlandCalendar } from '../../domain/business-calendar';
import type { NoticeChannel } from '../../domain/channels';
import { STANDARD_60 } from '../../domain/collection-plan';
import { cycleSchedule, lapseSchedule, type PolicySnapshot } from '../../domain/cycle-schedule';
import { initialCycleState } from '../../domain/cycle-state';
import { REASON_RULES, type DebitReason } from '../../domain/debit-reasons';
import { DECLINE_REASONS, type DeclineReason } from '../../domain/reinstatement-application';
import { NOTICE_VARIABLES } from '../../integrations/messaging/templates/notice-fields';
import { variablesOf } from '../../integrations/messaging/templates/render';
import { providerTemplateRegistry } from '../../integrations/messaging/provider-templates';
import {
  NOTICE_TEMPLATES,
  noticeTemplate,
  noticeVersion,
  renderNotice,
  RENEWAL_NOTICES_VERSION,
  requiredNoticeFields,
  smsRegistrationText,
  type NoticeFields,
  type RenderedNotice,
} from '../../integrations/messaging/templates/renewal-notices';

const TEMPLATES_DIR = join(import.meta.dirname, '../../integrations/messaging/templates');

/** The fields the contact activity passes today (activities/contact-activities.ts). */
const ACTIVITY_FIELDS: NoticeFields = {
  policyNo: 'P202600001',
  dueDate: '2026-03-01',
  debitDate: '2026-03-02',
  amountFen: 1_234_567,
  lastGraceDay: '2026-04-30',
};

/** Everything a notice can use, as the reinstatement work will pass it. */
const ALL_FIELDS: NoticeFields = {
  ...ACTIVITY_FIELDS,
  reason: 'INSUFFICIENT_FUNDS',
  serviceHotline: '95500',
  paidOn: '2026-03-02',
  reinstatementWindowEnd: '2028-04-30',
  backPremiumsFen: 1_234_567,
  cashValueFen: 888_800,
  terminationDate: '2028-05-01',
  interestFen: 97_577,
  totalDueFen: 1_332_144,
  payBy: '2027-07-15',
  approvedBy: 'underwriter',
  declineReason: 'RISK_INCREASED_HEALTH',
  effectiveDate: '2027-06-15',
  suicideExclusionEnds: '2029-06-14',
  nextDueDate: '2028-03-01',
  servicingRole: 'agent',
  servicingMasked: '王**',
  servicingCode: 'A0012',
};

/** The longest values a notice should meet: a 20-character policy number, a premium near RMB 100 million. */
const LONG_FIELDS: NoticeFields = {
  ...ALL_FIELDS,
  policyNo: 'P0123456789012345678',
  amountFen: 9_999_999_999,
  cashValueFen: 9_999_999_999,
  backPremiumsFen: 9_999_999_999,
  interestFen: 9_999_999_999,
  totalDueFen: 9_999_999_999,
  serviceHotline: '400-820-8888',
};

const REASONS = Object.keys(REASON_RULES) as DebitReason[];

/** Every text a rendered notice shows, on every channel. */
function allTexts(n: RenderedNotice): string[] {
  return [
    n.subject,
    n.text,
    n.html,
    n.sms?.text,
    ...Object.values(n.wechat?.data ?? {}).map((d) => d.value),
    n.letter?.text,
  ].filter((t): t is string => t !== undefined);
}

/** The fields that pick each variant of the templates whose wording depends on a field. */
const VARIANT_CHOICES: Partial<Record<string, Partial<NoticeFields>[]>> = {
  debit_failed: [...REASONS, undefined].map((reason) => ({ reason })),
  reinstatement_approved: [{ approvedBy: 'underwriter' }, { approvedBy: 'deemed_consent' }],
  reinstatement_declined: (Object.keys(DECLINE_REASONS) as DeclineReason[]).map((declineReason) => ({ declineReason })),
  orphan_notice: [{ servicingRole: 'agent' }, { servicingRole: 'team_lead' }],
};

/** Every variant of every template, rendered with all fields. */
function everyRendering(fields: NoticeFields): RenderedNotice[] {
  return NOTICE_TEMPLATES.flatMap((t) => (VARIANT_CHOICES[t.id] ?? [{}]).map((choice) => renderNotice(t.id, { ...fields, ...choice })));
}

/** The template and channels of each contact the default plan makes, from the schedule itself. */
function planContacts(): { step: string; template: string; channels: string[] }[] {
  const snapshot: PolicySnapshot = {
    dueDate: '2026-03-02',
    graceDays: 60,
    premiumFen: 1_234_567,
    paymentFrequency: 'annual',
    segment: null,
    preferredChannel: 'wechat',
    hasMandate: true,
    aplElected: false,
    cashValueFen: 0,
  };
  const calendar = cnMainlandCalendar();
  const state = initialCycleState();
  state.debits.push({ attemptNo: 1, step: 'debit_1', collectionDate: '2026-03-02', outcome: 'failed', reason: 'INSUFFICIENT_FUNDS' });
  const steps = [...cycleSchedule(STANDARD_60, { ...snapshot, preferredChannel: 'sms' }, calendar, state), ...cycleSchedule(STANDARD_60, snapshot, calendar, state), ...lapseSchedule(STANDARD_60, snapshot, calendar)];
  return steps.flatMap((s) => (s.kind === 'contact' ? [{ step: s.step, template: s.template, channels: s.channels }] : []));
}

describe('news of a change in the contract', () => {
  it('is what suspension, termination, reinstatement decisions and payments say; reminders and warnings are not', () => {
    const news = NOTICE_TEMPLATES.filter((t) => t.statusChange).map((t) => t.id).sort();
    expect(news).toEqual(['contract_terminated', 'lapse_letter', 'lapse_notice', 'payment_received', 'policy_reinstated', 'reinstatement_approved', 'reinstatement_declined', 'suspension_undone']);
    expect(renderNotice('lapse_notice', ACTIVITY_FIELDS).statusChange).toBe(true);
    expect(renderNotice('final_notice', ACTIVITY_FIELDS).statusChange).toBe(false);
  });
});

describe('the templates the default plan uses', () => {
  const contacts = planContacts();

  it('covers reminders, failed debits, grace notices and the lapse SMS and letter', () => {
    expect([...new Set(contacts.map((c) => c.template))].sort()).toEqual(
      ['debit_failed', 'debit_tomorrow_keep_funds', 'final_notice', 'lapse_letter', 'lapse_notice', 'lapse_risk_notice', 'pre_due_reminder'].sort(),
    );
  });

  it.each(contacts.map((c) => [c.step, c.template, c.channels] as const))('%s: %s declares and renders %j', (_step, template, channels) => {
    const notice = renderNotice(template, ACTIVITY_FIELDS);
    for (const channel of channels) expect(notice.channels).toContain(channel);
    expect(notice.version).toBe(noticeVersion(template));
  });

  it('renders every channel each template declares, with the fields the contact activity passes', () => {
    for (const id of new Set(contacts.map((c) => c.template))) {
      const notice = renderNotice(id, ACTIVITY_FIELDS);
      expect(notice.subject).toContain('P202600001');
      expect(notice.text).toContain('P202600001');
      expect(notice.html).toMatch(/^<!doctype html>/);
      const shown: Record<NoticeChannel, string | undefined> = {
        sms: notice.sms?.text,
        wechat: notice.wechat?.data.keyword1?.value,
        email: notice.email?.text,
        letter: notice.letter?.text,
      };
      for (const channel of notice.channels) expect(shown[channel], `${id} on ${channel}`).toContain('P202600001');
      for (const text of allTexts(notice)) expect(text).not.toMatch(/undefined|null|NaN|\{\{|\}\}/);
    }
  });

  it('keeps the wording the cycle tests and customers already rely on', () => {
    const reminder = renderNotice('pre_due_reminder', { ...ACTIVITY_FIELDS, amountFen: 1_234_500 });
    expect(reminder.text).toContain('续期保费 12345.00 元应于 2026-03-01 缴纳，将于 2026-03-02 从您授权的银行账户扣缴');
    expect(renderNotice('debit_failed', { ...ACTIVITY_FIELDS, reason: 'ACCOUNT_CLOSED' }).text).toContain('请联系我们更换缴费账户');
  });

  it('are all at RENEWAL_NOTICES_VERSION, so callers recording that one number record the truth', () => {
    for (const id of new Set(contacts.map((c) => c.template))) expect(noticeVersion(id), id).toBe(RENEWAL_NOTICES_VERSION);
  });
});

describe('the rest of the catalogue', () => {
  it('is rendered variant by variant in the checks below (everyRendering misses none)', () => {
    const rendered = new Set(everyRendering(ALL_FIELDS).map((n) => n.templateKey));
    for (const t of NOTICE_TEMPLATES) {
      for (const variant of Object.keys(t.variants)) expect(rendered, `${t.id} ${variant}`).toContain(variant === 'default' ? t.id : `${t.id}.${variant}`);
    }
  });

  it.each([
    ['payment_received', ['sms', 'wechat', 'email']],
    ['reduced_paid_up_option', ['email', 'letter', 'sms']],
    ['reinstatement_reminder', ['sms', 'wechat', 'email', 'letter']],
    ['reinstatement_window_closing', ['sms', 'wechat', 'email', 'letter']],
    ['reinstatement_approved', ['sms', 'wechat', 'email', 'letter']],
    ['reinstatement_declined', ['letter', 'email', 'sms']],
    ['policy_reinstated', ['sms', 'wechat', 'email', 'letter']],
    ['contract_terminated', ['letter', 'email', 'sms']],
  ] satisfies [string, NoticeChannel[]][])('%s renders on %j', (id, channels) => {
    const notice = renderNotice(id, ALL_FIELDS);
    expect(notice.channels).toEqual(channels);
    expect(Boolean(notice.sms)).toBe(channels.includes('sms'));
    expect(Boolean(notice.wechat)).toBe(channels.includes('wechat'));
    expect(Boolean(notice.letter)).toBe(channels.includes('letter'));
    for (const text of allTexts(notice)) expect(text).not.toMatch(/undefined|null|NaN|\{\{|\}\}/);
  });

  it('dates the suspension the day after the last grace day unless told otherwise', () => {
    expect(renderNotice('lapse_notice', ACTIVITY_FIELDS).sms?.params.suspensionDate).toBe('2026-05-01');
    expect(renderNotice('lapse_notice', { ...ACTIVITY_FIELDS, suspensionDate: '2026-05-02' }).sms?.params.suspensionDate).toBe('2026-05-02');
  });

  it('says what the reinstatement window and termination notices need', () => {
    expect(requiredNoticeFields('reinstatement_reminder').sort()).toEqual(['policyNo', 'reinstatementWindowEnd', 'serviceHotline', 'suspensionDate (or lastGraceDay)'].sort());
    expect(requiredNoticeFields('contract_terminated')).toEqual(expect.arrayContaining(['cashValueFen', 'terminationDate']));
    const terminated = renderNotice('contract_terminated', ALL_FIELDS);
    expect(terminated.letter?.text).toContain('现金价值 8888.00 元');
    expect(terminated.letter?.text).toContain('cash value of RMB 8888.00');
  });

  it('shows back premiums and cash value only when given', () => {
    const withAmounts = renderNotice('reinstatement_reminder', ALL_FIELDS).text;
    expect(withAmounts).toContain('目前需补交的保费为 12345.67 元');
    const without = renderNotice('reinstatement_reminder', { ...ALL_FIELDS, backPremiumsFen: undefined }).text;
    expect(without).not.toContain('需补交的保费为');
    expect(without).not.toContain('back premiums are currently');
    expect(renderNotice('reinstatement_window_closing', { ...ALL_FIELDS, cashValueFen: undefined }).text).not.toContain('目前约为');
  });
});

describe('failed-debit guidance by normalised reason', () => {
  it.each<[DebitReason | undefined, string, RegExp, RegExp]>([
    ['INSUFFICIENT_FUNDS', 'insufficient_funds', /存入足额保费/, /deposit the full premium/],
    ['LIMIT_EXCEEDED', 'limit_exceeded', /提高限额或更换缴费账户/, /raise it or change/],
    ['ACCOUNT_CLOSED', 'account_unusable', /请联系我们更换缴费账户/, /contact us to change it/],
    ['ACCOUNT_INVALID', 'account_unusable', /请联系我们更换缴费账户/, /contact us to change it/],
    ['ACCOUNT_FROZEN', 'account_blocked', /联系开户银行/, /contact your bank/],
    ['CARD_LOST', 'account_blocked', /联系开户银行/, /contact your bank/],
    ['DORMANT', 'account_blocked', /联系开户银行/, /contact your bank/],
    ['EXPIRED', 'account_blocked', /联系开户银行/, /contact your bank/],
    ['NAME_MISMATCH', 'details_mismatch', /我们正在核实/, /we are checking/],
    ['ID_MISMATCH', 'details_mismatch', /我们正在核实/, /we are checking/],
    ['NO_MANDATE', 'authorisation', /代扣授权需要重新办理/, /authorisation needs to be renewed/],
    ['MANDATE_REVOKED', 'authorisation', /代扣授权需要重新办理/, /authorisation needs to be renewed/],
    ['REFUSED_BY_DEBTOR', 'refused', /拒付/, /refused/],
    ['BANK_ERROR', 'bank_side', /您无需操作/, /nothing is needed from you/],
    ['TIMEOUT', 'bank_side', /您无需操作/, /nothing is needed from you/],
    ['UNKNOWN', 'bank_side', /您无需操作/, /nothing is needed from you/],
    [undefined, 'bank_side', /您无需操作/, /nothing is needed from you/],
  ])('%s → %s', (reason, variant, zh, en) => {
    const notice = renderNotice('debit_failed', { ...ACTIVITY_FIELDS, reason });
    expect(notice.variant).toBe(variant);
    expect(notice.templateKey).toBe(`debit_failed.${variant}`);
    expect(notice.sms?.templateKey).toBe(`debit_failed.${variant}`);
    expect(notice.sms?.text).toMatch(zh);
    expect(notice.text).toMatch(zh);
    expect(notice.text).toMatch(en);
    expect(notice.wechat?.data.remark?.value).toMatch(zh);
  });

  it('never tells the customer to act when the bank failed', () => {
    for (const reason of REASONS.filter((r) => !REASON_RULES[r].customerFault && REASON_RULES[r].queryFirst)) {
      const text = renderNotice('debit_failed', { ...ACTIVITY_FIELDS, reason }).text;
      expect(text).not.toMatch(/存入|更换缴费账户|deposit|change the payment account/);
    }
  });

  it('refuses a reason it does not know, naming it', () => {
    expect(() => renderNotice('debit_failed', { ...ACTIVITY_FIELDS, reason: 'SOMETHING' as DebitReason })).toThrow(/debit_failed: unknown debit reason "SOMETHING"/);
  });
});

describe('amounts and SMS parameters', () => {
  it('formats fen as yuan the way domain/money formatYuan does', () => {
    const notice = renderNotice('pre_due_reminder', { ...ACTIVITY_FIELDS, amountFen: 1_234_567 });
    expect(notice.sms?.params.amount).toBe('12345.67');
    expect(notice.sms?.text).toContain('12345.67元');
    expect(notice.wechat?.data.keyword2?.value).toBe('12345.67元');
    expect(notice.text).toContain('RMB 12345.67');
    expect(renderNotice('pre_due_reminder', { ...ACTIVITY_FIELDS, amountFen: 5 }).sms?.params.amount).toBe('0.05');
  });

  it('lists the SMS parameters in the order the text uses them, and both provider forms give back the text', () => {
    for (const notice of everyRendering(ALL_FIELDS)) {
      if (!notice.sms) continue;
      const sms = notice.sms;
      const registeredAlibaba = smsRegistrationText(notice.template, 'alibaba', notice.variant);
      const named = [...registeredAlibaba.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
      expect(sms.paramOrder, notice.templateKey).toEqual([...new Set(named)]);
      expect(Object.keys(sms.params).sort()).toEqual([...sms.paramOrder].sort());
      expect(registeredAlibaba.replace(/\$\{(\w+)\}/g, (_m, name: string) => sms.params[name]!)).toBe(sms.text);
      const registeredTencent = smsRegistrationText(notice.template, 'tencent', notice.variant);
      expect(registeredTencent).not.toMatch(/\$\{|\{\{/);
      expect(registeredTencent.replace(/\{(\d+)\}/g, (_m, n: string) => sms.params[sms.paramOrder[Number(n) - 1]!]!)).toBe(sms.text);
    }
  });

  it('carries only non-personal parameters', () => {
    const allowed = new Set(['policyNo', 'amount', 'dueDate', 'debitDate', 'lastGraceDay', 'paidOn', 'suspensionDate', 'reinstatementWindowEnd', 'terminationDate', 'cashValue', 'serviceHotline', 'totalDue', 'payBy', 'effectiveDate',
      // The orphan notice's new servicing person: a masked name (refused in clear) and an agent code.
      'servicingMasked', 'servicingCode']);
    for (const notice of everyRendering(ALL_FIELDS)) for (const name of notice.sms?.paramOrder ?? []) expect(allowed, `${notice.templateKey}: ${name}`).toContain(name);
  });

  it('keeps SMS short (Chinese part at most 200 characters, whole message at most 300) and WeChat keywords within 20', () => {
    for (const notice of everyRendering(LONG_FIELDS)) {
      if (notice.sms) {
        const zhPart = notice.sms.text.split(/ (?=[A-Z])/)[0]!;
        expect(zhPart.length, notice.templateKey).toBeLessThanOrEqual(200);
        expect(notice.sms.text.length, notice.templateKey).toBeLessThanOrEqual(300);
      }
      for (const [key, { value }] of Object.entries(notice.wechat?.data ?? {})) {
        if (key.startsWith('keyword')) expect(value.length, `${notice.templateKey} ${key}: ${value}`).toBeLessThanOrEqual(20);
      }
    }
  });
});

describe('what notices must never contain', () => {
  const PERSONAL = /name|mobile|phone|idno|id_no|identity|account|card|openid|email|address|birth|holder|insured|beneficiary/i;

  it('has no personal-data variables, in the registry or in any template source', () => {
    for (const [name, variable] of Object.entries(NOTICE_VARIABLES)) {
      expect(name).not.toMatch(PERSONAL);
      expect(variable.field).not.toMatch(PERSONAL);
    }
    const sources = readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(5);
    let seen = 0;
    for (const file of sources) {
      for (const match of readFileSync(join(TEMPLATES_DIR, file), 'utf8').matchAll(/\{\{\s*[#/]?(?:if\s+)?([\w.]+)/g)) {
        seen++;
        expect(match[1], `${file}: {{${match[1]}}}`).not.toMatch(PERSONAL);
      }
    }
    expect(seen).toBeGreaterThan(50);
  });

  it('refuses a template that names anything but the known variables, or logic beyond #if', () => {
    expect(() => variablesOf('尊敬的{{holderName}}')).toThrow(/unknown variable holderName/);
    expect(() => variablesOf('{{#each policies}}x{{/each}}')).toThrow(/only \{\{#if variable\}\} blocks/);
    expect(() => variablesOf('{{lookup . "policyNo"}}')).toThrow(/only plain variables/);
    expect(() => variablesOf('{{> partial}}')).toThrow(/not allowed/);
    expect(variablesOf('{{policyNo}}{{#if serviceHotline}}{{serviceHotline}}{{/if}}')).toMatchObject({ order: ['policyNo', 'serviceHotline'] });
  });

  // Service notices carry no marketing (docs/business-rules.md#no-marketing). "Reduced paid-up" is a servicing option, so the
  // list names sales wording, not the word "offer" on its own.
  const MARKETING = [/优惠/, /促销/, /抽奖/, /推荐购买/, /新品/, /礼品/, /红包/, /限时/, /特价/, /加保/, /升级保障/, /理财/, /收益率/, /discount/i, /promotion/i, /special offer/i, /offer to buy/i, /limited time/i, /\bprize/i, /\bgift/i, /new product/i, /upgrade/i, /buy now/i];
  // An unpaid life premium is not a debt: reminders, never collection wording.
  const DEBT = [/欠款/, /欠费/, /欠缴/, /催收/, /催缴/, /逾期/, /债务/, /追讨/, /违约金/, /滞纳金/, /起诉/, /征信/, /\bdebt/i, /overdue/i, /\bowe/i, /collection agency/i, /penalt/i, /legal action/i, /credit record/i];

  it('has no marketing and no debt-collection wording, on any channel of any template', () => {
    for (const notice of everyRendering(ALL_FIELDS)) {
      for (const text of allTexts(notice)) {
        for (const word of [...MARKETING, ...DEBT]) expect(text, `${notice.templateKey}`).not.toMatch(word);
      }
    }
  });

  it('has no external assets, links or tracking in the email', () => {
    for (const notice of everyRendering(ALL_FIELDS)) {
      expect(notice.html).not.toMatch(/<img|<script|<link|<iframe|src=|href=|url\(|https?:|\/\/[a-z]/i);
    }
  });
});

describe('HTML escaping', () => {
  it('escapes whatever a value holds, in the HTML part only', () => {
    const notice = renderNotice('final_notice', { ...ACTIVITY_FIELDS, policyNo: `P<b>&"1'` });
    expect(notice.html).toContain('P&lt;b&gt;&amp;&quot;1&#x27;');
    expect(notice.html).not.toContain('<b>');
    expect(notice.text).toContain(`P<b>&"1'`);
    expect(notice.sms?.text).toContain(`P<b>&"1'`);
  });

  it('escapes the wording itself too (an apostrophe in the subject)', () => {
    const notice = renderNotice('lapse_risk_notice', ACTIVITY_FIELDS);
    expect(notice.subject).toContain("Your policy's cover");
    expect(notice.html).toContain('<title>保单效力提示（保单 P202600001） Your policy&#x27;s cover</title>');
  });
});

describe('errors name what is wrong', () => {
  it('an unknown template', () => {
    expect(() => renderNotice('birthday_greeting', ACTIVITY_FIELDS)).toThrow(/no notice template "birthday_greeting"; known: pre_due_reminder, /);
    expect(() => noticeVersion('birthday_greeting')).toThrow(/birthday_greeting/);
  });

  it('a missing field', () => {
    expect(() => renderNotice('reinstatement_reminder', { ...ALL_FIELDS, reinstatementWindowEnd: undefined })).toThrow(
      'notice reinstatement_reminder needs field reinstatementWindowEnd, which is missing',
    );
    expect(() => renderNotice('pre_due_reminder', { ...ACTIVITY_FIELDS, amountFen: undefined })).toThrow('notice pre_due_reminder needs field amountFen');
    expect(() => renderNotice('contract_terminated', { ...ALL_FIELDS, serviceHotline: undefined })).toThrow(/needs field serviceHotline/);
    expect(() => renderNotice('lapse_notice', { policyNo: 'P1' })).toThrow(/needs field suspensionDate \(or lastGraceDay\)/);
  });

  it('a malformed field', () => {
    expect(() => renderNotice('pre_due_reminder', { ...ACTIVITY_FIELDS, amountFen: 12.5 })).toThrow(/pre_due_reminder: notice field amountFen must be a whole, non-negative number of fen/);
    expect(() => renderNotice('pre_due_reminder', { ...ACTIVITY_FIELDS, dueDate: '2026-02-30' })).toThrow(/field dueDate must be a date YYYY-MM-DD/);
    expect(() => renderNotice('pre_due_reminder', { ...ACTIVITY_FIELDS, policyNo: 'P 1' })).toThrow(/field policyNo/);
  });
});

describe('optional wording', () => {
  it('adds the hotline sentence only when a hotline is given, leaving no empty paragraph', () => {
    const without = renderNotice('final_notice', ACTIVITY_FIELDS);
    expect(without.text).not.toMatch(/热线|hotline/);
    expect(without.text).not.toMatch(/\n\n\n|[ \t]\n/);
    expect(without.html).not.toContain('<p></p>');
    const withHotline = renderNotice('final_notice', { ...ACTIVITY_FIELDS, serviceHotline: '95500' });
    expect(withHotline.text).toContain('如有疑问，请致电客服热线 95500。');
    expect(withHotline.letter?.text).toContain('call our service hotline 95500');
  });

  it('puts the policy number and both greetings on the letter', () => {
    const letter = renderNotice('lapse_letter', ACTIVITY_FIELDS).letter!.text;
    expect(letter).toMatch(/^保单效力中止通知书（保单 P202600001） Notice of policy suspension\n\n保单号 Policy No.: P202600001\n\n尊敬的客户：/);
    expect(letter).toContain('Dear customer,');
    expect(letter).toContain('自 2026-05-01 零时起效力中止');
  });
});

describe('versions', () => {
  it('every template has a whole-number version ≥ 1 and unique ID, returned with each rendering', () => {
    expect(new Set(NOTICE_TEMPLATES.map((t) => t.id)).size).toBe(NOTICE_TEMPLATES.length);
    for (const t of NOTICE_TEMPLATES) {
      expect(Number.isInteger(t.version) && t.version >= 1, t.id).toBe(true);
      expect(renderNotice(t.id, ALL_FIELDS).version).toBe(t.version);
    }
  });
});

describe('the payment link in notices that tell how to pay', () => {
  const payLink = `https://pay.insurer.example/p/${'Ab3_'.repeat(10)}xyz`;

  it('the email and letter text carry it when there is one; an SMS only through its own registered link variant (reminder, failed debit)', () => {
    const withLinkSms = new Set(['pre_due_reminder', 'debit_failed']);
    for (const template of ['pre_due_reminder', 'debit_tomorrow_keep_funds', 'debit_failed', 'lapse_risk_notice', 'final_notice']) {
      const withLink = renderNotice(template, { ...ACTIVITY_FIELDS, reason: 'INSUFFICIENT_FUNDS', payLink });
      expect(withLink.text, template).toContain(`在线缴费（微信支付、支付宝）：${payLink}`);
      expect(withLink.html, template).toContain(payLink);
      const without = renderNotice(template, { ...ACTIVITY_FIELDS, reason: 'INSUFFICIENT_FUNDS' });
      expect(without.text, template).not.toContain('在线缴费');
      expect(without.sms?.text ?? '', template).not.toContain('/p/');
      expect(without.sms?.templateKey ?? '', template).not.toMatch(/\.link$/);
      if (withLinkSms.has(template)) {
        // The link is the last token of the approved text: a provider variable like any other.
        expect(withLink.sms!.templateKey, template).toBe(`${without.sms!.templateKey}.link`);
        expect(withLink.sms!.text.endsWith(` ${payLink}`), template).toBe(true);
        expect(withLink.sms!.paramOrder.at(-1), template).toBe('payLink');
        expect(withLink.sms!.params.payLink, template).toBe(payLink);
      } else {
        expect(withLink.sms?.text ?? '', template).not.toContain(payLink);
      }
    }
  });

  it('registers each link variant with the providers as a template of its own, ending with the link', () => {
    const { sms } = providerTemplateRegistry();
    const linkKeys = Object.keys(sms).filter((key) => key.endsWith('.link'));
    const failedDebitVariants = Object.keys(noticeTemplate('debit_failed').variants).map((v) => `debit_failed.${v}.link`);
    expect(linkKeys.sort()).toEqual(['pre_due_reminder.link', ...failedDebitVariants].sort());
    for (const key of linkKeys) {
      expect(sms[key]!.text.endsWith('${payLink}'), key).toBe(true);
      expect(sms[key]!.params.at(-1), key).toBe('payLink');
      expect(sms[key]!.code, key).not.toBe(sms[key.replace(/\.link$/, '')]!.code);
    }
    // The link itself: the page's base, /p/ and a 43-character token; short enough for an SMS.
    expect(payLink.length).toBeLessThanOrEqual(100);
  });

  it('refuses anything but a link of the payment page', () => {
    expect(() => renderNotice('debit_failed', { ...ACTIVITY_FIELDS, reason: 'INSUFFICIENT_FUNDS', payLink: 'https://pay.insurer.example/p/short' })).toThrow(/notice field payLink must be a payment link/);
    expect(() => renderNotice('debit_failed', { ...ACTIVITY_FIELDS, reason: 'INSUFFICIENT_FUNDS', payLink: `javascript:alert(1)//p/${'a'.repeat(43)}` })).toThrow(/payLink/);
  });
});
