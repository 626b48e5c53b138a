import { randomUUID } from 'node:crypto';
import {
  chunkPageIdOf,
  packChunkPages,
  type KnowledgeChunkPageStore,
  type StoredChunk,
} from '../../../shared/adapters/knowledge/knowledge-chunk-pages.js';
import type { KnowledgeIndexVersions } from '../../../shared/adapters/knowledge/knowledge-chunk-store.js';
import type { IndexedChunk } from '../../../shared/domain/knowledge/knowledge-index.js';

interface StoredPage {
  readonly baseId: string;
  readonly fileId: string;
  readonly chunks: readonly StoredChunk[];
}

/**
 * The page store and version documents of the embedded index, in memory, shared by every index opened on it. Pages
 * hold `chunksPerPage` chunks (two by default), so that even the contract's small files span several, and embeddings
 * come back as float32, as from Cosmos.
 */
export class InMemoryKnowledgeChunkStore implements KnowledgeChunkPageStore, KnowledgeIndexVersions {
  readonly pages = new Map<string, StoredPage>();
  readonly versions = new Map<string, string>();
  loads = 0;

  constructor(private readonly chunksPerPage = 2) {}

  private keyOf(baseId: string, id: string) {
    return `${baseId}|${id}`;
  }
  async writeFilePages(_projectId: string, baseId: string, fileId: string, chunks: readonly IndexedChunk[]) {
    const pages = packChunkPages(chunks, () => 0, { maxPageBytes: Number.POSITIVE_INFINITY, maxChunksPerPage: this.chunksPerPage });
    return pages.map((page, n) => {
      const id = chunkPageIdOf(fileId, n);
      const stored = page.map(({ embedding, ...chunk }) => ({
        ...structuredClone(chunk),
        embedding: embedding === undefined ? undefined : Float32Array.from(embedding),
      }));
      this.pages.set(this.keyOf(baseId, id), { baseId, fileId, chunks: stored });
      return id;
    });
  }
  async documentIdsOfFile(baseId: string, fileId: string) {
    return [...this.pages].filter(([, p]) => p.baseId === baseId && p.fileId === fileId).map(([key]) => key.slice(baseId.length + 1));
  }
  async documentIdsOfBase(baseId: string) {
    return [...this.pages].filter(([, p]) => p.baseId === baseId).map(([key]) => key.slice(baseId.length + 1));
  }
  async deleteDocuments(baseId: string, ids: readonly string[]) {
    for (const id of ids) this.pages.delete(this.keyOf(baseId, id));
  }
  async loadBase(baseId: string) {
    this.loads += 1;
    const chunks = new Map<string, StoredChunk>();
    for (const page of this.pages.values()) {
      if (page.baseId !== baseId) continue;
      for (const chunk of page.chunks) if (!chunks.has(chunk.id)) chunks.set(chunk.id, structuredClone(chunk));
    }
    return [...chunks.values()];
  }
  async read(baseId: string) {
    return this.versions.get(baseId);
  }
  async bump(_projectId: string, baseId: string) {
    this.versions.set(baseId, randomUUID());
  }
  async remove(baseId: string) {
    this.versions.delete(baseId);
  }
}
