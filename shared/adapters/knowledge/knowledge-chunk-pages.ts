import type { IndexedChunk } from '../../domain/knowledge/knowledge-index.js';

/**
 * A chunk as the embedded index loads it back. The embedding may be any array-like of numbers: the store keeps it as
 * float32 (which is all the in-memory index keeps either), and converting millions of values back into number arrays
 * only to copy them into a Float32Array again would cost a cold build time and memory for nothing.
 */
export interface StoredChunk extends Omit<IndexedChunk, 'embedding'> {
  readonly embedding?: ArrayLike<number> | undefined;
}

/**
 * The embedded index's store: each file's chunks packed into a few documents ("pages", id `<fileId>:p<n>`, in the
 * `knowledge-chunks` container beside any per-chunk documents). A 3,000-chunk file is then a handful of writes rather
 * than 3,000, and a base loads in a handful of reads. The Cosmos vector index keeps one document per chunk
 * (KnowledgeChunkStore), which its vector and full-text policies need.
 */
export interface KnowledgeChunkPageStore {
  /**
   * Writes the file's chunks as pages over their deterministic ids, so that a repeated ingest overwrites them, and
   * returns the ids written. Removes nothing: see EmbeddedKnowledgeIndex for the order of writes and deletions.
   */
  writeFilePages(projectId: string, baseId: string, fileId: string, chunks: readonly IndexedChunk[]): Promise<string[]>;
  /** Ids of every document of the file: its pages, and per-chunk documents of an earlier format. */
  documentIdsOfFile(baseId: string, fileId: string): Promise<string[]>;
  documentIdsOfBase(baseId: string): Promise<string[]>;
  /** Idempotent: ids already gone are skipped. */
  deleteDocuments(baseId: string, ids: readonly string[]): Promise<void>;
  /**
   * Every chunk of the base, each once. While a re-ingest that packs a file differently is between its page writes
   * and the deletion of the old extra pages, two documents may hold the same chunk: either copy is the chunk's old or
   * new text, and one is kept.
   */
  loadBase(baseId: string): Promise<StoredChunk[]>;
}

/** `<fileId>:p<n>`: cannot meet a per-chunk id (`<fileId>:<index>`), so both formats can share the container. */
export function chunkPageIdOf(fileId: string, page: number): string {
  return `${fileId}:p${page}`;
}

export interface ChunkPageLimits {
  /** The most a page may weigh, as measured by `sizeOf` plus one separator per chunk. */
  readonly maxPageBytes: number;
  readonly maxChunksPerPage: number;
}

/**
 * Splits a file's chunks, in order, into consecutive pages that stay within the limits. `sizeOf` measures a chunk as
 * it will be stored. A chunk too large for a page on its own is an error, not a page over the limit.
 */
export function packChunkPages<T>(items: readonly T[], sizeOf: (item: T) => number, limits: ChunkPageLimits): T[][] {
  if (limits.maxChunksPerPage < 1) throw new RangeError('a page must hold at least one chunk');
  const pages: T[][] = [];
  let page: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item) + 1;
    if (size > limits.maxPageBytes) throw new RangeError(`a chunk of ${size} bytes does not fit in a page of ${limits.maxPageBytes}`);
    if (page.length > 0 && (page.length >= limits.maxChunksPerPage || bytes + size > limits.maxPageBytes)) {
      pages.push(page);
      page = [];
      bytes = 0;
    }
    page.push(item);
    bytes += size;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}
