import type { SearchHit } from '../../domain/knowledge/knowledge-index.js';
import { reciprocalRankFusion, type ScoredId } from '../../domain/knowledge/lexical.js';
import { FrozenBm25 } from './frozen-bm25.js';
import type { StoredChunk } from './knowledge-chunk-pages.js';

/** How many candidates each ranking contributes to the fusion (at least `top`): deep enough that agreement counts. */
export const CANDIDATES_PER_RANKING = 50;

export interface BaseSearchQuery {
  readonly projectId: string;
  readonly query: string;
  readonly queryEmbedding?: readonly number[] | undefined;
  readonly top: number;
}

type ChunkText = Omit<StoredChunk, 'embedding'>;

/** The length most embeddings of the base have: during a change of model a base may briefly hold two sizes. */
function dominantLength(chunks: readonly StoredChunk[]): number {
  const counts = new Map<number, number>();
  for (const chunk of chunks) {
    const length = chunk.embedding?.length ?? 0;
    if (length > 0) counts.set(length, (counts.get(length) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [length, count] of counts) {
    if (count > bestCount) [best, bestCount] = [length, count];
  }
  return best;
}

/**
 * Writes `vector / |vector|` into `target` at `offset`; false for a zero vector, which has no direction to compare,
 * and for one with a value that is not finite, which would turn every score it meets into NaN.
 */
function writeNormalised(vector: ArrayLike<number>, target: Float32Array, offset: number): boolean {
  let sum = 0;
  for (let i = 0; i < vector.length; i += 1) {
    const value = vector[i] ?? 0;
    sum += value * value;
  }
  if (sum === 0 || !Number.isFinite(sum)) return false;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i += 1) target[offset + i] = (vector[i] ?? 0) * scale;
  return true;
}

/**
 * The in-memory search index of one knowledge base: BM25 over the chunk texts (FrozenBm25), and the embeddings normalised into
 * one Float32Array so that cosine similarity is a dot product over contiguous memory (10,000 chunks of 1,536
 * dimensions take about 60 MB and a few milliseconds per query). Immutable once built: a change of the base builds
 * a new one (see EmbeddedKnowledgeIndex).
 */
export class BaseSearchIndex {
  readonly #chunks: ChunkText[];
  readonly #positionOf = new Map<string, number>();
  readonly #projects = new Set<string>();
  readonly #bm25: FrozenBm25;
  readonly #dimensions: number;
  /** Row r of #vectors belongs to chunk #vectorChunk[r]. */
  readonly #vectorChunk: Int32Array;
  readonly #vectors: Float32Array;
  /** A rough size, for the cache's memory budget. */
  readonly approximateBytes: number;

  private constructor(chunks: readonly StoredChunk[]) {
    this.#dimensions = dominantLength(chunks);
    const withVectors = chunks.filter((chunk) => chunk.embedding?.length === this.#dimensions && this.#dimensions > 0);
    this.#vectors = new Float32Array(withVectors.length * this.#dimensions);
    const vectorChunk: number[] = [];
    this.#chunks = [];
    let textBytes = 0;
    for (const { embedding, ...chunk } of chunks) {
      const position = this.#chunks.length;
      this.#chunks.push(chunk);
      this.#positionOf.set(chunk.id, position);
      this.#projects.add(chunk.projectId);
      textBytes += chunk.text.length * 2;
      if (embedding !== undefined && embedding.length === this.#dimensions && this.#dimensions > 0) {
        if (writeNormalised(embedding, this.#vectors, vectorChunk.length * this.#dimensions)) vectorChunk.push(position);
      }
    }
    this.#vectorChunk = Int32Array.from(vectorChunk);
    // Headings are indexed with the text under them: a question often names the section rather than its words.
    this.#bm25 = new FrozenBm25(
      this.#chunks.map((chunk) => ({ id: chunk.id, text: chunk.section === undefined ? chunk.text : `${chunk.section}\n${chunk.text}` })),
    );
    // Text twice (the string and the BM25 postings it becomes), the vectors, and per-chunk bookkeeping.
    this.approximateBytes = textBytes * 2 + this.#vectors.byteLength + chunks.length * 200;
  }

  static build(chunks: readonly StoredChunk[]): BaseSearchIndex {
    return new BaseSearchIndex(chunks);
  }

  get size(): number {
    return this.#chunks.length;
  }

  /** Hybrid search: the BM25 and cosine rankings fused by reciprocal rank; the score is the fused score. */
  search(request: BaseSearchQuery): SearchHit[] {
    if (request.top < 1 || !this.#projects.has(request.projectId)) return [];
    // A base belongs to one project, so the per-chunk project check is needed only if that ever stops being true.
    const accept =
      this.#projects.size === 1 ? undefined : (position: number) => this.#chunks[position]?.projectId === request.projectId;
    const depth = Math.max(request.top, CANDIDATES_PER_RANKING);
    const rankings: ScoredId[][] = [];
    const lexical = this.#bm25.search(request.query, depth, accept);
    if (lexical.length > 0) rankings.push(lexical);
    if (request.queryEmbedding !== undefined) {
      const semantic = this.#nearest(request.queryEmbedding, depth, request.projectId);
      if (semantic.length > 0) rankings.push(semantic);
    }
    const hits: SearchHit[] = [];
    for (const { id, score } of reciprocalRankFusion(rankings).slice(0, request.top)) {
      const chunk = this.#chunkById(id);
      if (chunk === undefined) continue;
      hits.push({ chunkId: chunk.id, fileId: chunk.fileId, text: chunk.text, page: chunk.page, section: chunk.section, score });
    }
    return hits;
  }

  #chunkById(id: string): ChunkText | undefined {
    const position = this.#positionOf.get(id);
    return position === undefined ? undefined : this.#chunks[position];
  }

  /** The `k` chunks closest to the query by cosine similarity, best first. */
  #nearest(queryEmbedding: readonly number[], k: number, projectId: string): ScoredId[] {
    const d = this.#dimensions;
    if (d === 0 || queryEmbedding.length !== d) return [];
    const query = new Float32Array(d);
    if (!writeNormalised(queryEmbedding, query, 0)) return [];
    const vectors = this.#vectors;
    const checkProject = this.#projects.size > 1;
    // `best` stays sorted best first and at most k long; most rows lose to its last entry and cost one comparison.
    const best: { row: number; score: number }[] = [];
    for (let row = 0; row < this.#vectorChunk.length; row += 1) {
      if (checkProject && this.#chunks[this.#vectorChunk[row] ?? -1]?.projectId !== projectId) continue;
      const offset = row * d;
      // Four accumulators: independent additions the CPU can overlap, about twice as fast as one running sum.
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      let i = 0;
      for (; i + 3 < d; i += 4) {
        d0 += (vectors[offset + i] as number) * (query[i] as number);
        d1 += (vectors[offset + i + 1] as number) * (query[i + 1] as number);
        d2 += (vectors[offset + i + 2] as number) * (query[i + 2] as number);
        d3 += (vectors[offset + i + 3] as number) * (query[i + 3] as number);
      }
      for (; i < d; i += 1) d0 += (vectors[offset + i] as number) * (query[i] as number);
      const dot = d0 + d1 + d2 + d3;
      if (best.length === k && dot <= (best[k - 1]?.score ?? -Infinity)) continue;
      let at = best.length;
      while (at > 0 && (best[at - 1]?.score ?? Infinity) < dot) at -= 1;
      best.splice(at, 0, { row, score: dot });
      if (best.length > k) best.pop();
    }
    return best.map(({ row, score }) => ({ id: this.#chunks[this.#vectorChunk[row] ?? -1]?.id ?? '', score }));
  }
}
