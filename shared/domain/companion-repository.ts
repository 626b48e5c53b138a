import type { Companion, NewCompanion } from './companion.js';
import type { CompanionFilter } from './companion-filter.js';
import type { Page, PageRequest } from './page.js';

/** Companions of a project; every operation names the project, which is the partition. */
export interface CompanionRepository {
  get(projectId: string, companionId: string): Promise<Companion | undefined>;
  /** Newest first. `filteredCount` counts matches; `totalCount` every companion of the project. */
  list(projectId: string, filter: CompanionFilter, page: PageRequest): Promise<Page<Companion>>;
  /** Create-only: rejects with ConflictError when the id exists. */
  create(companion: NewCompanion): Promise<Companion>;
  /** Replaces when the stored ETag is still `companion.etag`, else rejects with PreconditionFailedError. */
  replace(companion: Companion): Promise<Companion>;
  /** Deletes when the stored ETag matches (when given); deleting what is already gone succeeds. */
  delete(projectId: string, companionId: string, expectedEtag?: string): Promise<void>;
}
