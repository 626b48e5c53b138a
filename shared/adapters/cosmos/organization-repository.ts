import { z } from 'zod';
import { digitalTwinConsentSchema } from '../../domain/digital-twin-consent.js';
import { ConflictError } from '../../domain/errors.js';
import { marketplaceSubscriptionStateSchema } from '../../domain/marketplace-subscription.js';
import { DEFAULT_ORGANIZATION_SETTINGS, type NewOrganization, type Organization } from '../../domain/organization.js';
import type { OrganizationRepository } from '../../domain/organization-repository.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'organizations';

/** Settings added later may be missing from older documents; their defaults fill the gap. */
const organizationDocument = z.object({
  id: z.string(),
  name: z.string(),
  settings: z
    .object({
      connectionRequestsPerSecondPerKey: z.number().int().optional(),
      maxOpenSessionsPerChannelType: z.number().int().optional(),
    })
    .optional(),
  digitalTwinConsent: digitalTwinConsentSchema.optional(),
  marketplace: marketplaceSubscriptionStateSchema.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  _etag: z.string(),
});

function toOrganization(document: unknown): Organization {
  const d = parseDocument(organizationDocument, document, CONTAINER);
  return {
    id: d.id,
    name: d.name,
    settings: {
      connectionRequestsPerSecondPerKey:
        d.settings?.connectionRequestsPerSecondPerKey ?? DEFAULT_ORGANIZATION_SETTINGS.connectionRequestsPerSecondPerKey,
      maxOpenSessionsPerChannelType:
        d.settings?.maxOpenSessionsPerChannelType ?? DEFAULT_ORGANIZATION_SETTINGS.maxOpenSessionsPerChannelType,
    },
    digitalTwinConsent:
      d.digitalTwinConsent === undefined
        ? undefined
        : { grantedBy: d.digitalTwinConsent.grantedBy, grantedAt: d.digitalTwinConsent.grantedAt },
    marketplace: d.marketplace,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    etag: d._etag,
  };
}

function toDocument(org: NewOrganization) {
  return {
    id: org.id,
    type: 'organization',
    name: org.name,
    settings: org.settings,
    // JSON drops undefined, so a withdrawn consent leaves no field behind.
    digitalTwinConsent: org.digitalTwinConsent,
    marketplace: org.marketplace,
    createdAt: org.createdAt,
    updatedAt: org.updatedAt,
  };
}

/** Organizations, partitioned by their own id. */
export class CosmosOrganizationRepository implements OrganizationRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(orgId: string): Promise<Organization | undefined> {
    const document = await this.container.read(orgId, orgId);
    return document === undefined ? undefined : toOrganization(document);
  }

  async create(org: NewOrganization): Promise<Organization> {
    try {
      return toOrganization(await this.container.create(toDocument(org)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The organization already exists.');
      throw err;
    }
  }

  async replace(org: Organization): Promise<Organization> {
    return toOrganization(await this.container.replace(org.id, org.id, toDocument(org), org.etag));
  }
}
