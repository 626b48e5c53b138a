import { randomUUID } from 'node:crypto';
import type { KnowledgeChunkStore, KnowledgeIndexVersions } from '../../../shared/adapters/knowledge/knowledge-chunk-store.js';
import type { IndexedChunk } from '../../../shared/domain/knowledge/knowledge-index.js';

/** The chunk store and version documents of the embedded index, in memory, shared by every index opened on it. */
export class InMemoryKnowledgeChunkStore implements KnowledgeChunkStore, KnowledgeIndexVersions {
  readonly chunks = new Map<string, IndexedChunk>();
  readonly versions = new Map<string, string>();
  loads = 0;

  private keyOf(baseId: string, id: string) {
    return `${baseId}|${id}`;
  }
  async upsertChunks(chunks: readonly IndexedChunk[]) {
    for (const chunk of chunks) this.chunks.set(this.keyOf(chunk.baseId, chunk.id), structuredClone(chunk));
  }
  async chunkIdsOfFile(baseId: string, fileId: string) {
    return [...this.chunks.values()].filter((c) => c.baseId === baseId && c.fileId === fileId).map((c) => c.id);
  }
  async chunkIdsOfBase(baseId: string) {
    return [...this.chunks.values()].filter((c) => c.baseId === baseId).map((c) => c.id);
  }
  async deleteChunks(baseId: string, chunkIds: readonly string[]) {
    for (const id of chunkIds) this.chunks.delete(this.keyOf(baseId, id));
  }
  async loadBase(baseId: string) {
    this.loads += 1;
    return [...this.chunks.values()].filter((c) => c.baseId === baseId).map((c) => structuredClone(c));
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
