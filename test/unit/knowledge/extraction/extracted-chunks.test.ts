import { describe, expect, it } from 'vitest';
import { createDocumentExtractor } from '../../../../shared/adapters/knowledge/extraction/document-extractor.js';
import { chunkDocument, type Chunk } from '../../../../shared/domain/knowledge/chunking.js';
import type { ExtractionResult } from '../../../../shared/domain/knowledge/extraction.js';
import { SAMPLE_HTML, SAMPLE_JSON, makeDocx, makePdf, textFile } from '../../../support/document-fixtures.js';

const extractor = createDocumentExtractor();

function chunksOf(result: ExtractionResult, options?: Parameters<typeof chunkDocument>[1]): Chunk[] {
  if (!result.ok) throw new Error(`extraction failed: ${result.code} ${result.detail}`);
  return chunkDocument(result.blocks, options);
}

const sentence = (page: number, n: number): string => `Page ${page} sentence ${n} explains the warranty terms in plain words.`;

describe('extracted documents survive chunking with their pages and sections', () => {
  it('every chunk of a PDF knows its page, and no chunk mixes two pages', async () => {
    const pages = [1, 2, 3].map((p) => ({
      heading: p === 1 ? 'Warranty' : undefined,
      paragraphs: Array.from({ length: 6 }, (_, i) => Array.from({ length: 4 }, (_, j) => sentence(p, i * 4 + j)).join(' ')),
    }));
    const chunks = chunksOf(await extractor.extract(await makePdf({ pages }), 'pdf'), { targetChars: 600, maxChars: 900, overlapChars: 100 });
    expect(new Set(chunks.map((c) => c.page))).toEqual(new Set([1, 2, 3]));
    for (const chunk of chunks) {
      const mentioned = new Set([...chunk.text.matchAll(/Page (\d) sentence/g)].map((m) => Number(m[1])));
      expect([...mentioned]).toEqual([chunk.page]);
      expect(chunk.section).toBe('Warranty');
    }
  });

  it('Word headings become section paths', async () => {
    const chunks = chunksOf(await extractor.extract(await makeDocx(), 'docx'));
    expect(chunks.map((c) => [c.section, c.text])).toEqual([
      ['Leave', 'Employees accrue 25 days of paid leave per year.'],
      ['Leave > Sick leave', 'Sick leave needs a doctor’s note after three days.\n\nTell your manager before 9 am.'],
      ['Expenses', 'Item | Limit\n\nHotel | 150 EUR per night\n\nMeals | 40 EUR per day'],
      ['Expenses > Travel > Trains', 'First class is allowed for journeys over four hours.'],
    ]);
  });

  it('HTML headings become section paths', async () => {
    const chunks = chunksOf(await extractor.extract(textFile(SAMPLE_HTML), 'html'));
    expect(chunks.find((c) => c.text.includes('3 to 5 business days'))?.section).toBe('Shipping > Returns > Refund timing');
  });

  it('a CSV row is never split between chunks, so each row is found on its own', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => `SKU-${i},Product number ${i},${(i * 1.5).toFixed(2)} EUR,In stock at warehouse ${i % 7}`);
    const csv = `sku,name,price,availability\n${rows.join('\n')}\n`;
    const chunks = chunksOf(await extractor.extract(textFile(csv), 'csv'));
    expect(chunks.length).toBeGreaterThan(3);
    for (let i = 0; i < rows.length; i++) {
      const row = `sku: SKU-${i}; name: Product number ${i}; price: ${(i * 1.5).toFixed(2)} EUR; availability: In stock at warehouse ${i % 7}`;
      expect(chunks.some((c) => c.text.includes(row)), row).toBe(true);
    }
  });

  it('JSON top-level keys become sections', async () => {
    const chunks = chunksOf(await extractor.extract(textFile(SAMPLE_JSON), 'json'));
    expect(chunks.map((c) => c.section)).toEqual([undefined, 'plans', 'support']);
    expect(chunks[1]?.text).toContain('plans[1].features[0]: avatars');
  });
});
