import type { Page, PageRequest } from '../page.js';
import type { KnowledgeFile, NewKnowledgeFile } from './knowledge-file.js';

/** Files of knowledge bases, partitioned by base; every operation also names the project, for isolation. */
export interface KnowledgeFileRepository {
  /** The file, deleting or not; undefined when it does not exist in this project's base. */
  get(projectId: string, baseId: string, fileId: string): Promise<KnowledgeFile | undefined>;
  /** Newest first, files being deleted left out. */
  list(projectId: string, baseId: string, page: PageRequest): Promise<Page<KnowledgeFile>>;
  /** Every file of the base, those being deleted included (a base holds at most a few dozen). */
  listAll(projectId: string, baseId: string): Promise<KnowledgeFile[]>;
  /**
   * Files of every tenant still `uploading` and recorded before `createdBefore` (ISO), those being deleted left out: the
   * candidates of the expired-upload sweep. A deliberate cross-partition query; normally it finds few or none.
   */
  listUploadingCreatedBefore(createdBefore: string): Promise<KnowledgeFile[]>;
  /** Create-only: rejects with ConflictError when the id exists. */
  create(file: NewKnowledgeFile): Promise<KnowledgeFile>;
  /** Replaces when the stored ETag is still `file.etag`, else rejects with PreconditionFailedError. */
  replace(file: KnowledgeFile): Promise<KnowledgeFile>;
  /** Deletes when the stored ETag matches (when given); deleting what is already gone succeeds. */
  delete(projectId: string, baseId: string, fileId: string, expectedEtag?: string): Promise<void>;
}
