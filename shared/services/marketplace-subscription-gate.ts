import { ForbiddenError } from '../domain/errors.js';
import { isSubscriptionBlocked, type MarketplaceSubscriptionStatus } from '../domain/marketplace-subscription.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';

/**
 * Whether an organization's API keys may be used: not while its Marketplace subscription is Suspended or
 * Unsubscribed (403 SubscriptionNotActive). Every authenticated public request asks, so the answer is cached per
 * instance for at most STATUS_TTL_MS: a request then costs its one lookup read and nothing more in the common case.
 * The webhook handler drops the entry of the organization it changes on its own instance at once; other instances
 * follow within STATUS_TTL_MS (and open sessions are closed by the webhook itself, not by this check).
 */
export const STATUS_TTL_MS = 30_000;

export interface SubscriptionGateDeps {
  readonly organizations: Pick<OrganizationRepository, 'get'>;
  /** Real time, not the services' clock: a moved test clock must not keep a stale entry alive. */
  readonly nowMs?: () => number;
}

export class SubscriptionGate {
  private readonly statuses = new Map<string, { status: MarketplaceSubscriptionStatus | undefined; until: number }>();
  private readonly nowMs: () => number;

  constructor(private readonly deps: SubscriptionGateDeps) {
    this.nowMs = deps.nowMs ?? Date.now;
  }

  /** Rejects with 403 SubscriptionNotActive while the organization's subscription is suspended or cancelled. */
  async assertActive(orgId: string): Promise<void> {
    const status = await this.statusOf(orgId);
    if (isSubscriptionBlocked(status)) {
      throw new ForbiddenError(
        status === 'Suspended'
          ? "The organization's Azure Marketplace subscription is suspended; its API keys work again once it is reinstated."
          : "The organization's Azure Marketplace subscription has been cancelled.",
        'SubscriptionNotActive',
      );
    }
  }

  /** Forgets the cached status of an organization (its subscription just changed on this instance). */
  forget(orgId: string): void {
    this.statuses.delete(orgId);
  }

  private async statusOf(orgId: string): Promise<MarketplaceSubscriptionStatus | undefined> {
    const now = this.nowMs();
    const cached = this.statuses.get(orgId);
    if (cached !== undefined && cached.until > now) return cached.status;
    const org = await this.deps.organizations.get(orgId);
    const status = org?.marketplace?.status;
    // Bounded: an instance serves a limited set of organizations, but a burst of distinct ones must not grow it forever.
    if (this.statuses.size >= 10_000) this.statuses.clear();
    this.statuses.set(orgId, { status, until: now + STATUS_TTL_MS });
    return status;
  }
}
