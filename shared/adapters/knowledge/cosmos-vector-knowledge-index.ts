import type { IndexedChunk, KnowledgeIndex, KnowledgeSearch, SearchHit } from '../../domain/knowledge/knowledge-index.js';
import type { CosmosKnowledgeChunkRepository } from '../cosmos/knowledge-chunk-repository.js';
import { buildCosmosKnowledgeQuery } from './cosmos-hybrid-query.js';
import { replaceChunksOfFile } from './knowledge-chunk-store.js';

/** The k of reciprocal rank fusion (as in lexical.ts and Cosmos DB's RRF). */
const RRF_K = 60;

/**
 * The KnowledgeIndex on Cosmos DB for NoSQL vector and full-text search (KNOWLEDGE_INDEX=cosmos), for a container
 * created from KNOWLEDGE_CHUNKS_CONTAINER. Writes are the embedded index's (the same documents); searches are one
 * query in the base's partition (cosmos-hybrid-query.ts), so nothing is held in memory.
 *
 * Cosmos DB ranks but does not return the fused score (FullTextScore cannot be projected), so each hit's score is
 * 1 / (60 + rank): it orders like the fused score and sits on the scale of one ranking's term of it.
 */
export class CosmosVectorKnowledgeIndex implements KnowledgeIndex {
  constructor(private readonly chunks: CosmosKnowledgeChunkRepository) {}

  async replaceFileChunks(projectId: string, baseId: string, fileId: string, chunks: readonly IndexedChunk[]): Promise<void> {
    await replaceChunksOfFile(this.chunks, projectId, baseId, fileId, chunks);
  }

  async deleteFile(_projectId: string, baseId: string, fileId: string): Promise<void> {
    await this.chunks.deleteChunks(baseId, await this.chunks.chunkIdsOfFile(baseId, fileId));
  }

  async deleteBase(_projectId: string, baseId: string): Promise<void> {
    await this.chunks.deleteChunks(baseId, await this.chunks.chunkIdsOfBase(baseId));
  }

  async search(request: KnowledgeSearch): Promise<SearchHit[]> {
    const query = buildCosmosKnowledgeQuery(request);
    if (query === undefined) return [];
    const rows = await this.chunks.searchRanked(request.baseId, query.spec);
    return rows.map((row, rank) => ({
      chunkId: row.id,
      fileId: row.fileId,
      text: row.text,
      page: row.page ?? undefined,
      section: row.section ?? undefined,
      score: 1 / (RRF_K + rank + 1),
    }));
  }
}
