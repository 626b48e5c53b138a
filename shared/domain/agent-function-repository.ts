import type { AgentFunction, NewAgentFunction } from './agent-function.js';
import type { Page, PageRequest } from './page.js';

/** Functions of a project; every operation names the project, which is the partition. */
export interface AgentFunctionRepository {
  get(projectId: string, functionId: string): Promise<AgentFunction | undefined>;
  /** The project's functions among these ids, in one request; ids not found are left out. */
  getMany(projectId: string, functionIds: readonly string[]): Promise<AgentFunction[]>;
  /** Newest first. */
  list(projectId: string, page: PageRequest): Promise<Page<AgentFunction>>;
  /** Create-only: rejects with ConflictError when the id exists. */
  create(fn: NewAgentFunction): Promise<AgentFunction>;
  /** Replaces when the stored ETag is still `fn.etag`, else rejects with PreconditionFailedError. */
  replace(fn: AgentFunction): Promise<AgentFunction>;
  /** Deletes when the stored ETag matches (when given); deleting what is already gone succeeds. */
  delete(projectId: string, functionId: string, expectedEtag?: string): Promise<void>;
}
