import type { QueueClient } from '@azure/storage-queue';
import { sendJsonMessage } from './queue-send.js';
import {
  mediaFetchJobSchema,
  mediaUploadDeadlineJobSchema,
  type MediaFetchJob,
  type MediaFetchQueue,
  type MediaUploadDeadlineJob,
} from '../domain/media-fetch-job.js';

/** A storage queue keeps a message invisible for at most 7 days. */
const MAX_DELAY_SECONDS = 7 * 24 * 60 * 60;

/** The `companion-media-fetch` storage queue: fetch messages, and upload deadline checks hidden until they are due. */
export class StorageQueueMediaFetchQueue implements MediaFetchQueue {
  constructor(private readonly queue: QueueClient) {}

  async enqueue(job: MediaFetchJob): Promise<void> {
    await sendJsonMessage(this.queue, mediaFetchJobSchema.parse(job));
  }

  async scheduleUploadDeadline(job: MediaUploadDeadlineJob, delaySeconds: number): Promise<void> {
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
    await sendJsonMessage(this.queue, mediaUploadDeadlineJobSchema.parse(job), { visibilityTimeoutSeconds: delay });
  }
}
