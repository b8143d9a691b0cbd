import { PDFParse } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import { DEMO_LETTER_FONT, readSettings } from '../../config/settings';
import { renderLetterPdf } from '../../integrations/letters/letter-pdf';
import { renderNotice } from '../../integrations/messaging/templates/renewal-notices';
import { letterRefusals } from '../../workers/letter-wiring';

/**
 * Letters as PDF (docs/architecture.md#letters): the Chinese text reads back out of the file, the font
 * travels inside it, the same letter is the same bytes, and a production worker needs its own font.
 */
const sender = { name: '示例人寿保险股份有限公司', address: '上海市浦东新区示例路 1 号 200120' };
const notice = renderNotice('lapse_letter', { policyNo: 'P2026LTR001', dueDate: '2026-10-24', amountFen: 1_234_500, lastGraceDay: '2026-12-23', suspensionDate: '2026-12-24' });
const content = {
  date: '2026-12-25',
  policyNo: 'P2026LTR001',
  template: 'lapse_letter',
  recipient: '张三丰\n上海市黄浦区南京东路 100 号 1201 室\n200001',
  text: notice.letter!.text,
};

async function textOf(bytes: Buffer): Promise<{ text: string; pages: number }> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText();
    return { text: result.text, pages: result.total };
  } finally {
    await parser.destroy();
  }
}

describe('a letter rendered to PDF', () => {
  it('reads back with its Chinese intact, the policy number, the postal block and page numbers, in the embedded font', async () => {
    const letter = await renderLetterPdf(content, sender, DEMO_LETTER_FONT);
    const { text, pages } = await textOf(letter.bytes);
    expect(letter.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pages).toBe(letter.pages);
    expect(letter.pages).toBeGreaterThanOrEqual(1);
    // A sentence of the template, whole.
    expect(text.replace(/\s+/g, '')).toContain('效力中止期间发生的保险事故，本公司不承担保险责任。');
    expect(text).toContain('P2026LTR001');
    expect(text).toContain('南京东路 100 号');
    expect(text).toContain(sender.name);
    expect(text).toContain(`第 1 页 / 共 ${letter.pages} 页`);
    // The font is in the file (a TrueType/OpenType program), not referred to by name only.
    const raw = letter.bytes.toString('latin1');
    expect(raw).toMatch(/\/FontFile[23]?\b/);
    expect(raw).toContain('NotoSansCJK');
  });

  it('is the same bytes for the same letter, so a retried activity stores what the first try rendered', async () => {
    const first = await renderLetterPdf(content, sender, DEMO_LETTER_FONT);
    const again = await renderLetterPdf(content, sender, DEMO_LETTER_FONT);
    expect(again.sha256).toBe(first.sha256);
    expect(Buffer.compare(again.bytes, first.bytes)).toBe(0);
    const otherDay = await renderLetterPdf({ ...content, date: '2026-12-26' }, sender, DEMO_LETTER_FONT);
    expect(otherDay.sha256).not.toBe(first.sha256);
  });

  it('a long letter runs to more pages, each numbered', async () => {
    const long = await renderLetterPdf({ ...content, text: Array.from({ length: 12 }, () => notice.letter!.text).join('\n\n') }, sender, DEMO_LETTER_FONT);
    const { text, pages } = await textOf(long.bytes);
    expect(long.pages).toBeGreaterThan(1);
    expect(pages).toBe(long.pages);
    expect(text).toContain(`第 ${long.pages} 页 / 共 ${long.pages} 页`);
  });
});

describe('the letter font at start-up', () => {
  const production = { RENEWALS_ENV: 'production' };

  it('production without LETTER_FONT_PATH is refused, naming the variable', () => {
    const refusals = letterRefusals(readSettings(production), 'production');
    expect(refusals.join('\n')).toContain('LETTER_FONT_PATH is not set');
    expect(refusals.join('\n')).toContain('LETTER_SENDER_NAME');
  });

  it('a font that cannot be read is refused in any environment; the demo font is accepted', () => {
    const missing = readSettings({ ...production, LETTER_FONT_PATH: '/nonexistent/font.ttc', LETTER_SENDER_NAME: 'X', LETTER_SENDER_ADDRESS: 'Y', PRINT_HOUSE_CODE: 'PH1' });
    expect(letterRefusals(missing, 'production')).toEqual([expect.stringMatching(/^LETTER_FONT_PATH \/nonexistent\/font\.ttc cannot be read/)]);
    const wrongFace = readSettings({ RENEWALS_ENV: 'demo', LETTER_FONT_PATH: DEMO_LETTER_FONT.path, LETTER_FONT_NAME: 'NoSuchFace' });
    expect(letterRefusals(wrongFace, 'demo')).toEqual([expect.stringContaining('LETTER_FONT_NAME NoSuchFace')]);
    const own = readSettings({ ...production, LETTER_FONT_PATH: DEMO_LETTER_FONT.path, LETTER_FONT_NAME: DEMO_LETTER_FONT.name, LETTER_SENDER_NAME: 'X', LETTER_SENDER_ADDRESS: 'Y', PRINT_HOUSE_CODE: 'PH1' });
    expect(letterRefusals(own, 'production')).toEqual([]);
    expect(letterRefusals(readSettings({ RENEWALS_ENV: 'demo' }), 'demo')).toEqual([]);
  });
});
