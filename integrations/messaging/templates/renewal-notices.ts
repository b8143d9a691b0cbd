import { noticeTemplate, textsOf } from './catalogue';
import { variableValues, type NoticeFields, type NoticeVariable } from './notice-fields';
import type { NoticeChannel } from '../../../domain/channels';
import { DEFAULT_VARIANT, templateKey, type Bilingual, type NoticeContent } from './notice-template';
import { renderEmailHtml, renderText, variablesOf } from './render';

export type { NoticeFields } from './notice-fields';
export { NOTICE_TEMPLATES, noticeTemplate, noticeVersion, requiredNoticeFields } from './catalogue';

/**
 * Version of the wording every template of the default plan (standard-60) is at. Kept for callers
 * that record one version for all notices; prefer `RenderedNotice.version` (or noticeVersion(id)),
 * which is per template and stays right when one template changes.
 */
export const RENEWAL_NOTICES_VERSION = 3;

export interface RenderedSms {
  /** The provider template to use: the template ID, or `id.variant` (e.g. debit_failed.account_unusable). */
  templateKey: string;
  /** As the customer reads it: Chinese, then a short English line. */
  text: string;
  /** Values by variable name (Alibaba's TemplateParam). */
  params: Record<string, string>;
  /** Variable names in the order of the text (Tencent's positional TemplateParamSet: {1}, {2}…). */
  paramOrder: string[];
}

export interface RenderedWechat {
  templateKey: string;
  /** The template message's `data`: first, keyword1…n, remark. */
  data: Record<string, { value: string }>;
}

export interface RenderedNotice {
  template: string;
  variant: string;
  templateKey: string;
  /** The template's own version: record it with the contact. */
  version: number;
  /** News of a change in the contract's standing (NoticeTemplate.statusChange). */
  statusChange: boolean;
  channels: readonly NoticeChannel[];
  /** The email rendering, also the record of what was said whatever the channel. */
  subject: string;
  text: string;
  html: string;
  sms?: RenderedSms;
  wechat?: RenderedWechat;
  email?: { subject: string; text: string; html: string };
  letter?: { text: string };
}

const EMAIL_FOOTER = '本邮件为系统发送的服务通知，请勿直接回复。This is an automated service notice; please do not reply to this email.';
const GREETING: Bilingual = { zh: '尊敬的客户：', en: 'Dear customer,' };
const LETTER_CLOSING: Bilingual = { zh: '客户服务部', en: 'Customer Service' };

/** Everything one variant says, rendered with the caller's fields. Missing required fields throw, naming them. */
function valuesFor(id: string, content: NoticeContent, fields: NoticeFields): Partial<Record<NoticeVariable, string>> {
  const required = new Set<NoticeVariable>();
  const optional = new Set<NoticeVariable>();
  for (const { source, linkOnly } of textsOf(content)) {
    const found = variablesOf(source);
    found.required.forEach((v) => (linkOnly ? optional : required).add(v));
    found.optional.forEach((v) => optional.add(v));
  }
  for (const v of required) optional.delete(v);
  return variableValues(id, fields, required, optional);
}

const line = (b: Bilingual, values: Partial<Record<NoticeVariable, string>>) => `${renderText(b.zh, values)} ${renderText(b.en, values)}`.trim();
const paragraphs = (sources: readonly string[], values: Partial<Record<NoticeVariable, string>>) =>
  sources.map((s) => renderText(s, values).trim()).filter((p) => p !== '');

function renderSms(sms: Bilingual, key: string, values: Partial<Record<NoticeVariable, string>>): RenderedSms {
  const source = smsSource(sms);
  const paramOrder = variablesOf(source).order;
  const params = Object.fromEntries(paramOrder.map((name) => [name, values[name] ?? '']));
  return { templateKey: key, text: renderText(source, values), params, paramOrder };
}

function smsSource(sms: Bilingual): string {
  return `${sms.zh} ${sms.en}`;
}

/**
 * Renders a notice on every channel it declares. Service notices only: no marketing content
 * (docs/business-rules.md#no-marketing). Unknown templates and missing fields are errors naming them.
 */
export function renderNotice(template: string, fields: NoticeFields): RenderedNotice {
  const t = noticeTemplate(template);
  const variant = t.variantFor ? t.variantFor(fields) : DEFAULT_VARIANT;
  const content = t.variants[variant];
  if (!content) throw new RangeError(`notice ${t.id} has no variant ${JSON.stringify(variant)}`);
  const key = templateKey(t.id, variant);
  const values = valuesFor(t.id, content, fields);

  const subject = line(content.subject, values);
  const zh = paragraphs(content.body.zh, values);
  const en = paragraphs(content.body.en, values);
  const text = [GREETING.zh, ...zh, GREETING.en, ...en, '--', EMAIL_FOOTER].join('\n\n') + '\n';
  const html = renderEmailHtml({ subject, zh: [GREETING.zh, ...zh], en: [GREETING.en, ...en], footer: EMAIL_FOOTER });

  const rendered: RenderedNotice = { template: t.id, variant, templateKey: key, version: t.version, statusChange: t.statusChange === true, channels: t.channels, subject, text, html };
  if (t.channels.includes('email')) rendered.email = { subject, text, html };
  if (t.channels.includes('letter')) {
    const policy = `保单号 Policy No.: ${values.policyNo ?? ''}`;
    rendered.letter = { text: [subject, policy, GREETING.zh, ...zh, LETTER_CLOSING.zh, GREETING.en, ...en, LETTER_CLOSING.en].join('\n\n') + '\n' };
  }
  if (t.channels.includes('sms') && content.sms) {
    // The link variant is its own approved template (`<key>.link`), used only when the premium has a link.
    rendered.sms = content.smsWithLink && values.payLink ? renderSms(content.smsWithLink, `${key}.link`, values) : renderSms(content.sms, key, values);
  }
  if (t.channels.includes('wechat') && content.wechat) {
    const w = content.wechat;
    const data: Record<string, { value: string }> = { first: { value: line(w.first, values) } };
    w.keywords.forEach((k, i) => (data[`keyword${i + 1}`] = { value: renderText(k.value, values) }));
    data.remark = { value: line(w.remark, values) };
    rendered.wechat = { templateKey: key, data };
  }
  return rendered;
}

/**
 * The SMS text to register with a provider, with its placeholders: Alibaba names them (`${policyNo}`),
 * Tencent numbers them in paramOrder (`{1}`). Whoever files the templates for approval starts here.
 */
export function smsRegistrationText(template: string, style: 'alibaba' | 'tencent', variant = DEFAULT_VARIANT): string {
  const t = noticeTemplate(template);
  const sms = t.variants[variant]?.sms;
  if (!sms) throw new RangeError(`notice ${t.id} has no SMS text for variant ${JSON.stringify(variant)}`);
  const source = smsSource(sms);
  const order = variablesOf(source).order;
  return source.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => (style === 'alibaba' ? `\${${name}}` : `{${order.indexOf(name as NoticeVariable) + 1}}`));
}

/** The WeChat keyword labels of a template, as registered on the Official Account (keyword1…n). */
export function wechatKeywordLabels(template: string, variant = DEFAULT_VARIANT): Bilingual[] {
  const t = noticeTemplate(template);
  const wechat = t.variants[variant]?.wechat;
  if (!wechat) throw new RangeError(`notice ${t.id} has no WeChat data for variant ${JSON.stringify(variant)}`);
  return wechat.keywords.map((k) => k.label);
}
