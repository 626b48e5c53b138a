import type { Page, PageRequest } from '../page.js';
import type { KnowledgeBase, NewKnowledgeBase } from './knowledge-base.js';

/** Knowledge bases of a project; every operation names the project, which is the partition. */
export interface KnowledgeBaseRepository {
  /** The base, deleting or not; undefined when it does not exist in this project. */
  get(projectId: string, baseId: string): Promise<KnowledgeBase | undefined>;
  /** Newest first, bases being deleted left out. */
  list(projectId: string, page: PageRequest): Promise<Page<KnowledgeBase>>;
  /** Ids of the project's bases marked for deletion: deletions that stopped part-way, which a project deletion finishes. */
  listDeletingIds(projectId: string): Promise<string[]>;
  /** Create-only: rejects with ConflictError when the id exists. */
  create(base: NewKnowledgeBase): Promise<KnowledgeBase>;
  /** Replaces when the stored ETag is still `base.etag`, else rejects with PreconditionFailedError. */
  replace(base: KnowledgeBase): Promise<KnowledgeBase>;
  /** Deletes when the stored ETag matches (when given); deleting what is already gone succeeds. */
  delete(projectId: string, baseId: string, expectedEtag?: string): Promise<void>;
}
