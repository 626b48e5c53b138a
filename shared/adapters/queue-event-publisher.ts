import type { QueueClient } from '@azure/storage-queue';
import { sendJsonMessage } from './queue-send.js';
import type { EventPublisher } from '../domain/event-publisher.js';
import { webhookEventSchema, type WebhookEvent } from '../domain/webhook-event.js';

/** Queues webhook events (JSON) for delivery. */
export class QueueEventPublisher implements EventPublisher {
  constructor(private readonly queue: QueueClient) {}

  async publish(event: WebhookEvent): Promise<void> {
    await sendJsonMessage(this.queue, webhookEventSchema.parse(event));
  }
}
