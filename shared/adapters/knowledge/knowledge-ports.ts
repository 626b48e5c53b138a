import type { DocumentExtractor } from '../../domain/knowledge/extraction.js';
import type { KnowledgeBaseRepository } from '../../domain/knowledge/knowledge-base-repository.js';
import type { KnowledgeFileFetchQueue } from '../../domain/knowledge/knowledge-file-fetch-job.js';
import type { KnowledgeFileRepository } from '../../domain/knowledge/knowledge-file-repository.js';
import type { KnowledgeFileStore } from '../../domain/knowledge/knowledge-file-store.js';
import type { Summarizer } from '../../domain/knowledge/summarizer.js';
import type { VisionDescriber } from '../../domain/knowledge/vision.js';
import type { CountedContainer } from '../cosmos/counted-container.js';
import { CosmosKnowledgeBaseRepository } from '../cosmos/knowledge-base-repository.js';
import { CosmosKnowledgeFileRepository } from '../cosmos/knowledge-file-repository.js';
import { createAzureOpenAISummarizer } from '../openai/azure-openai-summarizer.js';
import type { PlatformOpenAI } from '../openai/platform-openai.js';
import { KNOWLEDGE_FILE_FETCH_QUEUE } from '../queues.js';
import type { StorageClients } from '../storage.js';
import { createAzureOpenAIVisionDescriber } from './extraction/azure-openai-vision-describer.js';
import { createDocumentExtractor } from './extraction/document-extractor.js';
import { StorageQueueKnowledgeFileFetchQueue } from './knowledge-file-fetch-queue.js';
import { AzureKnowledgeFileStore } from './knowledge-file-blob-store.js';

/**
 * The ports of knowledge bases and their files, as the composition root hands them to services. The knowledge index
 * and the embedding client are built beside them (knowledge-index-factory.ts, platform-openai.ts): FAQs use them too.
 */
export interface KnowledgePorts {
  readonly knowledgeBases: KnowledgeBaseRepository;
  readonly knowledgeFiles: KnowledgeFileRepository;
  readonly knowledgeStore: KnowledgeFileStore;
  readonly knowledgeFetchQueue: KnowledgeFileFetchQueue;
  readonly documentExtractor: DocumentExtractor;
  readonly summarizer: Summarizer | undefined;
}

/**
 * Knowledge bases are project-level, so they use the platform's Azure OpenAI deployments (AZURE_OPENAI_*): summaries
 * when a chat deployment is set, text from images when a vision one is.
 */
export function createKnowledgePorts(
  storage: StorageClients,
  container: (id: string) => CountedContainer,
  platformOpenAI: PlatformOpenAI | undefined,
): KnowledgePorts {
  const visionDeployment = platformOpenAI?.visionDeployment;
  const vision: VisionDescriber | undefined =
    platformOpenAI === undefined || visionDeployment === undefined
      ? undefined
      : {
          // The client is built on the first image, so that `openai` loads only when something needs it.
          describe: async (image, mimeType) =>
            createAzureOpenAIVisionDescriber({ client: await platformOpenAI.client(), deployment: visionDeployment }).describe(image, mimeType),
        };
  const chatDeployment = platformOpenAI?.chatDeployment;
  return {
    knowledgeBases: new CosmosKnowledgeBaseRepository(container('knowledge-bases')),
    knowledgeFiles: new CosmosKnowledgeFileRepository(container('knowledge-files')),
    knowledgeStore: new AzureKnowledgeFileStore(storage.blobs),
    knowledgeFetchQueue: new StorageQueueKnowledgeFileFetchQueue(storage.queues.getQueueClient(KNOWLEDGE_FILE_FETCH_QUEUE)),
    documentExtractor: createDocumentExtractor({ vision }),
    summarizer:
      platformOpenAI === undefined || chatDeployment === undefined
        ? undefined
        : createAzureOpenAISummarizer({ client: () => platformOpenAI.client(), deployment: chatDeployment }),
  };
}
