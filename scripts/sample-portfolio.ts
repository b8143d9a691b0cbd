import { addDays } from '../domain/civil-date';
import type { PolicyRecord } from '../db/repositories/policies';
import type { SimulatedAccount } from '../integrations/bank/simulator';

export interface SamplePolicy {
  policy: PolicyRecord;
  account: SimulatedAccount;
  /** What the demo expects to happen, printed beside what did. */
  story: string;
}

/**
 * A small, realistic portfolio for the demo and the local stack: funded, short of funds, closed
 * account, and a holder without an email address. Names and numbers are invented.
 */
export function samplePortfolio(dueDate: string): SamplePolicy[] {
  const base = {
    productCode: 'WL20',
    channel: 'agency' as const,
    branchCode: '3201',
    agentCode: null,
    holderIdType: 'ID',
    holderBirthDate: '1982-05-17',
    holderWechatOpenId: null,
    preferredChannel: 'email' as const,
    issueDate: addDays(dueDate, -365 * 3 - 1),
    paymentFrequency: 'annual' as const,
    nextDueDate: dueDate,
    installmentNo: 4,
    aplElected: false,
    cashValueFen: 0,
    status: 'in_force' as const,
  };
  const entries: { no: string; name: string; id: string; mobile: string; email: string | null; account: string; premium: number; balance: number; status: SimulatedAccount['status']; story: string; address: string }[] = [
    { no: 'P3201000101', name: '王建国', id: '320102198205171234', mobile: '13912340001', email: 'wang.jianguo@example.cn', account: '6222020200001111', premium: 1_200_000, balance: 3_000_000, status: 'active', story: 'funded account: paid by the first debit', address: '江苏省南京市玄武区中山路 18 号 1201 室' },
    { no: 'P3201000102', name: '李秀英', id: '320104197911023456', mobile: '13912340002', email: 'li.xiuying@example.cn', account: '6222020200002222', premium: 860_000, balance: 150_000, status: 'active', story: 'short of funds: every debit fails AM04, suspended at 00:00 of D+61', address: '江苏省南京市鼓楼区北京西路 66 号 3 栋 502 室' },
    { no: 'P3201000103', name: '张伟', id: '320106198807145678', mobile: '13912340003', email: 'zhang.wei@example.cn', account: '6222020200003333', premium: 450_000, balance: 900_000, status: 'closed', story: 'closed account: debit fails AC04, fix-account task, suspended at grace end', address: '江苏省南京市秦淮区太平南路 200 号 901 室' },
    { no: 'P3201000104', name: '陈静', id: '320105199203307890', mobile: '13912340004', email: null, account: '6222020200004444', premium: 300_000, balance: 1_000_000, status: 'active', story: 'no email on file: reminder suppressed and recorded, still paid', address: '江苏省南京市建邺区江东中路 99 号 1708 室' },
  ];
  return entries.map((e) => ({
    policy: {
      ...base,
      policyNo: e.no,
      holderName: e.name,
      holderIdNo: e.id,
      holderMobile: e.mobile,
      holderEmail: e.email,
      // Letters (lapse-risk, lapse) go here.
      holderPostalAddress: e.address,
      premiumFen: e.premium,
      bankCode: 'ICBC',
      accountNo: e.account,
      accountName: e.name,
    },
    account: { bankCode: 'ICBC', accountNo: e.account, accountName: e.name, balanceFen: e.balance, status: e.status },
    story: e.story,
  }));
}
