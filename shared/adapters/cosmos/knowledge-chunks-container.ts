import {
  PartitionKeyKind,
  VectorEmbeddingDataType,
  VectorEmbeddingDistanceFunction,
  VectorIndexType,
  type ContainerDefinition as CosmosContainerDefinition,
  type Database,
} from '@azure/cosmos';
import { DEFAULT_EMBEDDING_DIMENSIONS } from '../openai/azure-openai-embedding-client.js';

/**
 * The `knowledge-chunks` container as Cosmos DB for NoSQL needs it for KNOWLEDGE_INDEX=cosmos: the definition the
 * deployment templates create it from (the account needs the EnableNoSQLVectorSearch and EnableNoSQLFullTextSearch
 * capabilities). Vector policies cannot be changed after creation, so `dimensions` must be the embedding
 * deployment's (AZURE_OPENAI_EMBEDDING_DIMENSIONS, else 1536) from the start.
 *
 * - partition key `/baseId`: a base's chunks are written, loaded and searched in one logical partition;
 * - vector embedding policy: `/embedding`, float32, cosine (the embedding models' vectors are unit length);
 * - full-text policy and index on `/text` (en-US: stemming and stop words for English);
 * - indexing policy: the embedding is left out of the range index (it would only cost RUs on every write) and gets a
 *   DiskANN vector index instead, which keeps latency flat as a partition grows and applies the baseId / projectId
 *   filters inside the index. (A base rarely passes 50,000 chunks, where quantizedFlat would also do.)
 */
export function knowledgeChunksContainerDefinition(dimensions: number = DEFAULT_EMBEDDING_DIMENSIONS) {
  return {
    id: 'knowledge-chunks',
    partitionKey: { paths: ['/baseId'], kind: PartitionKeyKind.Hash },
    vectorEmbeddingPolicy: {
      vectorEmbeddings: [
        {
          path: '/embedding',
          dataType: VectorEmbeddingDataType.Float32,
          distanceFunction: VectorEmbeddingDistanceFunction.Cosine,
          dimensions,
        },
      ],
    },
    fullTextPolicy: {
      defaultLanguage: 'en-US',
      fullTextPaths: [{ path: '/text', language: 'en-US' }],
    },
    indexingPolicy: {
      indexingMode: 'consistent',
      automatic: true,
      includedPaths: [{ path: '/*' }],
      excludedPaths: [{ path: '/"_etag"/?' }, { path: '/embedding/*' }],
      vectorIndexes: [{ path: '/embedding', type: VectorIndexType.DiskANN }],
      fullTextIndexes: [{ path: '/text' }],
    },
  } satisfies CosmosContainerDefinition;
}

/** The definition for the default embedding size (1536), as the deployment templates take it. */
export const KNOWLEDGE_CHUNKS_CONTAINER = knowledgeChunksContainerDefinition();

/**
 * Creates the container with its vector and full-text policies when missing (a deployment without templates, or a
 * test account). Must run before the generic ensureContainers, which would create it without them.
 */
export async function ensureKnowledgeChunksContainer(database: Database, dimensions?: number): Promise<void> {
  await database.client.databases.createIfNotExists({ id: database.id });
  await database.containers.createIfNotExists(knowledgeChunksContainerDefinition(dimensions));
}
