import { app } from '@azure/functions';
import type { z } from 'zod';
import { poisonQueueOf, WEBHOOK_EVENTS_QUEUE } from '../shared/adapters/queues.js';
import { webhookDeliveryMessageSchema } from '../shared/domain/webhook-delivery.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/** Issue paths only: an event's values are the tenant's data. */
const issuePaths = (error: z.ZodError) => error.issues.map((issue) => issue.path.join('.') || '(root)');

/**
 * Delivers one webhook event (or one retry of it) to its project's webhook. Retries are new messages on the same
 * queue, hidden until their time, so a failing endpoint never holds an invocation; a repeated message does nothing.
 */
app.storageQueue('webhook-delivery', {
  queueName: WEBHOOK_EVENTS_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const parsed = webhookDeliveryMessageSchema.safeParse(message);
    if (!parsed.success) {
      // It would fail the same way on every try.
      context.error('a webhook event message is malformed; dropped', { fields: issuePaths(parsed.error) });
      return;
    }
    const services = await servicesForTriggers();
    const outcome = await services.webhookDelivery.deliver(parsed.data);
    context.log('webhook delivery', { eventId: parsed.data.id, projectId: parsed.data.projectId, attempt: parsed.data.attempt ?? 1, outcome });
  },
});

/** A message whose handling threw on every try (the store was down, say): its delivery is recorded as failed. */
app.storageQueue('webhook-delivery-poison', {
  queueName: poisonQueueOf(WEBHOOK_EVENTS_QUEUE),
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const parsed = webhookDeliveryMessageSchema.safeParse(message);
    if (!parsed.success) {
      context.error('a poisoned webhook event message is malformed; dropped', { fields: issuePaths(parsed.error) });
      return;
    }
    const services = await servicesForTriggers();
    const failed = await services.webhookDelivery.abandon(parsed.data);
    context.log('webhook delivery abandoned', { eventId: parsed.data.id, projectId: parsed.data.projectId, failed });
  },
});
