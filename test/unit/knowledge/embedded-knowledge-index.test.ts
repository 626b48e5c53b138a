import { describe, expect, it } from 'vitest';
import { EmbeddedKnowledgeIndex } from '../../../shared/adapters/knowledge/embedded-knowledge-index.js';
import { describeKnowledgeIndexContract } from '../../integration/knowledge/knowledge-index-contract.js';
import { HashingEmbeddingClient } from '../fakes/hashing-embedding-client.js';
import { InMemoryKnowledgeChunkStore } from '../fakes/in-memory-knowledge-chunk-store.js';

describeKnowledgeIndexContract('embedded, on an in-memory store', async () => {
  const store = new InMemoryKnowledgeChunkStore();
  return {
    open: () => new EmbeddedKnowledgeIndex({ pages: store, versions: store }),
    embeddings: new HashingEmbeddingClient(256),
    dispose: async () => undefined,
  };
});

const chunk = (baseId: string, fileId: string, index: number, text: string) => ({
  id: `${fileId}:${index}`,
  projectId: 'proj_a',
  baseId,
  fileId,
  index,
  text,
});

describe('the embedded knowledge index', () => {
  it('builds a base once and answers later searches from memory while its version is unchanged', async () => {
    const store = new InMemoryKnowledgeChunkStore();
    const index = new EmbeddedKnowledgeIndex({ pages: store, versions: store });
    await index.replaceFileChunks('proj_a', 'kb_1', 'file_1', [chunk('kb_1', 'file_1', 0, 'refunds take five days')]);
    for (let i = 0; i < 3; i += 1) await index.search({ projectId: 'proj_a', baseId: 'kb_1', query: 'refunds', top: 5 });
    expect(store.loads).toBe(1);
    await index.replaceFileChunks('proj_a', 'kb_1', 'file_1', [chunk('kb_1', 'file_1', 0, 'refunds take ten days')]);
    const [hit] = await index.search({ projectId: 'proj_a', baseId: 'kb_1', query: 'refunds', top: 5 });
    expect(hit?.text).toBe('refunds take ten days');
    expect(store.loads).toBe(2);
  });

  it('scores with the fused reciprocal rank, also when only the lexical ranking contributes', async () => {
    const store = new InMemoryKnowledgeChunkStore();
    const index = new EmbeddedKnowledgeIndex({ pages: store, versions: store });
    await index.replaceFileChunks('proj_a', 'kb_1', 'file_1', [
      { ...chunk('kb_1', 'file_1', 0, 'refunds take five days'), embedding: [1, 0] },
      { ...chunk('kb_1', 'file_1', 1, 'shipping is free'), embedding: [0, 1] },
    ]);
    const lexical = await index.search({ projectId: 'proj_a', baseId: 'kb_1', query: 'refunds', top: 5 });
    expect(lexical.map((h) => h.score)).toEqual([1 / 61]);
    const hybrid = await index.search({ projectId: 'proj_a', baseId: 'kb_1', query: 'refunds', queryEmbedding: [0.9, 0.1], top: 5 });
    expect(hybrid.map((h) => [h.chunkId, h.score])).toEqual([
      ['file_1:0', 2 / 61],
      ['file_1:1', 1 / 62],
    ]);
  });

  it('drops the least recently searched bases beyond its memory budget, and rebuilds them when searched again', async () => {
    const store = new InMemoryKnowledgeChunkStore();
    const index = new EmbeddedKnowledgeIndex({ pages: store, versions: store, maxCachedBytes: 1 });
    for (const baseId of ['kb_1', 'kb_2', 'kb_3']) {
      await index.replaceFileChunks('proj_a', baseId, 'file_1', [chunk(baseId, 'file_1', 0, `text of ${baseId}`)]);
      await index.search({ projectId: 'proj_a', baseId, query: 'text', top: 1 });
    }
    expect(index.cachedBases).toBe(1);
    expect((await index.search({ projectId: 'proj_a', baseId: 'kb_1', query: 'text', top: 1 }))[0]?.text).toBe('text of kb_1');
  });
});
