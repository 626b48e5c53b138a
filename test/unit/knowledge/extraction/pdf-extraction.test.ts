import { getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { createDocumentExtractor } from '../../../../shared/adapters/knowledge/extraction/document-extractor.js';
import type { DocumentBlock } from '../../../../shared/domain/knowledge/chunking.js';
import type { ExtractionResult } from '../../../../shared/domain/knowledge/extraction.js';
import { makeEncryptedPdf, makePdf, makeScannedPdf, overLimitFile, truncated } from '../../../support/document-fixtures.js';

const extractor = createDocumentExtractor();

function blocksOf(result: ExtractionResult): readonly DocumentBlock[] {
  if (!result.ok) throw new Error(`extraction failed: ${result.code} ${result.detail}`);
  return result.blocks;
}

/** The text of each page, keyed by page number, as the blocks place it. */
function textByPage(blocks: readonly DocumentBlock[]): Map<number, string[]> {
  const pages = new Map<number, string[]>();
  let page = 0;
  for (const block of blocks) {
    if (block.kind === 'page') page = block.page;
    else pages.set(page, [...(pages.get(page) ?? []), block.text]);
  }
  return pages;
}

const LONG = 'Refunds are paid to the card used for the order and take five business days to arrive.';

describe('PDF extraction', () => {
  it('keeps page numbers: each page’s text follows its page block', async () => {
    const pdf = await makePdf({
      title: 'Customer handbook',
      pages: [
        { heading: 'Refunds', paragraphs: [`${LONG} ${LONG}`, 'Alpha paragraph on page one.'] },
        { paragraphs: ['Bravo paragraph on page two.'] },
        { heading: 'Support', paragraphs: ['Charlie paragraph on page three.'] },
      ],
    });
    const result = await extractor.extract(pdf, 'pdf');
    expect(result).toMatchObject({ ok: true, pageCount: 3, title: 'Customer handbook' });
    const pages = textByPage(blocksOf(result));
    expect([...pages.keys()]).toEqual([1, 2, 3]);
    expect(pages.get(1)).toEqual(['Refunds', `${LONG} ${LONG}`, 'Alpha paragraph on page one.']);
    expect(pages.get(2)).toEqual(['Bravo paragraph on page two.']);
    expect(pages.get(3)).toEqual(['Support', 'Charlie paragraph on page three.']);
  });

  it('reads larger type as headings and joins wrapped lines into one paragraph', async () => {
    const pdf = await makePdf({ pages: [{ heading: 'Delivery times', paragraphs: [`${LONG} ${LONG} ${LONG}`, 'Second paragraph.'] }] });
    const blocks = blocksOf(await extractor.extract(pdf, 'pdf'));
    expect(blocks).toEqual([
      { kind: 'page', page: 1 },
      { kind: 'heading', level: 1, text: 'Delivery times' },
      { kind: 'paragraph', text: `${LONG} ${LONG} ${LONG}` },
      { kind: 'paragraph', text: 'Second paragraph.' },
    ]);
  });

  it('when the PDF needs a password to open, fails with EncryptedDocument', async () => {
    const pdf = makeEncryptedPdf({ lines: ['Salary bands for 2025'], userPassword: 'hunter2' });
    const result = await extractor.extract(pdf, 'pdf');
    expect(result).toMatchObject({ ok: false, code: 'EncryptedDocument' });
    expect(result.ok ? '' : result.detail).toContain('password');
  });

  it('the encrypted fixture is a real encrypted PDF: PDF.js reads it with the password', async () => {
    const pdf = await getDocumentProxy(makeEncryptedPdf({ lines: ['Salary bands for 2025'], userPassword: 'hunter2' }), { password: 'hunter2' });
    const content = await (await pdf.getPage(1)).getTextContent();
    expect(content.items.map((item) => ('str' in item ? item.str : '')).join('')).toContain('Salary bands for 2025');
    await pdf.destroy();
  });

  it('reads a PDF encrypted with an owner password only, which opens without asking', async () => {
    const pdf = makeEncryptedPdf({ lines: ['Opening hours are nine to five.', 'Closed on Sundays.'], userPassword: '' });
    const result = await extractor.extract(pdf, 'pdf');
    expect(textByPage(blocksOf(result)).get(1)?.join(' ')).toContain('Opening hours are nine to five.');
  });

  it('when the PDF is truncated or garbage after its header, fails with CorruptDocument', async () => {
    const pdf = await makePdf({ pages: [{ paragraphs: ['Some text.'] }, { paragraphs: ['More text.'] }] });
    expect(await extractor.extract(truncated(pdf), 'pdf')).toMatchObject({ ok: false, code: 'CorruptDocument' });
    const garbage = new TextEncoder().encode('%PDF-1.7\nthis is not a PDF body at all');
    expect(await extractor.extract(garbage, 'pdf')).toMatchObject({ ok: false, code: 'CorruptDocument' });
  });

  it('when the pages are scanned images without a text layer, fails with NoExtractableText', async () => {
    expect(await extractor.extract(await makeScannedPdf(), 'pdf')).toMatchObject({ ok: false, code: 'NoExtractableText' });
  });

  it('when the PDF is over 50 MB, fails with FileTooLarge before parsing it', async () => {
    const { bytes } = await overLimitFile('pdf');
    const result = await extractor.extract(bytes, 'pdf');
    expect(result).toMatchObject({ ok: false, code: 'FileTooLarge' });
    expect(result.ok ? '' : result.detail).toMatch(/^PDFs may be at most 50 MB/);
  });
});
