import type { WebhookEvent } from './webhook-event.js';

/** Hands an event to webhook delivery (a storage queue in production). */
export interface EventPublisher {
  publish(event: WebhookEvent): Promise<void>;
}
