import { HOTLINE, OTHER_WAYS_TO_PAY, PAY_ONLY_TO_INSURER } from './common-wording';
import { GUIDANCE, guidanceGroupFor, type GuidanceGroup } from './failed-debit-guidance';
import type { NoticeContent, NoticeTemplate } from './notice-template';

/** During grace: the failed-debit SMS, the D+15 lapse-risk notice, the D+55 final notice, reduced paid-up. */

function debitFailed(group: GuidanceGroup): NoticeContent {
  const g = GUIDANCE[group];
  return {
    subject: { zh: '扣款未成功（保单 {{policyNo}}）', en: 'Debit unsuccessful' },
    body: {
      zh: [
        `您的保单 {{policyNo}} 续期保费 {{amount}} 元本次扣款未成功。${g.zh}`,
        `宽限期至 {{lastGraceDay}}，宽限期内保单继续有效，当日24时前缴纳的保费均有效。${OTHER_WAYS_TO_PAY.zh}${HOTLINE.zh}`,
      ],
      en: [
        `The debit of the renewal premium of RMB {{amount}} for policy {{policyNo}} was unsuccessful. ${g.en}`,
        `The grace period runs to {{lastGraceDay}}; the policy stays in force until then, and a payment made by midnight that day counts. ${OTHER_WAYS_TO_PAY.en} ${HOTLINE.en}`,
      ],
    },
    sms: {
      zh: `您的保单{{policyNo}}续期保费{{amount}}元本次扣款未成功。${g.zh}宽限期至{{lastGraceDay}}。`,
      en: `Policy {{policyNo}}: debit of RMB {{amount}} unsuccessful. ${g.smsEn}`,
    },
    smsWithLink: {
      zh: `您的保单{{policyNo}}续期保费{{amount}}元本次扣款未成功。${g.zh}宽限期至{{lastGraceDay}}，也可通过文末链接在线缴费。`,
      en: `Policy {{policyNo}}: debit of RMB {{amount}} unsuccessful. ${g.smsEn} Pay online: {{payLink}}`,
    },
    wechat: {
      first: { zh: '您的续期保费本次扣款未成功。', en: 'The debit of your renewal premium was unsuccessful.' },
      keywords: [
        { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
        { label: { zh: '扣款金额', en: 'Amount' }, value: '{{amount}}元' },
        { label: { zh: '扣款结果', en: 'Result' }, value: g.status },
        { label: { zh: '宽限期至', en: 'Grace period to' }, value: '{{lastGraceDay}}' },
      ],
      remark: { zh: g.zh, en: g.en },
    },
  };
}

export const DEBIT_FAILED: NoticeTemplate = {
  id: 'debit_failed',
  version: 3,
  purpose: 'The morning after a failed (or returned) debit: what to do, by the normalised reason.',
  channels: ['sms', 'wechat', 'email'],
  variants: Object.fromEntries((Object.keys(GUIDANCE) as GuidanceGroup[]).map((group) => [group, debitFailed(group)])),
  variantFor: (fields) => guidanceGroupFor(fields.reason),
};

export const LAPSE_RISK_NOTICE: NoticeTemplate = {
  id: 'lapse_risk_notice',
  version: 3,
  purpose: 'D+15 (email or letter): the premium is unpaid, the grace period ends on a date, the ways to pay.',
  channels: ['email', 'letter', 'sms', 'wechat'],
  variants: {
    default: {
      subject: { zh: '保单效力提示（保单 {{policyNo}}）', en: "Your policy's cover" },
      body: {
        zh: [
          '您的保单 {{policyNo}} 应于 {{dueDate}} 缴纳的续期保费 {{amount}} 元尚未缴纳。保单目前处于宽限期，宽限期至 {{lastGraceDay}}，宽限期内保单继续有效。',
          '宽限期满仍未缴纳的，保单效力将自次日零时起中止，中止期间发生的保险事故本公司不承担保险责任。',
          `您可以在授权账户中存入足额保费，等待下次扣款；${OTHER_WAYS_TO_PAY.zh}如需更换缴费账户，请联系您的服务人员。`,
          '如您投保时选择了保险费自动垫交，且保单现金价值足以支付保费，宽限期满时将按合同约定自动垫交。',
          `${PAY_ONLY_TO_INSURER.zh}${HOTLINE.zh}`,
        ],
        en: [
          'The renewal premium of RMB {{amount}} for policy {{policyNo}}, due on {{dueDate}}, has not been paid yet. The policy is in its grace period, which runs to {{lastGraceDay}}; it stays in force until then.',
          'If the premium is still unpaid when the grace period ends, the policy will be suspended from 00:00 the next day, and events during suspension are not covered.',
          `You can deposit the full premium in your authorised account for the next debit. ${OTHER_WAYS_TO_PAY.en} To change the payment account, please contact your adviser.`,
          'If you elected the automatic premium loan and the cash value covers the premium, it will pay the premium at the end of the grace period as the contract provides.',
          `${PAY_ONLY_TO_INSURER.en} ${HOTLINE.en}`,
        ],
      },
      sms: {
        zh: '您的保单{{policyNo}}续期保费{{amount}}元尚未缴纳，宽限期至{{lastGraceDay}}，期满未缴纳的保单效力将中止。',
        en: 'Policy {{policyNo}}: premium RMB {{amount}} unpaid; grace period ends {{lastGraceDay}}.',
      },
      wechat: {
        first: { zh: '您的续期保费尚未缴纳。', en: 'Your renewal premium has not been paid yet.' },
        keywords: [
          { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
          { label: { zh: '应缴保费', en: 'Premium' }, value: '{{amount}}元' },
          { label: { zh: '宽限期至', en: 'Grace period to' }, value: '{{lastGraceDay}}' },
          { label: { zh: '保单状态', en: 'Status' }, value: '宽限期内 In grace' },
        ],
        remark: { zh: '宽限期满仍未缴纳的，保单效力将中止。', en: 'If still unpaid when grace ends, the policy will be suspended.' },
      },
    },
  },
};

export const FINAL_NOTICE: NoticeTemplate = {
  id: 'final_notice',
  version: 3,
  purpose: 'D+55 (all channels): the grace period ends on a date; pay by midnight; the options if paying is hard.',
  channels: ['sms', 'wechat', 'email', 'letter'],
  variants: {
    default: {
      subject: { zh: '宽限期即将届满（保单 {{policyNo}}）', en: 'Grace period ending' },
      body: {
        zh: [
          '您的保单 {{policyNo}} 宽限期将于 {{lastGraceDay}} 届满，请于当日24时前缴纳续期保费 {{amount}} 元，以保持保单有效。',
          `宽限期最后一天我们将再次从授权账户扣款；当日24时前缴纳的保费均有效。${OTHER_WAYS_TO_PAY.zh}`,
          '如暂时无法缴纳：投保时选择了保险费自动垫交且现金价值足够的，将按合同约定自动垫交；保单有现金价值的，也可以申请减额交清，此后无需再缴保费，保险金额相应减少。',
          `宽限期满仍未缴纳的，保单效力将中止，自中止之日起两年内可申请恢复效力。${HOTLINE.zh}`,
        ],
        en: [
          'The grace period of policy {{policyNo}} ends on {{lastGraceDay}}. Please pay the renewal premium of RMB {{amount}} by midnight that day to keep the policy in force.',
          `We will debit your authorised account again on the last day of grace; any payment made by midnight that day counts. ${OTHER_WAYS_TO_PAY.en}`,
          'If paying is difficult now: an automatic premium loan you elected pays the premium if the cash value covers it; and while the policy has cash value you may apply for reduced paid-up cover, with no further premiums and a lower sum insured.',
          `If the premium is still unpaid when grace ends, the policy will be suspended; you may apply to reinstate it within two years of suspension. ${HOTLINE.en}`,
        ],
      },
      sms: {
        zh: '您的保单{{policyNo}}宽限期将于{{lastGraceDay}}届满，请于当日24时前缴纳续期保费{{amount}}元，以保持保单有效。',
        en: 'Policy {{policyNo}}: grace ends {{lastGraceDay}}; pay RMB {{amount}} by midnight to stay in force.',
      },
      wechat: {
        first: { zh: '您的保单宽限期即将届满。', en: 'Your policy’s grace period is ending.' },
        keywords: [
          { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
          { label: { zh: '应缴保费', en: 'Premium' }, value: '{{amount}}元' },
          { label: { zh: '宽限期届满日', en: 'Grace ends' }, value: '{{lastGraceDay}}' },
          { label: { zh: '保单状态', en: 'Status' }, value: '宽限期即将届满' },
        ],
        remark: { zh: '请于宽限期届满日24时前缴费，以保持保单有效。', en: 'Please pay by midnight on the last day of grace to keep the policy in force.' },
      },
    },
  },
};

/**
 * Reduced paid-up (减额交清) explained at grace end: a servicing option the policyholder may apply
 * for, never a sale (using it as a pretext to sell a new policy is prohibited conduct).
 */
export const REDUCED_PAID_UP_OPTION: NoticeTemplate = {
  id: 'reduced_paid_up_option',
  version: 1,
  purpose: 'Near grace end, for policies with cash value: the reduced paid-up option, as an alternative to suspension.',
  channels: ['email', 'letter', 'sms'],
  variants: {
    default: {
      subject: { zh: '减额交清说明（保单 {{policyNo}}）', en: 'The reduced paid-up option' },
      body: {
        zh: [
          '您的保单 {{policyNo}} 续期保费 {{amount}} 元尚未缴纳，宽限期至 {{lastGraceDay}}。如您暂时无法继续缴费，可以了解“减额交清”这一保单服务。',
          '减额交清是指：以保单当时的现金价值（扣除未缴保费及借款本息后）一次交清保费，保险金额相应减少，此后无需再缴纳保费，保险期间及其他合同条款不变。',
          '是否办理由您自行决定，须由投保人本人申请；减额后的保险金额不得低于合同约定的最低金额。办理前请了解减额后保障的变化。',
          `如需了解减额后的保险金额，请联系您的服务人员或到我司柜面咨询。${HOTLINE.zh}`,
        ],
        en: [
          'The renewal premium of RMB {{amount}} for policy {{policyNo}} has not been paid, and the grace period runs to {{lastGraceDay}}. If you cannot keep paying for now, you may consider the reduced paid-up option.',
          'Under it, the cash value at that time (less unpaid premiums and any loans with interest) pays for the policy in one go: the sum insured is reduced, no further premiums are due, and the term and other terms stay the same.',
          'Whether to apply is entirely your choice, and only the policyholder can apply; the reduced sum insured cannot fall below the contract minimum. Please make sure you understand how your cover would change.',
          `To learn the reduced sum insured, please contact your adviser or our service counter. ${HOTLINE.en}`,
        ],
      },
      sms: {
        zh: '您的保单{{policyNo}}宽限期至{{lastGraceDay}}。如暂时无法缴费，可申请减额交清：保额相应减少，此后无需缴费。',
        en: 'Policy {{policyNo}}: reduced paid-up cover is available on request.',
      },
    },
  },
};
