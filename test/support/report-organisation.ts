import type { Knex } from 'knex';

/**
 * The organisation the report tests count over: branches 3201 and 3202, products WL20 (60 grace days)
 * and CI10 (30), teams T1 and T2, agents A001 (active) and A002 (departed), and one holder.
 * Returns the holder's customer ID.
 */
export async function seedReportOrganisation(db: Knex): Promise<number> {
  await db('branches').insert([
    { code: '3201', name: '南京分公司' },
    { code: '3202', name: '苏州分公司' },
  ]);
  await db('products').insert([
    { code: 'WL20', name: '终身寿险', grace_days: 60 },
    { code: 'CI10', name: '重疾险', grace_days: 30 },
  ]);
  await db('teams').insert([
    { code: 'T1', branch_code: '3201' },
    { code: 'T2', branch_code: '3202' },
  ]);
  await db('agents').insert([
    { code: 'A001', name_masked: '李*', name_enc: 'x', team_code: 'T1', branch_code: '3201', status: 'active' },
    { code: 'A002', name_masked: '王*', name_enc: 'x', team_code: 'T2', branch_code: '3202', status: 'departed' },
  ]);
  const [customer] = await db('customers')
    .insert({ name_masked: '张*', name_enc: 'x', id_type: 'ID', id_no_masked: '320102********1234', id_no_enc: 'x', id_no_hash: 'h1' })
    .returning<{ id: number }[]>('id');
  return customer!.id;
}
