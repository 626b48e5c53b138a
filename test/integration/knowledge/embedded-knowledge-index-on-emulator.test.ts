import { createCosmosClient } from '../../../shared/adapters/cosmos/client.js';
import { ensureContainers } from '../../../shared/adapters/cosmos/containers.js';
import { CountedContainer } from '../../../shared/adapters/cosmos/counted-container.js';
import { CosmosKnowledgeChunkPageRepository } from '../../../shared/adapters/cosmos/knowledge-chunk-page-repository.js';
import { CosmosKnowledgeIndexVersions } from '../../../shared/adapters/cosmos/knowledge-index-version-repository.js';
import { EmbeddedKnowledgeIndex } from '../../../shared/adapters/knowledge/embedded-knowledge-index.js';
import { createAzureOpenAIClient } from '../../../shared/adapters/openai/azure-openai-client.js';
import { createAzureOpenAIEmbeddingClient } from '../../../shared/adapters/openai/azure-openai-embedding-client.js';
import { startFakeAzureOpenAI } from '../../fakes/azure-openai.js';
import { emulatorConfig } from '../helpers/test-runtime.js';
import { describeKnowledgeIndexContract } from './knowledge-index-contract.js';

describeKnowledgeIndexContract('embedded, on the Cosmos emulator, with embeddings from the Azure OpenAI fake', async () => {
  const config = emulatorConfig('kindex');
  const cosmos = createCosmosClient(config, () => {
    throw new Error('the emulator takes its key');
  });
  const database = await ensureContainers(cosmos.database(config.cosmos.database));
  const fake = await startFakeAzureOpenAI();
  const embeddings = createAzureOpenAIEmbeddingClient({
    client: () =>
      createAzureOpenAIClient(
        { endpoint: fake.endpoint, apiVersion: '2024-10-21', credential: { kind: 'apiKey', apiKey: fake.apiKey } },
        { tokenCredential: () => { throw new Error('not used'); }, allowPrivateUrls: true },
      ),
    deployment: 'text-embedding-3-small',
    dimensions: fake.embeddingDimensions,
  });
  return {
    // Each open() is a new index with its own memory over the same containers: another instance, or a restart. Pages
    // of four chunks, so that the contract's files span several (the size limits are tested on their own).
    open: () =>
      new EmbeddedKnowledgeIndex({
        pages: new CosmosKnowledgeChunkPageRepository(new CountedContainer(database.container('knowledge-chunks')), { maxChunksPerPage: 4 }),
        versions: new CosmosKnowledgeIndexVersions(new CountedContainer(database.container('knowledge-index-state'))),
      }),
    embeddings,
    dispose: async () => {
      await fake.close();
      await database.delete();
      cosmos.dispose();
    },
  };
});

