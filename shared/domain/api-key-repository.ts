import type { ApiKey, NewApiKey } from './api-key.js';
import type { Page, PageRequest } from './page.js';

export interface ApiKeyRepository {
  get(projectId: string, keyId: string): Promise<ApiKey | undefined>;
  listByProject(projectId: string, page: PageRequest): Promise<Page<ApiKey>>;
  /** Every key id of a project, for revoking them all when the project is deleted. */
  listIdsByProject(projectId: string): Promise<string[]>;
  /** Create-only: rejects with ConflictError when the id exists. */
  create(key: NewApiKey): Promise<ApiKey>;
  /** Replaces when the stored ETag is still `key.etag`, else rejects with PreconditionFailedError. */
  replace(key: ApiKey): Promise<ApiKey>;
  /** Idempotent. */
  delete(projectId: string, keyId: string): Promise<void>;
  /** A blind write of the last-use time (no read first), so recording use costs one operation. */
  recordLastUsed(projectId: string, keyId: string, at: string): Promise<void>;
}
