import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { classifyIsoReason } from '../../domain/debit-reasons';
import { parseAccountsCsv, readAccountsCsv } from '../../integrations/bank/accounts-csv';
import { SimulatedBank } from '../../integrations/bank/simulator';
import type { SimulatedAccount } from '../../integrations/bank/simulator/accounts';
import { BankCore, type DebitRequest } from '../../integrations/bank/simulator/core';

const FIXTURES = join(__dirname, '..', 'fixtures', 'bank');
const DAY = '2026-03-16';

function account(overrides: Partial<SimulatedAccount> = {}): SimulatedAccount {
  return { bankCode: 'ICBC', accountNo: '6222020200001111', accountName: '王建国', balanceFen: 1_000_000, status: 'active', ...overrides };
}

let keys = 0;
function debitOf(a: SimulatedAccount, overrides: Partial<DebitRequest> = {}): DebitRequest {
  keys += 1;
  return { idempotencyKey: `RNW${keys}A1`, bankCode: a.bankCode, accountNo: a.accountNo, accountName: a.accountName, amountFen: 600_000, collectionDate: DAY, ...overrides };
}

describe('simulated bank core: why a debit is refused', () => {
  it.each([
    ['closed', 'ACCOUNT_CLOSED', 'AC04', '14'],
    ['frozen', 'ACCOUNT_FROZEN', 'AC06', '62'],
    ['lost', 'CARD_LOST', 'AC06', '41'],
    ['dormant', 'DORMANT', 'AC06', '62'],
    ['expired', 'EXPIRED', 'AC06', '54'],
  ] as const)('a %s account: %s, %s in files, %s on the gateway; nothing taken', (status, refusal, iso, unionpay) => {
    const a = account({ status });
    const bank = new BankCore({ accounts: [a] });
    const viaFile = bank.debit(debitOf(a), 'iso', 'file');
    const viaGateway = bank.debit(debitOf(a), 'unionpay', 'gateway');
    expect(viaFile.entry).toMatchObject({ outcome: 'rejected', refusal, rawCode: iso });
    expect(viaGateway.entry).toMatchObject({ outcome: 'rejected', refusal, rawCode: unionpay });
    expect(bank.balanceOf(a.bankCode, a.accountNo)).toBe(1_000_000);
  });

  it('an unknown account number: AC01 / 14', () => {
    const bank = new BankCore({ accounts: [account()] });
    const stranger = account({ accountNo: '6222020200009999' });
    expect(bank.debit(debitOf(stranger), 'iso', 'file').entry).toMatchObject({ outcome: 'rejected', refusal: 'NO_SUCH_ACCOUNT', rawCode: 'AC01' });
    expect(bank.debit(debitOf(stranger), 'unionpay', 'gateway').entry.rawCode).toBe('14');
  });

  it('a holder name that does not match is refused (BE01), but spacing and Latin case are not a mismatch', () => {
    const a = account({ accountName: 'Li Na' });
    const bank = new BankCore({ accounts: [a] });
    expect(bank.debit(debitOf(a, { accountName: '李娜' }), 'iso', 'file').entry).toMatchObject({ refusal: 'NAME_MISMATCH', rawCode: 'BE01' });
    expect(classifyIsoReason('BE01').reason).toBe('NAME_MISMATCH');
    expect(bank.debit(debitOf(a, { accountName: ' LI  NA ', amountFen: 100 }), 'iso', 'file').entry.outcome).toBe('debited');
  });

  it('no mandate for our creditor, a revoked one, or one for another creditor: refused (MD01)', () => {
    const none = account({ accountNo: '6222020200000001', mandates: [] });
    const revoked = account({ accountNo: '6222020200000002', mandates: [{ mandateId: 'M-2', status: 'revoked' }] });
    const elsewhere = account({ accountNo: '6222020200000003', mandates: [{ creditorId: 'OTHER-INSURER', mandateId: 'M-3', status: 'active' }] });
    const bank = new BankCore({ creditorId: 'INSURER01', accounts: [none, revoked, elsewhere] });
    expect(bank.debit(debitOf(none), 'iso', 'file').entry).toMatchObject({ refusal: 'NO_MANDATE', rawCode: 'MD01' });
    expect(bank.debit(debitOf(revoked), 'unionpay', 'gateway').entry).toMatchObject({ refusal: 'MANDATE_REVOKED', rawCode: '57' });
    expect(bank.debit(debitOf(elsewhere), 'iso', 'file').entry.refusal).toBe('NO_MANDATE');
    // The other creditor may collect on its own mandate.
    expect(bank.debit(debitOf(elsewhere, { creditorId: 'OTHER-INSURER' }), 'iso', 'file').entry.outcome).toBe('debited');
  });

  it('a named mandate must be that one; re-authorising (a new active mandate) lets debits through again', () => {
    const a = account({ mandates: [{ mandateId: 'M-OLD', status: 'revoked' }] });
    const bank = new BankCore({ accounts: [a] });
    expect(bank.debit(debitOf(a, { mandateId: 'M-NEW' }), 'iso', 'file').entry.refusal).toBe('NO_MANDATE');
    bank.setMandate(a.bankCode, a.accountNo, { mandateId: 'M-NEW', status: 'active' });
    expect(bank.debit(debitOf(a, { mandateId: 'M-NEW' }), 'iso', 'file').entry.outcome).toBe('debited');
    // An account opened without a mandate list holds our creditor's mandate under whatever id the file names.
    const plain = account({ accountNo: '6222020200000051' });
    bank.openAccount(plain);
    expect(bank.debit(debitOf(plain, { mandateId: 'POLICY-P3201' }), 'iso', 'file').entry.outcome).toBe('debited');
  });

  it('insufficient funds: the whole amount or nothing (AM04 / 51)', () => {
    const a = account({ balanceFen: 599_999 });
    const bank = new BankCore({ accounts: [a] });
    expect(bank.debit(debitOf(a), 'iso', 'file').entry).toMatchObject({ outcome: 'rejected', refusal: 'INSUFFICIENT_FUNDS', rawCode: 'AM04' });
    expect(bank.debit(debitOf(a), 'unionpay', 'gateway').entry.rawCode).toBe('51');
    expect(bank.balanceOf(a.bankCode, a.accountNo)).toBe(599_999);
    expect(bank.successfulDebits()).toEqual([]);
  });

  it('Class II: RMB 10,000 a day across debits; the same debit goes through the next day', () => {
    const a = account({ accountClass: 'II', balanceFen: 5_000_000 });
    const bank = new BankCore({ accounts: [a] });
    expect(bank.debit(debitOf(a, { amountFen: 600_000 }), 'iso', 'file').entry.outcome).toBe('debited');
    const second = bank.debit(debitOf(a, { amountFen: 500_000 }), 'unionpay', 'gateway').entry;
    expect(second).toMatchObject({ outcome: 'rejected', refusal: 'DAILY_LIMIT', rawCode: '61' });
    expect(bank.debit(debitOf(a, { amountFen: 400_000 }), 'iso', 'file').entry.outcome).toBe('debited'); // exactly 10,000 that day
    expect(bank.debit(debitOf(a, { amountFen: 500_000, collectionDate: '2026-03-17' }), 'iso', 'file').entry.outcome).toBe('debited');
    expect(bank.balanceOf(a.bankCode, a.accountNo)).toBe(5_000_000 - 1_500_000);
  });

  it('Class III: RMB 2,000 a day (AM02); a holder-set limit on a Class I account also applies', () => {
    const third = account({ accountNo: '6222020200000031', accountClass: 'III', balanceFen: 1_000_000 });
    const own = account({ accountNo: '6222020200000032', dailyLimitFen: 300_000 });
    const bank = new BankCore({ accounts: [third, own] });
    expect(bank.debit(debitOf(third, { amountFen: 150_000 }), 'iso', 'file').entry.outcome).toBe('debited');
    expect(bank.debit(debitOf(third, { amountFen: 60_000 }), 'iso', 'file').entry).toMatchObject({ refusal: 'DAILY_LIMIT', rawCode: 'AM02' });
    expect(bank.debit(debitOf(own, { amountFen: 300_001 }), 'iso', 'file').entry.refusal).toBe('DAILY_LIMIT');
    expect(bank.debit(debitOf(own, { amountFen: 300_000 }), 'iso', 'file').entry.outcome).toBe('debited');
  });

  it('checks in order: status before name, name before mandate, limit before balance', () => {
    const bank = new BankCore({
      accounts: [
        account({ accountNo: '6222020200000041', status: 'frozen', mandates: [] }),
        account({ accountNo: '6222020200000042', mandates: [] }),
        account({ accountNo: '6222020200000043', accountClass: 'III', balanceFen: 100 }),
      ],
    });
    const ask = (accountNo: string, name = '王建国') =>
      bank.debit({ idempotencyKey: `ORDER${accountNo}`, bankCode: 'ICBC', accountNo, accountName: name, amountFen: 300_000, collectionDate: DAY }, 'iso', 'file').entry.refusal;
    expect(ask('6222020200000041', '张三')).toBe('ACCOUNT_FROZEN');
    expect(ask('6222020200000042', '张三')).toBe('NAME_MISMATCH');
    expect(ask('6222020200000043')).toBe('DAILY_LIMIT');
  });

  it('a deposit dated on or before the collection date counts for it; one dated after does not, until its day', () => {
    const a = account({ balanceFen: 100_000 });
    const bank = new BankCore({ accounts: [a] });
    bank.deposit(a.bankCode, a.accountNo, 300_000, '2026-03-15');
    bank.deposit(a.bankCode, a.accountNo, 200_000, DAY);
    bank.deposit(a.bankCode, a.accountNo, 900_000, '2026-03-17');
    expect(bank.debit(debitOf(a, { amountFen: 700_000 }), 'iso', 'file').entry).toMatchObject({ refusal: 'INSUFFICIENT_FUNDS' });
    expect(bank.balanceOf(a.bankCode, a.accountNo)).toBe(600_000);
    expect(bank.pendingDeposits(a.bankCode, a.accountNo)).toEqual([{ amountFen: 900_000, valueDate: '2026-03-17' }]);
    expect(bank.debit(debitOf(a, { amountFen: 600_000 }), 'iso', 'file').entry.outcome).toBe('debited');
    expect(bank.debit(debitOf(a, { amountFen: 700_000, collectionDate: '2026-03-17' }), 'iso', 'file').entry.outcome).toBe('debited');
    expect(bank.balanceOf(a.bankCode, a.accountNo)).toBe(200_000);
  });

  it('the same key twice: the first outcome again, one ledger entry, money taken once', () => {
    const a = account();
    const bank = new BankCore({ accounts: [a] });
    const request = debitOf(a);
    const first = bank.debit(request, 'unionpay', 'gateway');
    const again = bank.debit({ ...request, amountFen: 1 }, 'iso', 'file');
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ entry: first.entry, duplicate: true });
    expect(bank.ledger).toHaveLength(1);
    expect(bank.successfulDebits(request.idempotencyKey)).toHaveLength(1);
    expect(bank.balanceOf(a.bankCode, a.accountNo)).toBe(400_000);
  });

  it('a rejected key stays rejected: a fixed account needs a new attempt key', () => {
    const a = account({ balanceFen: 0 });
    const bank = new BankCore({ accounts: [a] });
    const request = debitOf(a);
    bank.debit(request, 'iso', 'file');
    bank.deposit(a.bankCode, a.accountNo, 1_000_000, DAY);
    expect(bank.debit(request, 'iso', 'file').entry.outcome).toBe('rejected');
    expect(bank.debit(debitOf(a), 'iso', 'file').entry.outcome).toBe('debited');
  });

  it('a bank-side fault on one account answers its code for every debit there', () => {
    const a = account();
    const b = account({ accountNo: '6222020200002222' });
    const bank = new BankCore({ accounts: [a, b] });
    bank.setAccountFault(a.bankCode, a.accountNo, '96');
    expect(bank.debit(debitOf(a), 'unionpay', 'gateway').entry).toMatchObject({ outcome: 'rejected', rawCode: '96' });
    expect(bank.debit(debitOf(b), 'unionpay', 'gateway').entry.outcome).toBe('debited');
  });

  it('a return pays the money back, is its own ledger entry, waits as a notice, and happens once', () => {
    const a = account();
    const bank = new BankCore({ accounts: [a] });
    const request = debitOf(a);
    bank.debit(request, 'iso', 'file');
    const heard: string[] = [];
    bank.onReturn((n) => heard.push(n.idempotencyKey));
    const notice = bank.returnDebit(request.idempotencyKey, 'MD06', '2026-04-20');
    expect(notice).toMatchObject({ idempotencyKey: request.idempotencyKey, amountFen: 600_000, reasonCode: 'MD06', returnedOn: '2026-04-20', collectionDate: DAY });
    expect(bank.balanceOf(a.bankCode, a.accountNo)).toBe(1_000_000);
    expect(bank.ledger.map((e) => e.outcome)).toEqual(['debited', 'returned']);
    expect(heard).toEqual([request.idempotencyKey]);
    expect(bank.pendingReturns()).toHaveLength(1);
    expect(bank.takePendingReturns()).toHaveLength(1);
    expect(bank.pendingReturns()).toHaveLength(0);
    expect(() => bank.returnDebit(request.idempotencyKey, 'MD06', '2026-04-21')).toThrow(/already returned/);
    expect(() => bank.returnDebit('NO-SUCH-KEY', 'MD06', '2026-04-21')).toThrow(/no successful debit/);
    // The key still answers with its debit: the return is news, not a rewrite of history.
    expect(bank.outcomeOf(request.idempotencyKey)?.outcome).toBe('debited');
  });

  it('collectBatch answers a file batch item by item in ISO codes, duplicates included', () => {
    const rich = account();
    const poor = account({ accountNo: '6222020200002222', accountName: '李秀英', balanceFen: 10 });
    const bank = new BankCore({ accounts: [rich, poor] });
    const items = [
      { endToEndId: 'E2E-1', bankCode: 'ICBC', accountNo: rich.accountNo, accountName: rich.accountName, amountFen: 500_000 },
      { endToEndId: 'E2E-2', bankCode: 'ICBC', accountNo: poor.accountNo, accountName: poor.accountName, amountFen: 500_000 },
      { endToEndId: 'E2E-1', bankCode: 'ICBC', accountNo: rich.accountNo, accountName: rich.accountName, amountFen: 500_000 },
    ];
    const outcomes = bank.collectBatch(items, DAY);
    expect(outcomes.map((o) => [o.endToEndId, o.status, o.reasonCode, o.duplicate])).toEqual([
      ['E2E-1', 'ACSC', undefined, false],
      ['E2E-2', 'RJCT', 'AM04', false],
      ['E2E-1', 'ACSC', undefined, true],
    ]);
    expect(bank.successfulDebits()).toHaveLength(1);
  });

  it('SimulatedBank (in process) still loses answers on request and finds the booking by query', async () => {
    const bank = new SimulatedBank([account()]);
    bank.lostAnswers = 1;
    const instruction = { idempotencyKey: 'RNW900A1', bankCode: 'ICBC', accountNo: '6222020200001111', accountName: '王建国', amountFen: 600_000, collectionDate: DAY };
    expect(await bank.submitDebit(instruction)).toEqual({ status: 'unknown', rawCode: 'NARR' });
    expect(await bank.queryDebit('RNW900A1')).toMatchObject({ status: 'succeeded' });
    expect(await bank.submitDebit(instruction)).toMatchObject({ status: 'succeeded' });
    expect(bank.successfulDebits('RNW900A1')).toHaveLength(1);
    expect(await bank.queryDebit('RNW901A1')).toEqual({ status: 'not_found' });
  });
});

describe('accounts.csv', () => {
  it('loads every column of a good file: yuan to fen, class, limits, mandates', async () => {
    const { accounts, errors } = await readAccountsCsv(join(FIXTURES, 'accounts.csv'));
    expect(errors).toEqual([]);
    expect(accounts).toHaveLength(12);
    expect(accounts[0]).toEqual({
      bankCode: 'ICBC',
      accountNo: '6222020200001111',
      accountName: '王建国',
      balanceFen: 3_000_000,
      status: 'active',
      accountClass: 'I',
      dailyLimitFen: null,
      mandates: [{ mandateId: 'M-1111', status: 'active' }],
    });
    const byNo = new Map(accounts.map((a) => [a.accountNo, a]));
    expect(byNo.get('6217000010003333')).toMatchObject({ balanceFen: 900_050, status: 'closed' });
    expect(byNo.get('6217000010004444')).toMatchObject({ dailyLimitFen: 500_000 });
    expect(byNo.get('6228480010005555')?.accountClass).toBe('II');
    expect(byNo.get('6210980010001010')?.mandates).toEqual([{ creditorId: 'INSURER01', mandateId: 'M-1010', status: 'revoked' }]);
    expect(byNo.get('6210980010001212')?.mandates).toEqual([]);
    // An empty mandate cell: the usual active mandate for the bank's own creditor.
    expect(byNo.get('6222020200002222')).not.toHaveProperty('mandates');
  });

  it('reports each bad row with its row number and column, and still loads the good rows', async () => {
    const { accounts, errors } = await readAccountsCsv(join(FIXTURES, 'accounts-bad.csv'));
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [3, 'account_no'],
      [4, 'account_name'],
      [5, 'balance'],
      [6, 'status'],
      [7, 'daily_limit'],
      [8, 'account_no'],
      [9, '(row)'],
      [10, 'daily_limit'],
    ]);
    expect(errors[5]?.message).toBe('the same bank_code and account_no as row 2');
    // The account number itself never appears in an error (personal data).
    expect(errors.map((e) => e.message).join(' ')).not.toMatch(/62220202000/);
    expect(accounts.map((a) => [a.accountNo, a.balanceFen, a.dailyLimitFen])).toEqual([
      ['6222020200001111', 3_000_000, null],
      ['6222020200009999', 25_050, 200_000],
    ]);
  });

  it('a header without a required column loads nothing and names the column', () => {
    const { accounts, errors } = parseAccountsCsv('bank_code,account_no,account_name,balance,status\nICBC,6222020200001111,王建国,1,active\n');
    expect(accounts).toEqual([]);
    expect(errors).toEqual([{ row: 1, column: 'daily_limit', message: 'required column is missing from the header' }]);
  });

  it('accepts a BOM and GBK-encoded files', () => {
    const text = readFileSync(join(FIXTURES, 'accounts.csv'), 'utf8');
    const withBom = parseAccountsCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    const gbk = parseAccountsCsv(iconv.encode(text, 'gbk'));
    expect(withBom.errors).toEqual([]);
    expect(gbk.errors).toEqual([]);
    expect(gbk.accounts.map((a) => a.accountName)).toEqual(withBom.accounts.map((a) => a.accountName));
    expect(gbk.accounts[0]?.accountName).toBe('王建国');
  });

  it('a bad mandate cell names the column', () => {
    const { errors } = parseAccountsCsv('bank_code,account_no,account_name,balance,status,daily_limit,mandate\nICBC,6222020200001111,王建国,1,active,,M-1:paused\n');
    expect(errors).toEqual([expect.objectContaining({ row: 2, column: 'mandate' })]);
  });
});

describe('scripts/bank-simulator.ts', () => {
  it('starts from accounts.csv, prints its URL, answers the admin endpoints, and stops on SIGTERM', async () => {
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, ['scripts/bank-simulator.ts', '--accounts', join(FIXTURES, 'accounts.csv'), '--port', '0', '--processing-delay', '0'], {
      cwd: join(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const lines = createInterface({ input: child.stdout });
      const [url] = (await Promise.race([
        once(lines, 'line'),
        once(child, 'exit').then(() => {
          throw new Error(`bank-simulator exited before printing its URL: ${stderr}`);
        }),
      ])) as [string];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const health = (await (await fetch(`${url}/sim/health`)).json()) as { status: string; accounts: number };
      expect(health).toEqual({ status: 'ok', accounts: 12 });
      const deposit = await fetch(`${url}/sim/deposits`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ bankCode: 'ICBC', accountNo: '6222020200002222', amountFen: 700_000, valueDate: '2026-03-15' }),
      });
      expect(deposit.status).toBe(200);
      const view = (await (await fetch(`${url}/sim/accounts/ICBC/6222020200002222`)).json()) as { accountNo: string; pendingDeposits: unknown[] };
      expect(view.accountNo).toBe('622202******2222');
      expect(view.pendingDeposits).toEqual([{ amountFen: 700_000, valueDate: '2026-03-15' }]);
      const bad = await fetch(`${url}/sim/deposits`, { method: 'POST', body: JSON.stringify({ bankCode: 'ICBC', accountNo: '6222020200002222', amountFen: 1, valueDate: '16/03/2026' }) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/valueDate/);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
  });

  it('--strict refuses to start on a file with bad rows, naming row and column', async () => {
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, ['scripts/bank-simulator.ts', '--accounts', join(FIXTURES, 'accounts-bad.csv'), '--strict'], { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr).toContain('row 5, column balance');
  });
});
