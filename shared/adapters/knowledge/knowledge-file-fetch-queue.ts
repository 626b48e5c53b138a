import type { QueueClient } from '@azure/storage-queue';
import { sendJsonMessage } from '../queue-send.js';
import {
  knowledgeFileFetchJobSchema,
  type KnowledgeFileFetchJob,
  type KnowledgeFileFetchQueue,
} from '../../domain/knowledge/knowledge-file-fetch-job.js';

/** The `knowledge-file-fetch` storage queue. */
export class StorageQueueKnowledgeFileFetchQueue implements KnowledgeFileFetchQueue {
  constructor(private readonly queue: QueueClient) {}

  async enqueue(job: KnowledgeFileFetchJob): Promise<void> {
    await sendJsonMessage(this.queue, knowledgeFileFetchJobSchema.parse(job));
  }
}
