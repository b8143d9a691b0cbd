import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayCallbackReceiver, type GatewayCallbackReceiver } from '../../application/gateway-callbacks';
import type { AppliedOutcome } from '../../application/bank-results';
import { maskNumber } from '../../domain/masking';
import { GatewayBank } from '../../integrations/bank/gateway/gateway-bank';
import { GZELINK_VERSION, HEADER, TRX_CODE } from '../../integrations/bank/gateway/gzelink-codes';
import { contentTypeOf, encodeXml, writeReply, type RetDetail } from '../../integrations/bank/gateway/gzelink-messages';
import { gatewayRefOf, SINGLE_ITEM_SN } from '../../integrations/bank/gateway/item-locator';
import { signMessage } from '../../integrations/bank/gateway/signing';
import { SIMULATOR_DEFAULTS } from '../../integrations/bank/simulator/http-server';
import { freshDatabase, type TestDatabase } from '../support/database';
import { countingClient, rejections, seedAcceptedDebit, standing } from './bank-attempts';

/**
 * Issue 14: an unsigned RESULT callback with the right E_USER_CODE and RET_CODE 0000 settled the
 * debit as paid. Now a callback is believed only when signed with the gateway's key, and only about
 * a debit we sent, as we sent it: anything else is answered 401 / 422, recorded, and changes nothing.
 */
let database: TestDatabase;
let receiver: GatewayCallbackReceiver;
const { client, signals } = countingClient();
const applied: AppliedOutcome[] = [];
const KEY = SIMULATOR_DEFAULTS.signingKey;

beforeAll(async () => {
  database = await freshDatabase();
  const classify = (code: string) => new GatewayBank({ url: 'http://127.0.0.1:9/gateway', ...SIMULATOR_DEFAULTS }).classify(code);
  receiver = await startGatewayCallbackReceiver({ db: database.db, client, classify, signingKey: KEY, merchantId: SIMULATOR_DEFAULTS.merchantId, onApplied: (a) => applied.push(...a) });
});

afterAll(async () => {
  await receiver?.close();
  await database?.drop();
});

beforeEach(() => {
  signals.length = 0;
  applied.length = 0;
});

let serial = 0;
/** A RESULT callback saying the debit was collected, as the gateway writes it (or as someone forges it). */
function resultCallback(key: string, detail: Partial<RetDetail> = {}, options: { merchantId?: string; reqSn?: string } = {}): string {
  serial += 1;
  const reqSn = options.reqSn ?? key;
  return writeReply(
    {
      info: { trxCode: TRX_CODE.QUERY, version: GZELINK_VERSION, dataType: '2', level: '5', userName: SIMULATOR_DEFAULTS.userName, userPass: '', reqSn: `N${serial}`, retCode: HEADER.ACCEPTED, errMsg: '', notifyType: 'RESULT', signedMsg: '' },
      querySn: reqSn,
      merchantId: options.merchantId ?? SIMULATOR_DEFAULTS.merchantId,
      details: [{ sn: SINGLE_ITEM_SN, eUserCode: key, accountNo: '', amount: '', settDate: '20261224', retCode: '0000', errMsg: '处理成功', ...detail }],
    },
    'GBK',
  );
}

async function post(xml: string): Promise<{ status: number; body: string }> {
  const response = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': contentTypeOf('GBK') }, body: encodeXml(xml, 'GBK') });
  return { status: response.status, body: await response.text() };
}

let policies = 0;
async function acceptedDebit() {
  policies += 1;
  const n = String(policies).padStart(4, '0');
  return seedAcceptedDebit(
    database.db,
    { policyNo: `P-CBSEC-${n}`, holderIdNo: `31010119800105${n}`, holderMobile: `1391234${n}`, accountNo: `62220200001${n}7777`, premiumFen: 260_000 },
    (key) => gatewayRefOf({ reqSn: key, sn: SINGLE_ITEM_SN }),
  );
}

describe('gateway callbacks the receiver refuses', () => {
  it('unsigned, or signed with another key: 401, recorded, the debit untouched', async () => {
    const { policy, attempt } = await acceptedDebit();
    const genuine = { accountNo: maskNumber(policy.accountNo), amount: String(policy.premiumFen) };
    const before = await standing(database.db, attempt.id);
    expect(before).toEqual({ attempt: 'accepted', premium: 'due', payments: 0 });

    const unsigned = await post(resultCallback(attempt.idempotency_key, genuine));
    const forged = await post(signMessage(resultCallback(attempt.idempotency_key, genuine), 'a-key-the-bank-never-had'));
    for (const answer of [unsigned, forged]) {
      expect(answer).toEqual({ status: 401, body: 'rejected (authentication): SIGNED_MSG is missing or does not match' });
    }
    expect(await standing(database.db, attempt.id)).toEqual(before);
    expect(signals).toEqual([]);
    expect((await rejections(database.db)).slice(-2)).toEqual([
      { actor: 'gateway:callback', detail: { reason: 'authentication', problems: ['SIGNED_MSG is missing or does not match'] } },
      { actor: 'gateway:callback', detail: { reason: 'authentication', problems: ['SIGNED_MSG is missing or does not match'] } },
    ]);
  });

  it.each([
    ['another amount', (p: { premiumFen: number }) => ({ amount: String(p.premiumFen - 1) }), /item 1 \(RNW[0-9A-Z]{26}\): amount 2599.99 is not the 2600.00 debited/],
    ['another account', () => ({ accountNo: '621700******0001' }), /item 1 \(RNW[0-9A-Z]{26}\): the debtor account is not the one debited/],
  ])('correctly signed but for %s: 422 with the reason, recorded, the debit untouched', async (_what, change, reason) => {
    const { policy, attempt } = await acceptedDebit();
    const before = await standing(database.db, attempt.id);
    const answer = await post(signMessage(resultCallback(attempt.idempotency_key, { accountNo: maskNumber(policy.accountNo), amount: String(policy.premiumFen), ...change(policy) }), KEY));
    expect(answer.status).toBe(422);
    expect(answer.body).toMatch(reason);
    expect(await standing(database.db, attempt.id)).toEqual(before);
    expect(signals).toEqual([]);
    const [last] = (await rejections(database.db)).slice(-1);
    expect(last).toMatchObject({ actor: 'gateway:callback', detail: { reason: 'mismatch' } });
    expect(last!.detail.problems.join()).toMatch(reason);
    // Neither the account (in full or masked) nor the holder is named in the answer or the record.
    for (const text of [answer.body, JSON.stringify(last)]) {
      for (const personal of [policy.accountNo, maskNumber(policy.accountNo), '621700******0001', policy.accountName, policy.holderName]) expect(text).not.toContain(personal);
    }
  });

  it('a guessed key, another merchant or another batch item: 422, nothing applied', async () => {
    const { policy, attempt } = await acceptedDebit();
    const genuine = { accountNo: maskNumber(policy.accountNo), amount: String(policy.premiumFen) };
    const guessed = await post(signMessage(resultCallback('RNW1A1', genuine), KEY));
    expect(guessed).toEqual({ status: 422, body: 'rejected (mismatch): item 1: not a debit of ours' });
    const otherMerchant = await post(signMessage(resultCallback(attempt.idempotency_key, genuine, { merchantId: 'SOMEONE-ELSE' }), KEY));
    expect(otherMerchant).toEqual({ status: 422, body: 'rejected (mismatch): MERCHANT_ID is not ours' });
    const otherBatch = await post(signMessage(resultCallback(attempt.idempotency_key, genuine, { reqSn: 'BATCH-X' }), KEY));
    expect(otherBatch).toEqual({ status: 422, body: `rejected (mismatch): item 1 (${attempt.idempotency_key}): not the batch item the debit was sent as` });
    expect(await standing(database.db, attempt.id)).toEqual({ attempt: 'accepted', premium: 'due', payments: 0 });
    expect(applied).toEqual([]);
  });

  it('the genuine callback, signed and matching, is applied (so the refusals above are not for want of trying)', async () => {
    const { policy, attempt } = await acceptedDebit();
    const answer = await post(signMessage(resultCallback(attempt.idempotency_key, { accountNo: maskNumber(policy.accountNo), amount: String(policy.premiumFen) }), KEY));
    expect(answer).toEqual({ status: 200, body: 'OK' });
    expect(await standing(database.db, attempt.id)).toEqual({ attempt: 'succeeded', premium: 'paid', payments: 1 });
    expect(applied).toEqual([expect.objectContaining({ idempotencyKey: attempt.idempotency_key, outcome: 'succeeded', appliedAs: 'applied' })]);
    expect(signals).toHaveLength(1);
  });

  it('the receiver does not start without the signing key', async () => {
    await expect(startGatewayCallbackReceiver({ db: database.db, client, classify: () => ({}) as never, signingKey: '', merchantId: 'INSURER01' })).rejects.toThrow(/needs the gateway signing key/);
  });
});
