import type { QueueClient } from '@azure/storage-queue';
import { sendJsonMessage } from './queue-send.js';
import { mediaFetchJobSchema, type MediaFetchJob, type MediaFetchQueue } from '../domain/media-fetch-job.js';

/** The `companion-media-fetch` storage queue. */
export class StorageQueueMediaFetchQueue implements MediaFetchQueue {
  constructor(private readonly queue: QueueClient) {}

  async enqueue(job: MediaFetchJob): Promise<void> {
    await sendJsonMessage(this.queue, mediaFetchJobSchema.parse(job));
  }
}
