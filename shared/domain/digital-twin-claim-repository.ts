import type { DigitalTwinClaim, NewDigitalTwinClaim } from './digital-twin-claim.js';

export interface DigitalTwinClaimRepository {
  get(projectId: string, externalClientId: string): Promise<DigitalTwinClaim | undefined>;
  /** Create-only: rejects with ConflictError when the project already has a claim for this externalClientId. */
  create(claim: NewDigitalTwinClaim): Promise<DigitalTwinClaim>;
  /** Deletes when the stored ETag matches (when given), else rejects with PreconditionFailedError; gone succeeds. */
  delete(projectId: string, externalClientId: string, expectedEtag?: string): Promise<void>;
}
