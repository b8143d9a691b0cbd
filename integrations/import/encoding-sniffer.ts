import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';

export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'gbk';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Bytes looked at, from the first non-ASCII byte on, before deciding UTF-8 or GBK. */
const SNIFF_BYTES = 4096;

/**
 * Turns the bytes of an import file into UTF-8 for the CSV parser, deciding the file's encoding on
 * the way. A BOM means UTF-8. Otherwise ASCII reads the same in both encodings, so bytes pass through
 * until the first non-ASCII byte; from there up to 4 KiB are held back and checked as strict UTF-8
 * (a character cut at the end of the held bytes is not an error). Valid: UTF-8, passed through
 * unchanged. Invalid: GBK, decoded as GB18030 (its superset, so rarer name characters survive) —
 * Chinese text in GBK is practically never valid UTF-8. Invalid bytes later in a UTF-8 file become
 * U+FFFD, which row validation reports on the column. Also hashes the original bytes (sha256).
 */
export class EncodingSniffer extends Transform {
  private decided: FileEncoding | undefined;
  private gbk: ReturnType<typeof iconv.getDecoder> | undefined;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private atStart = true;

  constructor(private readonly onBytes: (chunk: Buffer) => void = () => {}) {
    super();
  }

  /** The encoding found so far: undefined until a BOM or a non-ASCII byte was seen ('utf-8' for pure ASCII at the end). */
  get encoding(): FileEncoding | undefined {
    return this.decided;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.onBytes(chunk);
    this.accept(chunk, false);
    done();
  }

  override _flush(done: TransformCallback): void {
    this.accept(Buffer.alloc(0), true);
    if (this.gbk) {
      const rest = this.gbk.end();
      if (rest) this.push(Buffer.from(rest, 'utf8'));
    }
    done();
  }

  private accept(chunk: Buffer, end: boolean): void {
    if (this.atStart) {
      // The BOM check needs the first 3 bytes, which may arrive in separate chunks.
      this.hold(chunk);
      const head = Buffer.concat(this.held);
      if (head.length < BOM.length && !end) return;
      this.atStart = false;
      this.held = [];
      this.heldBytes = 0;
      if (head.subarray(0, 3).equals(BOM)) {
        this.decided = 'utf-8-bom';
        this.forward(head.subarray(3));
        return;
      }
      chunk = head;
    }
    if (this.decided) {
      this.forward(chunk);
      return;
    }
    if (this.heldBytes === 0) {
      const firstHigh = chunk.findIndex((byte) => byte >= 0x80);
      if (firstHigh < 0) {
        if (chunk.length > 0) this.push(chunk);
        if (end) this.decided = 'utf-8';
        return;
      }
      if (firstHigh > 0) this.push(chunk.subarray(0, firstHigh));
      chunk = chunk.subarray(firstHigh);
    }
    this.hold(chunk);
    if (this.heldBytes < SNIFF_BYTES && !end) return;
    const held = Buffer.concat(this.held);
    this.held = [];
    this.heldBytes = 0;
    this.decided = isUtf8Prefix(held.subarray(0, SNIFF_BYTES)) ? 'utf-8' : 'gbk';
    if (this.decided === 'gbk') this.gbk = iconv.getDecoder('gb18030');
    this.forward(held);
  }

  private hold(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.held.push(chunk);
    this.heldBytes += chunk.length;
  }

  private forward(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.gbk) {
      const text = this.gbk.write(chunk);
      if (text) this.push(Buffer.from(text, 'utf8'));
    } else {
      this.push(chunk);
    }
  }
}

/** Strict UTF-8, except that a character cut off at the very end is allowed (it continues in the next chunk). */
export function isUtf8Prefix(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}
