import type { IndexedChunk } from '../../domain/knowledge/knowledge-index.js';

/**
 * One document per chunk in the Cosmos container `knowledge-chunks` (partitioned by base), as the Cosmos vector index
 * needs them for its vector and full-text policies. The embedded index packs a file's chunks into pages instead
 * (KnowledgeChunkPageStore in knowledge-chunk-pages.ts).
 */
export interface KnowledgeChunkStore {
  /** Creates or overwrites each chunk under its deterministic id. */
  upsertChunks(chunks: readonly IndexedChunk[]): Promise<void>;
  chunkIdsOfFile(baseId: string, fileId: string): Promise<string[]>;
  chunkIdsOfBase(baseId: string): Promise<string[]>;
  /** Idempotent: ids already gone are skipped. */
  deleteChunks(baseId: string, chunkIds: readonly string[]): Promise<void>;
}

/**
 * One version token per base, changed by every write to its chunks. Instances compare it with the version their
 * in-memory index was built from (one point read per search), so that no instance answers from stale chunks.
 */
export interface KnowledgeIndexVersions {
  /** Undefined when the base has no version yet (never written, or deleted). */
  read(baseId: string): Promise<string | undefined>;
  bump(projectId: string, baseId: string): Promise<void>;
  remove(baseId: string): Promise<void>;
}

/** `<fileId>:<index>`: a repeated ingest of the same file overwrites its chunks instead of adding copies. */
export function chunkIdOf(fileId: string, index: number): string {
  return `${fileId}:${index}`;
}

/**
 * Checks what an ingest hands to `replaceFileChunks`: a chunk of another base, project or file, or with an id other
 * than its deterministic one, would break idempotency or isolation, so it is a bug to stop at once.
 */
export function checkChunksOfFile(projectId: string, baseId: string, fileId: string, chunks: readonly IndexedChunk[]): void {
  const seen = new Set<string>();
  for (const chunk of chunks) {
    if (chunk.projectId !== projectId || chunk.baseId !== baseId || chunk.fileId !== fileId) {
      throw new Error(`chunk ${chunk.id} does not belong to file ${fileId} of base ${baseId}`);
    }
    if (chunk.id !== chunkIdOf(fileId, chunk.index)) throw new Error(`chunk ${chunk.id} must have the id ${chunkIdOf(fileId, chunk.index)}`);
    if (seen.has(chunk.id)) throw new Error(`chunk ${chunk.id} is given twice`);
    seen.add(chunk.id);
    if (chunk.embedding !== undefined && !chunk.embedding.every(Number.isFinite)) {
      throw new Error(`chunk ${chunk.id} has an embedding with a value that is not a finite number`);
    }
  }
}

/**
 * Replaces a file's chunks: writes the new ones over their deterministic ids first, then deletes those the new
 * version no longer has, so that a search in between sees the old or the new text of a chunk, never none.
 */
export async function replaceChunksOfFile(
  store: KnowledgeChunkStore,
  projectId: string,
  baseId: string,
  fileId: string,
  chunks: readonly IndexedChunk[],
): Promise<void> {
  checkChunksOfFile(projectId, baseId, fileId, chunks);
  await store.upsertChunks(chunks);
  const kept = new Set(chunks.map((chunk) => chunk.id));
  const stale = (await store.chunkIdsOfFile(baseId, fileId)).filter((id) => !kept.has(id));
  await store.deleteChunks(baseId, stale);
}
