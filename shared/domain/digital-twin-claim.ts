/**
 * The document that makes a twin's `externalClientId` unique in its project: its id is derived from both, and it is
 * written create-only before the twin, so two concurrent creations cannot both succeed.
 */
export interface DigitalTwinClaim {
  readonly projectId: string;
  readonly externalClientId: string;
  readonly companionId: string;
  readonly createdAt: string;
  readonly etag: string;
}

export type NewDigitalTwinClaim = Omit<DigitalTwinClaim, 'etag'>;

/** Both parts are restricted to `[A-Za-z0-9_-]`, so the `.` separator cannot be forged by either. */
export function digitalTwinClaimId(projectId: string, externalClientId: string): string {
  return `twin.${projectId}.${externalClientId}`;
}

/**
 * A claim whose twin does not exist is left behind by a creation that failed between the two writes (or by a deletion
 * that failed after removing the twin). Younger than this it may be a creation still in progress, so it still holds.
 */
export const ORPHANED_CLAIM_AFTER_MS = 60_000;
