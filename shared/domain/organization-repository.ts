import type { NewOrganization, Organization } from './organization.js';

export interface OrganizationRepository {
  get(orgId: string): Promise<Organization | undefined>;
  /** Create-only: rejects with ConflictError when the id exists, so a retried create never overwrites. */
  create(org: NewOrganization): Promise<Organization>;
  /** Replaces when the stored ETag is still `org.etag`, else rejects with PreconditionFailedError. */
  replace(org: Organization): Promise<Organization>;
}
