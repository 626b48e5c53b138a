import { z } from 'zod';

/**
 * An organization's Azure Marketplace SaaS subscription, as the SaaS Fulfillment API v2 describes it, kept on the
 * organization document. The Marketplace is the source of truth; this is the copy the service acts on (API keys,
 * session admission, billing resource, data retention).
 */

/** `saasSubscriptionStatus` of the Fulfillment API. */
export const marketplaceSubscriptionStatusSchema = z.enum(['NotStarted', 'PendingFulfillmentStart', 'Subscribed', 'Suspended', 'Unsubscribed']);
export type MarketplaceSubscriptionStatus = z.infer<typeof marketplaceSubscriptionStatusSchema>;

/** Who bought (or will use) the subscription, as the Marketplace names them. */
export const marketplacePartySchema = z.object({
  emailId: z.string().optional(),
  objectId: z.string().optional(),
  tenantId: z.string().optional(),
});
export type MarketplaceParty = z.infer<typeof marketplacePartySchema>;

export const marketplaceSubscriptionStateSchema = z.object({
  subscriptionId: z.string(),
  offerId: z.string(),
  planId: z.string(),
  quantity: z.number().int().nonnegative().optional(),
  status: marketplaceSubscriptionStatusSchema,
  purchaser: marketplacePartySchema,
  updatedAt: z.string(),
  /** When the Unsubscribe was applied: the start of the retention period. */
  unsubscribedAt: z.string().optional(),
  /** When the retention sweep deleted the organization's project data. */
  dataDeletedAt: z.string().optional(),
  /**
   * The Marketplace times (`timeStamp`) of the newest operation applied to each aspect: the status (Suspend, Reinstate),
   * the plan (ChangePlan) and the quantity (ChangeQuantity). An older operation that arrives late does not undo a newer
   * one of the same aspect.
   */
  operationTimes: z
    .object({ status: z.string().optional(), plan: z.string().optional(), quantity: z.string().optional() })
    .optional(),
});
export type MarketplaceSubscriptionState = z.infer<typeof marketplaceSubscriptionStateSchema>;

/** Statuses in which the organization's API keys answer 403 SubscriptionNotActive and no session starts. */
export function isSubscriptionBlocked(status: MarketplaceSubscriptionStatus | undefined): boolean {
  return status === 'Suspended' || status === 'Unsubscribed';
}

/** After an Unsubscribe, data is kept at least this long before the retention sweep deletes it. */
export const UNSUBSCRIBED_DATA_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** Whether an unsubscribed organization's data may be deleted at `now`. */
export function isDataDeletionDue(state: MarketplaceSubscriptionState | undefined, now: Date): boolean {
  if (state?.status !== 'Unsubscribed' || state.unsubscribedAt === undefined || state.dataDeletedAt !== undefined) return false;
  return now.getTime() - Date.parse(state.unsubscribedAt) >= UNSUBSCRIBED_DATA_RETENTION_MS;
}

/** The create-only claim that ties one Marketplace subscription to one organization (id = subscription id). */
export interface MarketplaceSubscriptionClaim {
  readonly subscriptionId: string;
  readonly orgId: string;
  readonly createdAt: string;
}

export interface MarketplaceSubscriptionClaimRepository {
  get(subscriptionId: string): Promise<MarketplaceSubscriptionClaim | undefined>;
  /** Create-only: rejects with ConflictError when the subscription is already claimed. */
  create(claim: MarketplaceSubscriptionClaim): Promise<MarketplaceSubscriptionClaim>;
}

/** Finds the organizations whose data the retention sweep should delete. */
export interface MarketplaceRetentionQuery {
  /** Ids of organizations unsubscribed at or before `cutoff` whose data is not deleted yet, at most `limit`. */
  listUnsubscribedBefore(cutoff: Date, limit: number): Promise<string[]>;
}
