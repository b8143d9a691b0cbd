import { DECLINE_REASONS, type DeclineReason } from '../../../domain/reinstatement-application';
import { HOTLINE, HOW_TO_REINSTATE, PAY_ONLY_TO_INSURER, WHERE_TO_APPLY } from './common-wording';
import { wordingChoice } from './notice-fields';
import type { Bilingual, NoticeContent, NoticeTemplate } from './notice-template';

/**
 * The two-year reinstatement window: reminders at +30, +180 and +365 days, a last one 60 days
 * before it closes, and the termination with its cash-value refund (Insurance Law Art. 37). Then
 * the answers to an application (approved, declined) and the confirmation once it is paid.
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
  statusChange: true,
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

/** Where and how back premiums are paid: only to the insurer. */
const HOW_TO_PAY_BACK_PREMIUMS: Bilingual = {
  zh: `请到我司柜面或通过本公司官方线上渠道缴纳。${PAY_ONLY_TO_INSURER.zh}`,
  en: `Please pay at our service counter or through the company's official online channels. ${PAY_ONLY_TO_INSURER.en}`,
};

/** The approval: by the underwriter, or deemed by law (SPC Interp. III Art. 8: no refusal within 30 days). */
function approved(how: { opening: Bilingual; smsZh: string; smsEn: string; first: Bilingual; result: string }): NoticeContent {
  return {
    subject: { zh: '复效申请同意通知（保单 {{policyNo}}）', en: 'Reinstatement approved' },
    body: {
      zh: [
        how.opening.zh,
        '请于 {{payBy}} 前（含当日）补交保费 {{backPremiums}} 元及利息 {{interest}} 元，合计 {{totalDue}} 元。利息按合同约定计算至缴费之日，实际金额以缴费当日计算为准。',
        '保单自补交保费及利息之日起恢复效力；在此之前保单仍处于效力中止状态，中止期间发生的保险事故本公司不承担保险责任。复效后，合同中自复效之日起计算的期间（如自杀免责期间）重新计算。',
        '如未能在 {{payBy}} 前缴纳，本次同意不再有效；如仍希望恢复保单效力，可在复效申请期限内重新申请。',
        `${HOW_TO_PAY_BACK_PREMIUMS.zh}${HOTLINE.zh}`,
      ],
      en: [
        how.opening.en,
        'Please pay the back premiums of RMB {{backPremiums}} and interest of RMB {{interest}}, RMB {{totalDue}} in total, by {{payBy}} (inclusive). Interest runs to the day of payment as the contract provides, so the amount on the day you pay applies.',
        'The policy is back in force from the day the back premiums and interest are paid; until then it remains suspended, and events during suspension are not covered. After reinstatement, periods the contract counts from reinstatement (such as the suicide exclusion) start again.',
        'If payment is not made by {{payBy}}, this approval no longer stands; you may still apply again within the reinstatement period.',
        `${HOW_TO_PAY_BACK_PREMIUMS.en} ${HOTLINE.en}`,
      ],
    },
    sms: { zh: how.smsZh, en: how.smsEn },
    wechat: {
      first: how.first,
      keywords: [
        { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
        { label: { zh: '审核结果', en: 'Result' }, value: how.result },
        { label: { zh: '应缴金额', en: 'Amount to pay' }, value: '{{totalDue}}元' },
        { label: { zh: '缴费截止', en: 'Pay by' }, value: '{{payBy}}' },
      ],
      remark: { zh: '保单自补交保费及利息之日起恢复效力。', en: 'Cover resumes on the day of payment.' },
    },
  };
}

const APPROVED_BY = ['underwriter', 'deemed_consent'] as const;

export const REINSTATEMENT_APPROVED: NoticeTemplate = {
  id: 'reinstatement_approved',
  version: 1,
  purpose: 'The application is approved (by the underwriter, or deemed after 30 days): what to pay, by when, and that cover restarts on payment.',
  statusChange: true,
  channels: ['sms', 'wechat', 'email', 'letter'],
  variants: {
    default: approved({
      opening: {
        zh: '您为保单 {{policyNo}} 提交的恢复保单效力（复效）申请，经本公司核保审核，已同意恢复保单效力。',
        en: 'We have reviewed the application to reinstate policy {{policyNo}} and agree to reinstate it.',
      },
      smsZh: '您的保单{{policyNo}}复效申请已获同意，请于{{payBy}}前补交保费及利息共{{totalDue}}元，保单自缴费之日起恢复效力。',
      smsEn: 'Policy {{policyNo}}: reinstatement approved; pay RMB {{totalDue}} by {{payBy}}.',
      first: { zh: '您的复效申请已获同意。', en: 'Your reinstatement application is approved.' },
      result: '同意复效 Approved',
    }),
    deemed_consent: approved({
      opening: {
        zh: '本公司收到您为保单 {{policyNo}} 提交的恢复保单效力（复效）申请后三十日内未作出拒绝决定，依照法律规定视为同意恢复保单效力。',
        en: 'We did not refuse the application to reinstate policy {{policyNo}} within 30 days of receiving it, so by law we are taken to agree to reinstate it.',
      },
      smsZh: '您的保单{{policyNo}}复效申请三十日内未被拒绝，依法视为同意，请于{{payBy}}前补交保费及利息共{{totalDue}}元，保单自缴费之日起恢复效力。',
      smsEn: 'Policy {{policyNo}}: reinstatement deemed approved; pay RMB {{totalDue}} by {{payBy}}.',
      first: { zh: '您的复效申请依法视为已获同意。', en: 'Your reinstatement application is deemed approved.' },
      result: '视为同意 Deemed consent',
    }),
  },
  variantFor: (fields) => (wordingChoice('reinstatement_approved', fields, 'approvedBy', APPROVED_BY) === 'deemed_consent' ? 'deemed_consent' : 'default'),
  variantField: 'approvedBy',
};

/**
 * Why, in service language, by reason code. Never the medical or other detail behind the decision
 * (PIPL: health data is sensitive); the insured, or someone they authorise, can ask for it.
 */
const DECLINED_BECAUSE: Readonly<Record<DeclineReason, { why: Bilingual; again: Bilingual; smsZh: string }>> = {
  RISK_INCREASED_HEALTH: {
    why: {
      zh: '本公司根据被保险人的健康告知及相关资料进行了评估，认为保单效力中止期间被保险人的风险显著增加，因此未能同意复效。为保护个人信息，本通知不列明具体健康信息。',
      en: "We assessed the insured's health declaration and the related documents and found that the insured risk rose significantly during the suspension, so we could not agree to reinstate. To protect personal information, this notice gives no health details.",
    },
    again: {
      zh: '如被保险人的情况有变化，您可以在 {{reinstatementWindowEnd}} 前提供新的资料重新申请复效。',
      en: "If the insured's circumstances change, you may apply again with new documents until {{reinstatementWindowEnd}}.",
    },
    smsZh: '经核保评估未能获得同意',
  },
  RISK_INCREASED_OCCUPATION: {
    why: {
      zh: '本公司根据被保险人告知的职业或所从事活动的变化进行了评估，认为保单效力中止期间被保险人的风险显著增加，因此未能同意复效。',
      en: "We assessed the change in the insured's occupation or activities and found that the insured risk rose significantly during the suspension, so we could not agree to reinstate.",
    },
    again: {
      zh: '如被保险人的职业或活动有变化，您可以在 {{reinstatementWindowEnd}} 前提供新的资料重新申请复效。',
      en: "If the insured's occupation or activities change, you may apply again with new documents until {{reinstatementWindowEnd}}.",
    },
    smsZh: '经核保评估未能获得同意',
  },
  RISK_INCREASED_OTHER: {
    why: {
      zh: '本公司经核保评估，认为保单效力中止期间被保险人的风险显著增加，因此未能同意复效。',
      en: 'Our underwriting assessment found that the insured risk rose significantly during the suspension, so we could not agree to reinstate.',
    },
    again: {
      zh: '如相关情况有变化，您可以在 {{reinstatementWindowEnd}} 前提供新的资料重新申请复效。',
      en: 'If the circumstances change, you may apply again with new documents until {{reinstatementWindowEnd}}.',
    },
    smsZh: '经核保评估未能获得同意',
  },
  EVIDENCE_NOT_PROVIDED: {
    why: {
      zh: '本公司为评估风险所需的资料未能在作出决定前收到，因此无法完成评估，未能同意复效。',
      en: 'The documents we asked for to assess the risk did not reach us before the decision was due, so we could not complete the assessment or agree to reinstate.',
    },
    again: {
      zh: '您可以在 {{reinstatementWindowEnd}} 前备齐所需资料重新申请复效。',
      en: 'You may apply again with those documents until {{reinstatementWindowEnd}}.',
    },
    smsZh: '因所需资料未按期提供未能完成评估',
  },
};

/** Variant names are lower-case: RISK_INCREASED_HEALTH → risk_increased_health. */
const declineVariant = (reason: DeclineReason) => reason.toLowerCase();

function declined(reason: DeclineReason): NoticeContent {
  const d = DECLINED_BECAUSE[reason];
  return {
    subject: { zh: '复效申请审核结果通知（保单 {{policyNo}}）', en: 'Your reinstatement application' },
    body: {
      zh: [
        '您为保单 {{policyNo}} 提交的恢复保单效力（复效）申请，经本公司审核，未能获得同意，保单仍处于效力中止状态。',
        d.why.zh,
        `${d.again.zh}期满仍未恢复效力的，本公司有权解除合同，并按合同约定退还保单的现金价值{{#if cashValue}}（目前约为 {{cashValue}} 元，以实际办理时为准）{{/if}}。`,
        '如对本决定有疑问，投保人可致电客服热线 {{serviceHotline}} 或到我司柜面咨询。涉及被保险人健康等个人信息的，我们只向被保险人本人或其授权的人说明。',
      ],
      en: [
        'We have reviewed the application to reinstate policy {{policyNo}} and are unable to approve it; the policy remains suspended.',
        d.why.en,
        `${d.again.en} If the policy is not reinstated by then, the company may terminate the contract and will refund the cash value as the contract provides{{#if cashValue}} (currently about RMB {{cashValue}}; the amount at the time applies){{/if}}.`,
        "If you have questions about this decision, the policyholder may call our service hotline {{serviceHotline}} or visit our service counter. Personal information such as the insured's health is explained only to the insured or someone they authorise.",
      ],
    },
    sms: {
      zh: `您的保单{{policyNo}}复效申请${d.smsZh}，可于{{reinstatementWindowEnd}}前重新申请，详询{{serviceHotline}}。`,
      en: 'Policy {{policyNo}}: reinstatement not approved; you may apply again by {{reinstatementWindowEnd}}.',
    },
  };
}

const DECLINE_CODES = Object.keys(DECLINE_REASONS) as DeclineReason[];

export const REINSTATEMENT_DECLINED: NoticeTemplate = {
  id: 'reinstatement_declined',
  version: 1,
  purpose: 'The application is declined: the reason in service language (never the detail), the hotline, and until when to apply again.',
  statusChange: true,
  // No WeChat: a refusal is explained in full on paper or by email, not in keyword values.
  channels: ['letter', 'email', 'sms'],
  variants: Object.fromEntries(DECLINE_CODES.map((reason) => [declineVariant(reason), declined(reason)])),
  variantFor: (fields) => declineVariant(wordingChoice('reinstatement_declined', fields, 'declineReason', DECLINE_CODES)),
  variantField: 'declineReason',
};

export const POLICY_REINSTATED: NoticeTemplate = {
  id: 'policy_reinstated',
  version: 1,
  purpose: 'The back premiums and interest are received: the policy is in force again from the day of payment, and what restarts.',
  statusChange: true,
  channels: ['sms', 'wechat', 'email', 'letter'],
  variants: {
    default: {
      subject: { zh: '保单复效确认通知（保单 {{policyNo}}）', en: 'Policy reinstated' },
      body: {
        zh: [
          '本公司已收到您为保单 {{policyNo}} 补交的保费及利息共 {{totalDue}} 元，保单自 {{effectiveDate}} 起恢复效力。',
          '复效后，合同中自复效之日起计算的期间重新计算：被保险人自杀的免责期间自 {{effectiveDate}} 起重新计算，至 {{suicideExclusionEnds}} 止。合同其他条款不变。',
          '{{#if nextDueDate}}下一期续期保费应于 {{nextDueDate}} 缴纳，我们会在缴费日前提醒您。{{/if}}',
          `感谢您的信任。${HOTLINE.zh}`,
        ],
        en: [
          'We have received RMB {{totalDue}} in back premiums and interest for policy {{policyNo}}; the policy is back in force from {{effectiveDate}}.',
          'Periods the contract counts from reinstatement start again: the suicide exclusion runs again from {{effectiveDate}} to {{suicideExclusionEnds}}. The other terms of the contract are unchanged.',
          '{{#if nextDueDate}}The next renewal premium is due on {{nextDueDate}}; we will remind you before then.{{/if}}',
          `Thank you. ${HOTLINE.en}`,
        ],
      },
      // The suicide exclusion is left to the email and letter: an SMS or WeChat message is no place for it.
      sms: {
        zh: '您的保单{{policyNo}}补交的保费及利息{{totalDue}}元已收到，保单自{{effectiveDate}}起恢复效力。',
        en: 'Policy {{policyNo}} is back in force from {{effectiveDate}}; RMB {{totalDue}} received.',
      },
      wechat: {
        first: { zh: '您的保单已恢复效力。', en: 'Your policy is back in force.' },
        keywords: [
          { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
          { label: { zh: '复效日期', en: 'In force from' }, value: '{{effectiveDate}}' },
          { label: { zh: '缴费金额', en: 'Amount' }, value: '{{totalDue}}元' },
          { label: { zh: '保单状态', en: 'Status' }, value: '有效 In force' },
        ],
        remark: { zh: '感谢您的信任。', en: 'Thank you.' },
      },
    },
  },
};
