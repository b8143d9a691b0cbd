import type { Knex } from 'knex';
import type { ContactPointType } from '../../domain/channels';
import { maskEmail, maskMobile, maskName, maskNumber, maskOpenId, maskPostalAddress } from '../../domain/masking';
import type { PiiCipher } from '../pii-cipher';
import { clearLostContact } from './contacts';
import { replaceMandate } from './mandates';

import type { PolicyRecord } from '../../domain/import-rows';
import { postalBlock } from '../../domain/letters';
import { segmentOf, type SegmentInputs } from '../../domain/segments';

/** One policy as policies.csv gives it, validated and in fen (defined with its validation in domain/). */
export type { PolicyRecord };

export async function upsertBranch(db: Knex, code: string, name: string): Promise<void> {
  await db('branches').insert({ code, name }).onConflict('code').merge();
}

export async function upsertProduct(
  db: Knex,
  product: { code: string; name: string; graceDays: number; reinstatementYears: number; planCode: string },
): Promise<void> {
  await db('products')
    .insert({
      code: product.code,
      name: product.name,
      grace_days: product.graceDays,
      reinstatement_years: product.reinstatementYears,
      plan_code: product.planCode,
    })
    .onConflict('code')
    .merge();
}

/** The years a product's reinstatement window lasts. */
export async function reinstatementYearsOf(db: Knex, productCode: string): Promise<number> {
  const product = await db('products').where({ code: productCode }).first<{ reinstatement_years: number }>('reinstatement_years');
  return product.reinstatement_years;
}

/** The policy's cash value as the policy administration system last reported it, in fen. */
export async function cashValueOf(db: Knex, policyNo: string): Promise<number> {
  const policy = await db('policies').where({ policy_no: policyNo }).first<{ cash_value_fen: string | number }>('cash_value_fen');
  return Number(policy.cash_value_fen);
}

/** The contract ended (terminated) or changed to one that owes no more premiums (paid_up). */
export async function endPremiumPayments(db: Knex, policyNo: string, status: 'terminated' | 'paid_up'): Promise<void> {
  await db('policies').where({ policy_no: policyNo }).update({ status, next_due_date: null, updated_at: db.fn.now() });
}

export async function upsertAgent(
  db: Knex,
  cipher: PiiCipher,
  agent: { code: string; name: string; mobile: string | null; teamCode: string; branchCode: string; status: 'active' | 'departed'; leaderCode: string | null },
): Promise<void> {
  await db('agents')
    .insert({
      code: agent.code,
      name_masked: maskName(agent.name),
      name_enc: cipher.encrypt(agent.name),
      mobile_masked: agent.mobile ? maskMobile(agent.mobile) : null,
      mobile_enc: agent.mobile ? cipher.encrypt(agent.mobile) : null,
      mobile_hash: agent.mobile ? cipher.hash(agent.mobile) : null,
      team_code: agent.teamCode,
      branch_code: agent.branchCode,
      status: agent.status,
      leader_code: agent.leaderCode,
    })
    .onConflict('code')
    .merge();
}

/**
 * Writes one policy with its holder, contact points, mandate and next premium due, in one
 * transaction: a policy is never half imported. Re-writing the same record changes nothing.
 */
/**
 * The policies columns the file decides (the rest belong to the system: paid-to date…). The segment is
 * the file's, or computed by the rule (domain/segments.ts) from the row and the policy's earlier
 * premiums on record.
 */
export function policyColumns(record: PolicyRecord, customerId: number, history: SegmentInputs['history'] = []) {
  const segment = record.segment ?? segmentOf({ ...record, history });
  return {
    product_code: record.productCode,
    channel: record.channel,
    branch_code: record.branchCode,
    agent_code: record.agentCode,
    holder_customer_id: customerId,
    preferred_channel: record.preferredChannel,
    issue_date: record.issueDate,
    payment_frequency: record.paymentFrequency,
    premium_fen: record.premiumFen,
    next_due_date: record.nextDueDate,
    next_installment_no: record.installmentNo,
    apl_elected: record.aplElected,
    cash_value_fen: record.cashValueFen,
    status: record.status,
    segment,
    segment_source: record.segment ? 'file' : 'rule',
    plan_code: record.planCode ?? null,
  };
}

export async function upsertPolicy(db: Knex, cipher: PiiCipher, record: PolicyRecord): Promise<void> {
  await db.transaction(async (trx) => {
    const [customer] = await trx('customers')
      .insert({
        name_masked: maskName(record.holderName),
        name_enc: cipher.encrypt(record.holderName),
        id_type: record.holderIdType,
        id_no_masked: maskNumber(record.holderIdNo),
        id_no_enc: cipher.encrypt(record.holderIdNo),
        id_no_hash: cipher.hash(record.holderIdNo),
        birth_date: record.holderBirthDate,
      })
      .onConflict(['id_type', 'id_no_hash'])
      .merge(['birth_date', 'updated_at'])
      .returning<{ id: number }[]>('id');
    const customerId = customer!.id;

    const contacts: { type: ContactPointType; value: string; masked: string }[] = [];
    if (record.holderMobile) contacts.push({ type: 'mobile', value: record.holderMobile, masked: maskMobile(record.holderMobile) });
    if (record.holderEmail) contacts.push({ type: 'email', value: record.holderEmail, masked: maskEmail(record.holderEmail) });
    if (record.holderWechatOpenId) {
      contacts.push({ type: 'wechat', value: record.holderWechatOpenId, masked: maskOpenId(record.holderWechatOpenId) });
    }
    if (record.holderPostalAddress) contacts.push({ type: 'postal', value: postalBlock(record.holderName, record.holderPostalAddress), masked: maskPostalAddress(record.holderPostalAddress) });
    for (const contact of contacts) {
      // Points from the policy file were given by the policyholder at issue: verified by that source.
      await trx('contact_points')
        .insert({
          customer_id: customerId,
          type: contact.type,
          value_masked: contact.masked,
          value_enc: cipher.encrypt(contact.value),
          value_hash: cipher.hash(contact.value),
          status: 'valid',
          source: 'policy_file',
          verified_at: trx.fn.now(),
        })
        .onConflict(['customer_id', 'type', 'value_hash'])
        .ignore();
    }

    await trx('policies')
      .insert({ policy_no: record.policyNo, ...policyColumns(record, customerId) })
      .onConflict('policy_no')
      .merge();
    // A holder given a valid number again is no longer lost contact (docs/business-rules.md#tasks-that-act).
    await clearLostContact(trx, [customerId]);

    await replaceMandate(trx, cipher, record.policyNo, { bankCode: record.bankCode, accountNo: record.accountNo, accountName: record.accountName });

    await trx('premium_dues')
      .insert({
        policy_no: record.policyNo,
        due_date: record.nextDueDate,
        installment_no: record.installmentNo,
        amount_fen: record.premiumFen,
      })
      .onConflict(['policy_no', 'due_date'])
      .ignore();
  });
}
