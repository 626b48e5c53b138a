import type { ApiKeyLookup } from './api-key.js';

export interface ApiKeyLookupRepository {
  /** One point read by hash; undefined when unknown or revoked. */
  find(secretHash: string): Promise<ApiKeyLookup | undefined>;
  /** Create-only: rejects with ConflictError when a key with the same secret exists. */
  create(lookup: ApiKeyLookup): Promise<void>;
  /** Idempotent. */
  delete(secretHash: string): Promise<void>;
}
