import { HOTLINE, OTHER_WAYS_TO_PAY, PAY_ONLY_TO_INSURER } from './common-wording';
import type { NoticeTemplate } from './notice-template';

/** Before and at the due date: the reminders of D−30/D−15 and D−3, and the receipt of a payment. */

export const PRE_DUE_REMINDER: NoticeTemplate = {
  id: 'pre_due_reminder',
  version: 3,
  purpose: 'D−30 (preferred channel + email) and D−15 (SMS): the premium, its due date and the debit date.',
  channels: ['sms', 'wechat', 'email', 'letter'],
  variants: {
    default: {
      subject: { zh: '续期保费提醒（保单 {{policyNo}}）', en: 'Renewal premium reminder' },
      body: {
        zh: [
          '您的保单 {{policyNo}} 的续期保费 {{amount}} 元应于 {{dueDate}} 缴纳，将于 {{debitDate}} 从您授权的银行账户扣缴，请在当日前保持账户余额充足。',
          `如您的缴费账户已变更，请尽早联系您的服务人员或到我司柜面办理账户变更。${OTHER_WAYS_TO_PAY.zh}${HOTLINE.zh}`,
          PAY_ONLY_TO_INSURER.zh,
        ],
        en: [
          'The renewal premium of RMB {{amount}} for policy {{policyNo}} is due on {{dueDate}} and will be debited from your authorised bank account on {{debitDate}}. Please keep enough funds in the account by then.',
          `If your payment account has changed, please tell your adviser or visit our service counter soon to update it. ${OTHER_WAYS_TO_PAY.en} ${HOTLINE.en}`,
          PAY_ONLY_TO_INSURER.en,
        ],
      },
      sms: {
        zh: '您的保单{{policyNo}}续期保费{{amount}}元应于{{dueDate}}缴纳，将于{{debitDate}}从授权账户扣缴，请保持余额充足。',
        en: 'Policy {{policyNo}}: premium RMB {{amount}} due {{dueDate}}, debited {{debitDate}}.',
      },
      smsWithLink: {
        zh: '您的保单{{policyNo}}续期保费{{amount}}元应于{{dueDate}}缴纳，将于{{debitDate}}从授权账户扣缴，请保持余额充足，也可通过文末链接在线缴费。',
        en: 'Policy {{policyNo}}: premium RMB {{amount}} due {{dueDate}}, debited {{debitDate}}. Pay online: {{payLink}}',
      },
      wechat: {
        first: { zh: '您的保单续期保费即将到期。', en: 'Your renewal premium will soon be due.' },
        keywords: [
          { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
          { label: { zh: '应缴保费', en: 'Premium' }, value: '{{amount}}元' },
          { label: { zh: '应缴日期', en: 'Due date' }, value: '{{dueDate}}' },
          { label: { zh: '扣款日期', en: 'Debit date' }, value: '{{debitDate}}' },
        ],
        remark: { zh: '请在扣款日前保持授权账户余额充足。', en: 'Please keep enough funds in your authorised account by the debit date.' },
      },
    },
  },
};

export const DEBIT_TOMORROW_KEEP_FUNDS: NoticeTemplate = {
  id: 'debit_tomorrow_keep_funds',
  version: 3,
  purpose: 'D−3 (SMS): the debit date is near, keep the full premium in the account.',
  channels: ['sms', 'wechat', 'email'],
  variants: {
    default: {
      subject: { zh: '扣款提醒（保单 {{policyNo}}）', en: 'Debit on {{debitDate}}' },
      body: {
        zh: [
          '您的保单 {{policyNo}} 将于 {{debitDate}} 从您授权的银行账户扣缴续期保费 {{amount}} 元，请保持账户内有足额保费。',
          `${OTHER_WAYS_TO_PAY.zh}${HOTLINE.zh}`,
        ],
        en: [
          'The renewal premium of RMB {{amount}} for policy {{policyNo}} will be debited from your authorised bank account on {{debitDate}}. Please keep the full premium in the account.',
          `${OTHER_WAYS_TO_PAY.en} ${HOTLINE.en}`,
        ],
      },
      sms: {
        zh: '您的保单{{policyNo}}将于{{debitDate}}扣缴续期保费{{amount}}元，请保持账户内有足额保费。',
        en: 'Policy {{policyNo}}: RMB {{amount}} will be debited on {{debitDate}}.',
      },
      wechat: {
        first: { zh: '您的续期保费即将扣缴。', en: 'Your renewal premium will be debited soon.' },
        keywords: [
          { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
          { label: { zh: '扣款金额', en: 'Amount' }, value: '{{amount}}元' },
          { label: { zh: '扣款日期', en: 'Debit date' }, value: '{{debitDate}}' },
        ],
        remark: { zh: '请保持账户内有足额保费。', en: 'Please keep the full premium in the account.' },
      },
    },
  },
};

export const PAYMENT_RECEIVED: NoticeTemplate = {
  id: 'payment_received',
  version: 1,
  purpose: 'After a successful debit or any other payment: the premium was received and the policy stays in force.',
  statusChange: true,
  channels: ['sms', 'wechat', 'email'],
  variants: {
    default: {
      subject: { zh: '续期保费到账确认（保单 {{policyNo}}）', en: 'Renewal premium received' },
      body: {
        zh: ['您的保单 {{policyNo}} 续期保费 {{amount}} 元已于 {{paidOn}} 收到，保单继续有效。', `感谢您的缴费。${HOTLINE.zh}`],
        en: ['We received the renewal premium of RMB {{amount}} for policy {{policyNo}} on {{paidOn}}; the policy stays in force.', `Thank you. ${HOTLINE.en}`],
      },
      sms: {
        zh: '您的保单{{policyNo}}续期保费{{amount}}元已于{{paidOn}}收到，保单继续有效。',
        en: 'Policy {{policyNo}}: premium RMB {{amount}} received on {{paidOn}}.',
      },
      wechat: {
        first: { zh: '您的续期保费已到账。', en: 'Your renewal premium was received.' },
        keywords: [
          { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
          { label: { zh: '缴费金额', en: 'Amount' }, value: '{{amount}}元' },
          { label: { zh: '到账日期', en: 'Received on' }, value: '{{paidOn}}' },
          { label: { zh: '保单状态', en: 'Status' }, value: '有效 In force' },
        ],
        remark: { zh: '感谢您的缴费。', en: 'Thank you.' },
      },
    },
  },
};
