/**
 * The document that makes a function's name unique in its project: its id is derived from both, and it is written
 * create-only before the function takes the name (at creation or by a rename), so two concurrent writes cannot both
 * get it. It is released when the function is deleted or renamed.
 */
export interface FunctionNameClaim {
  readonly projectId: string;
  readonly name: string;
  readonly functionId: string;
  readonly createdAt: string;
  readonly etag: string;
}

export type NewFunctionNameClaim = Omit<FunctionNameClaim, 'etag'>;

/**
 * A claim whose function does not exist, or no longer has the name, is left behind by a write that failed between its
 * two steps. Younger than this it may be a write still in progress, so it still holds.
 */
export const ORPHANED_FUNCTION_NAME_CLAIM_AFTER_MS = 60_000;
