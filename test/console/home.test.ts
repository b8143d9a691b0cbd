import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGE_COOKIE, SESSION_COOKIE } from '../../console/server';
import { shanghaiDate } from '../../domain/civil-date';
import { firstDayOf, lastDayOf, monthOf } from '../../domain/months';
import { consolePerson, consoleRig, csrfOf, signedIn, type ConsoleRig } from '../support/console';
import { freshDatabase, type TestDatabase } from '../support/database';
import { seedReportOrganisation } from '../support/report-organisation';

/**
 * The home page's figures of this month, filtered to the person's scope (reports/scope-sql.ts), and
 * the language switch (docs/architecture.md#console). Organisation: test/support/report-organisation.ts
 * (A001 in team T1, branch 3201; A002 in T2, 3202).
 *
 * | policy | branch | agent | premium of this month (fen) | status          |
 * | H01    | 3201   | A001  | 100000 due the 1st          | paid            |
 * | H02    | 3201   | A001  | 20000 due the 1st           | due (in grace unless today is the 1st) |
 * | H03    | 3201   | —     | 30000 due the last day      | due (not yet due) |
 * | H04    | 3202   | A002  | 400000 due the 1st          | lapsed          |
 * | H05    | 3202   | A002  | 50000 due the 1st           | waived (left out) |
 * | H06    | 3202   | A002  | 70000 due last month        | paid (another month) |
 */
let t: TestDatabase;
let rig: ConsoleRig;
const today = shanghaiDate(Date.now());
const month = monthOf(today);
const first = firstDayOf(month);
const last = lastDayOf(month);
const firstPastDue = first < today;

beforeAll(async () => {
  t = await freshDatabase();
  rig = await consoleRig(t.db);
  const customer = await seedReportOrganisation(t.db);
  const policies = [
    ['H01', '3201', 'A001'],
    ['H02', '3201', 'A001'],
    ['H03', '3201', null],
    ['H04', '3202', 'A002'],
    ['H05', '3202', 'A002'],
    ['H06', '3202', 'A002'],
  ] as const;
  await t.db('policies').insert(
    policies.map(([no, branch, agent]) => ({ policy_no: no, product_code: 'WL20', branch_code: branch, channel: 'agency', agent_code: agent, holder_customer_id: customer, issue_date: '2020-01-01', payment_frequency: 'annual', premium_fen: 1, next_installment_no: 2, status: 'in_force' })),
  );
  const lastMonth = firstDayOf(monthOf(shanghaiDate(Date.now() - 40 * 86_400_000)));
  await t.db('premium_dues').insert([
    { policy_no: 'H01', due_date: first, installment_no: 7, amount_fen: 100000, status: 'paid' },
    { policy_no: 'H02', due_date: first, installment_no: 7, amount_fen: 20000, status: 'due' },
    { policy_no: 'H03', due_date: last, installment_no: 7, amount_fen: 30000, status: 'due' },
    { policy_no: 'H04', due_date: first, installment_no: 7, amount_fen: 400000, status: 'lapsed' },
    { policy_no: 'H05', due_date: first, installment_no: 7, amount_fen: 50000, status: 'waived' },
    { policy_no: 'H06', due_date: lastMonth, installment_no: 6, amount_fen: 70000, status: 'paid' },
  ]);
  await consolePerson(t.db, 'collector-3201', ['collector'], [{ kind: 'branch', value: '3201' }]);
  await consolePerson(t.db, 'lead-t2', ['team_lead'], [{ kind: 'team', value: 'T2' }]);
  await consolePerson(t.db, 'agent-a001', ['agent'], [{ kind: 'own', value: 'A001' }]);
  await consolePerson(t.db, 'ops-all', ['operations_lead']);
});

afterAll(async () => {
  await rig?.app.close();
  await t?.drop();
});

async function home(login: string, language?: string): Promise<string> {
  const session = await signedIn(rig.app, login);
  const response = await rig.app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: session, ...(language ? { [LANGUAGE_COOKIE]: language } : {}) } });
  expect(response.statusCode).toBe(200);
  return response.body;
}

/** The page's figures: cases and yuan per row. */
function figures(body: string): Record<string, [number, string]> {
  const out: Record<string, [number, string]> = {};
  for (const match of body.matchAll(/<tr data-figure="(\w+)"><th scope="row">[^<]*<\/th><td class="number">(\d+)<\/td><td class="number">([\d.]+)<\/td><\/tr>/g)) out[match[1]!] = [Number(match[2]), match[3]!];
  return out;
}

describe('home page', () => {
  it('a branch collector sees only the branch: due, paid, in grace, lapsed; the scope named; in Chinese', async () => {
    const body = await home('collector-3201');
    expect(body).toContain('<html lang="zh-CN">');
    expect(body).toContain(`${month} 月保费`);
    expect(body).toMatch(/<dd id="scope">branch:3201<\/dd>/);
    expect(figures(body)).toEqual({
      due: [3, '1500.00'],
      paid: [1, '1000.00'],
      inGrace: firstPastDue ? [1, '200.00'] : [0, '0.00'],
      lapsed: [0, '0.00'],
    });
  });

  it('a team lead sees the team; an agent their own policies', async () => {
    expect(figures(await home('lead-t2'))).toEqual({ due: [1, '4000.00'], paid: [0, '0.00'], inGrace: [0, '0.00'], lapsed: [1, '4000.00'] });
    const agent = await home('agent-a001');
    expect(agent).toMatch(/<dd id="scope">own:A001<\/dd>/);
    expect(figures(agent)).toEqual({ due: [2, '1200.00'], paid: [1, '1000.00'], inGrace: firstPastDue ? [1, '200.00'] : [0, '0.00'], lapsed: [0, '0.00'] });
  });

  it('a person without a scope sees the whole insurer, named so', async () => {
    const body = await home('ops-all');
    expect(body).toMatch(/<dd id="scope">全公司<\/dd>/);
    expect(figures(body)).toEqual({ due: [4, '5500.00'], paid: [1, '1000.00'], inGrace: firstPastDue ? [1, '200.00'] : [0, '0.00'], lapsed: [1, '4000.00'] });
  });

  it('switches to English by a cookie set through a CSRF-checked form, not a URL parameter', async () => {
    const session = await signedIn(rig.app, 'collector-3201');
    const page = await rig.app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: session } });
    const response = await rig.app.inject({
      method: 'POST',
      url: '/language',
      cookies: { [SESSION_COOKIE]: session },
      payload: new URLSearchParams({ csrf: csrfOf(page.body), language: 'en', back: '/' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    expect(String(response.headers['set-cookie'])).toMatch(/renewals_language=en;.*HttpOnly.*SameSite=Strict/);
    const english = await home('collector-3201', 'en');
    expect(english).toContain('<html lang="en">');
    expect(english).toContain(`Premiums of ${month}`);
    expect(english).toContain('In grace');
  });

  it('labels every form field (keyboard and screen-reader use) and escapes what it shows', async () => {
    const body = await home('collector-3201');
    for (const match of body.matchAll(/<(?:input|select)[^>]*>/g)) {
      if (match[0].includes('type="hidden"')) continue;
      const id = /id="([^"]+)"/.exec(match[0])?.[1];
      expect(id, match[0]).toBeDefined();
      expect(body).toContain(`<label for="${id}"`);
    }
    expect(body).toContain('href="#main"');
  });
});
