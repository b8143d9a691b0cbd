import { createHash } from 'node:crypto';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import type { Knex } from 'knex';
import { maskPersonalText } from '../domain/personal-data';
import { appendAudit, auditChainHead } from '../db/repositories/audit';
import {
  AUDIT_EXPORT_COLUMNS,
  auditExportPages,
  countAuditExportRows,
  recipientsInClear,
  type AuditExportFilter,
  type AuditExportRow,
} from '../db/repositories/audit-export';
import type { PiiCipher } from '../db/pii-cipher';
import { INERT_CSV_CAST } from '../reports/csv-cells';
import { OperatorError } from './errors';
import { placeOutput, stageOutput } from './output-files';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Progress on stderr only for exports long enough to wait on, and only for a person at a terminal. */
const PROGRESS_FROM_ROWS = 20_000;

export interface ExportRequest {
  filter: AuditExportFilter;
  format: ExportFormat;
  out?: string;
  /** Replace `out` if it is already there. */
  force?: boolean;
  /** With the cipher that decrypts the recipients: only for an unmasked export. */
  unmasked: boolean;
  cipher?: PiiCipher;
  reason?: string;
  operator: string;
  /** The approved four-eyes request an unmasked export consumes (application/audit-unmask.ts). */
  unmaskRequest?: number;
}

/**
 * Writes the export to a private temporary file while hashing it, appends the audit_exported event
 * (with that hash), and only then moves the file into place or copies it to stdout. If the audit
 * event cannot be written, the export is never delivered and the temporary file is removed.
 */
export async function exportAuditTrail(db: Knex, request: ExportRequest, say: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<void> {
  const head = await auditChainHead(db);
  const filter: AuditExportFilter = { ...request.filter, throughSeq: head?.seq ?? 0 };
  if (request.unmasked && !request.cipher) throw new Error('an unmasked export needs the data key\'s cipher');
  const cipher = request.unmasked ? request.cipher : undefined;
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
    // Actors, outcomes and recipients come from operators and imports: CSV text made inert.
    await write(request.format === 'csv' ? stringify([], { bom: true, header: true, columns: [...AUDIT_EXPORT_COLUMNS], cast: INERT_CSV_CAST }) : '[');
    for await (const masked of auditExportPages(db, filter)) {
      let page: AuditExportRow[] = masked;
      if (cipher) {
        const clear = await recipientsInClear(db, cipher, masked);
        page = clear.rows;
        unresolved += clear.unresolved;
      }
      if (request.format === 'csv') await write(stringify(page, { columns: [...AUDIT_EXPORT_COLUMNS], cast: INERT_CSV_CAST }));
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
        ...(request.unmaskRequest !== undefined ? { unmaskRequest: request.unmaskRequest } : {}),
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
      await placeOutput(staging.path, request.out, request.force);
      say(`${summary} → ${request.out}`);
    }
    if (unresolved > 0) process.stderr.write(`warning: ${unresolved} recipients could not be matched to one contact point and stay masked\n`);
  } finally {
    await staging.handle.close().catch(() => undefined);
    await rm(staging.cleanup, { recursive: true, force: true });
  }
}

/**
 * A new file only this user can read: next to --out (so the final move stays on one file system),
 * or in a private temporary directory when the export goes to stdout. Every export is owner-only:
 * an unmasked one holds recipients in clear, and a masked one is still the contact history of
 * named policies.
 */
async function stagingFile(out: string | undefined): Promise<{ path: string; handle: FileHandle; cleanup: string }> {
  if (out === undefined) {
    const dir = await mkdtemp(join(tmpdir(), 'renewals-audit-'));
    const path = join(dir, 'export');
    return { path, handle: await open(path, 'wx', 0o600), cleanup: dir };
  }
  try {
    const staged = await stageOutput(out, true);
    return { ...staged, cleanup: staged.path };
  } catch (error) {
    throw new OperatorError(`--out ${out} cannot be written: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, true);
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
