import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from '@commander-js/extra-typings';
import { isCivilDate } from '../../domain/civil-date';
import { CONTACT_CHANNELS } from '../../domain/channels';
import { EXPORT_FORMATS, exportAuditTrail, type ExportRequest } from '../../application/audit-export';
import { inspectAuditChain, type AnchorCheck, type AuditChainReport, type ChainAnchor, type ChainBreak } from '../../db/repositories/audit';
import type { AuditExportFilter } from '../../db/repositories/audit-export';
import { cipherFor, withDatabase } from '../context';
import { CliError } from '../errors';
import { printRecord } from '../output';

const CHANNELS = CONTACT_CHANNELS;

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('compliance: the append-only, hash-chained audit trail');

  audit
    .command('export')
    .description('export audit events in seq order (CSV with BOM, or JSON); personal data masked unless --unmasked')
    .option('--policy <policyNo>', 'one policy')
    .option('--from <date>', 'first day, YYYY-MM-DD (Asia/Shanghai)')
    .option('--to <date>', 'last day, YYYY-MM-DD (Asia/Shanghai), inclusive')
    .option('--channel <channel>', `one channel: ${CHANNELS.join('|')}`)
    .option('--format <format>', 'csv or json', 'csv')
    .option('--out <file>', 'write to this file (default: stdout; must not exist)')
    .option('--force', 'replace the --out file if it exists')
    .option('--unmasked', 'show recipients in clear: needs --reason and --operator, and is itself audited')
    .option('--reason <text>', 'why the export is needed (recorded in the audit trail)')
    .option('--operator <id>', 'who is exporting (recorded in the audit trail)')
    .action(async (options) => {
      const request = exportRequest(options);
      await withDatabase(async (db) => exportAuditTrail(db, request.unmasked ? { ...request, cipher: await cipherFor(db) } : request));
    });

  audit
    .command('verify')
    .description('recompute the hash chain and name the first row that does not fit (exit 1 when broken)')
    .option('--anchor <seq:hash>', 'a head SEQ:HASH printed by an earlier verify or export and kept outside the database: it must still be there')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      const anchor = options.anchor === undefined ? undefined : parseAnchor(options.anchor);
      const report = await withDatabase((db) => inspectAuditChain(db, { anchor }));
      printChainReport(report, options);
      if (report.firstBreak) {
        throw new CliError(`audit chain broken at seq ${report.firstBreak.seq}: ${describeBreak(report.firstBreak)}`);
      }
      if (report.anchor && report.anchor.result !== 'matches') {
        throw new CliError(`audit trail does not hold the anchor: ${describeAnchor(report.anchor)}`);
      }
    });
}


const usage = (message: string) => new CliError(message, 2);

/** Checks the arguments before anything touches the database; each error names its argument. */
export function exportRequest(options: {
  policy?: string;
  from?: string;
  to?: string;
  channel?: string;
  format: string;
  out?: string;
  force?: boolean;
  unmasked?: boolean;
  reason?: string;
  operator?: string;
}): ExportRequest {
  const filter: AuditExportFilter = {};
  if (options.policy !== undefined) {
    const policyNo = options.policy.trim();
    if (policyNo === '' || policyNo.length > 32) throw usage(`--policy must be a policy number of 1 to 32 characters, got "${options.policy}"`);
    filter.policyNo = policyNo;
  }
  for (const name of ['from', 'to'] as const) {
    const value = options[name];
    if (value === undefined) continue;
    if (!isCivilDate(value)) throw usage(`--${name} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
    filter[name] = value;
  }
  if (filter.from && filter.to && filter.from > filter.to) throw usage(`--from ${filter.from} is after --to ${filter.to}`);
  if (options.channel !== undefined) {
    const channel = CHANNELS.find((c) => c === options.channel);
    if (!channel) throw usage(`--channel must be one of ${CHANNELS.join(', ')}, got "${options.channel}"`);
    filter.channel = channel;
  }
  const format = EXPORT_FORMATS.find((f) => f === options.format);
  if (!format) throw usage(`--format must be csv or json, got "${options.format}"`);

  const reason = options.reason?.trim();
  if (reason !== undefined && (reason.length < 4 || reason.length > 500)) {
    throw usage('--reason must say why the export is needed, in 4 to 500 characters');
  }
  const operator = options.operator?.trim();
  if (operator !== undefined && !/^\S{1,64}$/.test(operator)) throw usage('--operator must be an ID of 1 to 64 characters without spaces');
  const unmasked = options.unmasked === true;
  if (unmasked && reason === undefined) throw usage('--unmasked needs --reason "<why>": every unmasked export is audited');
  if (unmasked && operator === undefined) throw usage('--unmasked needs --operator <id>: every unmasked export is audited');

  if (options.out !== undefined && !options.force && existsSync(options.out)) throw usage(`--out ${options.out} already exists: choose another name or remove it`);

  return { filter, format, out: options.out, force: options.force === true, unmasked, reason, operator: operator ?? localUser() };
}

function localUser(): string {
  try {
    return userInfo().username.slice(0, 64) || 'unknown';
  } catch {
    return process.env.USER?.slice(0, 64) || 'unknown';
  }
}

function describeBreak(problem: ChainBreak): string {
  switch (problem.problem) {
    case 'altered':
      return 'altered content (the row no longer matches its hash)';
    case 'broken_link':
      return `broken link (its prev_hash is not the hash of seq ${problem.seq - 1})`;
    case 'missing_rows': {
      const { from, to } = problem.missing ?? { from: problem.seq - 1, to: problem.seq - 1 };
      return from === to ? `missing row: seq ${from} is gone (deleted)` : `missing rows: seq ${from}–${to} are gone (deleted)`;
    }
  }
}

/** `SEQ:HASH`, as `audit verify` prints a head (seq, then the 64-hex SHA-256). */
export function parseAnchor(text: string): ChainAnchor {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  if (!match || Number(match[1]) < 1) throw usage(`--anchor must be SEQ:HASH (a seq from 1 and a 64-hex hash, as verify and export print the head), not "${text.slice(0, 80)}"`);
  return { seq: Number(match[1]), hash: match[2]! };
}

function describeAnchor(anchor: AnchorCheck): string {
  switch (anchor.result) {
    case 'matches':
      return `anchor seq ${anchor.seq} matches`;
    case 'differs':
      return `seq ${anchor.seq} now has hash ${anchor.found}, not the recorded ${anchor.hash} (the trail was rewritten from there or before)`;
    case 'cut_off':
      return `the trail ends before the anchor at seq ${anchor.seq} (rows cut off the end)`;
    case 'deleted':
      return `seq ${anchor.seq} is gone (deleted)`;
  }
}

function printChainReport(report: AuditChainReport, options: { json?: boolean }): void {
  if (options.json) {
    printRecord(
      {
        intact: report.firstBreak === undefined && (report.anchor === undefined || report.anchor.result === 'matches'),
        rows: report.rows,
        lastSeq: report.head?.seq ?? null,
        headHash: report.head?.hash ?? null,
        problems: report.problems,
        firstBreak: report.firstBreak ? { ...report.firstBreak, description: describeBreak(report.firstBreak) } : null,
        ...(report.anchor && { anchor: { ...report.anchor, description: describeAnchor(report.anchor) } }),
      },
      { json: true },
    );
    return;
  }
  // SEQ:HASH exactly as --anchor takes it, so it can be kept outside the database and checked later.
  const tail = report.head ? `head ${report.head.seq}:${report.head.hash}` : 'empty trail';
  const anchorLine = report.anchor ? `${report.anchor.result === 'matches' ? 'anchor held' : 'ANCHOR NOT HELD'}: ${describeAnchor(report.anchor)}\n` : '';
  if (!report.firstBreak) {
    process.stdout.write(`chain intact: ${report.rows} rows, ${tail}\n${anchorLine}`);
    return;
  }
  process.stdout.write(
    `chain BROKEN: first at seq ${report.firstBreak.seq}: ${describeBreak(report.firstBreak)}\n` +
      `${report.problems} of ${report.rows} rows do not fit; ${tail}\n${anchorLine}`,
  );
}
