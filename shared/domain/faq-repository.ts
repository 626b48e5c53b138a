import type { FaqCollection, NewFaqCollection } from './faq.js';
import type { Page, PageRequest } from './page.js';

/** FAQ collections of a project; every operation names the project, which is the partition. */
export interface FaqRepository {
  get(projectId: string, faqId: string): Promise<FaqCollection | undefined>;
  /** Newest first. */
  list(projectId: string, page: PageRequest): Promise<Page<FaqCollection>>;
  /** Create-only: rejects with ConflictError when the id exists. */
  create(collection: NewFaqCollection): Promise<FaqCollection>;
  /** Replaces when the stored ETag is still `collection.etag`, else rejects with PreconditionFailedError. */
  replace(collection: FaqCollection): Promise<FaqCollection>;
  /** Deletes when the stored ETag matches (when given); deleting what is already gone succeeds. */
  delete(projectId: string, faqId: string, expectedEtag?: string): Promise<void>;
}
