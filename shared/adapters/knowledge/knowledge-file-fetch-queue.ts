import type { QueueClient } from '@azure/storage-queue';
import {
  knowledgeFileFetchJobSchema,
  type KnowledgeFileFetchJob,
  type KnowledgeFileFetchQueue,
} from '../../domain/knowledge/knowledge-file-fetch-job.js';

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { statusCode } = err as { statusCode?: unknown };
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/**
 * The `knowledge-file-fetch` storage queue. Messages are JSON, base64-encoded because host.json sets
 * `messageEncoding: base64` for queue triggers; the queue is created on first need (locally and in a fresh account).
 */
export class StorageQueueKnowledgeFileFetchQueue implements KnowledgeFileFetchQueue {
  constructor(private readonly queue: QueueClient) {}

  async enqueue(job: KnowledgeFileFetchJob): Promise<void> {
    const message = Buffer.from(JSON.stringify(knowledgeFileFetchJobSchema.parse(job)), 'utf8').toString('base64');
    try {
      await this.queue.sendMessage(message);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      await this.queue.createIfNotExists();
      await this.queue.sendMessage(message);
    }
  }
}
