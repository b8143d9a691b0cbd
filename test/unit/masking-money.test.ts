import { describe, expect, it } from 'vitest';
import { maskEmail, maskMobile, maskName, maskNumber, maskOpenId } from '../../domain/masking';
import { formatYuan, yuanToFen } from '../../domain/money';

describe('masking personal data (docs/business-rules.md#masking)', () => {
  it('shows mobiles as 138****8000', () => {
    expect(maskMobile('13812348000')).toBe('138****8000');
    expect(maskMobile('138 1234 8000')).toBe('138****8000');
  });

  it('shows ID and account numbers as first 6 + last 4', () => {
    expect(maskNumber('320102198001011234')).toBe('320102********1234');
    expect(maskNumber('6222021234567890123')).toBe('622202*********0123');
    expect(maskNumber('12345')).toBe('1****');
  });

  it('keeps only the family name, the first letter of an email and an openid prefix', () => {
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('李四')).toBe('李*');
    expect(maskEmail('zhang.sanfeng@example.cn')).toBe('z***@example.cn');
    expect(maskOpenId('oAbCdEfGhIjKlMn')).toBe('oAbC****');
  });
});

describe('money in fen', () => {
  it('parses yuan exactly, with no floating-point drift', () => {
    expect(yuanToFen('12345')).toBe(1_234_500);
    expect(yuanToFen('0.1')).toBe(10);
    expect(yuanToFen('1234.56')).toBe(123_456);
    expect(yuanToFen(' 19.99 ')).toBe(1999);
  });

  it('rejects amounts a file must not contain', () => {
    expect(() => yuanToFen('1.234')).toThrow('at most 2 decimals: "1.234"');
    expect(() => yuanToFen('-5')).toThrow();
    expect(() => yuanToFen('1,000')).toThrow();
    expect(() => yuanToFen('')).toThrow();
  });

  it('formats fen as yuan', () => {
    expect(formatYuan(1_234_500)).toBe('12345.00');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(-150)).toBe('-1.50');
  });
});
