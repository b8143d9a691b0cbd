import { HOTLINE, HOW_TO_REINSTATE, WHERE_TO_APPLY } from './common-wording';
import type { NoticeTemplate } from './notice-template';

/**
 * The two-year reinstatement window: reminders at +30, +180 and +365 days, a last one 60 days
 * before it closes, and the termination with its cash-value refund (Insurance Law Art. 37).
 */

export const REINSTATEMENT_REMINDER: NoticeTemplate = {
  id: 'reinstatement_reminder',
  version: 1,
  purpose: '+30, +180 and +365 days after suspension: the policy can still be reinstated, and how.',
  channels: ['sms', 'wechat', 'email', 'letter'],
  variants: {
    default: {
      subject: { zh: '保单复效提醒（保单 {{policyNo}}）', en: 'Reinstating your policy' },
      body: {
        zh: [
          '您的保单 {{policyNo}} 自 {{suspensionDate}} 起效力中止。您可以在 {{reinstatementWindowEnd}} 前申请恢复保单效力。',
          `${HOW_TO_REINSTATE.zh}{{#if backPremiums}}目前需补交的保费为 {{backPremiums}} 元，利息按合同约定另计。{{/if}}`,
          `${WHERE_TO_APPLY.zh}${HOTLINE.zh}`,
        ],
        en: [
          'Policy {{policyNo}} has been suspended since {{suspensionDate}}. You may apply to reinstate it until {{reinstatementWindowEnd}}.',
          `${HOW_TO_REINSTATE.en}{{#if backPremiums}} The back premiums are currently RMB {{backPremiums}}, plus interest as the contract provides.{{/if}}`,
          `${WHERE_TO_APPLY.en} ${HOTLINE.en}`,
        ],
      },
      sms: {
        zh: '您的保单{{policyNo}}自{{suspensionDate}}起效力中止，可于{{reinstatementWindowEnd}}前申请恢复效力，详询{{serviceHotline}}。',
        en: 'Policy {{policyNo}}: you may apply to reinstate it by {{reinstatementWindowEnd}}.',
      },
      wechat: {
        first: { zh: '您的保单可申请恢复效力。', en: 'Your policy can be reinstated.' },
        keywords: [
          { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
          { label: { zh: '中止日期', en: 'Suspended from' }, value: '{{suspensionDate}}' },
          { label: { zh: '复效申请截止', en: 'Apply by' }, value: '{{reinstatementWindowEnd}}' },
        ],
        remark: { zh: '如需办理复效，请联系您的服务人员或致电{{serviceHotline}}。', en: 'To reinstate, contact your adviser or call {{serviceHotline}}.' },
      },
    },
  },
};

export const REINSTATEMENT_WINDOW_CLOSING: NoticeTemplate = {
  id: 'reinstatement_window_closing',
  version: 1,
  purpose: '60 days before the reinstatement window closes: the last date to apply, and what happens after it.',
  channels: ['sms', 'wechat', 'email', 'letter'],
  variants: {
    default: {
      subject: { zh: '复效申请期限即将届满（保单 {{policyNo}}）', en: 'Reinstatement period ending' },
      body: {
        zh: [
          '您的保单 {{policyNo}} 自 {{suspensionDate}} 起效力中止，申请恢复效力的期限将于 {{reinstatementWindowEnd}} 届满。',
          `如希望恢复保单效力，请在此之前提出申请。${HOW_TO_REINSTATE.zh}`,
          '期满仍未达成复效协议的，本公司有权解除合同，并按合同约定退还保单的现金价值{{#if cashValue}}（目前约为 {{cashValue}} 元，以实际办理时为准）{{/if}}。',
          `${WHERE_TO_APPLY.zh}${HOTLINE.zh}`,
        ],
        en: [
          'Policy {{policyNo}} has been suspended since {{suspensionDate}}; the period to apply for reinstatement ends on {{reinstatementWindowEnd}}.',
          `If you wish to reinstate it, please apply before then. ${HOW_TO_REINSTATE.en}`,
          'If no agreement to reinstate is reached by then, the company may terminate the contract and will refund the cash value as the contract provides{{#if cashValue}} (currently about RMB {{cashValue}}; the amount at the time applies){{/if}}.',
          `${WHERE_TO_APPLY.en} ${HOTLINE.en}`,
        ],
      },
      sms: {
        zh: '您的保单{{policyNo}}申请恢复效力的期限将于{{reinstatementWindowEnd}}届满，如需复效请尽早申请，详询{{serviceHotline}}。',
        en: 'Policy {{policyNo}}: apply to reinstate by {{reinstatementWindowEnd}}.',
      },
      wechat: {
        first: { zh: '您的保单复效申请期限即将届满。', en: 'The period to reinstate your policy is ending.' },
        keywords: [
          { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
          { label: { zh: '复效申请截止', en: 'Apply by' }, value: '{{reinstatementWindowEnd}}' },
          { label: { zh: '保单状态', en: 'Status' }, value: '效力中止 Suspended' },
        ],
        remark: { zh: '如需办理复效，请联系您的服务人员或致电{{serviceHotline}}。', en: 'To reinstate, contact your adviser or call {{serviceHotline}}.' },
      },
    },
  },
};

export const CONTRACT_TERMINATED: NoticeTemplate = {
  id: 'contract_terminated',
  version: 1,
  purpose: 'The reinstatement window closed without agreement: the contract is terminated and its cash value refunded.',
  channels: ['letter', 'email', 'sms'],
  variants: {
    default: {
      subject: { zh: '保险合同解除及现金价值退还通知（保单 {{policyNo}}）', en: 'Contract terminated: refund of the cash value' },
      body: {
        zh: [
          '您的保单 {{policyNo}} 自 {{suspensionDate}} 起效力中止，自中止之日起两年内未达成复效协议。根据《中华人民共和国保险法》第三十七条及合同约定，本公司已于 {{terminationDate}} 解除该保险合同。',
          '本公司将按合同约定退还保单的现金价值 {{cashValue}} 元。款项只会支付到投保人本人的银行账户；请联系您的服务人员或到我司柜面办理领取手续。',
          HOTLINE.zh,
        ],
        en: [
          'Policy {{policyNo}} has been suspended since {{suspensionDate}}, and no agreement to reinstate it was reached within two years. Under Article 37 of the Insurance Law of the PRC and the contract, the company terminated the contract on {{terminationDate}}.',
          "The company will refund the policy's cash value of RMB {{cashValue}} as the contract provides. It is paid only into the policyholder's own bank account; your adviser or our service counter can help you claim it.",
          HOTLINE.en,
        ],
      },
      sms: {
        zh: '您的保单{{policyNo}}已于{{terminationDate}}解除合同，现金价值{{cashValue}}元将按合同约定退还，详询{{serviceHotline}}。',
        en: 'Policy {{policyNo}} ended on {{terminationDate}}; cash value RMB {{cashValue}} will be refunded.',
      },
    },
  },
};
