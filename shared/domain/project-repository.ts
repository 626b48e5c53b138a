import type { Page, PageRequest } from './page.js';
import type { NewProject, Project } from './project.js';

export interface ProjectRepository {
  /** A live project: one marked for deletion (`deletingSince`) is not found, as one already deleted. */
  get(projectId: string): Promise<Project | undefined>;
  /** The organization's live projects; with `includeDeleting`, those marked for deletion as well (the data deletion). */
  listByOrganization(orgId: string, page: PageRequest, options?: { readonly includeDeleting?: boolean }): Promise<Page<Project>>;
  /** Create-only: rejects with ConflictError when the id exists. */
  create(project: NewProject): Promise<Project>;
  /** Replaces when the stored ETag is still `project.etag`, else rejects with PreconditionFailedError. */
  replace(project: Project): Promise<Project>;
  /** Deletes when the stored ETag matches (when given); deleting what is already gone succeeds. */
  delete(projectId: string, expectedEtag?: string): Promise<void>;
  /** The project whether or not it is marked for deletion: what the deletion of its data reads. */
  getIncludingDeleting(projectId: string): Promise<Project | undefined>;
  /** Up to `limit` projects marked for deletion at or before `before` (ISO time), oldest mark first, of any organization. */
  listDeletingBefore(before: string, limit: number): Promise<Project[]>;
}
