import type { Config } from '../../config.js';
import type { KnowledgeIndex } from '../../domain/knowledge/knowledge-index.js';
import type { CountedContainer } from '../cosmos/counted-container.js';
import { CosmosKnowledgeChunkRepository } from '../cosmos/knowledge-chunk-repository.js';
import { CosmosKnowledgeIndexVersions } from '../cosmos/knowledge-index-version-repository.js';
import { CosmosVectorKnowledgeIndex } from './cosmos-vector-knowledge-index.js';
import { EmbeddedKnowledgeIndex } from './embedded-knowledge-index.js';

export interface KnowledgeIndexContainers {
  /** `knowledge-chunks` (pk /baseId). */
  readonly chunks: CountedContainer;
  /** `knowledge-index-state` (pk /id); the embedded index's per-base versions. */
  readonly versions: CountedContainer;
}

/** KNOWLEDGE_INDEX chooses: `embedded` (default, in-process over the chunk documents) or `cosmos` (vector + full-text search). */
export function createKnowledgeIndex(kind: Config['knowledgeIndex'], containers: KnowledgeIndexContainers): KnowledgeIndex {
  const chunks = new CosmosKnowledgeChunkRepository(containers.chunks);
  return kind === 'cosmos'
    ? new CosmosVectorKnowledgeIndex(chunks)
    : new EmbeddedKnowledgeIndex({ chunks, versions: new CosmosKnowledgeIndexVersions(containers.versions) });
}
