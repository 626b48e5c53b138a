import type { QueueServiceClient } from '@azure/storage-queue';
import {
  MAX_WEBHOOK_RETRY_DELAY_SECONDS,
  WebhookRetrySchedule,
  webhookDeliveryMessageSchema,
  type WebhookDeliveryMessage,
  type WebhookRetryQueue,
} from '../domain/webhook-delivery.js';
import type { WebhookDeliveryRepository, WebhookRepository } from '../domain/webhook-repository.js';
import type { CountedContainer } from './cosmos/counted-container.js';
import { CosmosWebhookDeliveryRepository } from './cosmos/webhook-delivery-repository.js';
import { CosmosWebhookRepository } from './cosmos/webhook-repository.js';
import { sendJsonMessage } from './queue-send.js';
import { WEBHOOK_EVENTS_QUEUE } from './queues.js';

/** What webhooks need: the configurations, the delivery records, the retry queue and its schedule. */
export interface WebhookPorts {
  readonly webhooks: WebhookRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
  readonly webhookRetries: WebhookRetryQueue;
  readonly webhookRetrySchedule: WebhookRetrySchedule;
}

/**
 * A retry is the event again on `webhook-events`, with the number of the attempt it asks for, hidden until its time:
 * whichever instance picks it up makes the attempt, and no instance waits meanwhile.
 */
export class StorageQueueWebhookRetries implements WebhookRetryQueue {
  constructor(private readonly queues: QueueServiceClient) {}

  async schedule(message: WebhookDeliveryMessage, delaySeconds: number): Promise<void> {
    await sendJsonMessage(this.queues.getQueueClient(WEBHOOK_EVENTS_QUEUE), webhookDeliveryMessageSchema.parse(message), {
      visibilityTimeoutSeconds: Math.min(MAX_WEBHOOK_RETRY_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))),
    });
  }
}

export function createWebhookPorts(
  container: (id: string) => CountedContainer,
  storage: { readonly queues: QueueServiceClient },
  config: { readonly webhookRetryScheduleSeconds: readonly number[] | undefined },
): WebhookPorts {
  return {
    webhooks: new CosmosWebhookRepository(container('webhooks')),
    webhookDeliveries: new CosmosWebhookDeliveryRepository(container('webhook-deliveries')),
    webhookRetries: new StorageQueueWebhookRetries(storage.queues),
    webhookRetrySchedule: new WebhookRetrySchedule(config.webhookRetryScheduleSeconds),
  };
}
