import type { Config } from '../../config.js';
import type { KnowledgeIndex } from '../../domain/knowledge/knowledge-index.js';
import type { CountedContainer } from '../cosmos/counted-container.js';
import { CosmosKnowledgeChunkPageRepository } from '../cosmos/knowledge-chunk-page-repository.js';
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

/**
 * KNOWLEDGE_INDEX chooses: `embedded` (default, in-process over pages of chunks) or `cosmos` (vector + full-text
 * search over one document per chunk).
 */
export function createKnowledgeIndex(kind: Config['knowledgeIndex'], containers: KnowledgeIndexContainers): KnowledgeIndex {
  return kind === 'cosmos'
    ? new CosmosVectorKnowledgeIndex(new CosmosKnowledgeChunkRepository(containers.chunks))
    : new EmbeddedKnowledgeIndex({
        pages: new CosmosKnowledgeChunkPageRepository(containers.chunks),
        versions: new CosmosKnowledgeIndexVersions(containers.versions),
      });
}
