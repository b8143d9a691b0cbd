import type { Bilingual } from './notice-template';

/** Sentences several notices share, so they say it the same way everywhere. */

/** Optional: only when the caller gives the insurer's hotline. */
export const HOTLINE: Bilingual = {
  zh: '{{#if serviceHotline}}如有疑问，请致电客服热线 {{serviceHotline}}。{{/if}}',
  en: '{{#if serviceHotline}}For any questions, please call our service hotline {{serviceHotline}}.{{/if}}',
};

/** Premiums go only to the insurer's own account (docs/business-rules.md#no-marketing). */
export const PAY_ONLY_TO_INSURER: Bilingual = {
  zh: '保费只能缴入本公司账户，请勿将现金或转账交给任何个人。',
  en: "Premiums are paid only into the company's own account; please do not hand cash or transfers to any individual.",
};

/** With the premium's payment link when online payment is on (docs/architecture.md#online-payment): email and letter bodies only. */
export const OTHER_WAYS_TO_PAY: Bilingual = {
  zh: '您也可以到我司柜面或通过本公司官方线上渠道缴费。{{#if payLink}}在线缴费（微信支付、支付宝）：{{payLink}}。{{/if}}',
  en: "You can also pay at our service counter or through the company's official online channels.{{#if payLink}} Pay online (WeChat Pay, Alipay): {{payLink}}.{{/if}}",
};

/** What reinstatement asks of the policyholder (Insurance Law Art. 37, SPC Interpretation III Art. 8). */
export const HOW_TO_REINSTATE: Bilingual = {
  zh: '恢复效力需由投保人提交复效申请并如实告知被保险人的健康状况，经本公司同意后补交保费及利息（本公司收到申请后三十日内未明确拒绝的，视为同意），保单自补交保费之日起恢复效力。',
  en: 'To reinstate, the policyholder applies and truthfully declares the insured’s health; once we agree, the back premiums and interest are paid (if we have not refused within 30 days of receiving the application, we are taken to agree), and cover resumes on the day they are paid.',
};

export const WHERE_TO_APPLY: Bilingual = {
  zh: '相关手续可通过您的服务人员或到我司柜面办理。',
  en: 'Your adviser or our service counter can help you with the application.',
};
