import { z } from 'zod';
import type { DigitalTwinConsent } from './digital-twin-consent.js';
import type { MarketplaceSubscriptionState } from './marketplace-subscription.js';

export const organizationNameSchema = z.string().trim().min(1).max(100);

/**
 * Per-organization settings an admin may change. The limits default to what API.md promises (1 connection request
 * per second per API key, 5 open sessions per channel type) and are "configurable per org".
 */
export const organizationSettingsSchema = z.strictObject({
  connectionRequestsPerSecondPerKey: z.number().int().min(1).max(100),
  maxOpenSessionsPerChannelType: z.number().int().min(1).max(1000),
});
export type OrganizationSettings = z.infer<typeof organizationSettingsSchema>;

export const DEFAULT_ORGANIZATION_SETTINGS: OrganizationSettings = {
  connectionRequestsPerSecondPerKey: 1,
  maxOpenSessionsPerChannelType: 5,
};

export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly settings: OrganizationSettings;
  /** Set while an admin's consent to digital twins stands; absent before it is given and after it is withdrawn. */
  readonly digitalTwinConsent?: DigitalTwinConsent | undefined;
  /** The Azure Marketplace SaaS subscription the organization was bought through, if any. */
  readonly marketplace?: MarketplaceSubscriptionState | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly etag: string;
}

export type NewOrganization = Omit<Organization, 'etag'>;

/** A change an admin asks for; absent fields stay as they are, `settings` merges field by field. */
export interface OrganizationChanges {
  readonly name?: string | undefined;
  readonly settings?: Partial<OrganizationSettings> | undefined;
}
