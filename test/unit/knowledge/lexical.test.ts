import { describe, expect, it } from 'vitest';
import { Bm25Index, reciprocalRankFusion, stem, tokenize } from '../../../shared/domain/knowledge/lexical.js';

describe('lexical retrieval', () => {
  it('tokenises case- and accent-insensitively, drops stop words and meets word forms', () => {
    expect(tokenize('The Refunds were REFUNDED for Café orders')).toEqual(['refund', 'refund', 'cafe', 'order']);
    expect(stem('policies')).toBe('policy');
    expect(stem('class')).toBe('class');
  });

  it('ranks the passage that matches rarer query words first and filters by a predicate', () => {
    const index = new Bm25Index();
    index.add({ id: 'a', text: 'Our refund policy: refunds are paid within five days.' });
    index.add({ id: 'b', text: 'Shipping is free for orders over fifty dollars.' });
    index.add({ id: 'c', text: 'The policy for shipping damaged orders is a replacement.' });
    expect(index.search('how do refunds work', 3).map((r) => r.id)).toEqual(['a']);
    expect(index.search('shipping policy', 3)[0]?.id).toBe('c');
    expect(index.search('shipping policy', 3, (id) => id !== 'c').map((r) => r.id)).toEqual(['b', 'a']);
  });

  it('replaces a re-added document and forgets a removed one', () => {
    const index = new Bm25Index();
    index.add({ id: 'a', text: 'apples' });
    index.add({ id: 'a', text: 'bananas' });
    expect(index.size).toBe(1);
    expect(index.search('apples', 5)).toEqual([]);
    index.remove('a');
    expect(index.search('bananas', 5)).toEqual([]);
  });

  it('fuses rankings by reciprocal rank: agreement beats a single first place', () => {
    const fused = reciprocalRankFusion([
      [{ id: 'x', score: 9 }, { id: 'y', score: 5 }],
      [{ id: 'y', score: 0.9 }, { id: 'z', score: 0.8 }],
    ]);
    expect(fused.map((f) => f.id)).toEqual(['y', 'x', 'z']);
  });
});
