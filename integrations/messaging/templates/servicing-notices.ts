import { SERVICING_ROLES } from '../../../domain/orphans';
import { HOTLINE, PAY_ONLY_TO_INSURER } from './common-wording';
import { wordingChoice } from './notice-fields';
import type { Bilingual, NoticeContent, NoticeTemplate } from './notice-template';

/**
 * The servicing agent has departed (孤儿单): the customer is told in writing within 30 days who
 * serves the policy now (docs/business-rules.md#orphan-policies). The new servicing person is
 * named by masked name and agent code only, with the insurer's service number: no personal data
 * of anyone else, no marketing, and nothing about premiums owed.
 */

const WHO: Record<'agent' | 'team_lead', { zh: string; en: string; smsZh: string; wechat: string }> = {
  agent: {
    zh: '自即日起，您的保单由服务人员 {{servicingMasked}}（工号 {{servicingCode}}）为您提供服务。',
    en: 'From now on, your policy is served by adviser {{servicingMasked}} (agent code {{servicingCode}}).',
    smsZh: '现由服务人员{{servicingMasked}}（工号{{servicingCode}}）为您服务',
    wechat: '服务人员 {{servicingMasked}}',
  },
  team_lead: {
    zh: '在为您安排新的服务人员之前，由团队主管 {{servicingMasked}}（工号 {{servicingCode}}）为您提供服务。',
    en: 'Until a new adviser is assigned, your policy is served by team lead {{servicingMasked}} (agent code {{servicingCode}}).',
    smsZh: '现由团队主管{{servicingMasked}}（工号{{servicingCode}}）为您服务',
    wechat: '团队主管 {{servicingMasked}}',
  },
};

const UNCHANGED: Bilingual = {
  zh: '您的保险合同内容、保障及缴费方式均不因此改变，续期保费仍按原方式缴纳。',
  en: 'Your contract, its cover and the way you pay are unchanged; renewal premiums are paid as before.',
};

const CHECK_IDENTITY: Bilingual = {
  zh: '如有人以本公司服务人员名义与您联系，您可致电客服热线核实其身份。',
  en: 'If someone contacts you on behalf of the company, you may call our service hotline to check who they are.',
};

function orphanNotice(role: 'agent' | 'team_lead'): NoticeContent {
  const who = WHO[role];
  return {
    subject: { zh: '服务人员变更通知（保单 {{policyNo}}）', en: 'Change of your servicing adviser' },
    body: {
      zh: [
        `原为您的保单 {{policyNo}} 提供服务的人员已离职。${who.zh}`,
        `${UNCHANGED.zh}${PAY_ONLY_TO_INSURER.zh}`,
        `${CHECK_IDENTITY.zh}${HOTLINE.zh}`,
      ],
      en: [
        `The adviser who served policy {{policyNo}} has left the company. ${who.en}`,
        `${UNCHANGED.en} ${PAY_ONLY_TO_INSURER.en}`,
        `${CHECK_IDENTITY.en} ${HOTLINE.en}`,
      ],
    },
    sms: {
      zh: `您的保单{{policyNo}}原服务人员已离职，${who.smsZh}，合同及缴费方式不变，详询{{serviceHotline}}。`,
      en: 'Policy {{policyNo}}: your adviser has changed; your contract is unchanged.',
    },
    wechat: {
      first: { zh: '您的保单服务人员已变更。', en: 'Your servicing adviser has changed.' },
      keywords: [
        { label: { zh: '保单号', en: 'Policy No.' }, value: '{{policyNo}}' },
        { label: { zh: '现服务人员', en: 'Served by' }, value: who.wechat },
        { label: { zh: '工号', en: 'Agent code' }, value: '{{servicingCode}}' },
      ],
      remark: { zh: '合同及缴费方式不变，详询{{serviceHotline}}。', en: 'Your contract is unchanged; call {{serviceHotline}} with any questions.' },
    },
  };
}

export const ORPHAN_NOTICE: NoticeTemplate = {
  id: 'orphan_notice',
  version: 1,
  purpose: 'Within 30 days of the servicing agent leaving: who serves the policy now (new agent, or the team lead until one is assigned).',
  channels: ['letter', 'email', 'sms', 'wechat'],
  variants: { default: orphanNotice('agent'), team_lead: orphanNotice('team_lead') },
  variantFor: (fields) => (wordingChoice('orphan_notice', fields, 'servicingRole', SERVICING_ROLES) === 'team_lead' ? 'team_lead' : 'default'),
  variantField: 'servicingRole',
};
