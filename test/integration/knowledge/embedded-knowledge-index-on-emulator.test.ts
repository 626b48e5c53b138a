import { createCosmosClient } from '../../../shared/adapters/cosmos/client.js';
import { ensureContainers } from '../../../shared/adapters/cosmos/containers.js';
import { CountedContainer } from '../../../shared/adapters/cosmos/counted-container.js';
import { createKnowledgeIndex } from '../../../shared/adapters/knowledge/knowledge-index-factory.js';
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
    // Each open() is a new index with its own memory over the same containers: another instance, or a restart.
    open: () =>
      createKnowledgeIndex('embedded', {
        chunks: new CountedContainer(database.container('knowledge-chunks')),
        versions: new CountedContainer(database.container('knowledge-index-state')),
      }),
    embeddings,
    dispose: async () => {
      await fake.close();
      await database.delete();
      cosmos.dispose();
    },
  };
});

