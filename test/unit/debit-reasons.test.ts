import { describe, expect, it } from 'vitest';
import {
  classifyIsoReason,
  classifyQualifiedCode,
  classifyReason,
  knownCodes,
  qualifiedCode,
  REASON_RULES,
  type CodeFamily,
  type DebitReason,
} from '../../domain/debit-reasons';

/** The expected mapping, written out independently of the module's tables. */
const EXPECTED: Record<CodeFamily, Record<string, DebitReason>> = {
  iso: {
    AM04: 'INSUFFICIENT_FUNDS',
    AM02: 'LIMIT_EXCEEDED',
    AM14: 'LIMIT_EXCEEDED',
    AC01: 'ACCOUNT_INVALID',
    AC13: 'ACCOUNT_INVALID',
    AG01: 'ACCOUNT_INVALID',
    AC04: 'ACCOUNT_CLOSED',
    MD07: 'ACCOUNT_CLOSED',
    AC06: 'ACCOUNT_FROZEN',
    RR04: 'ACCOUNT_FROZEN',
    BE01: 'NAME_MISMATCH',
    BE05: 'NAME_MISMATCH',
    MD01: 'NO_MANDATE',
    MD02: 'NO_MANDATE',
    MD06: 'REFUSED_BY_DEBTOR',
    MS02: 'REFUSED_BY_DEBTOR',
    SL01: 'REFUSED_BY_DEBTOR',
    AM05: 'BANK_ERROR',
    MS03: 'BANK_ERROR',
    FF01: 'BANK_ERROR',
    TM01: 'BANK_ERROR',
    NARR: 'UNKNOWN',
  },
  unionpay: {
    '51': 'INSUFFICIENT_FUNDS',
    '64': 'INSUFFICIENT_FUNDS',
    '90': 'INSUFFICIENT_FUNDS',
    '61': 'LIMIT_EXCEEDED',
    '65': 'LIMIT_EXCEEDED',
    '81': 'LIMIT_EXCEEDED',
    '14': 'ACCOUNT_INVALID',
    '57': 'ACCOUNT_INVALID',
    '41': 'CARD_LOST',
    '43': 'CARD_LOST',
    '33': 'EXPIRED',
    '54': 'EXPIRED',
    '36': 'ACCOUNT_FROZEN',
    '59': 'ACCOUNT_FROZEN',
    '62': 'ACCOUNT_FROZEN',
    '03': 'BANK_ERROR',
    '04': 'BANK_ERROR',
    '05': 'BANK_ERROR',
    '83': 'BANK_ERROR',
    '06': 'BANK_ERROR',
    '09': 'BANK_ERROR',
    '22': 'BANK_ERROR',
    '91': 'BANK_ERROR',
    '96': 'BANK_ERROR',
    '98': 'TIMEOUT',
  },
  nacha: {
    R01: 'INSUFFICIENT_FUNDS',
    R09: 'INSUFFICIENT_FUNDS',
    R02: 'ACCOUNT_CLOSED',
    R14: 'ACCOUNT_CLOSED',
    R15: 'ACCOUNT_CLOSED',
    R03: 'ACCOUNT_INVALID',
    R04: 'ACCOUNT_INVALID',
    R12: 'ACCOUNT_INVALID',
    R13: 'ACCOUNT_INVALID',
    R20: 'ACCOUNT_INVALID',
    R16: 'ACCOUNT_FROZEN',
    R07: 'MANDATE_REVOKED',
    R05: 'NO_MANDATE',
    R10: 'NO_MANDATE',
    R11: 'NO_MANDATE',
    R29: 'NO_MANDATE',
    R31: 'NO_MANDATE',
    R08: 'REFUSED_BY_DEBTOR',
    R06: 'BANK_ERROR',
    R17: 'BANK_ERROR',
    R24: 'BANK_ERROR',
  },
  psbc: {
    '5': 'INSUFFICIENT_FUNDS',
    '6': 'INSUFFICIENT_FUNDS',
    '9': 'ACCOUNT_CLOSED',
    '2': 'ACCOUNT_INVALID',
    '3': 'ACCOUNT_INVALID',
    '4': 'ACCOUNT_INVALID',
    '24': 'ACCOUNT_INVALID',
    '10': 'ACCOUNT_FROZEN',
    '12': 'ACCOUNT_FROZEN',
    '14': 'ACCOUNT_FROZEN',
    '13': 'CARD_LOST',
    '23': 'CARD_LOST',
    '17': 'DORMANT',
    '25': 'DORMANT',
    '37': 'NAME_MISMATCH',
    '41': 'NAME_MISMATCH',
    '42': 'ID_MISMATCH',
    '43': 'ID_MISMATCH',
    '16': 'NO_MANDATE',
  },
};

const PREFIX: Record<CodeFamily, string> = { iso: '', unionpay: 'UP:', nacha: 'NACHA:', psbc: 'PSBC:' };
const FAMILIES = Object.keys(EXPECTED) as CodeFamily[];

describe.each(FAMILIES)('%s reason codes', (family) => {
  const cases = Object.entries(EXPECTED[family]);

  it.each(cases)(`${family} %s → %s`, (code, reason) => {
    expect(classifyReason(family, code)).toEqual({
      reason,
      rawCode: `${PREFIX[family]}${code}`,
      ...REASON_RULES[reason],
    });
  });

  it('knows exactly the codes listed here (none untested, none missing)', () => {
    expect([...knownCodes(family)].sort()).toEqual(cases.map(([code]) => code).sort());
  });

  it('ignores surrounding whitespace and letter case', () => {
    for (const [code, reason] of cases) {
      const untidy = `  ${code.toLowerCase()}\t`;
      expect(classifyReason(family, untidy)).toMatchObject({ reason, rawCode: `${PREFIX[family]}${code}` });
    }
  });

  it('treats an unrecognised or empty code as UNKNOWN: query first, retry, never a reason to lapse', () => {
    for (const code of ['ZZ99', 'R99', '77', '']) {
      const classified = classifyReason(family, code);
      expect(classified).toMatchObject({ reason: 'UNKNOWN', retryable: true, customerFault: false, queryFirst: true });
      expect(classified.rawCode).toBe(`${PREFIX[family]}${code}`);
    }
  });

  it('reads its own stored (qualified) codes back to the same classification', () => {
    for (const [code] of cases) {
      const stored = classifyReason(family, code).rawCode;
      expect(classifyQualifiedCode(stored)).toEqual(classifyReason(family, code));
    }
  });
});

describe('the same digits mean different things in different families', () => {
  it('05 is a UnionPay bank error but PSBC insufficient funds; 41 is a lost card or a name error', () => {
    expect(classifyReason('unionpay', '05').reason).toBe('BANK_ERROR');
    expect(classifyReason('psbc', '05').reason).toBe('INSUFFICIENT_FUNDS');
    expect(classifyReason('unionpay', '41').reason).toBe('CARD_LOST');
    expect(classifyReason('psbc', '41').reason).toBe('NAME_MISMATCH');
  });

  it('pads UnionPay single digits and strips PSBC leading zeros', () => {
    expect(classifyReason('unionpay', '5')).toMatchObject({ reason: 'BANK_ERROR', rawCode: 'UP:05' });
    expect(classifyReason('psbc', '005')).toMatchObject({ reason: 'INSUFFICIENT_FUNDS', rawCode: 'PSBC:5' });
    expect(qualifiedCode('nacha', ' r01 ')).toBe('NACHA:R01');
    expect(qualifiedCode('iso', 'am04')).toBe('AM04');
  });

  it('does not classify another family’s code as ISO', () => {
    expect(classifyReason('iso', '51').reason).toBe('UNKNOWN');
    expect(classifyReason('iso', 'R01').reason).toBe('UNKNOWN');
  });

  it('refuses an unknown family (a programming error, not a bank answer)', () => {
    expect(() => classifyReason('swift' as CodeFamily, 'AM04')).toThrow(/unknown reason code family: "swift"/);
  });
});

describe('stored codes', () => {
  it('classifies bare codes as ISO and prefixed codes by family, whatever the case', () => {
    expect(classifyQualifiedCode('AM04').reason).toBe('INSUFFICIENT_FUNDS');
    expect(classifyQualifiedCode('up:61')).toMatchObject({ reason: 'LIMIT_EXCEEDED', rawCode: 'UP:61' });
    expect(classifyQualifiedCode('NACHA:R07').reason).toBe('MANDATE_REVOKED');
    expect(classifyQualifiedCode('PSBC:37').reason).toBe('NAME_MISMATCH');
  });

  it('an unknown prefix is UNKNOWN, never an error and never a lapse', () => {
    expect(classifyQualifiedCode('VISA:51')).toMatchObject({ reason: 'UNKNOWN', rawCode: 'VISA:51', customerFault: false });
  });
});

describe('ISO compatibility helper', () => {
  it('classifyIsoReason is the ISO family with bare codes', () => {
    expect(classifyIsoReason(' md06 ')).toEqual(classifyReason('iso', 'MD06'));
    expect(classifyIsoReason('AM04').rawCode).toBe('AM04');
  });
});

describe('rules per normalised reason (docs/business-rules.md#normalised-reasons)', () => {
  it.each([
    ['INSUFFICIENT_FUNDS', true, true],
    ['LIMIT_EXCEEDED', true, true],
    ['ACCOUNT_CLOSED', false, true],
    ['ACCOUNT_INVALID', false, true],
    ['ACCOUNT_FROZEN', false, true],
    ['CARD_LOST', false, true],
    ['DORMANT', false, true],
    ['EXPIRED', false, true],
    ['NAME_MISMATCH', false, false],
    ['ID_MISMATCH', false, false],
    ['NO_MANDATE', false, false],
    ['REFUSED_BY_DEBTOR', false, true],
  ] as const)('%s: retryable %s, customer fault %s, no query needed', (reason, retryable, customerFault) => {
    expect(REASON_RULES[reason]).toEqual({ retryable, customerFault, queryFirst: false });
  });

  it('never blames the customer for bank-side failures', () => {
    for (const reason of ['BANK_ERROR', 'TIMEOUT', 'UNKNOWN'] as const) {
      expect(REASON_RULES[reason]).toEqual({ retryable: true, customerFault: false, queryFirst: true });
    }
  });
});
