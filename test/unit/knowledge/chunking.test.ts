import { describe, expect, it } from 'vitest';
import { chunkDocument, splitToFit, type DocumentBlock } from '../../../shared/domain/knowledge/chunking.js';

const sentence = (n: number): string => `Sentence number ${n} talks about topic ${n % 7} in some detail.`;
const paragraph = (from: number, count: number): string => Array.from({ length: count }, (_, i) => sentence(from + i)).join(' ');

describe('chunking follows the document structure', () => {
  it('never crosses a heading and records the heading path as the section', () => {
    const blocks: DocumentBlock[] = [
      { kind: 'heading', level: 1, text: 'Billing' },
      { kind: 'paragraph', text: 'Invoices go out monthly.' },
      { kind: 'heading', level: 2, text: 'Refunds' },
      { kind: 'paragraph', text: 'Refunds take five days.' },
      { kind: 'heading', level: 1, text: 'Support' },
      { kind: 'paragraph', text: 'Write to us any time.' },
    ];
    const chunks = chunkDocument(blocks);
    expect(chunks.map((c) => [c.section, c.text])).toEqual([
      ['Billing', 'Invoices go out monthly.'],
      ['Billing > Refunds', 'Refunds take five days.'],
      ['Support', 'Write to us any time.'],
    ]);
  });

  it('keeps page numbers and never crosses a page', () => {
    const chunks = chunkDocument([
      { kind: 'page', page: 1 },
      { kind: 'paragraph', text: 'First page text.' },
      { kind: 'page', page: 2 },
      { kind: 'paragraph', text: 'Second page text.' },
    ]);
    expect(chunks.map((c) => [c.page, c.text])).toEqual([
      [1, 'First page text.'],
      [2, 'Second page text.'],
    ]);
  });

  it('sizes chunks for retrieval, with overlap from the previous chunk of the same section, within the maximum', () => {
    const options = { targetChars: 400, maxChars: 600, overlapChars: 80 };
    const blocks: DocumentBlock[] = [{ kind: 'heading', level: 1, text: 'Long' }];
    for (let p = 0; p < 10; p += 1) blocks.push({ kind: 'paragraph', text: paragraph(p * 10, 4) });
    const chunks = chunkDocument(blocks, options);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(options.maxChars);
    for (let i = 1; i < chunks.length; i += 1) {
      const previousTail = chunks[i - 1]!.text.slice(-40);
      expect(chunks[i]!.text.slice(0, 120)).toContain(previousTail.slice(previousTail.indexOf(' ') + 1, previousTail.indexOf(' ') + 15));
    }
    const all = chunks.map((c) => c.text).join(' ');
    for (let p = 0; p < 10; p += 1) for (let i = 0; i < 4; i += 1) expect(all).toContain(`Sentence number ${p * 10 + i} `);
  });

  it('splits an oversized paragraph at sentence ends, and a sentence with no ends at spaces', () => {
    const pieces = splitToFit(paragraph(0, 20), 200);
    expect(pieces.every((p) => p.length <= 200)).toBe(true);
    expect(pieces.every((p) => p.endsWith('.'))).toBe(true);
    const words = splitToFit('word '.repeat(200).trim(), 100);
    expect(words.every((p) => p.length <= 100 && !p.startsWith(' '))).toBe(true);
    expect(words.join(' ').split(' ')).toHaveLength(200);
  });
});
