import type { DebitReason } from '../../../domain/debit-reasons';
import { formatYuan } from '../../../domain/money';

/** Version of the wording below: recorded with every contact so compliance knows what was said. */
export const RENEWAL_NOTICES_VERSION = 1;

export interface NoticeFields {
  policyNo: string;
  dueDate: string;
  /** The bank business day the first debit is collected: the due date, or the next working day. */
  debitDate: string;
  amountFen: number;
  lastGraceDay: string;
  reason?: DebitReason;
}

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

/** What to do about a failed debit, by reason: deposit, fix the account, or nothing (our side). */
function guidance(reason: DebitReason | undefined): [string, string] {
  switch (reason) {
    case 'INSUFFICIENT_FUNDS':
      return ['请在下次扣款日前存入足额保费。', 'Please deposit the full premium before the next debit date.'];
    case 'LIMIT_EXCEEDED':
      return ['账户扣款限额不足，请提高限额或更换缴费账户。', 'Your account limit is too low: raise it or change the payment account.'];
    case 'ACCOUNT_CLOSED':
    case 'ACCOUNT_INVALID':
    case 'ACCOUNT_FROZEN':
    case 'CARD_LOST':
    case 'DORMANT':
    case 'EXPIRED':
      return ['您的缴费账户无法扣款，请联系我们更换缴费账户。', 'Your payment account cannot be debited: please contact us to change it.'];
    case 'NAME_MISMATCH':
    case 'ID_MISMATCH':
    case 'NO_MANDATE':
    case 'MANDATE_REVOKED':
      return ['您的扣款授权信息需要核实，请联系我们或您的服务人员。', 'Your debit authorisation needs checking: please contact us or your adviser.'];
    case 'REFUSED_BY_DEBTOR':
      return ['如需继续以银行代扣方式缴费，请联系我们。', 'If you wish to keep paying by direct debit, please contact us.'];
    case 'BANK_ERROR':
    case 'TIMEOUT':
    case 'UNKNOWN':
    case undefined:
      return ['本次扣款因银行处理原因未成功，我们将再次扣款，您无需操作。', 'The debit did not go through for a bank-side reason; we will try again, nothing is needed from you.'];
  }
}

function texts(template: string, f: NoticeFields): [string, string, string] {
  const amount = formatYuan(f.amountFen);
  switch (template) {
    case 'pre_due_reminder':
      return [
        `续期保费提醒 Renewal premium reminder: ${f.policyNo}`,
        `尊敬的客户：您的保单 ${f.policyNo} 的续期保费 ${amount} 元应于 ${f.dueDate} 缴纳，将于 ${f.debitDate} 从您授权的银行账户扣缴，请在当日前保持账户余额充足。`,
        `Dear customer, the renewal premium of RMB ${amount} for policy ${f.policyNo} is due on ${f.dueDate} and will be debited from your authorised bank account on ${f.debitDate}. Please keep enough funds in the account by then.`,
      ];
    case 'debit_tomorrow_keep_funds':
      return [
        `即将扣款 Debit on ${f.debitDate}: ${f.policyNo}`,
        `您的保单 ${f.policyNo} 将于 ${f.debitDate} 扣缴续期保费 ${amount} 元，请保持账户内有足额保费。`,
        `The renewal premium of RMB ${amount} for policy ${f.policyNo} will be debited on ${f.debitDate}. Please keep the full premium in the account.`,
      ];
    case 'debit_failed': {
      const [zh, en] = guidance(f.reason);
      return [
        `扣款未成功 Debit unsuccessful: ${f.policyNo}`,
        `您的保单 ${f.policyNo} 续期保费 ${amount} 元本次扣款未成功。${zh}宽限期至 ${f.lastGraceDay}。`,
        `The debit of RMB ${amount} for policy ${f.policyNo} was unsuccessful. ${en} The grace period runs to ${f.lastGraceDay}.`,
      ];
    }
    case 'lapse_risk_notice':
      return [
        `保单效力提示 Your policy's cover: ${f.policyNo}`,
        `您的保单 ${f.policyNo} 续期保费 ${amount} 元尚未缴纳。宽限期至 ${f.lastGraceDay}，期满仍未缴纳的，保单效力将中止。`,
        `The renewal premium of RMB ${amount} for policy ${f.policyNo} is unpaid. The grace period runs to ${f.lastGraceDay}; if it is still unpaid then, the policy's cover will be suspended.`,
      ];
    case 'final_notice':
      return [
        `宽限期即将届满 Grace period ending: ${f.policyNo}`,
        `您的保单 ${f.policyNo} 宽限期将于 ${f.lastGraceDay} 届满，请于当日24时前缴纳续期保费 ${amount} 元，以保持保单有效。`,
        `The grace period of policy ${f.policyNo} ends on ${f.lastGraceDay}. Please pay the renewal premium of RMB ${amount} by midnight that day to keep the policy in force.`,
      ];
    case 'lapse_notice':
    case 'lapse_letter':
      return [
        `保单效力中止通知 Policy suspended: ${f.policyNo}`,
        `您的保单 ${f.policyNo} 因宽限期届满未缴纳续期保费，自宽限期满次日零时起效力中止。自中止之日起两年内，您可以申请恢复保单效力。`,
        `Policy ${f.policyNo} is suspended from 00:00 on the day after its grace period ended, as the renewal premium was not paid. You may apply to reinstate it within two years of suspension.`,
      ];
    default:
      throw new RangeError(`no notice template ${template}`);
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Service notices only: no marketing content (domain.md). Chinese first, English after. */
export function renderNotice(template: string, fields: NoticeFields): RenderedNotice {
  const [subject, zh, en] = texts(template, fields);
  return {
    subject,
    text: `${zh}\n\n${en}\n`,
    html: `<!doctype html><html lang="zh-CN"><body><p>${escapeHtml(zh)}</p><p lang="en">${escapeHtml(en)}</p></body></html>`,
  };
}
