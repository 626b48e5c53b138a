import { CosmosClient } from '@azure/cosmos';
import { CountedContainer } from '../../../shared/adapters/cosmos/counted-container.js';
import { CosmosKnowledgeChunkRepository } from '../../../shared/adapters/cosmos/knowledge-chunk-repository.js';
import { ensureKnowledgeChunksContainer } from '../../../shared/adapters/cosmos/knowledge-chunks-container.js';
import { CosmosVectorKnowledgeIndex } from '../../../shared/adapters/knowledge/cosmos-vector-knowledge-index.js';
import { HashingEmbeddingClient } from '../../unit/fakes/hashing-embedding-client.js';
import { describeKnowledgeIndexContract } from './knowledge-index-contract.js';

/**
 * The Cosmos DB vector index runs the same contract against a real account with vector and full-text search (the local
 * server has neither): `npm run test:cosmos-account` runs it with KNOWLEDGE_TEST_COSMOS_ENDPOINT and
 * KNOWLEDGE_TEST_COSMOS_KEY set. It creates and then deletes a database of its own. The query text it sends is unit-tested without an account (cosmos-hybrid-query.test.ts).
 */
const endpoint = process.env['KNOWLEDGE_TEST_COSMOS_ENDPOINT'];
const key = process.env['KNOWLEDGE_TEST_COSMOS_KEY'];

if (endpoint === undefined || key === undefined) {
  throw new Error('KNOWLEDGE_TEST_COSMOS_ENDPOINT and KNOWLEDGE_TEST_COSMOS_KEY name the account this contract run needs');
}

describeKnowledgeIndexContract('Cosmos DB vector and full-text search', async () => {
  const cosmos = new CosmosClient({ endpoint, key });
  const database = cosmos.database(`knowledge-contract-${Date.now().toString(36)}`);
  const embeddings = new HashingEmbeddingClient(256);
  await ensureKnowledgeChunksContainer(database, embeddings.dimensions);
  const chunks = new CosmosKnowledgeChunkRepository(new CountedContainer(database.container('knowledge-chunks')));
  return {
    open: () => new CosmosVectorKnowledgeIndex(chunks),
    embeddings,
    dispose: async () => {
      await database.delete();
      cosmos.dispose();
    },
  };
});
