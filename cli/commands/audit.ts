import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { Presets, SingleBar } from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import type { Knex } from 'knex';
import { isCivilDate } from '../../domain/civil-date';
import type { ContactChannel } from '../../domain/contact-rules';
import { appendAudit, auditChainHead, inspectAuditChain, type AnchorCheck, type AuditChainReport, type ChainAnchor, type ChainBreak } from '../../db/repositories/audit';
import {
  AUDIT_EXPORT_COLUMNS,
  auditExportPages,
  countAuditExportRows,
  recipientsInClear,
  type AuditExportFilter,
  type AuditExportRow,
} from '../../db/repositories/audit-export';
import { PiiCipher } from '../../db/pii-cipher';
import { maskPersonalText } from '../../observability/logger';
import { withDatabase } from '../context';
import { CliError } from '../errors';
import { printRecord } from '../output';

const CHANNELS: readonly ContactChannel[] = ['sms', 'wechat', 'email', 'letter', 'phone'];
const FORMATS = ['csv', 'json'] as const;
type ExportFormat = (typeof FORMATS)[number];

/** Progress on stderr only for exports long enough to wait on, and only for a person at a terminal. */
const PROGRESS_FROM_ROWS = 20_000;

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
    .option('--out <file>', 'write to this file (default: stdout)')
    .option('--unmasked', 'show recipients in clear: needs --reason and --operator, and is itself audited')
    .option('--reason <text>', 'why the export is needed (recorded in the audit trail)')
    .option('--operator <id>', 'who is exporting (recorded in the audit trail)')
    .action(async (options) => {
      const request = exportRequest(options);
      await withDatabase((db) => exportAuditTrail(db, request));
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

export interface ExportRequest {
  filter: AuditExportFilter;
  format: ExportFormat;
  out?: string;
  unmasked: boolean;
  reason?: string;
  operator: string;
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
  const format = FORMATS.find((f) => f === options.format);
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

  if (options.out !== undefined && existsSync(options.out)) throw usage(`--out ${options.out} already exists: choose another name or remove it`);

  return { filter, format, out: options.out, unmasked, reason, operator: operator ?? localUser() };
}

function localUser(): string {
  try {
    return userInfo().username.slice(0, 64) || 'unknown';
  } catch {
    return process.env.USER?.slice(0, 64) || 'unknown';
  }
}

/**
 * Writes the export to a private temporary file while hashing it, appends the audit_exported event
 * (with that hash), and only then moves the file into place or copies it to stdout. If the audit
 * event cannot be written, the export is never delivered and the temporary file is removed.
 */
export async function exportAuditTrail(db: Knex, request: ExportRequest, say: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<void> {
  const head = await auditChainHead(db);
  const filter: AuditExportFilter = { ...request.filter, throughSeq: head?.seq ?? 0 };
  const cipher = request.unmasked ? PiiCipher.fromEnv() : undefined;
  const staging = await stagingFile(request.out);
  try {
    // Counting costs a query over the whole selection: only when someone is watching.
    const total = process.stderr.isTTY ? await countAuditExportRows(db, filter) : 0;
    const progress = total >= PROGRESS_FROM_ROWS ? new SingleBar({ stream: process.stderr }, Presets.shades_classic) : undefined;
    progress?.start(total, 0);
    const hash = createHash('sha256');
    const write = async (chunk: string) => {
      const bytes = Buffer.from(chunk, 'utf8');
      hash.update(bytes);
      await staging.handle.write(bytes);
    };

    let rows = 0;
    let unresolved = 0;
    await write(request.format === 'csv' ? stringify([], { bom: true, header: true, columns: [...AUDIT_EXPORT_COLUMNS] }) : '[');
    for await (const masked of auditExportPages(db, filter)) {
      let page: AuditExportRow[] = masked;
      if (cipher) {
        const clear = await recipientsInClear(db, cipher, masked);
        page = clear.rows;
        unresolved += clear.unresolved;
      }
      if (request.format === 'csv') await write(stringify(page, { columns: [...AUDIT_EXPORT_COLUMNS] }));
      else await write(page.map((row, i) => `${rows + i === 0 ? '' : ','}\n  ${JSON.stringify(row)}`).join(''));
      rows += page.length;
      progress?.update(rows);
    }
    if (request.format === 'json') await write(rows === 0 ? ']\n' : '\n]\n');
    progress?.stop();
    await staging.handle.close();
    const sha256 = hash.digest('hex');

    const recorded = await appendAudit(db, {
      kind: 'audit_exported',
      actor: request.operator,
      policyNo: request.filter.policyNo,
      detail: {
        operator: request.operator,
        // Free text from a person: mask any number or address typed into it.
        reason: request.reason === undefined ? null : maskPersonalText(request.reason),
        filters: request.filter,
        rows,
        unmasked: request.unmasked,
        ...(request.unmasked ? { unresolvedRecipients: unresolved } : {}),
        format: request.format,
        sha256,
        destination: request.out === undefined ? 'stdout' : basename(request.out),
        chainHead: head ?? null,
      },
    });

    // The head the export reached, as `audit verify --anchor` takes it: worth keeping with the file.
    const through = head ? `; chain head ${head.seq}:${head.hash}` : '';
    const summary = `exported ${rows} audit rows (${request.format}, ${request.unmasked ? 'UNMASKED' : 'masked'}), sha256 ${sha256}; recorded as audit seq ${recorded.seq}${through}`;
    if (request.out === undefined) {
      await copyToStdout(staging.path);
      process.stderr.write(`${summary}\n`);
    } else {
      await rename(staging.path, request.out);
      say(`${summary} → ${request.out}`);
    }
    if (unresolved > 0) process.stderr.write(`warning: ${unresolved} recipients could not be matched to one contact point and stay masked\n`);
  } finally {
    await staging.handle.close().catch(() => undefined);
    await rm(staging.cleanup, { recursive: true, force: true });
  }
}

/**
 * A new file only this user can read: next to --out (so the final rename stays on one file system),
 * or in a private temporary directory when the export goes to stdout.
 */
async function stagingFile(out: string | undefined): Promise<{ path: string; handle: FileHandle; cleanup: string }> {
  if (out === undefined) {
    const dir = await mkdtemp(join(tmpdir(), 'renewals-audit-'));
    const path = join(dir, 'export');
    return { path, handle: await open(path, 'wx', 0o600), cleanup: dir };
  }
  const path = join(dirname(resolve(out)), `.${basename(out)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    return { path, handle: await open(path, 'wx', 0o600), cleanup: path };
  } catch (error) {
    throw usage(`--out ${out} cannot be written: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

async function copyToStdout(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    for await (const chunk of file.createReadStream()) {
      if (!process.stdout.write(chunk as Buffer)) await new Promise((done) => process.stdout.once('drain', done));
    }
  } finally {
    await file.close();
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
