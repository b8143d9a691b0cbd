/**
 * The codes of the import files' enumerated columns, and the aliases a core system commonly writes
 * for them (docs/business-rules.md#code-aliases): `ID_CARD`, `身份证`, `01`, `111` for a resident ID
 * card, `年交`, `12`, `A` for an annual premium, `是`/`1`/`true` for Y… Pure: a value is
 * normalised (NFKC, so full-width letters and digits read as ASCII; trimmed; upper case; spaces and
 * dashes as `_`) and looked up. A code a site uses beyond these goes in a mapping file
 * (domain/import-mapping.ts).
 */
import { PREFERRED_CHANNELS } from './channels';
import { SEGMENTS } from './segments';

export const SALES_CHANNELS = ['agency', 'bancassurance', 'telemarketing', 'internet', 'group'] as const;
export const PAYMENT_FREQUENCIES = ['annual', 'semiannual', 'quarterly', 'monthly'] as const;
export const POLICY_STATUSES = ['in_force', 'grace', 'lapsed'] as const;
export const AGENT_STATUSES = ['active', 'departed'] as const;
export const YES_NO = ['Y', 'N'] as const;
export const SEGMENT_VALUES = SEGMENTS;

/**
 * Holder ID types: the resident ID card (also the format of the residence permits for Hong Kong,
 * Macao and Taiwan residents, 81/82/83…), passports, the two mainland travel permits, and the
 * foreign permanent residence card.
 */
export const HOLDER_ID_TYPES = ['ID', 'PASSPORT', 'HKMO_PERMIT', 'TW_PERMIT', 'FOREIGN_PR'] as const;
export type HolderIdType = (typeof HOLDER_ID_TYPES)[number];

/** The vocabularies that have aliases, each with its canonical values. */
export const VOCABULARIES = {
  holder_id_type: HOLDER_ID_TYPES,
  sales_channel: SALES_CHANNELS,
  preferred_channel: PREFERRED_CHANNELS,
  payment_frequency: PAYMENT_FREQUENCIES,
  yes_no: YES_NO,
  policy_status: POLICY_STATUSES,
  agent_status: AGENT_STATUSES,
  segment: SEGMENTS,
} as const;
export type Vocabulary = keyof typeof VOCABULARIES;
export type CodeOf<V extends Vocabulary> = (typeof VOCABULARIES)[V][number];

type AliasTable = { readonly [V in Vocabulary]: { readonly [C in CodeOf<V>]: readonly string[] } };

/**
 * Every alias, by vocabulary and canonical value (the canonical value itself is always accepted).
 * Numeric codes: only those that mean the same in every core system and standard seen are here:
 * `01` resident ID card; GA/T 517 person-document codes 111, 414, 516, 511, 553; payment intervals
 * in months (12, 6, 3, 1). Two-digit ID codes beyond 01 disagree between systems: map them.
 */
export const ALIASES: AliasTable = {
  holder_id_type: {
    ID: ['ID_CARD', 'IDCARD', 'RESIDENT_ID', 'I', '01', '111', '身份证', '居民身份证', '二代身份证', '港澳台居民居住证', '港澳居民居住证', '台湾居民居住证'],
    PASSPORT: ['P', 'PP', '414', '护照', '普通护照', '外国护照', '中国护照'],
    HKMO_PERMIT: ['HKMO', 'HK_MACAO_PERMIT', 'HOME_RETURN_PERMIT', '516', '回乡证', '港澳居民来往内地通行证'],
    TW_PERMIT: ['TW', 'TAIWAN_PERMIT', 'MTP', '511', '台胞证', '台湾居民来往大陆通行证'],
    FOREIGN_PR: ['FPR', 'PERMANENT_RESIDENCE', '553', '外国人永久居留身份证', '外国人永久居留证', '永居证'],
  },
  sales_channel: {
    agency: ['AGENT', 'AGY', 'INDIVIDUAL', '个险', '个人代理', '代理人', '营销', '个人营销'],
    bancassurance: ['BANCA', 'BANK', 'BA', '银保', '银行保险', '银行代理', '银代'],
    telemarketing: ['TM', 'TELE', 'TELESALES', '电销', '电话销售'],
    internet: ['ONLINE', 'WEB', 'NET', '网销', '互联网', '网络销售', '互联网保险'],
    group: ['GRP', 'GP', '团险', '团体', '团体保险'],
  },
  preferred_channel: {
    sms: ['TEXT', '短信'],
    wechat: ['WX', 'WEIXIN', '微信'],
    email: ['E_MAIL', 'MAIL', '邮件', '电子邮件', '邮箱'],
    phone: ['CALL', 'TEL', 'TELEPHONE', '电话'],
  },
  payment_frequency: {
    annual: ['ANNUALLY', 'YEARLY', 'A', 'Y', '12', '年交', '年缴', '年', '每年', '按年', '年付'],
    semiannual: ['SEMI_ANNUAL', 'SEMIANNUALLY', 'HALF_YEARLY', 'S', 'H', '6', '06', '半年交', '半年缴', '半年', '每半年', '按半年'],
    quarterly: ['Q', '3', '03', '季交', '季缴', '季', '每季', '按季', '季付'],
    monthly: ['M', '1', '01', '月交', '月缴', '月', '每月', '按月', '月付'],
  },
  yes_no: {
    Y: ['YES', '1', 'TRUE', 'T', '是'],
    N: ['NO', '0', 'FALSE', 'F', '否'],
  },
  policy_status: {
    in_force: ['INFORCE', 'VALID', 'EFFECTIVE', '有效', '生效', '正常'],
    grace: ['GRACE_PERIOD', 'IN_GRACE', '宽限', '宽限期', '宽限期内'],
    lapsed: ['LAPSE', 'SUSPENDED', '中止', '效力中止', '失效'],
  },
  agent_status: {
    active: ['A', 'IN_SERVICE', '在职', '在岗'],
    departed: ['LEFT', 'RESIGNED', 'TERMINATED', 'INACTIVE', '离职', '离司', '已离职'],
  },
  segment: { A: ['A类'], B: ['B类'], C: ['C类'] },
};

/**
 * Single premiums (趸交) have no renewal premiums to collect: named so the row's reason says so
 * rather than listing the frequencies.
 */
export const SINGLE_PREMIUM_ALIASES = ['SINGLE', '0', '00', '趸交', '趸缴', '一次交清', '一次性交清'] as const;

/** NFKC (full-width to ASCII), trimmed, upper case, runs of spaces and dashes as one `_`. */
export function normaliseCode(raw: string): string {
  return raw.normalize('NFKC').trim().toUpperCase().replace(/[\s-]+/g, '_');
}

const LOOKUP: { readonly [V in Vocabulary]: ReadonlyMap<string, CodeOf<V>> } = buildLookup();

function buildLookup(): { [V in Vocabulary]: Map<string, CodeOf<V>> } {
  const table = {} as { [V in Vocabulary]: Map<string, CodeOf<V>> };
  for (const vocabulary of Object.keys(VOCABULARIES) as Vocabulary[]) {
    const map = new Map<string, string>();
    const aliases = ALIASES[vocabulary] as Readonly<Record<string, readonly string[]>>;
    for (const code of VOCABULARIES[vocabulary]) {
      for (const name of [code, ...aliases[code]!]) {
        const key = normaliseCode(name);
        const taken = map.get(key);
        // A table error, caught by the unit tests on load: an alias may mean one thing only.
        if (taken !== undefined && taken !== code) throw new Error(`alias ${name} of ${vocabulary} means both ${taken} and ${code}`);
        map.set(key, code);
      }
    }
    (table as Record<Vocabulary, Map<string, string>>)[vocabulary] = map;
  }
  return table;
}

/** The canonical value a raw cell stands for in a vocabulary, or undefined when it is none of its codes or aliases. */
export function resolveAlias<V extends Vocabulary>(vocabulary: V, raw: string): CodeOf<V> | undefined {
  return (LOOKUP[vocabulary] as ReadonlyMap<string, CodeOf<V>>).get(normaliseCode(raw));
}

/** True for the codes core systems write for a single premium (趸交), which has no renewals. */
export function isSinglePremium(raw: string): boolean {
  return (SINGLE_PREMIUM_ALIASES as readonly string[]).includes(normaliseCode(raw));
}

/** The vocabulary of each enumerated column of each file (the columns a mapping file's codes must map to one of its values). */
export const VOCABULARY_OF_COLUMN: Readonly<Record<'policies' | 'agents' | 'products', Readonly<Record<string, Vocabulary>>>> = {
  policies: {
    holder_id_type: 'holder_id_type',
    channel: 'sales_channel',
    preferred_channel: 'preferred_channel',
    payment_frequency: 'payment_frequency',
    apl_elected: 'yes_no',
    status: 'policy_status',
    segment: 'segment',
  },
  agents: { status: 'agent_status' },
  products: {},
};
