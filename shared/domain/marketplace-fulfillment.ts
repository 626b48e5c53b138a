import { BadRequestError } from './errors.js';
import type { MarketplaceParty, MarketplaceSubscriptionStatus } from './marketplace-subscription.js';

/**
 * The port to the Azure Marketplace SaaS Fulfillment API v2 (api-version 2018-08-31): what the service asks of the
 * Marketplace, in the Marketplace's own terms. The adapter (shared/adapters/marketplace) speaks HTTP.
 */

export interface MarketplaceSubscription {
  readonly id: string;
  readonly name: string;
  readonly offerId: string;
  readonly planId: string;
  readonly quantity: number | undefined;
  readonly status: MarketplaceSubscriptionStatus;
  readonly purchaser: MarketplaceParty;
  readonly beneficiary: MarketplaceParty;
}

/** The answer of `POST /saas/subscriptions/resolve`. */
export interface ResolvedPurchase {
  readonly subscriptionId: string;
  readonly offerId: string;
  readonly planId: string;
  readonly quantity: number | undefined;
  readonly subscription: MarketplaceSubscription;
}

/** Lifecycle actions the webhook and the operations API name. */
export type MarketplaceAction = 'Unsubscribe' | 'ChangePlan' | 'ChangeQuantity' | 'Suspend' | 'Reinstate' | 'Renew' | (string & {});

/** An operation's status as the operations API reports it. */
export type MarketplaceOperationStatus = 'NotStarted' | 'InProgress' | 'Succeeded' | 'Failed' | 'Conflict' | (string & {});

export interface MarketplaceOperation {
  readonly id: string;
  readonly subscriptionId: string;
  readonly action: MarketplaceAction;
  readonly status: MarketplaceOperationStatus;
  readonly planId: string | undefined;
  readonly quantity: number | undefined;
  /** When the Marketplace raised it (ISO 8601). */
  readonly timeStamp: string;
}

/** What `POST .../activate` did: activated now, or refused (400), e.g. because the subscription is already activated. */
export type ActivationOutcome = { readonly kind: 'activated' } | { readonly kind: 'refused'; readonly status: number };

/** What `PATCH .../operations/{id}` did: recorded, or refused because the operation is no longer open (409, 400). */
export type OperationUpdateOutcome = 'updated' | 'notPending';

export interface MarketplaceFulfillment {
  /** Resolves a purchase (landing page) token; rejects with MarketplacePurchaseTokenInvalidError when it is not one. */
  resolve(purchaseToken: string): Promise<ResolvedPurchase>;
  activate(subscriptionId: string, planId: string, quantity: number | undefined): Promise<ActivationOutcome>;
  /** Undefined when the Marketplace does not know the subscription (404). */
  getSubscription(subscriptionId: string): Promise<MarketplaceSubscription | undefined>;
  /** Undefined when the Marketplace does not know the operation for that subscription (404). */
  getOperation(subscriptionId: string, operationId: string): Promise<MarketplaceOperation | undefined>;
  updateOperation(subscriptionId: string, operationId: string, status: 'Success' | 'Failure'): Promise<OperationUpdateOutcome>;
}

/** The purchase token is missing, malformed, expired or unknown to the Marketplace (its resolve answered 400). */
export class MarketplacePurchaseTokenInvalidError extends BadRequestError {
  constructor() {
    super('MarketplaceTokenInvalid', 'The Marketplace purchase token is not valid or has expired; open the offer again from the Azure portal.');
  }
}

/** The Marketplace API failed (after retries) or answered something unexpected; the caller may retry later. */
export class MarketplaceUnavailableError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number | undefined,
  ) {
    super(`Marketplace ${operation} failed${status === undefined ? '' : ` with HTTP ${status}`}`);
    this.name = 'MarketplaceUnavailableError';
  }
}

/** Verifies the bearer token of a webhook call; rejects with UnauthorizedError (401) or ForbiddenError (403). */
export interface MarketplaceWebhookAuthenticator {
  authenticate(bearerToken: string | undefined): Promise<void>;
}
