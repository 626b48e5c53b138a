import type { QueueClient } from '@azure/storage-queue';
import type { EventPublisher } from '../domain/event-publisher.js';
import { webhookEventSchema, type WebhookEvent } from '../domain/webhook-event.js';

/** The storage service's limit on one message, counted after base64 encoding. */
const MAX_MESSAGE_BYTES = 64 * 1024;

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { statusCode } = err as { statusCode?: unknown };
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/**
 * Queues events as JSON, base64-encoded because host.json sets `messageEncoding: base64` for queue triggers. The
 * queue is created on first need (locally and in a fresh account; in Azure the deployment creates it), which costs
 * nothing while it exists.
 */
export class QueueEventPublisher implements EventPublisher {
  constructor(private readonly queue: QueueClient) {}

  async publish(event: WebhookEvent): Promise<void> {
    const message = Buffer.from(JSON.stringify(webhookEventSchema.parse(event)), 'utf8').toString('base64');
    if (message.length > MAX_MESSAGE_BYTES) {
      throw new Error(`event ${event.id} (${event.type}) is larger than a queue message may be`);
    }
    try {
      await this.queue.sendMessage(message);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      await this.queue.createIfNotExists();
      await this.queue.sendMessage(message);
    }
  }
}
