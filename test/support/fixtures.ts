import type { Db } from '../../db/connection';
import type { PiiCipher } from '../../db/pii-cipher';
import { upsertBranch, upsertPolicy, upsertProduct, type PolicyRecord } from '../../db/repositories/policies';

export function samplePolicy(overrides: Partial<PolicyRecord> = {}): PolicyRecord {
  return {
    policyNo: 'P202600001',
    productCode: 'WL20',
    channel: 'agency',
    branchCode: '3201',
    agentCode: null,
    holderName: '张三丰',
    holderIdType: 'ID',
    holderIdNo: '320102198001011234',
    holderBirthDate: '1980-01-01',
    holderMobile: '13812348000',
    holderEmail: 'zhang.sanfeng@example.cn',
    holderWechatOpenId: null,
    preferredChannel: 'email',
    issueDate: '2020-12-24',
    paymentFrequency: 'annual',
    premiumFen: 1_234_500,
    nextDueDate: '2026-12-24',
    installmentNo: 7,
    bankCode: 'ICBC',
    accountNo: '6222021234567890123',
    accountName: '张三丰',
    aplElected: false,
    cashValueFen: 0,
    status: 'in_force',
    ...overrides,
  };
}

/** Writes the reference data a policy needs, then the policy. */
export async function seedPolicy(db: Db, cipher: PiiCipher, record: PolicyRecord): Promise<void> {
  await upsertBranch(db, record.branchCode, `Branch ${record.branchCode}`);
  await upsertProduct(db, { code: record.productCode, name: 'Whole life 20-pay', graceDays: 60, reinstatementYears: 2, planCode: 'standard-60' });
  await upsertPolicy(db, cipher, record);
}
