import type { Db } from '../../db/connection';
import type { PiiCipher } from '../../db/pii-cipher';
import { upsertPolicy, type PolicyRecord } from '../../db/repositories/policies';
import { seedReferenceData } from '../../scripts/seed';

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

/** Writes the reference data a sample policy needs (branch 3201, product WL20), then the policy. */
export async function seedPolicy(db: Db, cipher: PiiCipher, record: PolicyRecord): Promise<void> {
  await seedReferenceData(db);
  await upsertPolicy(db, cipher, record);
}
