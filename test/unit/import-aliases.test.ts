import { describe, expect, it } from 'vitest';
import {
  ALIASES,
  isSinglePremium,
  normaliseCode,
  resolveAlias,
  SINGLE_PREMIUM_ALIASES,
  VOCABULARIES,
  VOCABULARY_OF_COLUMN,
  type Vocabulary,
} from '../../domain/import-aliases';
import { COLUMNS_OF, OPTIONAL_COLUMNS_OF } from '../../domain/import-columns';
import { validatePolicyRow } from '../../domain/import-rows';

const vocabularies = Object.keys(VOCABULARIES) as Vocabulary[];

/** A policies.csv row that validates; cases change one column. */
const row = {
  policy_no: 'P3201000101',
  product_code: 'WL20',
  channel: 'agency',
  branch_code: '3201',
  agent_code: 'A042',
  holder_name: '王建国',
  holder_id_type: 'ID',
  holder_id_no: '320102198001011238',
  holder_birth_date: '',
  holder_mobile: '13912340001',
  holder_email: 'wang.jianguo@example.cn',
  holder_wechat_openid: 'oAbCdEfGhIjKlMnOpQrStUvWx',
  preferred_channel: 'sms',
  issue_date: '2023-03-15',
  payment_frequency: 'annual',
  premium: '12000.50',
  next_due_date: '2026-03-15',
  installment_no: '4',
  bank_code: 'ICBC',
  account_no: '6222020200001111',
  account_name: '王建国',
  apl_elected: 'N',
  cash_value: '',
  status: 'in_force',
};

describe('code aliases (docs/business-rules.md#code-aliases)', () => {
  it('normalise: full-width to ASCII, trimmed, upper case, spaces and dashes as _', () => {
    expect(normaliseCode('  id-card ')).toBe('ID_CARD');
    expect(normaliseCode('ＩＤ　ＣＡＲＤ')).toBe('ID_CARD');
    expect(normaliseCode('０１')).toBe('01');
    expect(normaliseCode('semi - annual')).toBe('SEMI_ANNUAL');
    expect(normaliseCode(' 身份证 ')).toBe('身份证');
  });

  it('resolve every canonical value and every alias of every vocabulary, in any case and width', () => {
    let checked = 0;
    for (const vocabulary of vocabularies) {
      const table = ALIASES[vocabulary] as Record<string, readonly string[]>;
      expect(Object.keys(table).sort(), vocabulary).toEqual([...VOCABULARIES[vocabulary]].sort());
      for (const code of VOCABULARIES[vocabulary]) {
        for (const alias of [code, ...table[code]!]) {
          for (const written of [alias, alias.toLowerCase(), ` ${alias} `, alias.normalize('NFKC').replace(/[A-Za-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))]) {
            expect(resolveAlias(vocabulary, written), `${vocabulary}: ${JSON.stringify(written)}`).toBe(code);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(600);
  });

  it('give each alias one meaning within its vocabulary', () => {
    for (const vocabulary of vocabularies) {
      const seen = new Map<string, string>();
      const table = ALIASES[vocabulary] as Record<string, readonly string[]>;
      for (const code of VOCABULARIES[vocabulary]) {
        for (const alias of [code, ...table[code]!]) {
          const key = normaliseCode(alias);
          expect(seen.get(key) ?? code, `${vocabulary}: ${alias}`).toBe(code);
          seen.set(key, code);
        }
      }
    }
  });

  it('know the codes the issue names and the common ones of each vocabulary', () => {
    const cases: [Vocabulary, string, string][] = [
      ['holder_id_type', 'ID_CARD', 'ID'],
      ['holder_id_type', '身份证', 'ID'],
      ['holder_id_type', '居民身份证', 'ID'],
      ['holder_id_type', '01', 'ID'],
      ['holder_id_type', 'I', 'ID'],
      ['holder_id_type', '111', 'ID'],
      ['holder_id_type', '港澳台居民居住证', 'ID'],
      ['holder_id_type', '护照', 'PASSPORT'],
      ['holder_id_type', 'P', 'PASSPORT'],
      ['holder_id_type', '414', 'PASSPORT'],
      ['holder_id_type', '回乡证', 'HKMO_PERMIT'],
      ['holder_id_type', '港澳居民来往内地通行证', 'HKMO_PERMIT'],
      ['holder_id_type', '516', 'HKMO_PERMIT'],
      ['holder_id_type', '台胞证', 'TW_PERMIT'],
      ['holder_id_type', '511', 'TW_PERMIT'],
      ['holder_id_type', '外国人永久居留身份证', 'FOREIGN_PR'],
      ['holder_id_type', '553', 'FOREIGN_PR'],
      ['sales_channel', '个险', 'agency'],
      ['sales_channel', '银保', 'bancassurance'],
      ['sales_channel', '电销', 'telemarketing'],
      ['sales_channel', '网销', 'internet'],
      ['sales_channel', '团险', 'group'],
      ['preferred_channel', '微信', 'wechat'],
      ['preferred_channel', '短信', 'sms'],
      ['payment_frequency', '年交', 'annual'],
      ['payment_frequency', '年缴', 'annual'],
      ['payment_frequency', '12', 'annual'],
      ['payment_frequency', 'A', 'annual'],
      ['payment_frequency', '半年交', 'semiannual'],
      ['payment_frequency', '6', 'semiannual'],
      ['payment_frequency', '季交', 'quarterly'],
      ['payment_frequency', '3', 'quarterly'],
      ['payment_frequency', '月交', 'monthly'],
      ['payment_frequency', '1', 'monthly'],
      ['payment_frequency', 'M', 'monthly'],
      ['yes_no', '是', 'Y'],
      ['yes_no', '1', 'Y'],
      ['yes_no', 'true', 'Y'],
      ['yes_no', 'yes', 'Y'],
      ['yes_no', '否', 'N'],
      ['yes_no', '0', 'N'],
      ['yes_no', 'FALSE', 'N'],
      ['policy_status', '有效', 'in_force'],
      ['policy_status', '宽限期', 'grace'],
      ['policy_status', '效力中止', 'lapsed'],
      ['policy_status', '失效', 'lapsed'],
      ['agent_status', '在职', 'active'],
      ['agent_status', '离职', 'departed'],
      ['segment', 'a', 'A'],
      ['segment', 'B类', 'B'],
    ];
    for (const [vocabulary, raw, code] of cases) expect(resolveAlias(vocabulary, raw), `${vocabulary}: ${raw}`).toBe(code);
  });

  it('leave ambiguous or foreign codes unresolved: the mapping file is for those', () => {
    const cases: [Vocabulary, string][] = [
      ['holder_id_type', '02'], // passport in some systems, officer's card in others
      ['holder_id_type', '0'],
      ['holder_id_type', '军官证'],
      ['holder_id_type', '港澳通行证'], // the mainlander's permit to Hong Kong, not the HK resident's
      ['sales_channel', '1'],
      ['payment_frequency', '2'],
      ['payment_frequency', 'weekly'],
      ['yes_no', 'maybe'],
      ['policy_status', 'active'],
      ['policy_status', 'terminated'],
      ['agent_status', 'retired'],
      ['segment', 'D'],
      ['segment', ''],
    ];
    for (const [vocabulary, raw] of cases) expect(resolveAlias(vocabulary, raw), `${vocabulary}: ${raw}`).toBeUndefined();
  });

  it('name single premiums (趸交), which are not a renewal frequency', () => {
    for (const raw of SINGLE_PREMIUM_ALIASES) {
      expect(isSinglePremium(raw), raw).toBe(true);
      expect(resolveAlias('payment_frequency', raw), raw).toBeUndefined();
    }
    expect(isSinglePremium('annual')).toBe(false);
  });

  it('name a vocabulary only for columns of the file', () => {
    for (const [kind, columns] of Object.entries(VOCABULARY_OF_COLUMN) as [keyof typeof COLUMNS_OF, Record<string, Vocabulary>][]) {
      for (const column of Object.keys(columns)) expect([...COLUMNS_OF[kind], ...OPTIONAL_COLUMNS_OF[kind]], `${kind}.${column}`).toContain(column);
    }
  });

  it('reach the records: a row written in a core system’s words validates to ours', () => {
    const check = validatePolicyRow({
      ...row,
      channel: '银保',
      holder_id_type: '身份证',
      preferred_channel: '短信',
      payment_frequency: '12',
      apl_elected: '是',
      status: '有效',
      segment: 'a',
      plan_code: 'standard-60',
    });
    expect(check.ok && check.record).toMatchObject({ channel: 'bancassurance', holderIdType: 'ID', preferredChannel: 'sms', paymentFrequency: 'annual', aplElected: true, status: 'in_force', segment: 'A', planCode: 'standard-60' });
    // Without segment and plan_code the record has neither key: fingerprints of older files do not move.
    const plain = validatePolicyRow(row);
    expect(plain.ok && Object.keys(plain.record)).not.toContain('segment');
    expect(plain.ok && Object.keys(plain.record)).not.toContain('planCode');
    expect(validatePolicyRow({ ...row, segment: '', plan_code: '' }).ok && Object.keys(plain.ok ? plain.record : {})).not.toContain('segment');
  });
});
