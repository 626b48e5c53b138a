import { describe, expect, it } from 'vitest';
import { chunkDocument, type DocumentBlock } from '../../../shared/domain/knowledge/chunking.js';
import { extractiveSummary } from '../../../shared/domain/knowledge/extractive-summarizer.js';

const paragraph = (text: string): DocumentBlock => ({ kind: 'paragraph', text });

describe('extractive summary', () => {
  it('takes the first sentences of the chunks closest to the whole document, in document order, within the target', () => {
    const blocks: DocumentBlock[] = [
      { kind: 'heading', level: 1, text: 'Refund policy' },
      paragraph('Refunds are paid to the original card within 30 days of the request. Partial refunds are not offered.'),
      { kind: 'heading', level: 1, text: 'Office' },
      paragraph('The office plants are watered on Fridays by whoever arrives first in the morning.'),
      { kind: 'heading', level: 1, text: 'Refund exceptions' },
      paragraph('Refunds for annual plans are prorated by the unused months of the plan. The refund request needs the invoice.'),
    ];
    const chunks = chunkDocument(blocks, { targetChars: 200, maxChars: 400, overlapChars: 40 });
    const summary = extractiveSummary(chunks, 180);
    expect(summary).toBe(
      'Refunds are paid to the original card within 30 days of the request. Refunds for annual plans are prorated by the unused months of the plan.',
    );
  });

  it('never exceeds the target by much, and falls back to the text itself when no sentence is long enough', () => {
    const long = chunkDocument([paragraph(`${'word '.repeat(300)}end.`)]);
    expect(extractiveSummary(long).length).toBeLessThanOrEqual(451);
    expect(extractiveSummary(chunkDocument([paragraph('Hi. Ok.')]))).toBe('Hi. Ok.');
    expect(extractiveSummary([])).toBe('');
  });
});
