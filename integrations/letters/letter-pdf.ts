import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { create, type Font } from 'fontkit';
import PDFDocument from 'pdfkit';

/** The font letters are set in (LETTER_FONT_PATH, LETTER_FONT_NAME): it must cover Chinese, and is embedded. */
export interface LetterFont {
  path: string;
  /** The face inside a collection (.ttc), e.g. NotoSansCJKsc-Regular; none for a single-face file. */
  name?: string;
}

/** Who the letter is from: the insurer's name and address block (LETTER_SENDER_NAME, LETTER_SENDER_ADDRESS). */
export interface LetterSender {
  name: string;
  address: string;
}

/** One letter to render. `recipient` is the postal block in clear: personal data, never logged. */
export interface LetterContent {
  /** The letter's date, YYYY-MM-DD (Asia/Shanghai): printed, and the PDF's creation date. */
  date: string;
  policyNo: string;
  /** Our template key, e.g. lapse_letter (kept in the PDF's subject, nothing personal). */
  template: string;
  recipient: string;
  /** The template's text as the customer reads it. */
  text: string;
}

export interface RenderedLetter {
  bytes: Buffer;
  pages: number;
  sha256: string;
}

const MM = 72 / 25.4;
const MARGIN = 20 * MM;
const FACE = 'letter';

/** Fonts parsed so far, by file and face: one parse per process, not one per letter. */
const parsedFonts = new Map<string, Font>();

/**
 * The letter font, read and parsed once. A CJK font is tens of megabytes: reading and parsing it for
 * every letter cost more than setting the letter (docs/architecture.md#letters). fontkit decodes its
 * tables lazily and keeps them, so later letters reuse them; the bytes of a letter do not depend on it.
 */
function parsedFont(font: LetterFont): Font {
  const key = `${font.path}\0${font.name ?? ''}`;
  const known = parsedFonts.get(key);
  if (known) return known;
  const parsed = create(readFileSync(font.path), font.name || undefined);
  if (!('layout' in parsed)) throw new Error('the file is a font collection: name one of its faces');
  parsedFonts.set(key, parsed);
  return parsed;
}

/** pdfkit takes a parsed fontkit font where its types only name files and buffers. */
const fontSource = (font: LetterFont) => parsedFont(font) as unknown as PDFKit.Mixins.PDFFontSource;

/**
 * A letter as an A4 PDF with the font embedded (pdfkit subsets it): sender block, postal block, date,
 * policy number, the template's text and "page n of m" on every page. The same content and font give
 * the same bytes (the creation date is the letter's date, nothing else varies), so a retried activity
 * stores what the first try rendered (docs/architecture.md#letters).
 */
export function renderLetterPdf(content: LetterContent, sender: LetterSender, font: LetterFont): Promise<RenderedLetter> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(content.date)) throw new Error(`letter date must be YYYY-MM-DD, got ${JSON.stringify(content.date)}`);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: `${content.template} ${content.policyNo}`,
      Author: sender.name,
      Subject: content.template,
      Creator: 'renewals',
      Producer: 'renewals',
      CreationDate: new Date(`${content.date}T00:00:00+08:00`),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  doc.registerFont(FACE, fontSource(font));
  doc.font(FACE);
  const width = doc.page.width - 2 * MARGIN;

  doc.fontSize(14).text(sender.name, { width });
  doc.fontSize(9).text(sender.address, { width });
  doc.moveDown(2);
  // The postal block sits where a window envelope shows it.
  doc.fontSize(11).text(content.recipient, { width: width / 2 });
  doc.moveDown(2);
  doc.fontSize(10).text(`日期 Date: ${content.date}`, { width, align: 'right' });
  doc.text(`保单号 Policy No.: ${content.policyNo}`, { width, align: 'right' });
  doc.moveDown(1.5);
  doc.fontSize(11);
  for (const paragraph of content.text.trim().split(/\n{2,}/)) {
    doc.text(paragraph, { width, lineGap: 3 });
    doc.moveDown(0.8);
  }

  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i += 1) {
    doc.switchToPage(i);
    // The footer lies in the bottom margin: without this pdfkit would open a page for it.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.fontSize(9).text(`第 ${i + 1} 页 / 共 ${count} 页  Page ${i + 1} of ${count}`, MARGIN, doc.page.height - MARGIN / 2 - 9, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return ended.then(() => {
    const bytes = Buffer.concat(chunks);
    return { bytes, pages: count, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
}

/**
 * Loads the font as a letter would, so a worker with a missing file, a file that is not a font or a
 * face not in the collection stops at start-up rather than failing every letter. Throws a message
 * naming LETTER_FONT_PATH / LETTER_FONT_NAME.
 */
export function checkLetterFont(font: LetterFont): void {
  const doc = new PDFDocument({ size: 'A4', autoFirstPage: false });
  try {
    doc.registerFont(FACE, fontSource(font));
    doc.addPage().font(FACE).text('保单');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`LETTER_FONT_PATH ${font.path}${font.name ? ` (LETTER_FONT_NAME ${font.name})` : ''} cannot be used to print letters: ${why}`);
  }
}
