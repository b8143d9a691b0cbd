import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRef } from '../../application/identity';
import { SignInLimiter } from '../../console/sign-in-limiter';
import { DataKey } from '../../db/data-key';
import { CONSOLE_PASSWORD, consolePerson, consoleRig, postSignIn, TEST_LIMITER_KEY, type ConsoleRig } from '../support/console';
import { freshDatabase, type TestDatabase } from '../support/database';

/**
 * The sign-in limit (docs/architecture.md#console) kept in PostgreSQL: two console processes on one
 * database count the same failures. The window is moved by an injected clock, never by sleeping.
 */
const minute = 60_000;
let t: TestDatabase;
let clock = Date.now();
const limits = { maxFailures: 5, windowMs: 15 * minute, now: () => clock };
let first: ConsoleRig;
let second: ConsoleRig;

beforeAll(async () => {
  t = await freshDatabase();
  // Two consoles on one database, as two processes behind one proxy would be.
  first = await consoleRig(t.db, {}, { limits });
  second = await consoleRig(t.db, {}, { limits });
  await consolePerson(t.db, 'lead-ma', ['team_lead'], [{ kind: 'team', value: 'T1' }]);
  await consolePerson(t.db, 'collector-sun', ['collector'], [{ kind: 'branch', value: '3201' }]);
  await consolePerson(t.db, 'collector-he', ['collector'], [{ kind: 'branch', value: '3201' }]);
});

afterAll(async () => {
  await first?.app.close();
  await second?.app.close();
  await t?.drop();
});

describe('the sign-in limit across console processes', () => {
  it('failures on one console lock the login on the other, audited once, and the window expires', async () => {
    clock = Date.parse('2026-12-07T02:00:00Z');
    // Five failures from five addresses, alternating consoles: only the login's count reaches five.
    for (let i = 0; i < 5; i++) expect((await postSignIn(i % 2 === 0 ? first.app : second.app, 'lead-ma', `wrong ${i}`, `10.3.0.${i}`)).statusCode).toBe(401);
    expect((await postSignIn(second.app, 'lead-ma', CONSOLE_PASSWORD, '10.3.0.50')).statusCode).toBe(429);
    expect((await postSignIn(first.app, 'lead-ma', CONSOLE_PASSWORD, '10.3.0.51')).statusCode).toBe(429);
    const lead = await t.db('users').where({ login: 'lead-ma' }).first<{ id: number }>('id');
    const locked = await t.db('audit_events').where({ kind: 'console_sign_in_locked', actor: userRef(lead.id) });
    expect(locked).toHaveLength(1);

    clock += 15 * minute - 1; // the last failure (at +0) is still inside the window
    expect((await postSignIn(first.app, 'lead-ma', CONSOLE_PASSWORD, '10.3.0.52')).statusCode).toBe(429);
    clock += 1; // now every failure has left it
    expect((await postSignIn(second.app, 'lead-ma', CONSOLE_PASSWORD, '10.3.0.53')).statusCode).toBe(303);
  });

  it("a success on one console does not reset another login's count", async () => {
    clock = Date.parse('2026-12-07T03:00:00Z');
    for (let i = 0; i < 4; i++) expect((await postSignIn(first.app, 'collector-sun', `wrong ${i}`, `10.4.0.${i}`)).statusCode).toBe(401);
    expect((await postSignIn(second.app, 'collector-he', CONSOLE_PASSWORD, '10.4.0.20')).statusCode).toBe(303);
    expect((await postSignIn(second.app, 'collector-sun', 'wrong again', '10.4.0.21')).statusCode).toBe(401);
    expect((await postSignIn(first.app, 'collector-sun', CONSOLE_PASSWORD, '10.4.0.22')).statusCode).toBe(429);
  });

  it("a success clears the login's count but not the address's", async () => {
    clock = Date.parse('2026-12-07T04:00:00Z');
    for (let i = 0; i < 4; i++) expect((await postSignIn(first.app, 'collector-he', `wrong ${i}`, '10.5.0.1')).statusCode).toBe(401);
    expect((await postSignIn(second.app, 'collector-he', CONSOLE_PASSWORD, '10.5.0.1')).statusCode).toBe(303);
    // The login starts again from nothing; the address has four failures and gets one more.
    expect((await postSignIn(first.app, 'guess-who', 'any', '10.5.0.1')).statusCode).toBe(401);
    expect((await postSignIn(second.app, 'collector-he', CONSOLE_PASSWORD, '10.5.0.1')).statusCode).toBe(429);
    expect((await postSignIn(second.app, 'collector-he', CONSOLE_PASSWORD, '10.5.0.2')).statusCode).toBe(303);
  });

  it('keeps keys only as their keyed hash and prunes failures once they have left every window', async () => {
    const limiter = new SignInLimiter(t.db, TEST_LIMITER_KEY, limits);
    const at = Date.parse('2026-12-07T05:00:00Z');
    await limiter.fail(['login:guess-old', 'address:10.6.0.1'], at);
    const stored = JSON.stringify(await t.db('console_sign_in_failures').select('key_hash'));
    expect(stored).not.toContain('guess-old');
    expect(stored).not.toContain('10.6.0.1');
    // Not a plain hash, which anyone could recompute for every IPv4 address; the keyed one.
    expect(stored).not.toContain(createHash('sha256').update('address:10.6.0.1').digest('hex'));
    expect(stored).toContain(createHmac('sha256', TEST_LIMITER_KEY).update('address:10.6.0.1').digest('hex'));
    // A console given another key counts apart: every process on a database must derive the same key.
    const otherKey = new SignInLimiter(t.db, new DataKey('6c'.repeat(32)).limiterKey, limits);
    for (let i = 0; i < 5; i++) await limiter.fail(['address:10.6.0.9'], at + i);
    expect(await limiter.locked(['address:10.6.0.9'], at + 5)).toBe(true);
    expect(await otherKey.locked(['address:10.6.0.9'], at + 5)).toBe(false);
    await limiter.fail(['login:guess-late'], at + 15 * minute);
    const left = await t.db('console_sign_in_failures').where('failed_at', '<=', new Date(at)).count<{ count: string }[]>({ count: '*' });
    expect(Number(left[0]!.count)).toBe(0);
    expect(await limiter.locked(['login:guess-late'], at + 15 * minute)).toBe(false);
  });
});
