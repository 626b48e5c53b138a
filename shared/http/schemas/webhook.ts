import { z } from 'zod';
import { ALL_WEBHOOK_EVENT_TYPES, webhookEventsSchema, webhookUrlSchema } from '../../domain/webhook.js';
import { webhookDeliveryStatusSchema } from '../../domain/webhook-delivery.js';
import { webhookEventTypeSchema } from '../../domain/webhook-event.js';
import { etagField, idParam, timestamp } from './common.js';

export const webhookPathParams = z.strictObject({ projectId: idParam('project id') });

export const putWebhookBody = z.strictObject({
  url: webhookUrlSchema,
  events: webhookEventsSchema.optional().describe(`the event types to deliver; all of them (${ALL_WEBHOOK_EVENT_TYPES.join(', ')}) when left out`),
  enabled: z.boolean().optional().describe('false keeps the configuration but delivers nothing; true when left out'),
});

export const webhookResponse = z.object({
  projectId: z.string(),
  url: z.string(),
  events: z.array(webhookEventTypeSchema),
  enabled: z.boolean(),
  secretCreatedAt: timestamp.describe('when the current signing secret was made'),
  previousSecretExpiresAt: timestamp
    .optional()
    .describe('while present, deliveries are signed with the previous secret too (after a rotation, for 24 hours)'),
  createdAt: timestamp,
  updatedAt: timestamp,
  etag: etagField,
});

export const webhookWithSecretResponse = webhookResponse.extend({
  secret: z.string().describe('the signing secret (whsec_…); shown only in this response, store it now'),
});

export const webhookDeliveryResponse = z.object({
  id: z.string().describe('the event id, also sent as X-Webhook-Id'),
  type: webhookEventTypeSchema,
  status: webhookDeliveryStatusSchema,
  attempts: z.number().int(),
  lastStatus: z.number().int().optional().describe("the HTTP status of the endpoint's last answer"),
  lastError: z.string().optional(),
  occurredAt: timestamp,
  createdAt: timestamp,
  updatedAt: timestamp,
  nextAttemptAt: timestamp.optional().describe('when a pending delivery is tried next'),
  deliveredAt: timestamp.optional(),
});
