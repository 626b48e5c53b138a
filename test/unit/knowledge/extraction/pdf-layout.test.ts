import { describe, expect, it } from 'vitest';
import { linesOf, pdfPagesToBlocks, type PositionedText, type TextLine } from '../../../../shared/adapters/knowledge/extraction/pdf-layout.js';

const run = (text: string, x: number, y: number, size = 11, endOfLine = false): PositionedText => ({
  text,
  x,
  y,
  width: text.length * size * 0.5,
  size,
  endOfLine,
});

/** Body lines 14 pt apart; `gapBefore` adds space above a line (a new paragraph). */
function page(spec: readonly (string | { text: string; size?: number; gapBefore?: number })[], top = 780): TextLine[] {
  let y = top;
  return spec.map((entry) => {
    const { text, size = 11, gapBefore = 0 } = typeof entry === 'string' ? { text: entry } : entry;
    y -= gapBefore;
    const line = { text, y, size };
    y -= 14;
    return line;
  });
}

describe('reading lines from positioned PDF text', () => {
  it('joins runs on one baseline, adding a space where there is a gap, and breaks at end-of-line marks and baseline changes', () => {
    const lines = linesOf([
      run('Refunds', 50, 700),
      run('take', 50 + 7 * 5.5 + 3, 700),
      run(' five days', 200, 700, 11, true),
      run('Second', 50, 686),
      run('2', 83, 689, 6),
      run('line', 50, 672),
    ]);
    expect(lines.map((l) => l.text)).toEqual(['Refunds take five days', 'Second2', 'line']);
    expect(lines[1]?.size).toBe(11);
  });
});

describe('blocks from PDF lines', () => {
  it('starts paragraphs at gaps wider than the line spacing and joins hyphenated line ends', () => {
    const blocks = pdfPagesToBlocks([
      page(['The warranty covers', 'manufacturing defects for two', 'years from deli-', 'very.', { text: 'Accidental damage is', gapBefore: 12 }, 'not covered.']),
    ]);
    expect(blocks).toEqual([
      { kind: 'page', page: 1 },
      { kind: 'paragraph', text: 'The warranty covers manufacturing defects for two years from delivery.' },
      { kind: 'paragraph', text: 'Accidental damage is not covered.' },
    ]);
  });

  it('reads larger short lines as headings, the largest as level 1, and a heading set on two lines as one', () => {
    const blocks = pdfPagesToBlocks([
      page([
        { text: 'Warranty and', size: 24 },
        { text: 'repairs', size: 24 },
        { text: 'Scope', size: 16, gapBefore: 10 },
        { text: 'Covers defects.', gapBefore: 10 },
        'More body text here.',
        'And more body text.',
        { text: 'Exclusions', size: 16, gapBefore: 10 },
        { text: 'Water damage.', gapBefore: 10 },
      ]),
    ]);
    expect(blocks).toEqual([
      { kind: 'page', page: 1 },
      { kind: 'heading', level: 1, text: 'Warranty and repairs' },
      { kind: 'heading', level: 2, text: 'Scope' },
      { kind: 'paragraph', text: 'Covers defects. More body text here. And more body text.' },
      { kind: 'heading', level: 2, text: 'Exclusions' },
      { kind: 'paragraph', text: 'Water damage.' },
    ]);
  });

  it('does not take table-of-contents entries for headings', () => {
    const blocks = pdfPagesToBlocks([page([{ text: '1 Introduction . . . . . . . . 3', size: 14 }, 'Body text that is long enough to be the body.'])]);
    expect(blocks.filter((b) => b.kind === 'heading')).toEqual([]);
  });

  it('drops page numbers and running headers, but keeps a recurring line in the middle of a page', () => {
    const topics = ['Scope', 'Claims', 'Repairs', 'Returns'];
    const pages = topics.map((topic, i) =>
      page(['ACME Warranty Guide', { text: `${topic} are explained here.`, gapBefore: 20 }, 'Call 555-0100 for help.', `That is all on ${topic}.`, { text: String(i + 1), gapBefore: 20 }]),
    );
    const text = pdfPagesToBlocks(pages)
      .flatMap((b) => (b.kind === 'page' ? [] : [b.text]))
      .join('\n');
    expect(text).not.toContain('ACME Warranty Guide');
    expect(text).not.toMatch(/^\d$/m);
    expect(text.match(/Call 555-0100 for help\./g)).toHaveLength(4);
    expect(text).toContain('Repairs are explained here.');
    expect(text).toContain('That is all on Returns.');
  });
});
