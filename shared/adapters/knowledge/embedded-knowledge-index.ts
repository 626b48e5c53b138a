import type { IndexedChunk, KnowledgeIndex, KnowledgeSearch, SearchHit } from '../../domain/knowledge/knowledge-index.js';
import { BaseSearchIndex } from './base-search-index.js';
import type { KnowledgeChunkPageStore } from './knowledge-chunk-pages.js';
import { checkChunksOfFile, type KnowledgeIndexVersions } from './knowledge-chunk-store.js';

export interface EmbeddedKnowledgeIndexOptions {
  readonly pages: KnowledgeChunkPageStore;
  readonly versions: KnowledgeIndexVersions;
  /** Memory the cached bases may take; the least recently searched bases are dropped beyond it. */
  readonly maxCachedBytes?: number;
}

interface CachedBase {
  readonly version: string | undefined;
  readonly index: BaseSearchIndex;
}

export const DEFAULT_MAX_CACHED_BYTES = 256 * 1024 * 1024;

/**
 * The local default KnowledgeIndex. Chunks live in the page store (Cosmos, a file's chunks packed into a few
 * documents), so the index survives a restart and every instance sees the same chunks; each process keeps an
 * in-memory index per base (BaseSearchIndex), built on the first search and rebuilt when the base's version has
 * changed. Every search costs one point read of that version, so a write on one instance is seen by the next search
 * on any other.
 *
 * Ordering makes this safe without locks: writers change chunks first and bump the version after; a build reads the
 * version first and the chunks after, so whatever it misses carries a newer version and triggers the next rebuild.
 */
export class EmbeddedKnowledgeIndex implements KnowledgeIndex {
  readonly #pages: KnowledgeChunkPageStore;
  readonly #versions: KnowledgeIndexVersions;
  readonly #maxCachedBytes: number;
  /** In least-recently-used order: a hit moves its base to the end. */
  readonly #cache = new Map<string, CachedBase>();
  readonly #building = new Map<string, Promise<CachedBase>>();

  constructor(options: EmbeddedKnowledgeIndexOptions) {
    this.#pages = options.pages;
    this.#versions = options.versions;
    this.#maxCachedBytes = options.maxCachedBytes ?? DEFAULT_MAX_CACHED_BYTES;
  }

  /**
   * Writes the file's pages over their ids first, deletes the documents the new version no longer has (extra pages of
   * a longer version, per-chunk documents of an earlier format) after, and bumps the version last. A page holds a
   * range of chunks, so when a changed file packs differently, a base loaded on another instance between the first
   * write and the bump may lack some of the file's old chunks or hold some twice (loadBase keeps one); the bump then
   * makes that instance rebuild. The listing of the file's documents runs beside the writes: whatever it finds that
   * was not just written is stale, whenever it looked.
   */
  async replaceFileChunks(projectId: string, baseId: string, fileId: string, chunks: readonly IndexedChunk[]): Promise<void> {
    checkChunksOfFile(projectId, baseId, fileId, chunks);
    const [written, existing] = await Promise.all([
      this.#pages.writeFilePages(projectId, baseId, fileId, chunks),
      this.#pages.documentIdsOfFile(baseId, fileId),
    ]);
    const kept = new Set(written);
    await this.#pages.deleteDocuments(baseId, existing.filter((id) => !kept.has(id)));
    await this.#changed(projectId, baseId);
  }

  async deleteFile(projectId: string, baseId: string, fileId: string): Promise<void> {
    await this.#pages.deleteDocuments(baseId, await this.#pages.documentIdsOfFile(baseId, fileId));
    await this.#changed(projectId, baseId);
  }

  async deleteBase(_projectId: string, baseId: string): Promise<void> {
    await this.#pages.deleteDocuments(baseId, await this.#pages.documentIdsOfBase(baseId));
    // Removing the version is a change too: a cached index built under the old version no longer matches.
    await this.#versions.remove(baseId);
    this.#cache.delete(baseId);
  }

  async search(request: KnowledgeSearch): Promise<SearchHit[]> {
    const version = await this.#versions.read(request.baseId);
    let cached = this.#cache.get(request.baseId);
    if (cached === undefined || cached.version !== version) cached = await this.#build(request.baseId, version);
    this.#cache.delete(request.baseId);
    this.#cache.set(request.baseId, cached);
    return cached.index.search(request);
  }

  /** Bases held in memory now (for tests and diagnostics). */
  get cachedBases(): number {
    return this.#cache.size;
  }

  async #changed(projectId: string, baseId: string): Promise<void> {
    await this.#versions.bump(projectId, baseId);
    this.#cache.delete(baseId);
  }

  /** One build per base and version at a time: concurrent first searches share it. */
  #build(baseId: string, version: string | undefined): Promise<CachedBase> {
    const key = `${baseId}\u0000${version ?? ''}`;
    let building = this.#building.get(key);
    if (building === undefined) {
      building = (async () => {
        const index = BaseSearchIndex.build(await this.#pages.loadBase(baseId));
        const entry: CachedBase = { version, index };
        this.#cache.set(baseId, entry);
        this.#evict(baseId);
        return entry;
      })().finally(() => this.#building.delete(key));
      this.#building.set(key, building);
    }
    return building;
  }

  #evict(keep: string): void {
    let total = 0;
    for (const entry of this.#cache.values()) total += entry.index.approximateBytes;
    for (const [baseId, entry] of this.#cache) {
      if (total <= this.#maxCachedBytes) break;
      if (baseId === keep) continue;
      this.#cache.delete(baseId);
      total -= entry.index.approximateBytes;
    }
  }
}
