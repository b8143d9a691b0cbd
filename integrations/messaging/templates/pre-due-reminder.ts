import { formatYuan } from '../../../domain/money';

export const PRE_DUE_REMINDER = { code: 'pre_due_reminder', version: 1 } as const;

export interface PreDueReminderFields {
  policyNo: string;
  dueDate: string;
  amountFen: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Service notice only: no marketing content in renewal notices (domain.md). */
export function renderPreDueReminder(fields: PreDueReminderFields): { subject: string; text: string; html: string } {
  const amount = formatYuan(fields.amountFen);
  const zh = `尊敬的客户：您的保单 ${fields.policyNo} 的续期保费 ${amount} 元将于 ${fields.dueDate} 从您授权的银行账户扣缴，请在当日前保持账户余额充足。`;
  const en = `Dear customer, the renewal premium of RMB ${amount} for policy ${fields.policyNo} will be debited from your authorised bank account on ${fields.dueDate}. Please keep enough funds in the account by then.`;
  return {
    subject: `续期保费扣款提醒 Renewal premium reminder: ${fields.policyNo}`,
    text: `${zh}\n\n${en}\n`,
    html: `<!doctype html><html lang="zh-CN"><body><p>${escapeHtml(zh)}</p><p lang="en">${escapeHtml(en)}</p></body></html>`,
  };
}
