import type { FunctionNameClaim, NewFunctionNameClaim } from './function-name-claim.js';

/** Claims of function names; every operation names the project, which is the partition. */
export interface FunctionNameClaimRepository {
  get(projectId: string, name: string): Promise<FunctionNameClaim | undefined>;
  /** Create-only: rejects with ConflictError when the project already has a claim for this name. */
  create(claim: NewFunctionNameClaim): Promise<FunctionNameClaim>;
  /** Deletes when the stored ETag matches (when given), else rejects with PreconditionFailedError; gone succeeds. */
  delete(projectId: string, name: string, expectedEtag?: string): Promise<void>;
}
