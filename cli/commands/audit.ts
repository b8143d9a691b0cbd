import { existsSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { isCivilDate } from '../../domain/civil-date';
import { CONTACT_CHANNELS } from '../../domain/channels';
import { EXPORT_FORMATS, exportAuditTrail, type ExportRequest } from '../../application/audit-export';
import {
  chainIntact,
  inspectAuditChain,
  resignAuditHeads,
  type AnchorCheck,
  type AuditChainReport,
  type ChainAnchor,
  type ChainBreak,
  type PartitionReport,
} from '../../db/repositories/audit';
import type { AuditExportFilter } from '../../db/repositories/audit-export';
import { cipherFor, withDatabase } from '../context';
import { CliError } from '../errors';
import { printRecord, printRows } from '../output';
import { actingUser } from '../session';
import { approveUnmask, claimUnmask, requestUnmask, unmaskRequests } from '../../application/audit-unmask';
import { asOperator } from './operator';

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
    .option('--unmasked', 'show recipients in clear: needs --request, an unmask request approved by a second person; itself audited')
    .option('--request <id>', 'with --unmasked: the approved unmask request (its filter and reason are the export\'s), used once')
    .option('--reason <text>', 'why the export is needed (recorded in the audit trail)')
    .action(async (options) => {
      const request = exportRequest(options);
      await withDatabase(async (db) => {
        if (request.unmaskRequest === undefined) return exportAuditTrail(db, request);
        const approved = await asOperator(() => claimUnmask(db, request.unmaskRequest!, request.operator));
        return exportAuditTrail(db, { ...request, filter: approved.filter, reason: approved.reason, cipher: await cipherFor(db) });
      });
    });

  const unmask = audit.command('unmask').description('four-eyes for unmasked exports: one compliance person requests, another approves');
  unmask
    .command('request')
    .description('ask for an unmasked export of these rows, with the reason; a second person approves it')
    .requiredOption('--reason <text>', 'why the export is needed (recorded, masked, in the audit trail)')
    .option('--policy <policyNo>', 'one policy')
    .option('--from <date>', 'first day, YYYY-MM-DD (Asia/Shanghai)')
    .option('--to <date>', 'last day, YYYY-MM-DD (Asia/Shanghai), inclusive')
    .option('--channel <channel>', `one channel: ${CHANNELS.join('|')}`)
    .option('--json', 'print the request as JSON')
    .action(async (options) => {
      const filter = filterFrom(options);
      const reason = reasonFrom(options.reason)!;
      const row = await withDatabase((db) => requestUnmask(db, { reason, filter }, actingUser().ref));
      printRecord({ id: row.id, requestedBy: row.requested_by, filter: JSON.stringify(row.filter), status: 'awaiting approval' }, options);
    });
  unmask
    .command('approve')
    .description('approve another person\'s unmask request (never your own)')
    .argument('<id>', 'the request number (audit unmask list)')
    .option('--json', 'print the request as JSON')
    .action(async (id, options) => {
      const row = await asOperator(() => withDatabase((db) => approveUnmask(db, requestId(id, '<id>'), actingUser().ref)));
      printRecord({ id: row.id, requestedBy: row.requested_by, approvedBy: row.approved_by ?? '', status: 'approved: export it with audit export --unmasked --request ' + row.id }, options);
    });
  unmask
    .command('list')
    .description('the latest unmask requests: who asked, who approved, whether used')
    .option('--json', 'print the requests as JSON')
    .action(async (options) => {
      const rows = await withDatabase((db) => unmaskRequests(db));
      const shown = rows.map((r) => ({
        id: r.id,
        requested_by: r.requested_by,
        requested_at: r.requested_at.toISOString(),
        filter: JSON.stringify(r.filter),
        reason: r.reason,
        approved_by: r.approved_by ?? '',
        status: r.used_at ? 'used' : r.approved_at ? 'approved' : 'awaiting approval',
      }));
      const columns = Object.keys(shown[0] ?? { id: 0 }).map((header) => ({ header, value: (row: (typeof shown)[number]) => row[header as keyof typeof row] }));
      printRows(shown, columns, options);
    });

  audit
    .command('verify')
    .description('recompute the legacy chain and every partition\'s chain, check each partition\'s signed head, name what does not fit (exit 1 when broken)')
    .option('--anchor <seq:hash>', 'a row SEQ:HASH printed by an earlier verify or export and kept outside the database: it must still be there')
    .option('--json', 'print the result as JSON, every partition included')
    .action(async (options) => {
      const anchor = options.anchor === undefined ? undefined : parseAnchor(options.anchor);
      const report = await withDatabase((db) => inspectAuditChain(db, { anchor }));
      printChainReport(report, options);
      if (report.firstBreak) {
        throw new CliError(`audit chain broken at ${placeOf(report.firstBreak)}: ${describeBreak(report.firstBreak)}`);
      }
      const badHead = report.partitions.find((p) => p.head.result !== 'matches');
      if (badHead) {
        throw new CliError(`audit chain heads do not hold: ${report.headProblems} partition(s), first partition ${badHead.partition}: ${describeHead(badHead)}`);
      }
      if (report.anchor && report.anchor.result !== 'matches') {
        throw new CliError(`audit trail does not hold the anchor: ${describeAnchor(report.anchor)}`);
      }
    });

  audit
    .command('sign-heads')
    .description('after an audit key rotation: sign every partition head again under RENEWALS_AUDIT_KEY (each checked first under its own key)')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      const result = await withDatabase((db) => resignAuditHeads(db));
      if (options.json) printRecord(result, { json: true });
      else process.stdout.write(`signed again: ${result.signed}; already under the current key: ${result.current}; left alone (do not hold): ${result.refused.length ? result.refused.join(', ') : 'none'}\n`);
      if (result.refused.length > 0) {
        throw new CliError(`${result.refused.length} partition head(s) do not hold and were not signed again (partitions ${result.refused.join(', ')}): run \`renewals audit verify\``);
      }
    });
}

const usage = (message: string) => new CliError(message, 2);

interface FilterOptions {
  policy?: string;
  from?: string;
  to?: string;
  channel?: string;
}

/** The rows an export (or an unmask request) covers; each error names its argument. */
function filterFrom(options: FilterOptions): AuditExportFilter {
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
  return filter;
}

function reasonFrom(text: string | undefined): string | undefined {
  const reason = text?.trim();
  if (reason !== undefined && (reason.length < 4 || reason.length > 500)) throw usage('--reason must say why the export is needed, in 4 to 500 characters');
  return reason;
}

function requestId(text: string, what: string): number {
  if (!/^\d{1,15}$/.test(text)) throw usage(`${what} must be an unmask request number, got "${text}"`);
  return Number(text);
}

/**
 * Checks the arguments before anything touches the database; each error names its argument. An
 * unmasked export takes its filter and reason from its approved request (four-eyes), not from flags.
 */
export function exportRequest(options: FilterOptions & {
  format: string;
  out?: string;
  force?: boolean;
  unmasked?: boolean;
  reason?: string;
  request?: string;
}): ExportRequest {
  const filter = filterFrom(options);
  const format = EXPORT_FORMATS.find((f) => f === options.format);
  if (!format) throw usage(`--format must be csv or json, got "${options.format}"`);
  const reason = reasonFrom(options.reason);
  const unmasked = options.unmasked === true;
  if (unmasked && options.request === undefined) throw usage('--unmasked needs --request <id>: an unmasked export needs a request approved by a second person (renewals audit unmask request)');
  if (!unmasked && options.request !== undefined) throw usage('--request goes with --unmasked');
  if (unmasked && (reason !== undefined || Object.keys(filter).length > 0)) {
    throw usage('--unmasked takes its filter and reason from the approved request: leave out --policy, --from, --to, --channel and --reason');
  }
  if (options.out !== undefined && !options.force && existsSync(options.out)) throw usage(`--out ${options.out} already exists: choose another name or remove it`);

  return {
    filter,
    format,
    out: options.out,
    force: options.force === true,
    unmasked,
    reason,
    operator: actingUser().ref,
    ...(options.request !== undefined ? { unmaskRequest: requestId(options.request, '--request') } : {}),
  };
}


/** Where a break is: its seq, and its partition and place there when it is not on the legacy chain. */
function placeOf(problem: ChainBreak): string {
  return problem.partition === undefined ? `seq ${problem.seq} (legacy chain)` : `seq ${problem.seq} (partition ${problem.partition}, chain seq ${problem.chainSeq})`;
}

function describeBreak(problem: ChainBreak): string {
  const legacy = problem.partition === undefined;
  switch (problem.problem) {
    case 'altered':
      return 'altered content (the row no longer matches its hash)';
    case 'broken_link':
      return legacy
        ? `broken link (its prev_hash is not the hash of seq ${problem.seq - 1})`
        : problem.chainSeq === 1
          ? 'broken link (its prev_hash is not the legacy chain\'s head, where every partition starts)'
          : `broken link (its prev_hash is not the hash of chain seq ${(problem.chainSeq ?? 1) - 1} of partition ${problem.partition})`;
    case 'missing_rows': {
      const what = legacy ? 'seq' : `chain seq`;
      const { from, to } = problem.missing ?? { from: problem.seq - 1, to: problem.seq - 1 };
      return from === to ? `missing row: ${what} ${from} is gone (deleted)` : `missing rows: ${what} ${from}–${to} are gone (deleted)`;
    }
  }
}

function describeHead(p: PartitionReport): string {
  const { head } = p;
  const rows = p.last?.chainSeq ?? 0;
  switch (head.result) {
    case 'matches':
      return `signed head holds (${rows} rows, key ${head.keyId})`;
    case 'cut_off':
      return `rows cut off its end: the signed head counts ${head.chainSeq} rows, the last one there is chain seq ${rows}`;
    case 'ahead':
      return `rows past its signed head: the head counts ${head.chainSeq}, the partition has ${rows} (rows added behind the chain's back)`;
    case 'differs':
      return `its last row is not the one its signed head names (the partition was rewritten)`;
    case 'bad_signature':
      return 'the head\'s signature does not match it (the head was forged or edited)';
    case 'unknown_key':
      return `the head is signed under key ${head.keyId}, neither RENEWALS_AUDIT_KEY nor in RENEWALS_AUDIT_KEYS_PREVIOUS`;
    case 'missing':
      return 'its head row is gone';
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
        intact: chainIntact(report),
        rows: report.rows,
        lastSeq: report.head?.seq ?? null,
        headHash: report.head?.hash ?? null,
        problems: report.problems,
        headProblems: report.headProblems,
        firstBreak: report.firstBreak ? { ...report.firstBreak, description: describeBreak(report.firstBreak) } : null,
        legacy: { rows: report.legacy.rows, lastSeq: report.legacy.last?.seq ?? null, headHash: report.legacy.last?.hash ?? null, problems: report.legacy.problems },
        partitions: report.partitions.map((p) => ({
          partition: p.partition,
          rows: p.rows,
          lastSeq: p.last?.seq ?? null,
          headHash: p.last?.hash ?? null,
          problems: p.problems,
          firstBreak: p.firstBreak ? { ...p.firstBreak, description: describeBreak(p.firstBreak) } : null,
          head: { result: p.head.result, chainSeq: p.head.chainSeq ?? null, seq: p.head.seq ?? null, keyId: p.head.keyId ?? null, description: describeHead(p) },
        })),
        ...(report.anchor && { anchor: { ...report.anchor, description: describeAnchor(report.anchor) } }),
      },
      { json: true },
    );
    return;
  }
  // SEQ:HASH exactly as --anchor takes it, so it can be kept outside the database and checked later.
  const tail = report.head ? `head ${report.head.seq}:${report.head.hash}` : 'empty trail';
  const used = report.partitions.filter((p) => p.rows > 0 || p.problems > 0 || p.head.result !== 'matches');
  const holding = report.partitions.length - report.headProblems;
  const lines = [
    report.firstBreak
      ? `chain BROKEN: first at ${placeOf(report.firstBreak)}: ${describeBreak(report.firstBreak)}\n${report.problems} of ${report.rows} rows do not fit; ${tail}`
      : `chain intact: ${report.rows} rows, ${tail}`,
    `legacy chain: ${report.legacy.rows} rows${report.legacy.last ? `, head ${report.legacy.last.seq}:${report.legacy.last.hash}` : ''}${report.legacy.problems ? `, ${report.legacy.problems} do not fit` : ''}`,
    `partitions: ${report.partitions.length} (0 = rows without a policy), ${used.length} in use; signed heads holding: ${holding} of ${report.partitions.length}`,
    ...used.map((p) => {
      const rows = `partition ${p.partition}: ${p.rows} rows${p.last ? `, last ${p.last.seq}:${p.last.hash}` : ''}`;
      const broken = p.firstBreak ? `; ${p.problems} do not fit, first at ${placeOf(p.firstBreak)}: ${describeBreak(p.firstBreak)}` : '';
      const head = p.head.result === 'matches' ? `; head signed (key ${p.head.keyId})` : `; HEAD DOES NOT HOLD: ${describeHead(p)}`;
      return `  ${rows}${broken}${head}`;
    }),
  ];
  if (report.anchor) lines.push(`${report.anchor.result === 'matches' ? 'anchor held' : 'ANCHOR NOT HELD'}: ${describeAnchor(report.anchor)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
