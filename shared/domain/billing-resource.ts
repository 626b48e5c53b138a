import type { Organization } from './organization.js';

/**
 * What usage is billed to: the Marketplace SaaS subscription when the organization has one, else the organization.
 * In a managed-application install (MANAGED_APP_METERING) usage is still recorded this way; the submission bills all
 * of it to the application instead (MeteringSubmission), since the install, not each organization, is what was sold.
 */
export interface BillingResource {
  /** The Marketplace subscription id (the Metering API's `resourceId`), or the organization id. */
  readonly resourceId: string;
  /** The subscription's current plan (the Metering API's `planId`); absent for an organization without one. */
  readonly planId?: string;
  readonly kind: 'marketplaceSubscription' | 'organization';
}

export function billingResourceOf(org: Pick<Organization, 'id' | 'marketplace'>): BillingResource {
  if (org.marketplace !== undefined) {
    return { resourceId: org.marketplace.subscriptionId, planId: org.marketplace.planId, kind: 'marketplaceSubscription' };
  }
  return { resourceId: org.id, kind: 'organization' };
}
