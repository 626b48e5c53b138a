import { ConflictError } from '../../../shared/domain/errors.js';
import type {
  ActivationOutcome,
  MarketplaceFulfillment,
  MarketplaceOperation,
  MarketplaceSubscription,
  OperationUpdateOutcome,
  ResolvedPurchase,
} from '../../../shared/domain/marketplace-fulfillment.js';
import { MarketplacePurchaseTokenInvalidError } from '../../../shared/domain/marketplace-fulfillment.js';
import type { MarketplaceSubscriptionClaim, MarketplaceSubscriptionClaimRepository } from '../../../shared/domain/marketplace-subscription.js';

/** Subscription claims in a map: create-only, like the Cosmos container. */
export class InMemoryMarketplaceClaims implements MarketplaceSubscriptionClaimRepository {
  readonly claims = new Map<string, MarketplaceSubscriptionClaim>();

  async get(subscriptionId: string): Promise<MarketplaceSubscriptionClaim | undefined> {
    const claim = this.claims.get(subscriptionId);
    return claim === undefined ? undefined : { ...claim };
  }

  async create(claim: MarketplaceSubscriptionClaim): Promise<MarketplaceSubscriptionClaim> {
    if (this.claims.has(claim.subscriptionId)) throw new ConflictError('claimed');
    this.claims.set(claim.subscriptionId, { ...claim });
    return { ...claim };
  }
}

/**
 * The Fulfillment API's semantics without HTTP (the HTTP fake is test/fakes/marketplace-fulfillment.ts): activation
 * once, operations readable per subscription, PATCH only while in progress.
 */
export class ScriptedMarketplace implements MarketplaceFulfillment {
  readonly subscriptions = new Map<string, MarketplaceSubscription>();
  readonly operations = new Map<string, MarketplaceOperation>();
  readonly tokens = new Map<string, string>();
  readonly patches: { operationId: string; status: 'Success' | 'Failure' }[] = [];

  async resolve(purchaseToken: string): Promise<ResolvedPurchase> {
    const subscription = this.subscriptions.get(this.tokens.get(purchaseToken) ?? '');
    if (subscription === undefined) throw new MarketplacePurchaseTokenInvalidError();
    return { subscriptionId: subscription.id, offerId: subscription.offerId, planId: subscription.planId, quantity: subscription.quantity, subscription };
  }

  async activate(subscriptionId: string): Promise<ActivationOutcome> {
    const subscription = this.subscriptions.get(subscriptionId);
    if (subscription?.status !== 'PendingFulfillmentStart') return { kind: 'refused', status: 400 };
    this.subscriptions.set(subscriptionId, { ...subscription, status: 'Subscribed' });
    return { kind: 'activated' };
  }

  async getSubscription(subscriptionId: string): Promise<MarketplaceSubscription | undefined> {
    return this.subscriptions.get(subscriptionId);
  }

  async getOperation(subscriptionId: string, operationId: string): Promise<MarketplaceOperation | undefined> {
    const operation = this.operations.get(operationId);
    return operation?.subscriptionId === subscriptionId ? operation : undefined;
  }

  async updateOperation(_subscriptionId: string, operationId: string, status: 'Success' | 'Failure'): Promise<OperationUpdateOutcome> {
    const operation = this.operations.get(operationId);
    if (operation?.status !== 'InProgress') return 'notPending';
    this.patches.push({ operationId, status });
    this.operations.set(operationId, { ...operation, status: status === 'Success' ? 'Succeeded' : 'Failed' });
    return 'updated';
  }
}
