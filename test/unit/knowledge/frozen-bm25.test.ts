import { describe, expect, it } from 'vitest';
import { FrozenBm25 } from '../../../shared/adapters/knowledge/frozen-bm25.js';
import { Bm25Index } from '../../../shared/domain/knowledge/lexical.js';

describe('the frozen BM25 of the embedded index', () => {
  it('ranks and scores exactly as Bm25Index, ties included, on a corpus with common and rare words', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const words = Array.from({ length: 300 }, (_, i) => `term${i}`);
    const pick = () => words[Math.floor(words.length * random() ** 2)] as string;
    const documents = Array.from({ length: 400 }, (_, i) => ({ id: `doc-${i}`, text: Array.from({ length: 5 + Math.floor(random() * 60) }, pick).join(' ') }));
    // Identical texts score identically: their order must come from the id alone.
    documents.push({ id: 'twin-b', text: 'term1 term2 rare' }, { id: 'twin-a', text: 'term1 term2 rare' });
    const reference = new Bm25Index();
    for (const document of documents) reference.add(document);
    const frozen = new FrozenBm25(documents);
    for (let q = 0; q < 50; q += 1) {
      const query = Array.from({ length: 1 + Math.floor(random() * 5) }, pick).join(' ');
      const expected = reference.search(query, 20);
      const actual = frozen.search(query, 20);
      expect(actual.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      actual.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]?.score ?? Number.NaN, 9));
    }
    expect(frozen.search('rare', 5).map((r) => r.id)).toEqual(['twin-a', 'twin-b']);
  });

  it('filters by position before ranking and answers nothing for an empty index or query', () => {
    const frozen = new FrozenBm25([
      { id: 'a', text: 'refund refund' },
      { id: 'b', text: 'refund' },
    ]);
    expect(frozen.search('refund', 5, (doc) => doc === 1).map((r) => r.id)).toEqual(['b']);
    expect(frozen.search('the of', 5)).toEqual([]);
    expect(new FrozenBm25([]).search('refund', 5)).toEqual([]);
    // Scores from one search never leak into the next.
    expect(frozen.search('refund', 5)).toEqual(frozen.search('refund', 5));
  });
});
