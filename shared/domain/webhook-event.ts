import { z } from 'zod';

/**
 * Events a project's webhook can receive (API.md, Management: webhooks). They are queued for delivery; the queue
 * message is exactly this object, and the delivery side parses it with the same schema.
 */
export const webhookEventTypeSchema = z.enum([
  'session.started',
  'session.closed',
  'companion.created',
  'companion.updated',
  'companion.deleted',
]);
export type WebhookEventType = z.infer<typeof webhookEventTypeSchema>;

export const webhookEventSchema = z.object({
  /** Deterministic per change, so a repeated publication of one change is recognisable and delivered once. */
  id: z.string().min(1).max(128),
  type: webhookEventTypeSchema,
  orgId: z.string(),
  projectId: z.string(),
  occurredAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;
