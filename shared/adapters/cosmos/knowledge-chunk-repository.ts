import type { SqlQuerySpec } from '@azure/cosmos';
import { z } from 'zod';
import type { IndexedChunk } from '../../domain/knowledge/knowledge-index.js';
import type { KnowledgeChunkStore } from '../knowledge/knowledge-chunk-store.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';
import { forEachConcurrently } from './for-each-concurrently.js';

const CONTAINER = 'knowledge-chunks';

/** Point writes in flight at once: enough to hide round trips, few enough not to trip the container's RU budget. */
const WRITE_CONCURRENCY = 8;

/**
 * A plain array check instead of z.array(z.number()): a base of 10,000 chunks of 1,536 dimensions is 15 million
 * numbers, and the element-by-element schema walk would cost seconds on every cold load.
 */
const embeddingField = z.custom<number[]>(
  (value) => Array.isArray(value) && value.every((n) => typeof n === 'number'),
  'must be an array of numbers',
);

const chunkDocument = z.object({
  id: z.string(),
  baseId: z.string(),
  projectId: z.string(),
  fileId: z.string(),
  chunkIndex: z.number().int().nonnegative(),
  text: z.string(),
  page: z.number().int().positive().nullish(),
  section: z.string().nullish(),
  embedding: embeddingField.nullish(),
});

const idRow = z.object({ id: z.string() });

/** The fields a ranked search returns (the Cosmos vector index): no embedding, which would only cost bandwidth. */
export const rankedChunkRow = z.object({
  id: z.string(),
  fileId: z.string(),
  text: z.string(),
  page: z.number().int().positive().nullish(),
  section: z.string().nullish(),
});
export type RankedChunkRow = z.output<typeof rankedChunkRow>;

/**
 * A per-chunk document as read back. The embedded index reads them too: its pages share the container, and a base
 * written before pages existed, or by the Cosmos vector index, still loads.
 */
export function chunkOfDocument(document: unknown): IndexedChunk {
  const d = parseDocument(chunkDocument, document, CONTAINER);
  return {
    id: d.id,
    projectId: d.projectId,
    baseId: d.baseId,
    fileId: d.fileId,
    index: d.chunkIndex,
    text: d.text,
    page: d.page ?? undefined,
    section: d.section ?? undefined,
    embedding: d.embedding ?? undefined,
  };
}

/** `index` is a word of the query language in places, so the stored field is `chunkIndex`. */
function toDocument(chunk: IndexedChunk) {
  return {
    id: chunk.id,
    baseId: chunk.baseId,
    projectId: chunk.projectId,
    fileId: chunk.fileId,
    chunkIndex: chunk.index,
    text: chunk.text,
    page: chunk.page,
    section: chunk.section,
    embedding: chunk.embedding === undefined ? undefined : [...chunk.embedding],
  };
}

/**
 * Knowledge chunks one per document, as the Cosmos vector index needs them, partitioned by knowledge base (`/baseId`):
 * a base's chunks are written and searched inside one partition. Queries filter on baseId too (see
 * CountedContainer.query).
 */
export class CosmosKnowledgeChunkRepository implements KnowledgeChunkStore {
  constructor(private readonly container: CountedContainer) {}

  async upsertChunks(chunks: readonly IndexedChunk[]): Promise<void> {
    await forEachConcurrently(chunks, WRITE_CONCURRENCY, (chunk) => this.container.upsert(toDocument(chunk)));
  }

  async chunkIdsOfFile(baseId: string, fileId: string): Promise<string[]> {
    const rows = await this.container.query(
      {
        query: 'SELECT c.id FROM c WHERE c.baseId = @baseId AND c.fileId = @fileId',
        parameters: [
          { name: '@baseId', value: baseId },
          { name: '@fileId', value: fileId },
        ],
      },
      baseId,
    );
    return rows.map((row) => parseDocument(idRow, row, CONTAINER).id);
  }

  async chunkIdsOfBase(baseId: string): Promise<string[]> {
    const rows = await this.container.query(
      { query: 'SELECT c.id FROM c WHERE c.baseId = @baseId', parameters: [{ name: '@baseId', value: baseId }] },
      baseId,
    );
    return rows.map((row) => parseDocument(idRow, row, CONTAINER).id);
  }

  async deleteChunks(baseId: string, chunkIds: readonly string[]): Promise<void> {
    await forEachConcurrently(chunkIds, WRITE_CONCURRENCY, (id) => this.container.delete(id, baseId));
  }

  /** Runs a ranked search (built by cosmos-hybrid-query.ts) inside the base's partition. */
  async searchRanked(baseId: string, spec: SqlQuerySpec): Promise<RankedChunkRow[]> {
    const rows = await this.container.query(spec, baseId);
    return rows.map((row) => parseDocument(rankedChunkRow, row, CONTAINER));
  }
}
