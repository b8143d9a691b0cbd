import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDebitActivities } from '../../activities/debit-activities';
import type { DebitResult } from '../../domain/cycle-state';
import { maskNumber } from '../../domain/masking';
import { GatewayBank } from '../../integrations/bank/gateway/gateway-bank';
import { GZELINK_VERSION, HEADER, TRX_CODE } from '../../integrations/bank/gateway/gzelink-codes';
import { contentTypeOf, decodeXml, encodeXml, parseGzelink, readQueryRequest, writeReply } from '../../integrations/bank/gateway/gzelink-messages';
import { signMessage } from '../../integrations/bank/gateway/signing';
import { SIMULATOR_DEFAULTS } from '../../integrations/bank/simulator/http-server';
import { bankFor } from '../../workers/bank-wiring';
import { freshDatabase, type TestDatabase } from '../support/database';
import { cipher, rejections, seedAcceptedDebit, standing } from './bank-attempts';

/**
 * Issue 14: without BANK_SIGNING_KEY the gateway's answers (to a submission or a query) were
 * believed unchecked. Now the adapter cannot run without the key, and an answer is believed only
 * when signed with it and about the debit asked of: anything else is 'unknown' (asked again later),
 * recorded, and settles nothing.
 */
const KEY = SIMULATOR_DEFAULTS.signingKey;
const ACCOUNT = '6222020000339999';

/** What the gateway in front of these tests answers to the next query. */
let answer: { key?: string; amount?: string; accountNo?: string; merchantId?: string; echo?: (reqSn: string) => string } = {};
let gateway: Server;
let url: string;
let database: TestDatabase;

beforeAll(async () => {
  gateway = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const xml = decodeXml(Buffer.concat(chunks), req.headers['content-type']).xml;
      const { info } = parseGzelink(xml);
      const querySn = info.trxCode === TRX_CODE.QUERY ? readQueryRequest(xml).querySn : '';
      const reply = writeReply(
        {
          info: { trxCode: info.trxCode, version: GZELINK_VERSION, dataType: '2', level: '5', userName: SIMULATOR_DEFAULTS.userName, userPass: '', reqSn: answer.echo?.(info.reqSn) ?? info.reqSn, retCode: HEADER.ACCEPTED, errMsg: '查询成功', signedMsg: '' },
          querySn,
          merchantId: answer.merchantId ?? SIMULATOR_DEFAULTS.merchantId,
          details: [{ sn: '0001', eUserCode: querySn, accountNo: answer.accountNo ?? maskNumber(ACCOUNT), amount: answer.amount ?? '310000', settDate: '20261224', retCode: '0000', errMsg: '处理成功' }],
        },
        'GBK',
      );
      res.writeHead(200, { 'content-type': contentTypeOf('GBK') }).end(encodeXml(answer.key === '' ? reply : signMessage(reply, answer.key ?? KEY), 'GBK'));
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/gateway`;
  database = await freshDatabase();
});

afterAll(async () => {
  await new Promise<void>((resolve) => gateway.close(() => resolve()));
  await database?.drop();
});

const adapter = () => new GatewayBank({ url, merchantId: SIMULATOR_DEFAULTS.merchantId, userName: SIMULATOR_DEFAULTS.userName, userPass: SIMULATOR_DEFAULTS.userPass, signingKey: KEY });
const expected = { amountFen: 310_000, accountMasked: maskNumber(ACCOUNT) };

describe('the gateway adapter', () => {
  it('refuses to run without a signing key, except in a demo, where it takes the simulator’s', () => {
    expect(() => new GatewayBank({ url, merchantId: 'M', userName: 'u', userPass: 'p', signingKey: '' })).toThrow(/needs its signing key/);
    const settings = { bank: { mode: 'gateway' as const, url } };
    expect(() => bankFor({ ...settings, environment: 'production' })).toThrow(/BANK_SIGNING_KEY is not set: the gateway's answers and callbacks cannot be verified/);
    expect(bankFor({ ...settings, environment: 'demo' }).describe).toContain("the simulator's signing key: a demo");
    const production = { mode: 'gateway' as const, url: 'https://gateway.bank.example/collect', merchantId: 'M1', userName: 'insurer', userPass: 'its-own' };
    expect(() => bankFor({ bank: production, environment: 'production' })).toThrow(/BANK_SIGNING_KEY is not set/);
    expect(bankFor({ bank: { ...production, signingKey: 'the-bank-s-key' }, environment: 'production' }).describe).toBe(`collection gateway ${production.url}`);
  });

  it.each([
    ['unsigned', { key: '' }, { rawCode: 'BAD_SIGNATURE', rejected: 'authentication' }],
    ['signed with another key', { key: 'a-key-the-bank-never-had' }, { rawCode: 'BAD_SIGNATURE', rejected: 'authentication' }],
    ['for another amount', { amount: '310001' }, { rawCode: 'MISMATCH', rejected: 'mismatch' }],
    ['from another account', { accountNo: '621700******0001' }, { rawCode: 'MISMATCH', rejected: 'mismatch' }],
    ['for another merchant', { merchantId: 'SOMEONE-ELSE' }, { rawCode: 'MISMATCH', rejected: 'mismatch' }],
    ['to another request (an old answer replayed)', { echo: () => 'Q1700000000000001' }, { rawCode: 'MISMATCH', rejected: 'mismatch' }],
  ] as const)('does not believe an answer %s: unknown, marked rejected', async (_what, given, unknown) => {
    answer = given;
    expect(await adapter().queryDebit('RNW0123456789ABCDEFGHJKMNPQ', expected)).toEqual({ status: 'unknown', ...unknown });
  });

  it('believes the genuine answer', async () => {
    answer = {};
    expect(await adapter().queryDebit('RNW0123456789ABCDEFGHJKMNPQ', expected)).toEqual({ status: 'succeeded', bankRef: 'RNW0123456789ABCDEFGHJKMNPQ/0001' });
  });
});

describe('a debit asked about through an unbelieved answer', () => {
  let policies = 0;
  async function check(): Promise<{ result: DebitResult; attemptId: number }> {
    policies += 1;
    const { policy, attempt } = await seedAcceptedDebit(database.db, { policyNo: `P-ANSSEC-${policies}`, accountNo: ACCOUNT, premiumFen: 310_000 }, (key) => `${key}/0001`);
    const activities = createDebitActivities({ db: database.db, cipher, bank: adapter() });
    const env = new MockActivityEnvironment({ activityId: '1', workflowExecution: { workflowId: attempt.idempotency_key, runId: 'run-1' } });
    const result = await env.run<[], DebitResult, () => Promise<DebitResult>>(() => activities.checkDebit({ policyNo: policy.policyNo, dueDate: policy.nextDueDate }, 1));
    return { result, attemptId: attempt.id };
  }

  it.each([
    ['unsigned', { key: '' }, 'authentication'],
    ['for another amount', { amount: '1' }, 'mismatch'],
  ] as const)('%s: stays in flight, recorded', async (_what, given, reason) => {
    answer = given;
    const { result, attemptId } = await check();
    expect(result).toEqual({ status: 'pending' });
    expect(await standing(database.db, attemptId)).toEqual({ attempt: 'accepted', premium: 'due', payments: 0 });
    expect((await rejections(database.db)).at(-1)).toMatchObject({ actor: 'bank:answer', detail: { reason } });
  });

  it('the genuine answer settles it', async () => {
    answer = {};
    const { result, attemptId } = await check();
    expect(result).toMatchObject({ status: 'succeeded' });
    expect(await standing(database.db, attemptId)).toEqual({ attempt: 'succeeded', premium: 'paid', payments: 1 });
  });
});
