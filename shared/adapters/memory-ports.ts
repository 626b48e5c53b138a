import type { QueueServiceClient } from '@azure/storage-queue';
import {
  memoryExtractionJobSchema,
  type ClientMemoryRepository,
  type MemoryExtractionJob,
  type MemoryExtractionQueue,
} from '../domain/client-memory.js';
import { extractiveMemoryExtractor } from '../domain/extractive-memory.js';
import type { Logger } from '../domain/logger.js';
import type { MemoryExtractor } from '../domain/memory-extraction.js';
import type { ChatModelResolver } from '../services/session-turns.js';
import { CosmosClientMemoryRepository } from './cosmos/client-memory-repository.js';
import type { CountedContainer } from './cosmos/counted-container.js';
import { createChatMemoryExtractor } from './openai/chat-memory-extractor.js';
import { sendJsonMessage } from './queue-send.js';
import { SESSION_MEMORY_QUEUE } from './queues.js';

/** What memory of an externalClientId needs: the records, the extraction queue, and the extractor. */
export interface MemoryPorts {
  readonly clientMemories: ClientMemoryRepository;
  readonly memoryQueue: MemoryExtractionQueue;
  readonly memoryExtractor: MemoryExtractor;
}

/** The `session-memory` storage queue. */
export class StorageQueueMemoryExtractionQueue implements MemoryExtractionQueue {
  constructor(private readonly queues: QueueServiceClient) {}

  async send(job: MemoryExtractionJob): Promise<void> {
    await sendJsonMessage(this.queues.getQueueClient(SESSION_MEMORY_QUEUE), memoryExtractionJobSchema.parse(job));
  }
}

/**
 * The extractor is the session's chat model (the key's, as for its turns) with the extractive one behind it: a key
 * without a model, or a model that fails or answers badly, still gives the person a memory.
 */
export function createMemoryPorts(
  container: (id: string) => CountedContainer,
  storage: { readonly queues: QueueServiceClient },
  deps: { readonly chatModels: ChatModelResolver; readonly logger: Logger },
): MemoryPorts {
  return {
    clientMemories: new CosmosClientMemoryRepository(container('client-memories')),
    memoryQueue: new StorageQueueMemoryExtractionQueue(storage.queues),
    memoryExtractor: createChatMemoryExtractor({ chatModels: deps.chatModels, fallback: extractiveMemoryExtractor, logger: deps.logger }),
  };
}
