import { describe, expect, it } from 'vitest';
import { BaseSearchIndex } from '../../../shared/adapters/knowledge/base-search-index.js';
import type { IndexedChunk } from '../../../shared/domain/knowledge/knowledge-index.js';

const chunk = (index: number, text: string, extra: Partial<IndexedChunk> = {}): IndexedChunk => ({
  id: `file_1:${index}`,
  projectId: 'proj_a',
  baseId: 'kb_1',
  fileId: 'file_1',
  index,
  text,
  ...extra,
});

describe('the in-memory index of one base', () => {
  it('ranks by cosine similarity whatever the vectors’ lengths, and ignores vectors of another size or without direction', () => {
    const index = BaseSearchIndex.build([
      chunk(0, 'alpha', { embedding: [10, 0, 0] }),
      chunk(1, 'beta', { embedding: [0, 0.1, 0] }),
      chunk(2, 'gamma', { embedding: [0, 0, 0] }),
      chunk(3, 'delta', { embedding: [1, 1] }),
      chunk(4, 'epsilon'),
    ]);
    const hits = index.search({ projectId: 'proj_a', query: '', queryEmbedding: [0, 3, 0], top: 10 });
    expect(hits.map((h) => h.chunkId)).toEqual(['file_1:1', 'file_1:0']);
    expect(index.search({ projectId: 'proj_a', query: '', queryEmbedding: [1, 1], top: 10 })).toEqual([]);
  });

  it('answers nothing for another project and respects top', () => {
    const index = BaseSearchIndex.build(Array.from({ length: 30 }, (_, i) => chunk(i, `refund case ${i}`)));
    expect(index.search({ projectId: 'proj_b', query: 'refund', top: 5 })).toEqual([]);
    expect(index.search({ projectId: 'proj_a', query: 'refund', top: 5 })).toHaveLength(5);
    expect(index.search({ projectId: 'proj_a', query: 'refund', top: 0 })).toEqual([]);
  });

  it('filters by project chunk by chunk if a base ever holds several', () => {
    const index = BaseSearchIndex.build([
      chunk(0, 'refund one', { embedding: [1, 0] }),
      chunk(1, 'refund two', { projectId: 'proj_b', embedding: [1, 0] }),
    ]);
    expect(index.search({ projectId: 'proj_b', query: 'refund', queryEmbedding: [1, 0], top: 5 }).map((h) => h.chunkId)).toEqual(['file_1:1']);
  });
});
