import { z } from 'zod';
import { marketplaceSubscriptionStatusSchema } from '../../domain/marketplace-subscription.js';

/** Other query parameters (tracking, a portal's additions) are ignored rather than refused: a buyer must land. */
export const marketplaceLandingQuery = z.object({
  token: z.string().min(1).max(8192).describe("the Marketplace purchase token the landing page URL carries (the query string's `token`)"),
});

export const marketplaceLandingResponse = z.object({
  organization: z.object({
    id: z.string(),
    name: z.string(),
    created: z.boolean().describe('true when this landing created the organization, false when it already existed'),
  }),
  subscription: z.object({
    id: z.string().describe('the Marketplace SaaS subscription id'),
    offerId: z.string(),
    planId: z.string(),
    quantity: z.number().int().optional(),
    status: marketplaceSubscriptionStatusSchema,
  }),
  admin: z.object({
    memberId: z.string(),
    userId: z.string().optional().describe("the purchaser's Entra object id"),
    email: z.string().optional(),
    added: z.boolean().describe('true when this landing made the purchaser an admin'),
  }),
  activation: z
    .enum(['activated', 'alreadyActivated'])
    .describe('activated now, or already activated by an earlier landing (the Marketplace refused a second activation and the subscription reads Subscribed)'),
  next: z.string().describe('what to do next'),
});

/**
 * The webhook's payload as the Marketplace sends it. Only these fields are read; the Marketplace adds others
 * (activityId, publisherId, offerId, planId, quantity, timeStamp, status, subscription, ...), which are accepted and
 * ignored: the operation is read back from the Marketplace before anything is done.
 */
export const marketplaceWebhookBody = z.looseObject({
  id: z.string().min(1).max(200).describe('the operation id'),
  subscriptionId: z.string().min(1).max(200),
  action: z.string().min(1).max(64).describe('Unsubscribe, ChangePlan, ChangeQuantity, Suspend, Reinstate or Renew'),
});

export const marketplaceWebhookResponse = z.object({
  operationId: z.string(),
  action: z.string(),
  outcome: z
    .enum(['applied', 'stale', 'notApplied', 'unknownSubscription', 'ignored'])
    .describe(
      'applied; stale (a newer operation was applied already); notApplied (the operation failed or was settled otherwise on the Marketplace); unknownSubscription (no organization has landed it)',
    ),
  subscriptionStatus: marketplaceSubscriptionStatusSchema.optional(),
});
