import type { QueueClient } from '@azure/storage-queue';
import { projectDeletionMessageSchema, type ProjectDeletionMessage, type ProjectDeletionQueue } from '../domain/project-deletion.js';
import { sendJsonMessage } from './queue-send.js';

/** The `project-deletions` storage queue. */
export class StorageQueueProjectDeletionQueue implements ProjectDeletionQueue {
  constructor(private readonly queue: QueueClient) {}

  async enqueue(message: ProjectDeletionMessage): Promise<void> {
    await sendJsonMessage(this.queue, projectDeletionMessageSchema.parse(message));
  }
}
