/**
 * The knowledge index: every chunk of every ready file of a knowledge base, searchable by hybrid ranking (lexical
 * always, vector when the chunks carry embeddings, fused by reciprocal rank). The local default is an embedded
 * index that survives a restart; in Azure it is Cosmos DB for NoSQL with vector and full-text policies.
 */

export interface IndexedChunk {
  /** Deterministic: `<fileId>:<chunk index>`, so a repeated ingest overwrites instead of duplicating. */
  readonly id: string;
  readonly projectId: string;
  readonly baseId: string;
  readonly fileId: string;
  readonly index: number;
  readonly text: string;
  readonly page?: number | undefined;
  readonly section?: string | undefined;
  readonly embedding?: readonly number[] | undefined;
}

export interface SearchHit {
  readonly chunkId: string;
  readonly fileId: string;
  readonly text: string;
  readonly page?: number | undefined;
  readonly section?: string | undefined;
  readonly score: number;
}

export interface KnowledgeSearch {
  readonly projectId: string;
  readonly baseId: string;
  readonly query: string;
  /** The query's embedding, when the base's chunks have embeddings. */
  readonly queryEmbedding?: readonly number[] | undefined;
  readonly top: number;
}

export interface KnowledgeIndex {
  /** Replaces all chunks of the file with these (idempotent for the same input). */
  replaceFileChunks(projectId: string, baseId: string, fileId: string, chunks: readonly IndexedChunk[]): Promise<void>;
  deleteFile(projectId: string, baseId: string, fileId: string): Promise<void>;
  deleteBase(projectId: string, baseId: string): Promise<void>;
  search(request: KnowledgeSearch): Promise<SearchHit[]>;
}
