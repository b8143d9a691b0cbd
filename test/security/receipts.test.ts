import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiptIntake } from '../../application/receipt-intake';
import { PiiCipher } from '../../db/pii-cipher';
import { verifyAuditChain } from '../../db/repositories/audit';
import { recordReceipts } from '../../db/repositories/contact-receipts';
import { markContactSent, openContactAttempt } from '../../db/repositories/contacts';
import { RECEIPT_PATHS, receiptPushUrl } from '../../integrations/messaging/receipt-paths';
import type { RunningReceiptServer } from '../../integrations/messaging/receipt-server';
import { SIMULATOR_RECEIPT_SECRETS } from '../../integrations/messaging/simulators/receipt-secrets';
import { signedPush } from '../../integrations/messaging/simulators/wechat-simulator';
import { ALIBABA_PROVIDER } from '../../integrations/messaging/sms/alibaba-sms';
import { chinaWallClock } from '../../integrations/messaging/sms/china-time';
import { TENCENT_PROVIDER } from '../../integrations/messaging/sms/tencent-sms';
import { wechatMessageSignature } from '../../integrations/messaging/wechat/message-crypto';
import { WECHAT_PROVIDER } from '../../integrations/messaging/wechat/wechat-client';
import { startMessagingSimulators } from '../../scripts/messaging-simulators';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * Issue 14 item 2: Alibaba and Tencent receipts were accepted unchecked and WeChat's check was
 * optional, ageless and blind to the body, so a forged receipt could turn a failed lapse notice into
 * "delivered". Now every push is authenticated as its provider's: a forged one gets 401, a stale one
 * 403; either is an audit row (receipt_rejected) and changes nothing. The genuine push is accepted.
 */
const ALIBABA_TOKEN = 'alibaba-push-token-0123456789abcdefABCDEF';
const TENCENT_TOKEN = 'tencent-push-token-0123456789abcdefABCDEF';
const WECHAT = { serverToken: 'insurerServerToken', encodingAesKey: 'InsurerEncodingAesKey0123456789abcdefghijkl', appId: 'wx3f9a2b7c1d4e5f60' };
const OPENID = 'oRnw5t0Xy8Qe2LkJm9PaZc3Vb1Hd';
const SECRETS = [ALIBABA_TOKEN, TENCENT_TOKEN, WECHAT.serverToken, WECHAT.encodingAesKey];

let database: TestDatabase;
let server: RunningReceiptServer;
const logged: string[] = [];

/** One failed lapse notice per provider: the provider reported it undelivered ten minutes ago. */
const NOTICES = {
  alibaba: { id: '5a1b0c2d-0000-4000-8000-000000000001', provider: ALIBABA_PROVIDER, messageId: 'BIZ-LAPSE-1', channel: 'sms' },
  tencent: { id: '5a1b0c2d-0000-4000-8000-000000000002', provider: TENCENT_PROVIDER, messageId: 'SID-LAPSE-2', channel: 'sms' },
  wechat: { id: '5a1b0c2d-0000-4000-8000-000000000003', provider: WECHAT_PROVIDER, messageId: '2000000003', channel: 'wechat' },
} as const;
type Provider = keyof typeof NOTICES;

beforeAll(async () => {
  database = await freshDatabase();
  const db = database.db;
  await seedPolicy(db, new PiiCipher('44'.repeat(32)), samplePolicy());
  const failedAt = new Date(Date.now() - 10 * 60_000);
  for (const [name, notice] of Object.entries(NOTICES)) {
    await openContactAttempt(db, {
      id: notice.id,
      policyNo: 'P202600001',
      dueDate: '2026-12-24',
      step: 'lapse_sms_d+61',
      channel: notice.channel,
      templateCode: 'lapse_notice',
      templateVersion: 1,
      recipientMasked: '138****8000',
      workflowId: `renewal-P202600001-2026-12-24-${name}`,
      runId: 'run-1',
      activityId: '9',
      plannedAt: failedAt,
    });
    await markContactSent(db, notice.id, notice.provider, notice.messageId, new Date(failedAt.getTime() - 1_000));
    await recordReceipts(db, [{ provider: notice.provider, contactId: notice.id, providerMessageId: notice.messageId, delivered: false, code: 'MK:0001', at: failedAt }]);
  }
  server = await startReceiptIntake({
    db,
    credentials: { alibaba: { pushToken: ALIBABA_TOKEN }, tencent: { pushToken: TENCENT_TOKEN }, wechat: WECHAT },
    onError: (error, endpoint) => logged.push(`${endpoint} ${error.message}`),
  });
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

/** What a receipt could change: the notice's status and the receipts stored for it. */
async function standing(provider: Provider): Promise<{ status: string; receipts: number }> {
  const db = database.db;
  const attempt = await db('contact_attempts').where({ id: NOTICES[provider].id }).first<{ status: string }>('status');
  const receipts = await db('contact_receipts').where({ provider_message_id: NOTICES[provider].messageId }).count<{ n: string }[]>({ n: '*' });
  return { status: attempt.status, receipts: Number(receipts[0]!.n) };
}

async function refusals(provider: Provider): Promise<{ reason: string; problem: string }[]> {
  const rows = await database.db('audit_events').where({ kind: 'receipt_rejected', actor: `receipts:${NOTICES[provider].provider}` }).orderBy('seq').select<{ detail: unknown }[]>('detail');
  return rows.map((row) => (typeof row.detail === 'string' ? JSON.parse(row.detail) : row.detail) as { reason: string; problem: string });
}

const FAILED = { status: 'failed', receipts: 1 };

/** The SmsReport a forger would send: the lapse notice "delivered", now. */
const alibabaDelivered = () =>
  JSON.stringify([
    { phone_number: '13800138000', send_time: chinaWallClock(new Date()), report_time: chinaWallClock(new Date()), success: true, err_code: 'DELIVERED', err_msg: '用户接收成功', sms_size: '1', biz_id: NOTICES.alibaba.messageId, out_id: NOTICES.alibaba.id },
  ]);
const tencentDelivered = () =>
  JSON.stringify([{ user_receive_time: chinaWallClock(new Date()), nationcode: '86', mobile: '13800138000', report_status: 'SUCCESS', errmsg: 'DELIVRD', description: '用户短信送达成功', sid: NOTICES.tencent.messageId }]);

const post = async (url: string, body: string, contentType = 'application/json') => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, body: await response.text() };
};

describe('an Alibaba SmsReport push', () => {
  it('without the push token in its URL is refused 401, recorded, and the failed lapse notice stays failed', async () => {
    expect((await post(`${server.url}${RECEIPT_PATHS.alibaba}`, alibabaDelivered())).status).toBe(401);
    expect(await standing('alibaba')).toEqual(FAILED);
    expect(await refusals('alibaba')).toEqual([{ reason: 'authentication', problem: 'the push URL carries no token' }]);
  });

  it('with a wrong token (or another provider’s) is refused 401 and changes nothing', async () => {
    for (const token of ['alibaba-push-token-0123456789abcdefABCDEX', TENCENT_TOKEN, 'x']) {
      expect((await post(receiptPushUrl(server.url, 'alibaba', token), alibabaDelivered())).status).toBe(401);
    }
    expect(await standing('alibaba')).toEqual(FAILED);
    expect((await refusals('alibaba')).slice(1)).toEqual(Array(3).fill({ reason: 'authentication', problem: 'the push URL token does not match' }));
  });

  it('with the token is believed: the same report now marks the notice delivered', async () => {
    expect(await post(receiptPushUrl(server.url, 'alibaba', ALIBABA_TOKEN), alibabaDelivered())).toEqual({ status: 200, body: JSON.stringify({ code: 0, msg: '接收成功' }) });
    expect(await standing('alibaba')).toEqual({ status: 'delivered', receipts: 2 });
  });
});

describe('a Tencent status callback', () => {
  it('without or with a wrong token is refused 401, recorded, and the failed lapse notice stays failed', async () => {
    expect((await post(`${server.url}${RECEIPT_PATHS.tencent}`, tencentDelivered())).status).toBe(401);
    expect((await post(receiptPushUrl(server.url, 'tencent', ALIBABA_TOKEN), tencentDelivered())).status).toBe(401);
    expect(await standing('tencent')).toEqual(FAILED);
    expect((await refusals('tencent')).map((r) => r.reason)).toEqual(['authentication', 'authentication']);
  });

  it('with the token is believed', async () => {
    expect((await post(receiptPushUrl(server.url, 'tencent', TENCENT_TOKEN), tencentDelivered())).status).toBe(200);
    expect(await standing('tencent')).toEqual({ status: 'delivered', receipts: 2 });
  });
});

describe('a WeChat TEMPLATESENDJOBFINISH push', () => {
  const event = (status: string) =>
    `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[${OPENID}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>` +
    `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>${NOTICES.wechat.messageId}</MsgID><Status><![CDATA[${status}]]></Status></xml>`;
  /** Encrypted and signed in safe mode with the account's keys (or someone else's), at a given moment. */
  const push = (status: string, options: { now?: Date; keys?: typeof WECHAT } = {}) =>
    signedPush(`${server.url}${RECEIPT_PATHS.wechat}`, event(status), { ...(options.keys ?? WECHAT), accountId: 'gh_1', openid: OPENID, now: options.now ?? new Date() });
  const send = (request: { url: string; body: string }) => post(request.url, request.body, 'text/xml');

  it('with a wrong msg_signature is refused 401 and the failed lapse notice stays failed', async () => {
    const genuine = push('success');
    const url = new URL(genuine.url);
    url.searchParams.set('msg_signature', wechatMessageSignature('notTheToken', url.searchParams.get('timestamp')!, url.searchParams.get('nonce')!, 'x'));
    expect((await send({ url: url.toString(), body: genuine.body })).status).toBe(401);
    // Signed and encrypted with keys that are not the account's.
    expect((await send(push('success', { keys: { ...WECHAT, serverToken: 'forgerToken' } }))).status).toBe(401);
    expect((await send(push('success', { keys: { ...WECHAT, encodingAesKey: 'F'.repeat(43) } }))).status).toBe(401);
    // The old, plain signature alone no longer lets a body in.
    const plain = new URL(genuine.url);
    plain.searchParams.delete('msg_signature');
    plain.searchParams.delete('encrypt_type');
    expect((await send({ url: plain.toString(), body: event('success') })).status).toBe(401);
    expect(await standing('wechat')).toEqual(FAILED);
    expect((await refusals('wechat')).map((r) => r.reason)).toEqual(['authentication', 'authentication', 'authentication', 'authentication']);
  });

  it('whose body was altered after signing is refused 401 and changes nothing', async () => {
    const signedForFailure = push('failed:user block');
    const deliveredBody = push('success').body;
    expect((await send({ url: signedForFailure.url, body: deliveredBody })).status).toBe(401);
    expect(await standing('wechat')).toEqual(FAILED);
    expect((await refusals('wechat')).at(-1)).toEqual({ reason: 'authentication', problem: 'msg_signature does not match the token, timestamp, nonce and body' });
  });

  it('older than 5 minutes (stale or replayed) is refused 403, recorded as stale, and changes nothing', async () => {
    const stale = await send(push('success', { now: new Date(Date.now() - 6 * 60_000) }));
    expect(stale.status).toBe(403);
    expect((await send(push('success', { now: new Date(Date.now() + 6 * 60_000) }))).status).toBe(403);
    expect(await standing('wechat')).toEqual(FAILED);
    expect((await refusals('wechat')).slice(-2).map((r) => r.reason)).toEqual(['stale', 'stale']);
  });

  it('signed, encrypted and fresh is believed', async () => {
    expect(await send(push('success'))).toEqual({ status: 200, body: 'success' });
    expect(await standing('wechat')).toEqual({ status: 'delivered', receipts: 2 });
  });
});

describe('the receipt secrets', () => {
  it('never appear in a refusal, the audit trail or the log lines, and the audit chain holds', async () => {
    const audit = JSON.stringify(await database.db('audit_events').where({ kind: 'receipt_rejected' }).select('actor', 'detail'));
    expect(logged.length).toBeGreaterThan(0);
    for (const secret of SECRETS) {
      expect(audit).not.toContain(secret);
      expect(logged.join('\n')).not.toContain(secret);
    }
    expect(logged.join('\n')).toContain('/receipts/alibaba/***');
    expect(audit).not.toContain('13800138000');
    expect(audit).not.toContain(OPENID);
    expect((await verifyAuditChain(database.db)).firstBreak).toBeUndefined();
  });

  it('are not printed by the stack: the receipt URL it shows has the push token redacted', async () => {
    const messaging = await startMessagingSimulators(() => Promise.resolve());
    try {
      expect(messaging.urls.receipts).toContain('/receipts/alibaba/***');
      expect(messaging.urls.receipts).not.toContain(SIMULATOR_RECEIPT_SECRETS.alibabaPushToken);
      expect(JSON.stringify(messaging.env)).not.toContain(SIMULATOR_RECEIPT_SECRETS.alibabaPushToken);
    } finally {
      await messaging.close();
    }
  });

  it('are required: a receipt server without them, or with a malformed one, does not start', async () => {
    await expect(startReceiptIntake({ db: database.db, credentials: {} })).rejects.toThrow('the receipt server needs the credentials of at least one provider');
    await expect(startReceiptIntake({ db: database.db, credentials: { alibaba: { pushToken: 'short' } } })).rejects.toThrow(/^the Alibaba push token must be 32 to 256 characters/);
    await expect(startReceiptIntake({ db: database.db, credentials: { wechat: { ...WECHAT, encodingAesKey: 'too-short' } } })).rejects.toThrow(/^the WeChat EncodingAESKey must be the 43 letters/);
  });
});
