import type { Agent, NewAgent } from './agent.js';
import type { CompanionUsage } from './companion-usage.js';
import type { Page, PageRequest } from './page.js';

/** Agents of a project; every operation names the project, which is the partition. */
export interface AgentRepository extends CompanionUsage {
  get(projectId: string, agentId: string): Promise<Agent | undefined>;
  /** Newest first. */
  list(projectId: string, page: PageRequest): Promise<Page<Agent>>;
  /** Every agent id of the project (at most the organization's limit, so never many). */
  listIds(projectId: string): Promise<string[]>;
  /** Up to `limit` ids of the project's agents that list the function. */
  agentIdsUsingFunction(projectId: string, functionId: string, limit: number): Promise<string[]>;
  /** Up to `limit` ids of the project's agents that list the FAQ collection. */
  agentIdsUsingFaqCollection(projectId: string, faqId: string, limit: number): Promise<string[]>;
  /** Up to `limit` ids of the project's agents that use the knowledge base. */
  agentIdsUsingKnowledgeBase(projectId: string, baseId: string, limit: number): Promise<string[]>;
  /** Create-only: rejects with ConflictError when the id exists. */
  create(agent: NewAgent): Promise<Agent>;
  /** Replaces when the stored ETag is still `agent.etag`, else rejects with PreconditionFailedError. */
  replace(agent: Agent): Promise<Agent>;
  /** Deletes when the stored ETag matches (when given); deleting what is already gone succeeds. */
  delete(projectId: string, agentId: string, expectedEtag?: string): Promise<void>;
}
