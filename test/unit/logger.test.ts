import type { Logger as TemporalLogger } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { maskPersonalText, redactPersonalData } from '../../domain/personal-data';
import { createLogger, temporalLogger } from '../../observability/logger';

const MOBILE = '13812348000';
const ID_NO = '32010219800101123X';
const ACCOUNT = '6222021234567890123';
const EMAIL = 'zhang.sanfeng@example.cn';
const NAME = '张三丰';
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
const SECRETS = [MOBILE, ID_NO, ACCOUNT, EMAIL, NAME, OPENID, '6222 0212 3456 7890'];

/** A logger writing into an array, and the lines it wrote, parsed. */
function capture() {
  const lines: string[] = [];
  const logger = createLogger('test', { level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function expectNoSecrets(lines: string[]) {
  const text = lines.join('');
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('createLogger', () => {
  it('masks personal fields at any depth, and numbers in the message and in free-text fields', () => {
    const { logger, lines, parsed } = capture();
    logger.info(
      {
        policyNo: 'P202600001',
        customer: { name: NAME, idNo: ID_NO, contacts: [{ mobile: MOBILE }, { email: EMAIL }] },
        deep: { a: { b: { c: { d: { e: { accountNo: ACCOUNT, openId: OPENID } } } } } },
        note: `customer called from ${MOBILE}, asked to debit 6222 0212 3456 7890 instead`,
        providerAnswer: { to: MOBILE, code: 'OK' },
      },
      'sms to %s for holder %s failed',
      MOBILE,
      ID_NO,
    );
    expectNoSecrets(lines);
    const [line] = parsed();
    expect(line).toMatchObject({
      level: 30,
      logger: 'test',
      policyNo: 'P202600001',
      msg: 'sms to 138****8000 for holder 320102********123X failed',
      customer: { name: '张**', idNo: '320102********123X', contacts: [{ mobile: '138****8000' }, { email: 'z***@example.cn' }] },
      deep: { a: { b: { c: { d: { e: { accountNo: '622202*********0123', openId: 'oUpF****' } } } } } },
      note: 'customer called from 138****8000, asked to debit 622202******7890 instead',
      providerAnswer: { to: '138****8000', code: 'OK' },
    });
    expect(line).not.toHaveProperty('name');
  });

  it('masks child bindings, nested and in grandchildren', () => {
    const { logger, lines, parsed } = capture();
    logger
      .child({ policy: { holderName: NAME, x: { y: { z: { phone: MOBILE } } } }, note: `holder ${MOBILE}` })
      .child({ attempt: { recipient: EMAIL } })
      .warn('reminder sent');
    expectNoSecrets(lines);
    expect(parsed()[0]).toMatchObject({
      policy: { holderName: '张**', x: { y: { z: { phone: '138****8000' } } } },
      note: 'holder 138****8000',
      attempt: { recipient: 'z***@example.cn' },
    });
  });

  it('masks errors: message, stack and the message pino takes from them', () => {
    const { logger, lines, parsed } = capture();
    logger.error(new Error(`bank refused account ${ACCOUNT}`));
    logger.warn({ err: new TypeError(`bad mobile ${MOBILE}`) }, 'import row 7');
    expectNoSecrets(lines);
    const [first, second] = parsed();
    expect(first).toMatchObject({ msg: 'bank refused account 622202*********0123', err: { type: 'Error', message: 'bank refused account 622202*********0123' } });
    expect((first!.err as { stack: string }).stack).toContain('622202*********0123');
    expect(second).toMatchObject({ msg: 'import row 7', err: { type: 'TypeError', message: 'bad mobile 138****8000' } });
  });

  it('leaves what is not personal alone', () => {
    const { logger, parsed } = capture();
    const fields = { workflowId: 'renewal-P202600001-2026-12-24', amountFen: 1_234_500, idempotencyKey: 'D000000012-01', at: '2026-12-24T01:00:00.000Z' };
    logger.info(fields, 'debit submitted for 12345.00 yuan');
    expect(parsed()[0]).toMatchObject({ ...fields, msg: 'debit submitted for 12345.00 yuan' });
  });
});

describe('maskPersonalText', () => {
  it.each([
    [`call ${MOBILE}`, 'call 138****8000'],
    ['call +86 138-1234-8000 now', 'call +86 138****8000 now'],
    [`ID ${ID_NO}.`, 'ID 320102********123X.'],
    [`acct ${ACCOUNT}`, 'acct 622202*********0123'],
    ['acct 6222021234567890', 'acct 622202******7890'],
    [`mail ${EMAIL}`, 'mail z***@example.cn'],
    ['order 12345678901234 and 2026-12-24', 'order 12345678901234 and 2026-12-24'],
    ['hash 3f9a13812348000ab', 'hash 3f9a13812348000ab'],
  ])('%s → %s', (input, expected) => {
    expect(maskPersonalText(input)).toBe(expected);
    expect(maskPersonalText(expected)).toBe(expected);
  });

  it('redactPersonalData does not change its input', () => {
    const input = { customer: { mobile: MOBILE } };
    expect(redactPersonalData(input)).toEqual({ customer: { mobile: '138****8000' } });
    expect(input.customer.mobile).toBe(MOBILE);
  });
});

describe('temporalLogger', () => {
  it('is the SDK’s Logger: levels map, meta is masked, Core’s timestamp is kept', () => {
    const { logger, lines, parsed } = capture();
    const sdk: TemporalLogger = temporalLogger(logger);
    sdk.log('WARN', `activity failed for ${MOBILE}`, { workflowId: 'renewal-P1-2026-12-24', input: { to: MOBILE } });
    sdk.trace('t');
    sdk.debug('d');
    sdk.info('i', { sdkComponent: 'worker', [Symbol.for('log_timestamp')]: 1_767_225_600_000_000_000n });
    sdk.error('e');
    expectNoSecrets(lines);
    const out = parsed();
    expect(out.map((l) => [l.level, l.msg])).toEqual([
      [40, 'activity failed for 138****8000'],
      [10, 't'],
      [20, 'd'],
      [30, 'i'],
      [50, 'e'],
    ]);
    expect(out[0]).toMatchObject({ workflowId: 'renewal-P1-2026-12-24', input: { to: '138****8000' } });
    expect(out[3]).toMatchObject({ sdkComponent: 'worker', at: '2026-01-01T00:00:00.000Z' });
  });
});
