import { describe, expect, it } from 'vitest';
import { maskPersonalText } from '../../domain/personal-data';
import { createLogger } from '../../observability/logger';

/**
 * The free-text masker shared by the logger, the audit export and the history timeline: every shape
 * personal data takes is masked as masking.ts masks it, and what is not personal comes through as it
 * was. Each row is also masked a second time, which must change nothing.
 */
const MUST_MASK: [string, string, string][] = [
  ['18-digit ID number', 'holder 11010519491231002X', 'holder 110105********002X'],
  ['15-digit ID number (first generation)', 'holder 110105491231002', 'holder 110105*****1002'],
  ['ID number glued to a word', 'ID11010519491231002X', 'ID110105********002X'],
  ['15-digit ID glued to a word', 'id110105491231002', 'id110105*****1002'],
  ['ID number in full-width digits', '身份证１１０１０５１９４９１２３１００２Ｘ', '身份证110105********002X'],
  ['19-digit account', 'acct 6222021234567890123', 'acct 622202*********0123'],
  ['16-digit account in groups of 4', 'debit 6222 0212 3456 7890 instead', 'debit 622202******7890 instead'],
  ['12-digit account after "account"', 'account 622202123456 frozen', 'account 622202**3456 frozen'],
  ['13-digit account after "account no."', 'account no. 6222021234567', 'account no. 622202***4567'],
  ['15-digit account after 卡号', '卡号：622202123456789', '卡号：622202*****6789'],
  ['14-digit account after 账号', '扣款账号62220212345678失败', '扣款账号622202****5678失败'],
  ['12-digit account in groups after "acct"', 'acct: 6222 0212 3456', 'acct: 622202**3456'],
  ['account glued to "acct"', 'acct622202123456', 'acct622202**3456'],
  ['mobile', 'call 13800138000', 'call 138****8000'],
  ['mobile glued to a word', 'tel13800138000', 'tel138****8000'],
  ['mobile glued to a word, with 86', 'tel8613800138000', 'tel86138****8000'],
  ['mobile with +86 and dashes', 'call +86 138-0013-8000 now', 'call +86 138****8000 now'],
  ['mobile with dots', 'mobile 138.0013.8000.', 'mobile 138****8000.'],
  ['mobile with spaces', 'mobile 138 0013 8000', 'mobile 138****8000'],
  ['mobile in full-width digits', '手机１３８００１３８０００', '手机138****8000'],
  ['mobile in full-width letters and digits', 'ｔｅｌ１３８００１３８０００', 'ｔｅｌ138****8000'],
  ['passport E + 8 digits', 'passport E12345678', 'passport E********'],
  ['passport G + 8 digits', 'passport G12345678 expired', 'passport G******** expired'],
  ['passport E + letter + 7 digits', '护照EA1234567', '护照E********'],
  ['Hong Kong/Macau travel permit', '通行证C12345678', '通行证C********'],
  ['home-return permit, Hong Kong', '回乡证 H1234567801', '回乡证 H**********'],
  ['home-return permit, Macau', '回乡证 M1234567801', '回乡证 M**********'],
  ['home-return permit, old 8 digits', 'permit H12345678', 'permit H********'],
  ['email', 'mail zhang.sanfeng@example.cn', 'mail z***@example.cn'],
];

const MUST_STAY: [string, string][] = [
  ['policy number', 'policy P3201000101 due'],
  ['workflow ID', 'renewal-P3201000101-2027-01-07'],
  ['debit idempotency key', 'key RNW12A1'],
  ['reinstatement debit key', 'key RI3-1-2'],
  ['ISO timestamp', 'at 2026-12-24T01:00:00.000Z'],
  ['ISO timestamp with offset', 'at 2027-01-07T09:00:00+08:00'],
  ['amount in yuan', 'quoted 6069.86 yuan'],
  ['amount in fen', 'amountFen 1234500'],
  ['date without dashes', 'file of 20270107'],
  ['UUID', 'contact 0f8e4b1c-9a2d-4c3e-8f1a-2b3c4d5e6f70'],
  ['UUID made of digits', 'contact 13800138-0013-4000-8000-138001380000'],
  ['SHA-256', 'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['hash starting with 11 digits', 'hash 13800138000fa39c'],
  ['hash with a mobile-like run inside', 'hash 3f9a13812348000ab'],
  ['chain head', 'head 4210:9f3c13800138000e'],
  ['order number of 14 digits', 'order 12345678901234 and 2026-12-24'],
  ['milliseconds since 1970', 'at 1767225600000'],
  ['SMS template code', 'template SMS_154950909'],
  ['plan code and version', 'plan standard-60@2'],
  ['lower-case letter and 8 digits', 'build e12345678'],
];

describe('maskPersonalText masks personal data in every shape', () => {
  it.each(MUST_MASK)('%s', (_what, text, masked) => {
    expect(maskPersonalText(text)).toBe(masked);
    expect(maskPersonalText(masked)).toBe(masked);
  });
});

describe('maskPersonalText leaves what is not personal alone', () => {
  it.each(MUST_STAY)('%s', (_what, text) => {
    expect(maskPersonalText(text)).toBe(text);
  });
});

describe('the logger uses the same rules', () => {
  it('masks every shape in a log line and keeps the rest', () => {
    const lines: string[] = [];
    const logger = createLogger('test', { level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    logger.info({ note: MUST_MASK.map(([, text]) => text).join(' | '), keep: MUST_STAY.map(([, text]) => text).join(' | ') }, 'row');
    const line = JSON.parse(lines[0]!) as { note: string; keep: string };
    expect(line.note).toBe(MUST_MASK.map(([, , masked]) => masked).join(' | '));
    expect(line.keep).toBe(MUST_STAY.map(([, text]) => text).join(' | '));
  });

  it('stays fast on a long line without personal data', () => {
    const started = Date.now();
    maskPersonalText('x'.repeat(200_000));
    maskPersonalText('1'.repeat(200_000));
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
