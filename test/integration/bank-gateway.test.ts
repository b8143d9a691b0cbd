import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayBank } from '../../integrations/bank/gateway/gateway-bank';
import { HEADER, TRX_CODE } from '../../integrations/bank/gateway/gzelink-codes';
import { contentTypeOf, encodeXml, decodeXml, readReply, writeCollectRequest, type CollectRequest } from '../../integrations/bank/gateway/gzelink-messages';
import { parseGatewayNotice, type GatewayNotice } from '../../integrations/bank/gateway/notices';
import { signMessage } from '../../integrations/bank/gateway/signing';
import type { DebitInstruction } from '../../integrations/bank/port';
import { startBankSimulator, type RunningBankSimulator } from '../../integrations/bank/simulator/http-server';

/*
 * The adapter against the simulator as a real HTTP service: every exchange is GZELINK XML in GBK
 * over a socket, and the tests drive and read the bank only through its /sim admin endpoints.
 */

const FIXTURES = join(__dirname, '..', 'fixtures', 'bank');
const CREDENTIALS = { merchantId: 'INSURER01', userName: 'renewals', userPass: 'secret-pass' };
const SIGNING_KEY = 'test-signing-key';

let sim: RunningBankSimulator;
let bank: GatewayBank;

async function admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function ledger(key: string): Promise<{ entries: { outcome: string; amountFen: number; channel: string }[]; debited: number }> {
  return admin('GET', `/sim/ledger?key=${encodeURIComponent(key)}`);
}

let serial = 0;
function instruction(overrides: Partial<DebitInstruction> = {}): DebitInstruction {
  serial += 1;
  return {
    idempotencyKey: `RNW${7000 + serial}A1`,
    bankCode: 'ICBC',
    accountNo: '6222020200001111',
    accountName: '王建国',
    amountFen: 1_234_500,
    collectionDate: '2026-03-16',
    ...overrides,
  };
}

function gatewayBank(timeoutMs = 2_000): GatewayBank {
  return new GatewayBank({ url: sim.gatewayUrl, ...CREDENTIALS, signingKey: SIGNING_KEY, timeoutMs });
}

beforeAll(async () => {
  // Results wait for POST /sim/process, so "still processing" is a state the tests control.
  sim = await startBankSimulator({ ...CREDENTIALS, signingKey: SIGNING_KEY, processingDelayMs: 600_000 });
  bank = gatewayBank();
});

afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  await admin('POST', '/sim/reset');
  const loaded = await admin<{ loaded: number; errors: unknown[] }>('POST', '/sim/accounts', { csv: readFileSync(join(FIXTURES, 'accounts.csv'), 'utf8') });
  expect(loaded).toEqual({ loaded: 12, errors: [] });
});

describe('GatewayBank over HTTP against the simulated gateway', () => {
  it('accepted → query says still processing → query gives the final result; one debit on the ledger', async () => {
    const debit = instruction();
    const answer = await bank.submitDebit(debit);
    expect(answer).toEqual({ status: 'accepted', bankRef: `${debit.idempotencyKey}/0001` });

    expect(await bank.queryDebit(debit.idempotencyKey)).toEqual({ status: 'accepted', bankRef: `${debit.idempotencyKey}/0001` });
    expect((await ledger(debit.idempotencyKey)).entries).toEqual([]);

    await admin('POST', '/sim/process');
    expect(await bank.queryDebit(debit.idempotencyKey)).toEqual({ status: 'succeeded', bankRef: `${debit.idempotencyKey}/0001` });
    const booked = await ledger(debit.idempotencyKey);
    expect(booked.debited).toBe(1);
    expect(booked.entries[0]).toMatchObject({ outcome: 'debited', amountFen: 1_234_500, channel: 'gateway' });
    const view = await admin<{ balanceFen: number }>('GET', '/sim/accounts/ICBC/6222020200001111');
    expect(view.balanceFen).toBe(3_000_000 - 1_234_500);
  });

  it('a refused item comes back with its UnionPay code, classified', async () => {
    const short = instruction({ accountNo: '6222020200002222', accountName: '李秀英', amountFen: 150_001 });
    const lost = instruction({ bankCode: 'BOC', accountNo: '6013820010008888', accountName: '周杰', amountFen: 100 });
    expect((await bank.submitDebit(short)).status).toBe('accepted');
    expect((await bank.submitDebit(lost)).status).toBe('accepted');
    await admin('POST', '/sim/process');
    const failed = await bank.queryDebit(short.idempotencyKey);
    expect(failed).toEqual({ status: 'failed', rawCode: '51', bankRef: `${short.idempotencyKey}/0001` });
    expect(bank.classify('51')).toMatchObject({ reason: 'INSUFFICIENT_FUNDS', retryable: true, customerFault: true, rawCode: 'UP:51' });
    expect(await bank.queryDebit(lost.idempotencyKey)).toMatchObject({ status: 'failed', rawCode: '41' });
    expect(bank.classify('41').reason).toBe('CARD_LOST');
    expect((await ledger(short.idempotencyKey)).entries).toEqual([expect.objectContaining({ outcome: 'rejected' })]);
  });

  it('a deposit dated on the collection date counts for a gateway debit (the business day is SUBMIT_TIME\'s)', async () => {
    const early = instruction({ accountNo: '6222020200002222', accountName: '李秀英', amountFen: 300_000, collectionDate: '2026-03-20' });
    await admin('POST', '/sim/deposits', { bankCode: 'ICBC', accountNo: '6222020200002222', amountFen: 200_000, valueDate: '2026-03-20' });
    await admin('POST', '/sim/deposits', { bankCode: 'ICBC', accountNo: '6222020200002222', amountFen: 900_000, valueDate: '2026-03-21' });
    await bank.submitDebit(early);
    await admin('POST', '/sim/process');
    expect((await bank.queryDebit(early.idempotencyKey)).status).toBe('succeeded');
    const view = await admin<{ balanceFen: number }>('GET', '/sim/accounts/ICBC/6222020200002222');
    expect(view.balanceFen).toBe(150_000 + 200_000 - 300_000);
  });

  it('a timeout after the gateway booked the batch: unknown, the query finds it, a resend is deduplicated; one debit', async () => {
    const impatient = gatewayBank(300);
    const debit = instruction();
    await admin('PUT', '/sim/faults', { timeouts: { count: 1, booked: true } });
    expect(await impatient.submitDebit(debit)).toEqual({ status: 'unknown', rawCode: 'TIMEOUT' });
    expect(bank.classify('TIMEOUT')).toMatchObject({ reason: 'TIMEOUT', customerFault: false, queryFirst: true });

    expect((await impatient.queryDebit(debit.idempotencyKey)).status).toBe('accepted');
    await admin('POST', '/sim/process');
    expect(await impatient.queryDebit(debit.idempotencyKey)).toMatchObject({ status: 'succeeded' });
    // A caller that sends again anyway is told the REQ_SN is taken (1102) and gets the known result.
    expect(await impatient.submitDebit(debit)).toMatchObject({ status: 'succeeded' });
    expect((await ledger(debit.idempotencyKey)).debited).toBe(1);
  });

  it('a timeout before the gateway got the request: unknown, the query finds nothing, a resend under the same key is booked once', async () => {
    const impatient = gatewayBank(300);
    const debit = instruction();
    await admin('PUT', '/sim/faults', { timeouts: { count: 1, booked: false } });
    expect((await impatient.submitDebit(debit)).status).toBe('unknown');
    expect(await impatient.queryDebit(debit.idempotencyKey)).toEqual({ status: 'not_found' });
    expect(await impatient.submitDebit(debit)).toEqual({ status: 'accepted', bankRef: `${debit.idempotencyKey}/0001` });
    await admin('POST', '/sim/process');
    expect((await ledger(debit.idempotencyKey)).debited).toBe(1);
  });

  it('an outage (HTTP 503) is unknown for submissions and queries alike, and books nothing', async () => {
    const debit = instruction();
    await admin('PUT', '/sim/faults', { outage: true });
    expect(await bank.submitDebit(debit)).toEqual({ status: 'unknown', rawCode: 'HTTP_503' });
    expect(await bank.queryDebit(debit.idempotencyKey)).toEqual({ status: 'unknown', rawCode: 'HTTP_503' });
    await admin('PUT', '/sim/faults', { outage: false });
    expect(await bank.queryDebit(debit.idempotencyKey)).toEqual({ status: 'not_found' });
    expect((await ledger(debit.idempotencyKey)).entries).toEqual([]);
  });

  it('an "unknown" answer (2000) on a booked batch: unknown, then found by query', async () => {
    const debit = instruction();
    await admin('PUT', '/sim/faults', { unknownAnswers: 1 });
    expect(await bank.submitDebit(debit)).toEqual({ status: 'unknown', rawCode: '2000' });
    expect(bank.classify('2000')).toMatchObject({ reason: 'UNKNOWN', queryFirst: true, customerFault: false });
    await admin('POST', '/sim/process');
    expect((await bank.queryDebit(debit.idempotencyKey)).status).toBe('succeeded');
    expect((await ledger(debit.idempotencyKey)).debited).toBe(1);
  });

  it('latency beyond the client timeout is unknown, never an error', async () => {
    await admin('PUT', '/sim/faults', { latencyMs: 800 });
    expect(await gatewayBank(200).queryDebit('RNW1A1')).toEqual({ status: 'unknown', rawCode: 'TIMEOUT' });
  });

  it('a batch: item keys map to REQ_SN + SN and each is queryable on its own', async () => {
    const first = instruction();
    const second = instruction({ accountNo: '6222020200002222', accountName: '李秀英', amountFen: 999_999 });
    const answer = await bank.submitBatch('BATCH20260316A', [first, second]);
    expect(answer).toEqual({
      status: 'accepted',
      reqSn: 'BATCH20260316A',
      alreadySubmitted: false,
      items: [
        { idempotencyKey: first.idempotencyKey, bankRef: 'BATCH20260316A/0001' },
        { idempotencyKey: second.idempotencyKey, bankRef: 'BATCH20260316A/0002' },
      ],
    });
    await admin('POST', '/sim/process');
    expect(await bank.queryDebit(first.idempotencyKey)).toEqual({ status: 'succeeded', bankRef: 'BATCH20260316A/0001' });
    expect(await bank.queryDebit(second.idempotencyKey)).toEqual({ status: 'failed', rawCode: '51', bankRef: 'BATCH20260316A/0002' });
    const batch = await bank.queryBatch('BATCH20260316A');
    expect(batch.status === 'found' && batch.items.map((i) => i.idempotencyKey)).toEqual([first.idempotencyKey, second.idempotencyKey]);
    // Sent again: the gateway knows the REQ_SN; nothing more is debited.
    expect(await bank.submitBatch('BATCH20260316A', [first, second])).toMatchObject({ status: 'accepted', alreadySubmitted: true });
    expect((await ledger(first.idempotencyKey)).debited).toBe(1);
  });
});

describe('the gateway refuses bad packages as a whole', () => {
  async function post(request: CollectRequest, signingKey = SIGNING_KEY): Promise<{ retCode: string; errMsg: string }> {
    const xml = signMessage(writeCollectRequest(request), signingKey);
    const response = await fetch(sim.gatewayUrl, { method: 'POST', headers: { 'content-type': contentTypeOf('GBK') }, body: encodeXml(xml, 'GBK') });
    const reply = readReply(decodeXml(Buffer.from(await response.arrayBuffer()), response.headers.get('content-type')).xml);
    return { retCode: reply.info.retCode ?? '', errMsg: reply.info.errMsg ?? '' };
  }

  function packageOf(reqSn: string, totals: { totalItem: string; totalSum: string }, amounts = ['100000', '200000']): CollectRequest {
    return {
      info: { trxCode: TRX_CODE.BATCH_COLLECT, version: '05', dataType: '2', level: '5', userName: CREDENTIALS.userName, userPass: CREDENTIALS.userPass, reqSn, signedMsg: '' },
      sum: { businessCode: '14900', merchantId: CREDENTIALS.merchantId, submitTime: '20260316093000', ...totals },
      details: amounts.map((amount, index) => ({
        sn: String(index + 1).padStart(4, '0'),
        eUserCode: `${reqSn}-${index + 1}`,
        bankCode: 'ICBC',
        accountType: '00',
        accountNo: '6222020200001111',
        accountName: '王建国',
        amount,
        remark: '',
      })),
    };
  }

  it('TOTAL_SUM that is not the sum of the items: 1103, nothing booked, nothing to query', async () => {
    expect(await post(packageOf('PKG-SUM', { totalItem: '2', totalSum: '300001' }))).toMatchObject({ retCode: HEADER.SUM_MISMATCH });
    expect(await bank.queryBatch('PKG-SUM')).toEqual({ status: 'not_found' });
    await admin('POST', '/sim/process');
    expect((await admin<{ entries: unknown[] }>('GET', '/sim/ledger')).entries).toEqual([]);
  });

  it('TOTAL_ITEM that is not the number of items: 1104; a bad amount: 1101; a repeated SN: 1102; a bad signature: 1106', async () => {
    expect((await post(packageOf('PKG-COUNT', { totalItem: '3', totalSum: '300000' }))).retCode).toBe(HEADER.COUNT_MISMATCH);
    expect((await post(packageOf('PKG-AMOUNT', { totalItem: '2', totalSum: '300000' }, ['100000.5', '200000']))).retCode).toBe(HEADER.AMOUNT_FORMAT);
    const repeated = packageOf('PKG-SN', { totalItem: '2', totalSum: '300000' });
    repeated.details[1] = { ...repeated.details[1]!, sn: '0001' };
    expect((await post(repeated)).retCode).toBe(HEADER.DUPLICATE_SN);
    expect((await post(packageOf('PKG-SIG', { totalItem: '2', totalSum: '300000' }), 'wrong-key')).retCode).toBe(HEADER.SIGNATURE_ERROR);
    expect((await post(packageOf('PKG-OK', { totalItem: '2', totalSum: '300000' }))).retCode).toBe(HEADER.ACCEPTED);
  });

  it('the adapter maps a refused package to failed with the header code', async () => {
    const wrongMerchant = new GatewayBank({ url: sim.gatewayUrl, ...CREDENTIALS, merchantId: 'SOMEONE-ELSE', signingKey: SIGNING_KEY });
    expect(await wrongMerchant.submitDebit(instruction())).toEqual({ status: 'failed', rawCode: HEADER.MERCHANT_ERROR });
    expect(bank.classify(HEADER.MERCHANT_ERROR)).toMatchObject({ reason: 'BANK_ERROR', customerFault: false });
  });
});

describe('callbacks', () => {
  let receiver: Server;
  let receiverUrl: string;
  const notices: GatewayNotice[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        notices.push(parseGatewayNotice(Buffer.concat(chunks), req.headers['content-type'], SIGNING_KEY));
        res.writeHead(200).end('OK');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/bank-callback`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('posts the results when they are ready, and a return notice when a debit is paid back', async () => {
    notices.length = 0;
    await admin('PUT', '/sim/config', { callbackUrl: receiverUrl, processingDelayMs: 50 });
    try {
      const debit = instruction();
      expect((await bank.submitDebit(debit)).status).toBe('accepted');
      await expect.poll(() => notices.length, { timeout: 5_000 }).toBe(1);
      expect(notices[0]).toEqual({
        kind: 'RESULT',
        reqSn: debit.idempotencyKey,
        items: [{ sn: '0001', idempotencyKey: debit.idempotencyKey, answer: { status: 'succeeded', bankRef: `${debit.idempotencyKey}/0001` } }],
      });

      await admin('POST', '/sim/returns', { idempotencyKey: debit.idempotencyKey, reasonCode: 'MD06', onDate: '2026-04-10' });
      await expect.poll(() => notices.length, { timeout: 5_000 }).toBe(2);
      expect(notices[1]).toEqual({
        kind: 'RETURN',
        reqSn: debit.idempotencyKey,
        items: [{ sn: '0001', idempotencyKey: debit.idempotencyKey, rawCode: 'MD06', amountFen: 1_234_500, returnedOn: '2026-04-10' }],
      });
      const deliveries = await admin<{ deliveries: { kind: string; delivered: boolean; attempts: number }[] }>('GET', '/sim/callbacks');
      expect(deliveries.deliveries).toEqual([
        expect.objectContaining({ kind: 'RESULT', delivered: true, attempts: 1 }),
        expect.objectContaining({ kind: 'RETURN', delivered: true, attempts: 1 }),
      ]);
      const returns = await admin<{ returns: { idempotencyKey: string; accountNo: string }[] }>('GET', '/sim/returns');
      expect(returns.returns).toEqual([expect.objectContaining({ idempotencyKey: debit.idempotencyKey, accountNo: '622202******1111' })]);
      const view = await admin<{ balanceFen: number }>('GET', '/sim/accounts/ICBC/6222020200001111');
      expect(view.balanceFen).toBe(3_000_000);
    } finally {
      await admin('PUT', '/sim/config', { callbackUrl: null, processingDelayMs: 600_000 });
    }
  });
});
