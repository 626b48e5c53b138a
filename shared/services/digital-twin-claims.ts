import type { Clock } from '../domain/clock.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import { ORPHANED_CLAIM_AFTER_MS } from '../domain/digital-twin-claim.js';
import type { DigitalTwinClaimRepository } from '../domain/digital-twin-claim-repository.js';
import { ConflictError, PreconditionFailedError } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';

export interface DigitalTwinClaimDeps {
  readonly twinClaims: DigitalTwinClaimRepository;
  readonly companions: CompanionRepository;
  readonly clock: Clock;
  readonly logger: Logger;
}

export function twinAlreadyExists(): ConflictError {
  return new ConflictError('A digital twin with this externalClientId already exists in the project.', 'DigitalTwinAlreadyExists');
}

/**
 * Claims `externalClientId` in the project for a twin about to be created, or throws DigitalTwinAlreadyExists. The
 * claim is a create-only document, so of two concurrent creations exactly one gets it. A claim left behind by a
 * creation that failed half-way (old, and its twin does not exist) is taken over.
 */
export async function claimExternalClientId(
  deps: DigitalTwinClaimDeps,
  projectId: string,
  externalClientId: string,
  companionId: string,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await deps.twinClaims.create({ projectId, externalClientId, companionId, createdAt: deps.clock.now().toISOString() });
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    const existing = await deps.twinClaims.get(projectId, externalClientId);
    if (existing === undefined) continue;
    const age = deps.clock.now().getTime() - Date.parse(existing.createdAt);
    if (age < ORPHANED_CLAIM_AFTER_MS) throw twinAlreadyExists();
    if ((await deps.companions.get(projectId, existing.companionId)) !== undefined) throw twinAlreadyExists();
    try {
      await deps.twinClaims.delete(projectId, externalClientId, existing.etag);
    } catch (err) {
      // Another request took the orphaned claim over first; the next attempt sees its claim.
      if (!(err instanceof PreconditionFailedError)) throw err;
    }
  }
  throw twinAlreadyExists();
}

/** Frees `externalClientId` when it is still held for this twin. Never frees a claim that another twin holds. */
export async function releaseExternalClientId(
  deps: DigitalTwinClaimDeps,
  projectId: string,
  externalClientId: string,
  companionId: string,
): Promise<void> {
  const claim = await deps.twinClaims.get(projectId, externalClientId);
  if (claim === undefined || claim.companionId !== companionId) return;
  try {
    await deps.twinClaims.delete(projectId, externalClientId, claim.etag);
  } catch (err) {
    if (!(err instanceof PreconditionFailedError)) throw err;
  }
}

/** After a failed creation: the claim must not outlive it, but failing to free it must not hide the real error. */
export async function releaseAfterFailedCreation(
  deps: DigitalTwinClaimDeps,
  projectId: string,
  externalClientId: string,
  companionId: string,
): Promise<void> {
  try {
    await releaseExternalClientId(deps, projectId, externalClientId, companionId);
  } catch (err) {
    // Left as is, the claim counts as orphaned once it is old enough and is then taken over.
    deps.logger.warn('releasing a digital twin claim after a failed creation failed', { projectId, companionId, err });
  }
}
