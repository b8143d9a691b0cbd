import { describe, expect, it } from 'vitest';
import { headerColumn, headerName, mapCodes, MappingError, parseImportMapping } from '../../domain/import-mapping';

const good = {
  $comment: 'core system X, policy extract',
  kind: 'policies',
  columns: { 保单号: 'policy_no', ' 证件类型 ': 'holder_id_type', PAY_INTV: 'payment_frequency', 客户分层: 'segment' },
  ignore: ['备注', 'Extract Date'],
  codes: {
    holder_id_type: { '0': 'ID', '1': 'passport', '7': '回乡证' },
    payment_frequency: { '１２': 'annual' },
    bank_code: { '0102': 'ICBC', '0105': 'CCB' },
  },
};

const failure = (json: unknown, kind: 'policies' | 'agents' | 'products' = 'policies') => {
  try {
    parseImportMapping(json, kind);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingError);
    return (error as Error).message;
  }
  throw new Error('expected a MappingError');
};

describe('mapping files (docs/business-rules.md#mapping-file)', () => {
  it('read columns, ignored columns and codes; code values are stored as our canonical values', () => {
    const mapping = parseImportMapping(good, 'policies');
    expect([...mapping.columns]).toEqual([
      ['保单号', 'policy_no'],
      ['证件类型', 'holder_id_type'],
      ['pay_intv', 'payment_frequency'],
      ['客户分层', 'segment'],
    ]);
    expect([...mapping.ignore]).toEqual(['备注', 'extract date']);
    expect([...mapping.codes.get('holder_id_type')!]).toEqual([
      ['0', 'ID'],
      ['1', 'PASSPORT'],
      ['7', 'HKMO_PERMIT'],
    ]);
    expect([...mapping.codes.get('payment_frequency')!]).toEqual([['12', 'annual']]);
    expect(mapping.codes.get('bank_code')!.get('0102')).toBe('ICBC');
  });

  it('is optional in every part: {} maps nothing', () => {
    const mapping = parseImportMapping({}, 'agents');
    expect(mapping).toMatchObject({ kind: 'agents' });
    expect(headerColumn(mapping, ' Agent_Code ')).toBe('agent_code');
    expect(mapCodes(mapping, { status: '0' })).toEqual({ status: '0' });
  });

  it('rename header cells (trimmed, any case, BOM and full width ignored) and skip ignored ones', () => {
    const mapping = parseImportMapping(good, 'policies');
    expect(headerName('\uFEFF Policy_No ')).toBe('policy_no');
    expect(headerColumn(mapping, '\uFEFF保单号')).toBe('policy_no');
    expect(headerColumn(mapping, 'pay_intv')).toBe('payment_frequency');
    expect(headerColumn(mapping, 'ＰＡＹ＿ＩＮＴＶ')).toBe('payment_frequency');
    expect(headerColumn(mapping, '备注')).toBeUndefined();
    expect(headerColumn(mapping, 'premium')).toBe('premium');
    expect(headerColumn(undefined, ' Premium ')).toBe('premium');
  });

  it('replace mapped codes only, leaving the rest to the aliases and the row rules', () => {
    const mapping = parseImportMapping(good, 'policies');
    expect(mapCodes(mapping, { holder_id_type: ' 0 ', payment_frequency: '12', bank_code: '0102', channel: '银保' })).toEqual({
      holder_id_type: 'ID',
      payment_frequency: 'annual',
      bank_code: 'ICBC',
      channel: '银保',
    });
    expect(mapCodes(mapping, { holder_id_type: '身份证', bank_code: '9999' })).toEqual({ holder_id_type: '身份证', bank_code: '9999' });
    expect(mapCodes(undefined, { status: 'x' })).toEqual({ status: 'x' });
  });

  it('name the key at fault in a bad file', () => {
    expect(failure([])).toBe('the mapping must be a JSON object with "columns", "codes" and/or "ignore"');
    expect(failure({ column: {} })).toBe('"column" is not a key of a mapping file ($comment, kind, columns, ignore, codes)');
    expect(failure({ kind: 'claims' })).toBe('"kind" must be one of policies, agents, products');
    expect(failure({ kind: 'agents' })).toBe('"kind" is agents but the file is imported as policies');
    expect(failure({ columns: ['policy_no'] })).toBe('"columns" must be an object: the core system’s column name → ours');
    expect(failure({ columns: { 保单号: 'policyno' } })).toMatch(/^columns\."保单号" must name a column of policies\.csv \(policy_no, product_code, .*, segment, plan_code, holder_postal_address\)$/);
    expect(failure({ columns: { 保单号: 'segment' } }, 'agents')).toMatch(/^columns\."保单号" must name a column of agents\.csv/);
    expect(failure({ columns: { ' ': 'policy_no' } })).toBe('columns." " names an empty column');
    expect(failure({ columns: { PolNo: 'policy_no', polno: 'product_code' } })).toBe('columns."polno" repeats a column already mapped (names are compared trimmed and in lower case)');
    expect(failure({ columns: { PolNo: 'policy_no', 保单号: 'policy_no' } })).toBe('columns."保单号" maps to policy_no, as columns."PolNo" does already');
    expect(failure({ ignore: 'x' })).toBe('"ignore" must be a list of the core system’s column names to skip');
    expect(failure({ ignore: ['a', 3] })).toBe('ignore[1] must be a column name');
    expect(failure({ columns: { 备注: 'policy_no' }, ignore: ['备注'] })).toBe('ignore[0] is also mapped in "columns"');
    expect(failure({ codes: [] })).toBe('"codes" must be an object: our column → { the core system’s code → ours }');
    expect(failure({ codes: { idtype: {} } })).toMatch(/^codes\."idtype" must name a column of policies\.csv/);
    expect(failure({ codes: { holder_id_type: ['ID'] } })).toBe('codes."holder_id_type" must be an object: the core system’s code → ours');
    expect(failure({ codes: { holder_id_type: { '0': 'IDENTITY' } } })).toBe('codes."holder_id_type"."0" must be one of ID, PASSPORT, HKMO_PERMIT, TW_PERMIT, FOREIGN_PR');
    expect(failure({ codes: { status: { '9': 'active' } } })).toBe('codes."status"."9" must be one of in_force, grace, lapsed');
    expect(failure({ codes: { status: { '9': 'retired' } } }, 'agents')).toBe('codes."status"."9" must be one of active, departed');
    expect(failure({ codes: { apl_elected: { '2': 'maybe' } } })).toBe('codes."apl_elected"."2" must be one of Y, N');
    expect(failure({ codes: { bank_code: { '0102': '' } } })).toBe('codes."bank_code"."0102" must be a non-empty text');
    expect(failure({ codes: { bank_code: { '0102': 7 } } })).toBe('codes."bank_code"."0102" must be a non-empty text');
    expect(failure({ codes: { bank_code: { '0102': 'x'.repeat(201) } } })).toBe('codes."bank_code"."0102" is longer than 200 characters');
    expect(failure({ codes: { bank_code: { a1: 'ICBC', A1: 'CCB' } } })).toBe(
      'codes."bank_code"."A1" repeats a code already mapped (codes are compared trimmed, in upper case, full-width as ASCII)',
    );
  });
});
