import type { Page, PageRequest } from './page.js';
import type { NewProject, Project } from './project.js';

export interface ProjectRepository {
  get(projectId: string): Promise<Project | undefined>;
  listByOrganization(orgId: string, page: PageRequest): Promise<Page<Project>>;
  /** Create-only: rejects with ConflictError when the id exists. */
  create(project: NewProject): Promise<Project>;
  /** Replaces when the stored ETag is still `project.etag`, else rejects with PreconditionFailedError. */
  replace(project: Project): Promise<Project>;
  /** Deletes when the stored ETag matches (when given); deleting what is already gone succeeds. */
  delete(projectId: string, expectedEtag?: string): Promise<void>;
}
