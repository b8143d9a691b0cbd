import { HOTLINE, HOW_TO_REINSTATE, WHERE_TO_APPLY } from './common-wording';
import type { NoticeTemplate } from './notice-template';

/** At suspension (00:00 of D+61): the SMS that day and the letter within three working days. */

export const LAPSE_NOTICE: NoticeTemplate = {
  id: 'lapse_notice',
  version: 3,
  purpose: 'D+61 (SMS): the policy is suspended; it can be reinstated within two years.',
  statusChange: true,
  channels: ['sms', 'wechat', 'email'],
  variants: {
    default: {
      subject: { zh: '保单效力中止通知（保单 {{policyNo}}）', en: 'Policy suspended' },
      body: {
        zh: [
          '您的保单 {{policyNo}} 因宽限期届满未缴纳续期保费，自 {{suspensionDate}} 零时起效力中止。自中止之日起两年内，您可以申请恢复保单效力。',
          `${HOW_TO_REINSTATE.zh}${WHERE_TO_APPLY.zh}${HOTLINE.zh}`,
        ],
        en: [
          'Policy {{policyNo}} is suspended from 00:00 on {{suspensionDate}}, as the renewal premium was not paid within the grace period. You may apply to reinstate it within two years of suspension.',
          `${HOW_TO_REINSTATE.en} ${WHERE_TO_APPLY.en} ${HOTLINE.en}`,
        ],
      },
      sms: {
        zh: '您的保单{{policyNo}}因宽限期届满未缴纳续期保费，自{{suspensionDate}}起效力中止，两年内可申请恢复效力。',
        en: 'Policy {{policyNo}} is suspended from {{suspensionDate}}; you may apply to reinstate it within 2 years.',
      },
      wechat: {
        first: { zh: '您的保单效力已中止。', en: 'Your policy is suspended.' },
        keywords: [
          { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
          { label: { zh: '中止日期', en: 'Suspended from' }, value: '{{suspensionDate}}' },
          { label: { zh: '保单状态', en: 'Status' }, value: '效力中止 Suspended' },
        ],
        remark: { zh: '自中止之日起两年内可申请恢复效力。', en: 'You may apply to reinstate it within two years.' },
      },
    },
  },
};

export const LAPSE_LETTER: NoticeTemplate = {
  id: 'lapse_letter',
  version: 3,
  purpose: 'First working day after suspension (letter): the formal suspension notice with the reinstatement terms.',
  statusChange: true,
  channels: ['letter', 'email'],
  variants: {
    default: {
      subject: { zh: '保单效力中止通知书（保单 {{policyNo}}）', en: 'Notice of policy suspension' },
      body: {
        zh: [
          '您的保单 {{policyNo}} 应于 {{dueDate}} 缴纳的续期保费 {{amount}} 元，在宽限期（至 {{lastGraceDay}}）内未缴纳。根据《中华人民共和国保险法》第三十六条及合同约定，保单自 {{suspensionDate}} 零时起效力中止。',
          '效力中止期间发生的保险事故，本公司不承担保险责任。',
          `自中止之日起两年内，您可以申请恢复保单效力。${HOW_TO_REINSTATE.zh}复效后，合同中以复效日起算的期间（如自杀免责期间）重新计算。`,
          '自中止之日起满两年双方未达成复效协议的，本公司有权解除合同，并按合同约定退还保单的现金价值。',
          `${WHERE_TO_APPLY.zh}${HOTLINE.zh}`,
        ],
        en: [
          'The renewal premium of RMB {{amount}} for policy {{policyNo}}, due on {{dueDate}}, was not paid within the grace period (to {{lastGraceDay}}). Under Article 36 of the Insurance Law of the PRC and the contract, the policy is suspended from 00:00 on {{suspensionDate}}.',
          'Events during suspension are not covered.',
          `You may apply to reinstate the policy within two years of suspension. ${HOW_TO_REINSTATE.en} After reinstatement, periods the contract counts from reinstatement (such as the suicide exclusion) start again.`,
          'If no agreement to reinstate is reached within two years of suspension, the company may terminate the contract and will refund the cash value as the contract provides.',
          `${WHERE_TO_APPLY.en} ${HOTLINE.en}`,
        ],
      },
    },
  },
};

/** A payment made within grace and reported after the suspension: the suspension is undone (docs/business-rules.md#payment-amounts). */
export const SUSPENSION_UNDONE: NoticeTemplate = {
  id: 'suspension_undone',
  version: 1,
  purpose: 'A premium paid within the grace period was reported after the suspension: the policy never lapsed and stays in force.',
  statusChange: true,
  channels: ['sms', 'wechat', 'email'],
  variants: {
    default: {
      subject: { zh: '保单继续有效通知（保单 {{policyNo}}）', en: 'Your policy stays in force' },
      body: {
        zh: [
          '您于 {{paidOn}} 在宽限期内缴纳的保单 {{policyNo}} 续期保费 {{amount}} 元已确认到账。此前发出的效力中止通知作废，保单继续有效。',
          `给您带来的不便，敬请谅解。${HOTLINE.zh}`,
        ],
        en: [
          'The renewal premium of RMB {{amount}} for policy {{policyNo}}, paid on {{paidOn}} within the grace period, is confirmed. The suspension notice sent earlier is withdrawn: the policy stays in force.',
          `We apologise for the confusion. ${HOTLINE.en}`,
        ],
      },
      sms: {
        zh: '您于{{paidOn}}缴纳的保单{{policyNo}}续期保费{{amount}}元在宽限期内，效力中止通知作废，保单继续有效。',
        en: 'Policy {{policyNo}}: premium RMB {{amount}} paid on {{paidOn}} within grace; the suspension is withdrawn.',
      },
      wechat: {
        first: { zh: '您的保单继续有效。', en: 'Your policy stays in force.' },
        keywords: [
          { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
          { label: { zh: '缴费金额', en: 'Amount' }, value: '{{amount}}元' },
          { label: { zh: '缴费日期', en: 'Paid on' }, value: '{{paidOn}}' },
          { label: { zh: '保单状态', en: 'Status' }, value: '有效 In force' },
        ],
        remark: { zh: '此前的效力中止通知作废。', en: 'The suspension notice sent earlier is withdrawn.' },
      },
    },
  },
};
