import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddingClient } from '../../../shared/domain/knowledge/embeddings.js';
import type { IndexedChunk, KnowledgeIndex, SearchHit } from '../../../shared/domain/knowledge/knowledge-index.js';

/** What one implementation provides to the contract: indexes over one shared store, and embeddings for hybrid search. */
export interface KnowledgeIndexFixture {
  /** A new instance over the same stored chunks: another instance of the app, or this one after a restart. */
  open(): KnowledgeIndex;
  readonly embeddings: EmbeddingClient;
  dispose(): Promise<void>;
}

let sequence = 0;
/** Fresh ids per test, so that tests sharing one store never see each other's chunks. */
function ids() {
  sequence += 1;
  const suffix = `${Date.now().toString(36)}${sequence}`;
  return { projectId: `proj_c${suffix}`, otherProjectId: `proj_o${suffix}`, baseId: `kb_c${suffix}`, otherBaseId: `kb_o${suffix}` };
}

interface ChunkSpec {
  readonly text: string;
  readonly page?: number;
  readonly section?: string;
}

function chunksOf(projectId: string, baseId: string, fileId: string, specs: readonly ChunkSpec[], vectors?: readonly number[][]): IndexedChunk[] {
  return specs.map((spec, index) => ({
    id: `${fileId}:${index}`,
    projectId,
    baseId,
    fileId,
    index,
    text: spec.text,
    page: spec.page,
    section: spec.section,
    embedding: vectors?.[index],
  }));
}

const handbook: ChunkSpec[] = [
  { text: 'Refunds are paid back to the original card within five working days of the return arriving.', page: 1, section: 'Billing > Refunds' },
  { text: 'Shipping is free for orders over fifty dollars; smaller orders pay a flat fee.', page: 2, section: 'Shipping' },
  { text: 'Our support team answers email around the clock and chat from nine to five.', page: 3, section: 'Support' },
  { text: 'Damaged parcels are replaced at no cost: send a photo of the damage to support.', page: 3, section: 'Support > Damage' },
];

function texts(hits: readonly SearchHit[]): string[] {
  return hits.map((hit) => hit.text);
}

/**
 * The behaviour every KnowledgeIndex must have, whichever store and ranking it uses: run against the embedded index on
 * the emulator (and in memory), and against Cosmos DB vector search where an account with it is configured.
 */
export function describeKnowledgeIndexContract(name: string, setup: () => Promise<KnowledgeIndexFixture>): void {
  describe(`knowledge index contract: ${name}`, () => {
    let fixture: KnowledgeIndexFixture;

    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      await fixture?.dispose();
    });

    it('ranks lexically: the passage holding the query words first, with its file, page, section and a positive score', async () => {
      const { projectId, baseId } = ids();
      const index = fixture.open();
      await index.replaceFileChunks(projectId, baseId, 'file_a', chunksOf(projectId, baseId, 'file_a', handbook));
      const hits = await index.search({ projectId, baseId, query: 'how long do refunds take?', top: 3 });
      expect(hits[0]).toMatchObject({
        chunkId: 'file_a:0',
        fileId: 'file_a',
        page: 1,
        section: 'Billing > Refunds',
        text: handbook[0]?.text,
      });
      expect(hits[0]?.score).toBeGreaterThan(0);
      const shipping = await index.search({ projectId, baseId, query: 'free shipping for big orders', top: 1 });
      expect(texts(shipping)).toEqual([handbook[1]?.text]);
      const support = await index.search({ projectId, baseId, query: 'support damage photo', top: 10 });
      expect(support[0]?.chunkId).toBe('file_a:3');
      for (let i = 1; i < support.length; i += 1) expect(support[i]?.score).toBeLessThanOrEqual(support[i - 1]?.score ?? 0);
      expect(await index.search({ projectId, baseId, query: 'quantum chromodynamics', top: 5 })).toEqual([]);
    });

    it('replaces idempotently: the same chunks twice are there once, and a shorter version drops the rest', async () => {
      const { projectId, baseId } = ids();
      const index = fixture.open();
      const chunks = chunksOf(projectId, baseId, 'file_a', handbook);
      await index.replaceFileChunks(projectId, baseId, 'file_a', chunks);
      await index.replaceFileChunks(projectId, baseId, 'file_a', chunks);
      const all = await index.search({ projectId, baseId, query: 'refunds shipping support damage orders', top: 20 });
      expect(all.map((hit) => hit.chunkId).sort()).toEqual(['file_a:0', 'file_a:1', 'file_a:2', 'file_a:3']);

      await index.replaceFileChunks(projectId, baseId, 'file_a', chunksOf(projectId, baseId, 'file_a', [{ text: 'Refunds now take ten days.' }]));
      const after = await index.search({ projectId, baseId, query: 'refunds shipping support damage orders', top: 20 });
      expect(after.map((hit) => [hit.chunkId, hit.text])).toEqual([['file_a:0', 'Refunds now take ten days.']]);
    });

    it('keeps every chunk of a file stored in several parts, and a shorter version leaves none of the rest behind', async () => {
      const { projectId, baseId } = ids();
      const long: ChunkSpec[] = Array.from({ length: 30 }, (_, i) => ({ text: `Entry ${i} of the archive describes procedure code${i}x.`, page: i + 1 }));
      const vectors = await fixture.embeddings.embed(long.map((spec) => spec.text));
      await fixture.open().replaceFileChunks(projectId, baseId, 'file_a', chunksOf(projectId, baseId, 'file_a', long, vectors));
      const index = fixture.open();
      for (let i = 0; i < long.length; i += 1) {
        const hits = await index.search({ projectId, baseId, query: `code${i}x`, queryEmbedding: vectors[i], top: 1 });
        expect(hits.map((hit) => [hit.chunkId, hit.text, hit.page])).toEqual([[`file_a:${i}`, long[i]?.text, i + 1]]);
      }
      const all = await index.search({ projectId, baseId, query: 'archive procedure', top: 50 });
      expect(all.map((hit) => hit.chunkId).sort()).toEqual(long.map((_, i) => `file_a:${i}`).sort());

      const short: ChunkSpec[] = [{ text: 'The archive procedure code0x was retired.' }, { text: 'The archive now keeps procedure code1x only.' }];
      await fixture.open().replaceFileChunks(projectId, baseId, 'file_a', chunksOf(projectId, baseId, 'file_a', short));
      const after = await index.search({ projectId, baseId, query: 'archive procedure', top: 50 });
      expect(after.map((hit) => [hit.chunkId, hit.text]).sort()).toEqual([
        ['file_a:0', short[0]?.text],
        ['file_a:1', short[1]?.text],
      ]);
      expect(await index.search({ projectId, baseId, query: 'code29x', top: 5 })).toEqual([]);
    });

    it('deletes one file, then the whole base', async () => {
      const { projectId, baseId } = ids();
      const index = fixture.open();
      await index.replaceFileChunks(projectId, baseId, 'file_a', chunksOf(projectId, baseId, 'file_a', handbook.slice(0, 2)));
      await index.replaceFileChunks(projectId, baseId, 'file_b', chunksOf(projectId, baseId, 'file_b', handbook.slice(2)));
      await index.deleteFile(projectId, baseId, 'file_a');
      const left = await index.search({ projectId, baseId, query: 'refunds shipping support damage', top: 20 });
      expect(new Set(left.map((hit) => hit.fileId))).toEqual(new Set(['file_b']));
      await index.deleteFile(projectId, baseId, 'file_a');
      await index.deleteBase(projectId, baseId);
      expect(await index.search({ projectId, baseId, query: 'refunds shipping support damage', top: 20 })).toEqual([]);
      await index.deleteBase(projectId, baseId);
    });

    it('keeps projects and bases apart', async () => {
      const { projectId, otherProjectId, baseId, otherBaseId } = ids();
      const index = fixture.open();
      await index.replaceFileChunks(projectId, baseId, 'file_a', chunksOf(projectId, baseId, 'file_a', handbook));
      await index.replaceFileChunks(otherProjectId, otherBaseId, 'file_x', chunksOf(otherProjectId, otherBaseId, 'file_x', [{ text: 'Refunds of the other tenant.' }]));
      expect(await index.search({ projectId: otherProjectId, baseId, query: 'refunds', top: 5 })).toEqual([]);
      expect(await index.search({ projectId, baseId: otherBaseId, query: 'refunds', top: 5 })).toEqual([]);
      const own = await index.search({ projectId, baseId, query: 'refunds', top: 5 });
      expect(own.every((hit) => hit.fileId === 'file_a')).toBe(true);
    });

    it('ranks hybrid when chunks and query have embeddings: a passage close in meaning is found without shared words', async () => {
      const { projectId, baseId } = ids();
      const index = fixture.open();
      const vectors = await fixture.embeddings.embed(handbook.map((spec) => spec.text));
      await index.replaceFileChunks(projectId, baseId, 'file_a', chunksOf(projectId, baseId, 'file_a', handbook, vectors));
      // The fake's vectors are close for shared words; this query embedding stands for "money back" meaning refunds.
      const [meaning] = await fixture.embeddings.embed(['refunds paid back to the original card']);
      expect(await index.search({ projectId, baseId, query: 'money guarantee', top: 3 })).toEqual([]);
      const hybrid = await index.search({ projectId, baseId, query: 'money guarantee', queryEmbedding: meaning, top: 3 });
      expect(hybrid[0]?.chunkId).toBe('file_a:0');
      const both = await index.search({ projectId, baseId, query: 'damaged parcels', queryEmbedding: meaning, top: 4 });
      expect(both.map((hit) => hit.chunkId)).toEqual(expect.arrayContaining(['file_a:0', 'file_a:3']));
    });

    it('survives a restart: a new instance finds what an earlier one stored', async () => {
      const { projectId, baseId } = ids();
      await fixture.open().replaceFileChunks(projectId, baseId, 'file_a', chunksOf(projectId, baseId, 'file_a', handbook));
      const restarted = fixture.open();
      expect((await restarted.search({ projectId, baseId, query: 'shipping fee', top: 1 }))[0]?.chunkId).toBe('file_a:1');
    });

    it('a second instance sees every change the first makes, even with the base already in its memory', async () => {
      const { projectId, baseId } = ids();
      const first = fixture.open();
      const second = fixture.open();
      await first.replaceFileChunks(projectId, baseId, 'file_a', chunksOf(projectId, baseId, 'file_a', handbook));
      expect(texts(await second.search({ projectId, baseId, query: 'refunds', top: 1 }))).toEqual([handbook[0]?.text]);

      await first.replaceFileChunks(projectId, baseId, 'file_a', chunksOf(projectId, baseId, 'file_a', [{ text: 'Refunds are no longer offered.' }]));
      expect(texts(await second.search({ projectId, baseId, query: 'refunds', top: 5 }))).toEqual(['Refunds are no longer offered.']);

      await first.replaceFileChunks(projectId, baseId, 'file_b', chunksOf(projectId, baseId, 'file_b', [{ text: 'Gift cards never expire.' }]));
      expect(texts(await second.search({ projectId, baseId, query: 'gift cards', top: 5 }))).toEqual(['Gift cards never expire.']);

      await first.deleteFile(projectId, baseId, 'file_b');
      expect(await second.search({ projectId, baseId, query: 'gift cards', top: 5 })).toEqual([]);
      await first.deleteBase(projectId, baseId);
      expect(await second.search({ projectId, baseId, query: 'refunds', top: 5 })).toEqual([]);
    });

    it('refuses chunks that are not the file’s own or lack their deterministic id', async () => {
      const { projectId, baseId, otherBaseId } = ids();
      const index = fixture.open();
      await expect(index.replaceFileChunks(projectId, baseId, 'file_a', chunksOf(projectId, otherBaseId, 'file_a', handbook))).rejects.toThrow();
      const [chunk] = chunksOf(projectId, baseId, 'file_a', handbook);
      await expect(index.replaceFileChunks(projectId, baseId, 'file_a', [{ ...(chunk as IndexedChunk), id: 'random' }])).rejects.toThrow();
    });
  });
}
