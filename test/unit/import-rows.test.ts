import { describe, expect, it } from 'vitest';
import { AGENT_COLUMNS, POLICY_COLUMNS, PRODUCT_COLUMNS } from '../../domain/import-columns';
import { maskPostalAddress } from '../../domain/masking';
import {
  residentIdBirthDate,
  residentIdCheckChar,
  validateAgentRow,
  validatePolicyRow,
  validateProductRow,
  type RowCheck,
  type RowValues,
} from '../../domain/import-rows';

const policyRow: Record<(typeof POLICY_COLUMNS)[number], string> = {
  policy_no: 'P3201000101',
  product_code: 'WL20',
  channel: 'agency',
  branch_code: '3201',
  agent_code: 'A042',
  holder_name: '王建国',
  holder_id_type: 'ID',
  holder_id_no: '320102198001011238',
  holder_birth_date: '1980-01-01',
  holder_mobile: '13912340001',
  holder_email: 'wang.jianguo@example.cn',
  holder_wechat_openid: 'oAbCdEfGhIjKlMnOpQrStUvWx',
  preferred_channel: 'email',
  issue_date: '2023-03-15',
  payment_frequency: 'annual',
  premium: '12000.50',
  next_due_date: '2026-03-15',
  installment_no: '4',
  bank_code: 'ICBC',
  account_no: '6222020200001111',
  account_name: '王建国',
  apl_elected: 'N',
  cash_value: '3500.5',
  status: 'in_force',
};

const policy = (changes: Partial<typeof policyRow>) => validatePolicyRow({ ...policyRow, ...changes });
const errorsOf = <T>(check: RowCheck<T>) => (check.ok ? [] : check.errors);
const recordOf = <T>(check: RowCheck<T>): T => {
  if (!check.ok) throw new Error(`expected a valid row, got ${JSON.stringify(check.errors)}`);
  return check.record;
};

/** Each case: the column's raw value and the one reason expected (on that column). */
function rejects(validate: (values: RowValues) => RowCheck<unknown>, base: RowValues, column: string, cases: [string, string][]): void {
  for (const [value, reason] of cases) {
    expect(errorsOf(validate({ ...base, [column]: value })), `${column}=${JSON.stringify(value)}`).toEqual([{ column, reason }]);
  }
}

describe('policies.csv rows', () => {
  it('turn into a typed record: money in fen, Y/N as boolean, birth date checked against the ID', () => {
    expect(recordOf(policy({}))).toEqual({
      policyNo: 'P3201000101',
      productCode: 'WL20',
      channel: 'agency',
      branchCode: '3201',
      agentCode: 'A042',
      holderName: '王建国',
      holderIdType: 'ID',
      holderIdNo: '320102198001011238',
      holderBirthDate: '1980-01-01',
      holderMobile: '13912340001',
      holderEmail: 'wang.jianguo@example.cn',
      holderWechatOpenId: 'oAbCdEfGhIjKlMnOpQrStUvWx',
      preferredChannel: 'email',
      issueDate: '2023-03-15',
      paymentFrequency: 'annual',
      premiumFen: 1_200_050,
      nextDueDate: '2026-03-15',
      installmentNo: 4,
      bankCode: 'ICBC',
      accountNo: '6222020200001111',
      accountName: '王建国',
      aplElected: false,
      cashValueFen: 350_050,
      status: 'in_force',
    });
  });

  it('normalise what people type: spaces, case, +86, separators in numbers', () => {
    const record = recordOf(
      policy({
        policy_no: ' P3201000101 ',
        channel: 'Agency',
        holder_id_type: 'id',
        holder_id_no: ' 320102198001011238 ',
        holder_mobile: '+86 139-1234-0001',
        preferred_channel: 'EMAIL',
        payment_frequency: 'ANNUAL',
        bank_code: 'icbc',
        account_no: '6222 0202 0000 1111',
        apl_elected: 'y',
        status: 'In_Force',
      }),
    );
    expect(record).toMatchObject({ policyNo: 'P3201000101', channel: 'agency', holderIdType: 'ID', holderMobile: '13912340001', bankCode: 'ICBC', accountNo: '6222020200001111', aplElected: true, status: 'in_force' });
    expect(recordOf(policy({ holder_mobile: '008613912340001' })).holderMobile).toBe('13912340001');
    expect(recordOf(policy({ holder_mobile: '8613912340001' })).holderMobile).toBe('13912340001');
  });

  it('accept empty optional columns: agent (orphan), birth date (taken from the ID), contacts, preferred channel, cash value', () => {
    const record = recordOf(
      policy({ agent_code: '', holder_birth_date: '', holder_mobile: '', holder_email: '', holder_wechat_openid: '', preferred_channel: '', cash_value: '' }),
    );
    expect(record).toMatchObject({
      agentCode: null,
      holderBirthDate: '1980-01-01',
      holderMobile: null,
      holderEmail: null,
      holderWechatOpenId: null,
      preferredChannel: null,
      cashValueFen: 0,
    });
    // Other ID types carry no birth date: it stays unknown.
    expect(recordOf(policy({ holder_id_type: 'PASSPORT', holder_id_no: 'E12345678', holder_birth_date: '' })).holderBirthDate).toBeNull();
  });

  it('require every mandatory column', () => {
    const mandatory = POLICY_COLUMNS.filter(
      (c) => !['agent_code', 'holder_birth_date', 'holder_mobile', 'holder_email', 'holder_wechat_openid', 'preferred_channel', 'cash_value'].includes(c),
    );
    for (const column of mandatory) {
      const errors = errorsOf(policy({ [column]: '  ' }));
      expect(errors, column).toContainEqual({ column, reason: `${column} is required` });
    }
  });

  it('check codes: letters, digits, _ . - and a length that fits', () => {
    const reason = (c: string, n: number) => `${c} must be 1 to ${n} letters, digits, '_', '.' or '-'`;
    rejects(validatePolicyRow, policyRow, 'policy_no', [
      ['P 1', reason('policy_no', 32)],
      ['-P1', reason('policy_no', 32)],
      ['P'.repeat(33), reason('policy_no', 32)],
      ['保单1', reason('policy_no', 32)],
    ]);
    rejects(validatePolicyRow, policyRow, 'product_code', [['WL/20', reason('product_code', 32)]]);
    rejects(validatePolicyRow, policyRow, 'branch_code', [['32010000000000001', reason('branch_code', 16)]]);
    rejects(validatePolicyRow, policyRow, 'agent_code', [['A 42', reason('agent_code', 32)]]);
    expect(recordOf(policy({ policy_no: 'P'.repeat(32) })).policyNo).toHaveLength(32);
  });

  it('check the enumerations of docs/business-rules.md#import-files', () => {
    rejects(validatePolicyRow, policyRow, 'channel', [['broker', 'channel must be one of agency, bancassurance, telemarketing, internet, group']]);
    rejects(validatePolicyRow, policyRow, 'payment_frequency', [['weekly', 'payment_frequency must be one of annual, semiannual, quarterly, monthly']]);
    rejects(validatePolicyRow, policyRow, 'status', [
      ['terminated', 'status must be one of in_force, grace, lapsed'],
      ['active', 'status must be one of in_force, grace, lapsed'],
    ]);
    rejects(validatePolicyRow, policyRow, 'preferred_channel', [['letter', 'preferred_channel must be one of sms, wechat, email, phone']]);
    rejects(validatePolicyRow, policyRow, 'apl_elected', [
      ['maybe', 'apl_elected must be Y or N'],
      ['2', 'apl_elected must be Y or N'],
    ]);
    // Aliases are accepted (test/unit/import-aliases.test.ts); a document the system does not hold is not.
    rejects(validatePolicyRow, policyRow, 'holder_id_type', [['军官证', 'holder_id_type must be one of ID, PASSPORT, HKMO_PERMIT, TW_PERMIT, FOREIGN_PR']]);
    rejects(validatePolicyRow, policyRow, 'payment_frequency', [
      ['趸交', 'payment_frequency is a single premium (趸交): it has no renewal premiums to collect'],
      ['0', 'payment_frequency is a single premium (趸交): it has no renewal premiums to collect'],
    ]);
    rejects(validatePolicyRow, policyRow, 'segment', [['D', 'segment must be one of A, B, C']]);
    rejects(validatePolicyRow, policyRow, 'plan_code', [['gold plan', "plan_code must be 1 to 32 letters, digits, '_', '.' or '-'"]]);
    for (const channel of ['agency', 'bancassurance', 'telemarketing', 'internet', 'group']) expect(recordOf(policy({ channel })).channel).toBe(channel);
    for (const f of ['annual', 'semiannual', 'quarterly', 'monthly']) expect(recordOf(policy({ payment_frequency: f })).paymentFrequency).toBe(f);
    for (const status of ['in_force', 'grace', 'lapsed']) expect(recordOf(policy({ status })).status).toBe(status);
  });

  it('check resident ID numbers: 18 characters, a real birth date, the MOD 11-2 check character', () => {
    expect(residentIdCheckChar('32010219800101123')).toBe('8');
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(residentIdBirthDate('320102198001011238')).toBe('1980-01-01');
    expect(recordOf(policy({ holder_id_no: '11010519491231002x', holder_birth_date: '' })).holderIdNo).toBe('11010519491231002X');
    rejects(validatePolicyRow, { ...policyRow, holder_birth_date: '' }, 'holder_id_no', [
      ['32010219800101123', 'holder_id_no must be 18 characters: 17 digits and a check digit or X'],
      ['320102800101123', 'holder_id_no must be 18 characters: 17 digits and a check digit or X'],
      ['020102198001011238', 'holder_id_no must be 18 characters: 17 digits and a check digit or X'],
      ['32010219800101123A', 'holder_id_no must be 18 characters: 17 digits and a check digit or X'],
      ['320102198002301234', 'holder_id_no does not carry a valid birth date'],
      ['320102198001011239', 'holder_id_no check digit does not match'],
    ]);
  });

  it('check the other ID types by their formats', () => {
    const ok: [string, string][] = [
      ['PASSPORT', 'E12345678'],
      ['HKMO_PERMIT', 'H12345678'],
      ['HKMO_PERMIT', 'M1234567890'],
      ['TW_PERMIT', '12345678'],
      ['FOREIGN_PR', 'USA123456789012'],
      ['FOREIGN_PR', '93310119800101123X'],
    ];
    for (const [type, no] of ok) expect(recordOf(policy({ holder_id_type: type, holder_id_no: no, holder_birth_date: '' })).holderIdNo, type).toBe(no);
    const bad: [string, string, string][] = [
      ['PASSPORT', 'E1', 'holder_id_no must be a passport number of 5 to 17 letters or digits'],
      ['HKMO_PERMIT', 'X12345678', 'holder_id_no must be H or M followed by 8 to 10 digits'],
      ['TW_PERMIT', '123456789', 'holder_id_no must be 8 or 10 digits'],
      ['FOREIGN_PR', 'US123456789012', 'holder_id_no must be 3 letters and 12 digits, or 18 characters starting with 9'],
    ];
    for (const [type, no, reason] of bad) {
      expect(errorsOf(policy({ holder_id_type: type, holder_id_no: no, holder_birth_date: '' })), type).toEqual([{ column: 'holder_id_no', reason }]);
    }
  });

  it('check dates: real calendar dates YYYY-MM-DD, in a sensible order', () => {
    const reason = (c: string) => `${c} must be a calendar date written YYYY-MM-DD`;
    rejects(validatePolicyRow, policyRow, 'issue_date', [
      ['2023/03/15', reason('issue_date')],
      ['2023-3-15', reason('issue_date')],
      ['2023-02-29', reason('issue_date')],
      ['15.03.2023', reason('issue_date')],
    ]);
    rejects(validatePolicyRow, policyRow, 'next_due_date', [
      ['2026-04-31', reason('next_due_date')],
      ['2023-03-15', 'next_due_date must be after issue_date'],
      ['2022-03-15', 'next_due_date must be after issue_date'],
    ]);
    expect(recordOf(policy({ next_due_date: '2024-02-29' })).nextDueDate).toBe('2024-02-29');
    rejects(validatePolicyRow, { ...policyRow, holder_id_type: 'PASSPORT', holder_id_no: 'E12345678' }, 'holder_birth_date', [
      ['1980-13-01', reason('holder_birth_date')],
      ['2024-01-01', 'holder_birth_date is after issue_date'],
    ]);
    rejects(validatePolicyRow, policyRow, 'holder_birth_date', [['1980-01-02', 'holder_birth_date differs from the birth date in holder_id_no']]);
  });

  it('check money: yuan with at most 2 decimals, a premium above zero', () => {
    expect(recordOf(policy({ premium: '0.01', cash_value: '0' }))).toMatchObject({ premiumFen: 1, cashValueFen: 0 });
    expect(recordOf(policy({ premium: '1234', cash_value: '99999999.99' }))).toMatchObject({ premiumFen: 123_400, cashValueFen: 9_999_999_999 });
    const amount = (c: string) => `${c} must be an amount in yuan with at most 2 decimals, e.g. 1234.50`;
    rejects(validatePolicyRow, policyRow, 'premium', [
      ['12000.505', amount('premium')],
      ['1,200.00', amount('premium')],
      ['-100', amount('premium')],
      ['¥100', amount('premium')],
      ['1e3', amount('premium')],
      ['0', 'premium must be more than 0'],
      ['0.00', 'premium must be more than 0'],
      ['9'.repeat(20), 'premium is too large'],
    ]);
    rejects(validatePolicyRow, policyRow, 'cash_value', [
      ['-1', amount('cash_value')],
      ['12.3.4', amount('cash_value')],
    ]);
  });

  it('check installment numbers: the first premium is paid at issue, so 2 or more', () => {
    expect(recordOf(policy({ installment_no: '2' })).installmentNo).toBe(2);
    const reason = 'installment_no must be a whole number from 2 to 1200';
    rejects(validatePolicyRow, policyRow, 'installment_no', [
      ['1', reason],
      ['0', reason],
      ['2.5', reason],
      ['-3', reason],
      ['1201', reason],
      ['four', reason],
    ]);
  });

  it('check contact points and say which, never the value', () => {
    const mobile = 'holder_mobile is not a mainland mobile number (11 digits starting 13–19)';
    rejects(validatePolicyRow, { ...policyRow, preferred_channel: 'email' }, 'holder_mobile', [
      ['1391234000', mobile],
      ['139123400011', mobile],
      ['12912340001', mobile],
      ['02583123456', mobile],
      ['+85291234567', mobile],
    ]);
    rejects(validatePolicyRow, policyRow, 'holder_email', [
      ['wang.example.cn', 'holder_email is not an email address'],
      ['wang@example', 'holder_email is not an email address'],
      ['wang @example.cn', 'holder_email is not an email address'],
      [`${'a'.repeat(250)}@example.cn`, 'holder_email is not an email address'],
    ]);
    rejects(validatePolicyRow, policyRow, 'holder_wechat_openid', [
      ['short', 'holder_wechat_openid must be 16 to 64 letters, digits, _ or -'],
      ['oAbCdEfGh IjKlMnOpQr', 'holder_wechat_openid must be 16 to 64 letters, digits, _ or -'],
    ]);
    for (const check of [policy({ holder_mobile: '13912345678x' }), policy({ holder_email: 'nobody' })]) {
      for (const e of errorsOf(check)) expect(e.reason).not.toMatch(/13912345678|nobody/);
    }
  });

  it('take an optional postal address on one line: at most 200 characters, no control characters; empty or absent gives none', () => {
    expect(recordOf(policy({}))).not.toHaveProperty('holderPostalAddress');
    expect(recordOf(validatePolicyRow({ ...policyRow, holder_postal_address: '   ' }))).not.toHaveProperty('holderPostalAddress');
    const given = recordOf(validatePolicyRow({ ...policyRow, holder_postal_address: ' 江苏省南京市玄武区中山路 18 号   1201 室 ' }));
    expect(given.holderPostalAddress).toBe('江苏省南京市玄武区中山路 18 号 1201 室');
    // Characters, not bytes: 200 Chinese characters fit.
    expect(recordOf(validatePolicyRow({ ...policyRow, holder_postal_address: '路'.repeat(200) })).holderPostalAddress).toHaveLength(200);
    rejects(validatePolicyRow, policyRow, 'holder_postal_address', [
      ['路'.repeat(201), 'holder_postal_address is longer than 200 characters'],
      ['南京市玄武区\n中山路 18 号', 'holder_postal_address contains control characters'],
      ['南京市玄武区\u0007中山路', 'holder_postal_address contains control characters'],
      ['南京市\uFFFD中山路', "holder_postal_address has bytes that are not valid text in the file's encoding"],
    ]);
    for (const e of errorsOf(validatePolicyRow({ ...policyRow, holder_postal_address: `中山路 18 号${'路'.repeat(200)}` }))) expect(e.reason).not.toContain('中山路');
  });

  it('mask a postal address to its first characters, never the street or number', () => {
    expect(maskPostalAddress('江苏省南京市玄武区中山路 18 号 1201 室')).toBe('江苏省南京市***');
    expect(maskPostalAddress('南京市中山路 18 号')).toBe('南京市***');
    expect(maskPostalAddress('Rm 1')).toBe('R***');
    expect(maskPostalAddress('江苏省南京市玄武区中山路 18 号')).not.toMatch(/中山路|18/);
  });

  it('require the preferred channel to be reachable', () => {
    const cases: [string, Partial<typeof policyRow>, string][] = [
      ['sms', { holder_mobile: '' }, 'preferred_channel is sms but holder_mobile is empty'],
      ['phone', { holder_mobile: '' }, 'preferred_channel is phone but holder_mobile is empty'],
      ['email', { holder_email: '' }, 'preferred_channel is email but holder_email is empty'],
      ['wechat', { holder_wechat_openid: '' }, 'preferred_channel is wechat but holder_wechat_openid is empty'],
    ];
    for (const [channel, missing, reason] of cases) {
      expect(errorsOf(policy({ preferred_channel: channel, ...missing }))).toEqual([{ column: 'preferred_channel', reason }]);
    }
  });

  it('check names, bank codes and account numbers', () => {
    expect(recordOf(policy({ holder_name: '买买提·艾力', account_name: 'Zhang San' }))).toMatchObject({ holderName: '买买提·艾力', accountName: 'Zhang San' });
    rejects(validatePolicyRow, policyRow, 'holder_name', [
      ['王建国2', 'holder_name contains digits'],
      ['王'.repeat(51), 'holder_name is longer than 50 characters'],
      ['王\t建国', 'holder_name contains control characters'],
    ]);
    rejects(validatePolicyRow, policyRow, 'account_name', [['王建国1', 'account_name contains digits']]);
    rejects(validatePolicyRow, policyRow, 'bank_code', [
      ['I', 'bank_code must be 2 to 16 letters or digits'],
      ['IC-BC', 'bank_code must be 2 to 16 letters or digits'],
      ['工商银行', 'bank_code must be 2 to 16 letters or digits'],
    ]);
    rejects(validatePolicyRow, policyRow, 'account_no', [
      ['6222 020', 'account_no must be 8 to 32 digits'],
      ['6222O20200001111', 'account_no must be 8 to 32 digits'],
      ['1'.repeat(33), 'account_no must be 8 to 32 digits'],
    ]);
  });

  it('report bytes the file encoding could not decode on their column', () => {
    expect(errorsOf(policy({ holder_name: '王\uFFFD国' }))).toEqual([{ column: 'holder_name', reason: "holder_name has bytes that are not valid text in the file's encoding" }]);
  });

  it('report every problem of a row at once, in column order', () => {
    const errors = errorsOf(policy({ policy_no: '', channel: 'x', premium: 'abc', status: '' }));
    expect(errors.map((e) => e.column)).toEqual(['policy_no', 'channel', 'premium', 'status']);
  });
});

const agentRow: Record<(typeof AGENT_COLUMNS)[number], string> = {
  agent_code: 'A042',
  name: '钱经理',
  mobile: '13900000042',
  team_code: 'T01',
  branch_code: '3201',
  status: 'active',
  leader_code: 'L001',
};

describe('agents.csv rows', () => {
  it('turn into a typed record; mobile and leader may be empty', () => {
    expect(recordOf(validateAgentRow(agentRow))).toEqual({ code: 'A042', name: '钱经理', mobile: '13900000042', teamCode: 'T01', branchCode: '3201', status: 'active', leaderCode: 'L001' });
    expect(recordOf(validateAgentRow({ ...agentRow, mobile: '', leader_code: '', status: 'Departed' }))).toMatchObject({ mobile: null, leaderCode: null, status: 'departed' });
  });

  it('check every column', () => {
    for (const column of ['agent_code', 'name', 'team_code', 'branch_code', 'status']) {
      expect(errorsOf(validateAgentRow({ ...agentRow, [column]: '' })), column).toEqual([{ column, reason: `${column} is required` }]);
    }
    rejects(validateAgentRow, agentRow, 'status', [['retired', 'status must be one of active, departed']]);
    rejects(validateAgentRow, agentRow, 'mobile', [['1390000004', 'mobile is not a mainland mobile number (11 digits starting 13–19)']]);
    rejects(validateAgentRow, agentRow, 'leader_code', [
      ['A042', 'leader_code is the agent themself'],
      ['L 1', "leader_code must be 1 to 32 letters, digits, '_', '.' or '-'"],
    ]);
    rejects(validateAgentRow, agentRow, 'team_code', [['T'.repeat(33), "team_code must be 1 to 32 letters, digits, '_', '.' or '-'"]]);
    rejects(validateAgentRow, agentRow, 'branch_code', [['3201/01', "branch_code must be 1 to 16 letters, digits, '_', '.' or '-'"]]);
    rejects(validateAgentRow, agentRow, 'name', [['Agent 007', 'name contains digits']]);
  });
});

const productRow: Record<(typeof PRODUCT_COLUMNS)[number], string> = {
  product_code: 'WL20',
  name: '终身寿险（20年交）',
  grace_days: '60',
  reinstatement_years: '2',
  plan_code: 'standard-60',
};

describe('products.csv rows', () => {
  it('turn into a typed record, with the documented defaults for empty grace days, window and plan', () => {
    expect(recordOf(validateProductRow(productRow))).toEqual({ code: 'WL20', name: '终身寿险（20年交）', graceDays: 60, reinstatementYears: 2, planCode: 'standard-60' });
    expect(recordOf(validateProductRow({ ...productRow, grace_days: '', reinstatement_years: '', plan_code: '' }))).toMatchObject({
      graceDays: 60,
      reinstatementYears: 2,
      planCode: 'standard-60',
    });
    expect(recordOf(validateProductRow({ ...productRow, grace_days: '90', reinstatement_years: '3' }))).toMatchObject({ graceDays: 90, reinstatementYears: 3 });
  });

  it('check every column against the law’s floors', () => {
    for (const column of ['product_code', 'name']) expect(errorsOf(validateProductRow({ ...productRow, [column]: '' }))).toEqual([{ column, reason: `${column} is required` }]);
    rejects(validateProductRow, productRow, 'grace_days', [
      ['29', 'grace_days must be a whole number from 30 to 365'],
      ['366', 'grace_days must be a whole number from 30 to 365'],
      ['60.5', 'grace_days must be a whole number from 30 to 365'],
    ]);
    rejects(validateProductRow, productRow, 'reinstatement_years', [
      ['1', 'reinstatement_years must be a whole number from 2 to 10'],
      ['two', 'reinstatement_years must be a whole number from 2 to 10'],
    ]);
    rejects(validateProductRow, productRow, 'plan_code', [['standard 60', "plan_code must be 1 to 32 letters, digits, '_', '.' or '-'"]]);
    rejects(validateProductRow, productRow, 'name', [['名'.repeat(201), 'name is longer than 200 characters']]);
  });
});
