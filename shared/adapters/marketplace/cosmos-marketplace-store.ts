import { z } from 'zod';
import { ConflictError } from '../../domain/errors.js';
import type {
  MarketplaceRetentionQuery,
  MarketplaceSubscriptionClaim,
  MarketplaceSubscriptionClaimRepository,
} from '../../domain/marketplace-subscription.js';
import type { CountedContainer } from '../cosmos/counted-container.js';
import { parseDocument } from '../cosmos/document-parsing.js';

const CLAIMS = 'marketplace-subscriptions';

const claimDocument = z.object({
  id: z.string(),
  type: z.literal('marketplaceSubscriptionClaim'),
  orgId: z.string(),
  createdAt: z.string(),
});

function toClaim(document: unknown): MarketplaceSubscriptionClaim {
  const d = parseDocument(claimDocument, document, CLAIMS);
  return { subscriptionId: d.id, orgId: d.orgId, createdAt: d.createdAt };
}

/** `marketplace-subscriptions`: id and partition key are the subscription id, so claiming is one create-only write. */
export class CosmosMarketplaceSubscriptionClaims implements MarketplaceSubscriptionClaimRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(subscriptionId: string): Promise<MarketplaceSubscriptionClaim | undefined> {
    const document = await this.container.read(subscriptionId, subscriptionId);
    return document === undefined ? undefined : toClaim(document);
  }

  async create(claim: MarketplaceSubscriptionClaim): Promise<MarketplaceSubscriptionClaim> {
    try {
      return toClaim(
        await this.container.create({
          id: claim.subscriptionId,
          type: 'marketplaceSubscriptionClaim',
          orgId: claim.orgId,
          createdAt: claim.createdAt,
        }),
      );
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The Marketplace subscription is already claimed.');
      throw err;
    }
  }
}

const idRow = z.object({ id: z.string() });

/**
 * The retention sweep's one cross-partition query over `organizations`. It runs hourly and matches only organizations
 * of cancelled subscriptions that still hold data, so it stays small.
 */
export class CosmosMarketplaceRetentionQuery implements MarketplaceRetentionQuery {
  constructor(private readonly organizations: CountedContainer) {}

  async listUnsubscribedBefore(cutoff: Date, limit: number): Promise<string[]> {
    const rows = await this.organizations.query(
      {
        query:
          "SELECT TOP @limit c.id FROM c WHERE c.type = 'organization' AND c.marketplace.status = 'Unsubscribed' " +
          'AND IS_DEFINED(c.marketplace.unsubscribedAt) AND c.marketplace.unsubscribedAt <= @cutoff ' +
          'AND NOT IS_DEFINED(c.marketplace.dataDeletedAt)',
        parameters: [
          { name: '@limit', value: limit },
          { name: '@cutoff', value: cutoff.toISOString() },
        ],
      },
      undefined,
    );
    return rows.map((row) => parseDocument(idRow, row, 'organizations').id);
  }
}
