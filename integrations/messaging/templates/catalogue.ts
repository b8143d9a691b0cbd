import { DEBIT_FAILED, FINAL_NOTICE, LAPSE_RISK_NOTICE, REDUCED_PAID_UP_OPTION } from './grace-notices';
import { LAPSE_LETTER, LAPSE_NOTICE, SUSPENSION_UNDONE } from './lapse-notices';
import { fieldOf, type NoticeVariable } from './notice-fields';
import { NOTICE_CHANNELS } from '../../../domain/channels';
import { DEFAULT_VARIANT, type NoticeContent, type NoticeTemplate } from './notice-template';
import { DEBIT_TOMORROW_KEEP_FUNDS, PAYMENT_RECEIVED, PRE_DUE_REMINDER } from './pre-due-notices';
import {
  CONTRACT_TERMINATED,
  POLICY_REINSTATED,
  REINSTATEMENT_APPROVED,
  REINSTATEMENT_DECLINED,
  REINSTATEMENT_REMINDER,
  REINSTATEMENT_WINDOW_CLOSING,
} from './reinstatement-notices';
import { variablesOf } from './render';
import { ORPHAN_NOTICE } from './servicing-notices';

/**
 * Every renewal notice, in the order of a premium's life. Checked when this module loads: a
 * template naming an unknown variable, lacking the wording for a channel it declares, or putting a
 * conditional in a provider-registered text (SMS, WeChat) stops the worker from starting.
 */
export const NOTICE_TEMPLATES: readonly NoticeTemplate[] = [
  PRE_DUE_REMINDER,
  DEBIT_TOMORROW_KEEP_FUNDS,
  PAYMENT_RECEIVED,
  DEBIT_FAILED,
  LAPSE_RISK_NOTICE,
  REDUCED_PAID_UP_OPTION,
  FINAL_NOTICE,
  LAPSE_NOTICE,
  LAPSE_LETTER,
  SUSPENSION_UNDONE,
  REINSTATEMENT_REMINDER,
  REINSTATEMENT_WINDOW_CLOSING,
  REINSTATEMENT_APPROVED,
  REINSTATEMENT_DECLINED,
  POLICY_REINSTATED,
  CONTRACT_TERMINATED,
  ORPHAN_NOTICE,
];

const BY_ID = new Map(NOTICE_TEMPLATES.map((t) => [t.id, t]));

export function noticeTemplate(id: string): NoticeTemplate {
  const template = BY_ID.get(id);
  if (!template) throw new RangeError(`no notice template ${JSON.stringify(id)}; known: ${[...BY_ID.keys()].join(', ')}`);
  return template;
}

/** The current version of a template: record it with every contact made with it. */
export function noticeVersion(id: string): number {
  return noticeTemplate(id).version;
}

/** Every handlebars text of one variant, labelled by where it is used. */
export function textsOf(content: NoticeContent): { where: string; source: string; provider: boolean; linkOnly?: true }[] {
  const texts: { where: string; source: string; provider: boolean; linkOnly?: true }[] = [
    { where: 'subject.zh', source: content.subject.zh, provider: false },
    { where: 'subject.en', source: content.subject.en, provider: false },
    ...content.body.zh.map((source, i) => ({ where: `body.zh[${i}]`, source, provider: false })),
    ...content.body.en.map((source, i) => ({ where: `body.en[${i}]`, source, provider: false })),
  ];
  if (content.sms) texts.push({ where: 'sms.zh', source: content.sms.zh, provider: true }, { where: 'sms.en', source: content.sms.en, provider: true });
  // Sent only with a link: its variables never make a field required.
  if (content.smsWithLink) {
    texts.push({ where: 'smsWithLink.zh', source: content.smsWithLink.zh, provider: true, linkOnly: true }, { where: 'smsWithLink.en', source: content.smsWithLink.en, provider: true, linkOnly: true });
  }
  if (content.wechat) {
    const w = content.wechat;
    texts.push(
      { where: 'wechat.first.zh', source: w.first.zh, provider: true },
      { where: 'wechat.first.en', source: w.first.en, provider: true },
      ...w.keywords.map((k, i) => ({ where: `wechat.keyword${i + 1}`, source: k.value, provider: true })),
      { where: 'wechat.remark.zh', source: w.remark.zh, provider: true },
      { where: 'wechat.remark.en', source: w.remark.en, provider: true },
    );
  }
  return texts;
}

/** The fields a template needs from the caller, over all its variants (optional ones left out). */
export function requiredNoticeFields(id: string): string[] {
  const template = noticeTemplate(id);
  const required = new Set<NoticeVariable>();
  for (const content of Object.values(template.variants)) {
    for (const { source, linkOnly } of textsOf(content)) if (!linkOnly) variablesOf(source).required.forEach((v) => required.add(v));
  }
  const fields = [...required].map(fieldOf);
  if (template.variantField) fields.push(template.variantField);
  return [...new Set(fields)];
}

function check(template: NoticeTemplate): void {
  const fail = (problem: string): never => {
    throw new Error(`notice template ${template.id}: ${problem}`);
  };
  if (!/^[a-z][a-z0-9_]{2,47}$/.test(template.id)) fail('id must be 3–48 of a-z, 0-9, _');
  if (!Number.isInteger(template.version) || template.version < 1) fail('version must be a whole number >= 1');
  if (template.channels.length === 0 || template.channels.some((c) => !NOTICE_CHANNELS.includes(c))) fail(`channels must be some of ${NOTICE_CHANNELS.join(', ')}`);
  const variants = Object.entries(template.variants);
  if (variants.length === 0) fail('has no wording');
  if (!template.variantFor && !template.variants[DEFAULT_VARIANT]) fail(`has no ${DEFAULT_VARIANT} variant and no variantFor`);
  if (template.variantField && !template.variantFor) fail(`names variantField ${template.variantField} but has no variantFor`);
  for (const [variant, content] of variants) {
    if (!/^[a-z][a-z0-9_]*$/.test(variant)) fail(`variant ${variant} must be a-z, 0-9, _`);
    if (template.channels.includes('sms') && !content.sms) fail(`variant ${variant} declares sms but has no SMS text`);
    if (template.channels.includes('wechat') && !content.wechat) fail(`variant ${variant} declares wechat but has no WeChat data`);
    if (content.smsWithLink && !content.sms) fail(`variant ${variant} has an SMS with a link but no SMS without one`);
    if (content.smsWithLink && !/\{\{payLink\}\}$/.test(content.smsWithLink.en.trim())) fail(`variant ${variant} smsWithLink must end with {{payLink}}`);
    if (content.smsWithLink && `${content.smsWithLink.zh} ${content.smsWithLink.en}`.split('{{payLink}}').length !== 2) fail(`variant ${variant} smsWithLink must give {{payLink}} once`);
    if (content.body.zh.length === 0 || content.body.en.length === 0) fail(`variant ${variant} needs body paragraphs in zh and en`);
    for (const { where, source, provider } of textsOf(content)) {
      let found;
      try {
        found = variablesOf(source);
      } catch (error) {
        return fail(`variant ${variant} ${where}: ${(error as Error).message}`);
      }
      if (provider && found.conditional) fail(`variant ${variant} ${where}: provider-registered texts cannot be conditional`);
    }
  }
}

if (BY_ID.size !== NOTICE_TEMPLATES.length) throw new Error('notice templates: an ID is used twice');
NOTICE_TEMPLATES.forEach(check);
