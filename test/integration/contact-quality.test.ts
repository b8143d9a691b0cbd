import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PiiCipher } from '../../db/pii-cipher';
import { refreshContactFlags } from '../../db/repositories/contact-quality';
import { contactPointFor } from '../../db/repositories/contacts';
import { upsertAgent, upsertPolicy } from '../../db/repositories/policies';
import { maskMobile } from '../../domain/masking';
import { seedReferenceData } from '../../scripts/seed';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy } from '../support/fixtures';

const cipher = new PiiCipher('22'.repeat(32));
const AGENT_MOBILE = '13700001234';
const SHARED_MOBILE = '13600005555';
let t: TestDatabase;
let customerSeq = 0;

/** A policy whose holder is a new customer with the given mobile and no email. */
async function policyWithMobile(policyNo: string, mobile: string): Promise<void> {
  customerSeq += 1;
  await upsertPolicy(
    t.db,
    cipher,
    samplePolicy({ policyNo, holderIdNo: `3201021980010${String(customerSeq).padStart(5, '0')}`, holderMobile: mobile, holderEmail: null }),
  );
}

async function mobileFlags(policyNo: string) {
  return (await contactPointFor(t.db, policyNo, 'mobile'))!.flags;
}

async function storedFlags(policyNo: string): Promise<Record<string, unknown>> {
  const row = await t.db('contact_points as c')
    .join('policies as p', 'p.holder_customer_id', 'c.customer_id')
    .where({ 'p.policy_no': policyNo, 'c.type': 'mobile' })
    .first<{ flags: Record<string, unknown> }>('c.flags');
  return row.flags;
}

/** Gives a holder a new mobile in place, as a servicing change would. */
async function changeMobile(policyNo: string, mobile: string): Promise<void> {
  const holder = t.db('policies').where({ policy_no: policyNo }).select('holder_customer_id');
  await t.db('contact_points')
    .whereIn('customer_id', holder)
    .where({ type: 'mobile' })
    .update({ value_hash: cipher.hash(mobile), value_enc: cipher.encrypt(mobile), value_masked: maskMobile(mobile) });
}

beforeAll(async () => {
  t = await freshDatabase();
  await seedReferenceData(t.db);
  await upsertAgent(t.db, cipher, { code: 'A0042', name: '李四', mobile: AGENT_MOBILE, teamCode: 'T1', branchCode: '3201', status: 'active', leaderCode: null });
  await policyWithMobile('P-AGENT', AGENT_MOBILE);
  await policyWithMobile('P-OWN', '13811112222');
  await policyWithMobile('P-PAIR-1', '13522223333');
  await policyWithMobile('P-PAIR-2', '13522223333');
  for (const policyNo of ['P-SHARED-1', 'P-SHARED-2', 'P-SHARED-3']) await policyWithMobile(policyNo, SHARED_MOBILE);
  // A flag someone else set by hand stays whatever the refresh decides.
  await t.db('contact_points')
    .whereIn('customer_id', t.db('policies').where({ policy_no: 'P-SHARED-1' }).select('holder_customer_id'))
    .update({ flags: JSON.stringify({ reported_wrong_number: '2026-11-02' }) });
});

afterAll(async () => {
  await t.drop();
});

describe('refreshContactFlags', () => {
  it('flags an agent’s number and a number shared by 3 customers, not one shared by 2', async () => {
    expect(await refreshContactFlags(t.db)).toEqual({ flagged: 4, cleared: 0 });

    expect(await mobileFlags('P-AGENT')).toEqual({ sameAsAgent: 'A0042', sharedBy: undefined });
    expect(await mobileFlags('P-OWN')).toEqual({ sameAsAgent: undefined, sharedBy: undefined });
    expect(await mobileFlags('P-PAIR-1')).toEqual({ sameAsAgent: undefined, sharedBy: undefined });
    for (const policyNo of ['P-SHARED-1', 'P-SHARED-2', 'P-SHARED-3']) {
      expect(await mobileFlags(policyNo)).toEqual({ sameAsAgent: undefined, sharedBy: 2 });
    }
    expect(await storedFlags('P-SHARED-1')).toEqual({ reported_wrong_number: '2026-11-02', shared_by: 2 });
  });

  it('changes nothing when run again', async () => {
    expect(await refreshContactFlags(t.db)).toEqual({ flagged: 0, cleared: 0 });
  });

  it('does not flag holder and insured of one policy as unrelated customers', async () => {
    // P-SHARED-2's holder insures P-SHARED-3's holder: now two households share the number.
    const insured = await t.db('policies').where({ policy_no: 'P-SHARED-3' }).first<{ holder_customer_id: number }>('holder_customer_id');
    await t.db('policies').where({ policy_no: 'P-SHARED-2' }).update({ insured_customer_id: insured.holder_customer_id });
    expect(await refreshContactFlags(t.db)).toEqual({ flagged: 0, cleared: 3 });
    expect(await mobileFlags('P-SHARED-1')).toEqual({ sameAsAgent: undefined, sharedBy: undefined });
    expect(await storedFlags('P-SHARED-1')).toEqual({ reported_wrong_number: '2026-11-02' });

    await t.db('policies').where({ policy_no: 'P-SHARED-2' }).update({ insured_customer_id: null });
    expect(await refreshContactFlags(t.db)).toEqual({ flagged: 3, cleared: 0 });
  });

  it('clears flags that are no longer true', async () => {
    await changeMobile('P-SHARED-3', '13899990000');
    await upsertAgent(t.db, cipher, { code: 'A0042', name: '李四', mobile: '13700009999', teamCode: 'T1', branchCode: '3201', status: 'active', leaderCode: null });

    expect(await refreshContactFlags(t.db)).toEqual({ flagged: 0, cleared: 4 });
    for (const policyNo of ['P-AGENT', 'P-SHARED-1', 'P-SHARED-2', 'P-SHARED-3']) {
      expect(await mobileFlags(policyNo)).toEqual({ sameAsAgent: undefined, sharedBy: undefined });
    }
    expect(await storedFlags('P-SHARED-1')).toEqual({ reported_wrong_number: '2026-11-02' });
  });

  it('takes the threshold from the caller', async () => {
    await changeMobile('P-SHARED-3', SHARED_MOBILE);
    expect(await refreshContactFlags(t.db, { sharedThreshold: 4 })).toEqual({ flagged: 0, cleared: 0 });
    await expect(refreshContactFlags(t.db, { sharedThreshold: 1 })).rejects.toThrow(/sharedThreshold must be a whole number >= 3/);
    expect(await refreshContactFlags(t.db)).toEqual({ flagged: 3, cleared: 0 });
  });

  it('never stores a number in clear while doing it', async () => {
    const dump = JSON.stringify(await t.db('contact_points').select('flags'));
    for (const secret of [AGENT_MOBILE, SHARED_MOBILE]) expect(dump).not.toContain(secret);
  });
});
