import { ConflictError } from './errors.js';

/** Which agents use a companion: a companion in use cannot be deleted (409 CompanionInUse). */
export interface CompanionUsage {
  /** Up to `limit` ids of the project's agents whose companion it is. */
  agentIdsUsingCompanion(projectId: string, companionId: string, limit: number): Promise<string[]>;
}

/** How many of the agents in the way a refusal names: enough to find them, few enough to read. */
export const AGENTS_NAMED_IN_USE = 5;

function listed(agentIds: readonly string[]): string {
  return agentIds.length < AGENTS_NAMED_IN_USE ? agentIds.join(', ') : `${agentIds.join(', ')} and perhaps others`;
}

export function companionInUse(agentIds: readonly string[]): ConflictError {
  return new ConflictError(
    `The companion is used by agent ${listed(agentIds)}; delete those agents or give them another companion first.`,
    'CompanionInUse',
  );
}

export function functionInUse(agentIds: readonly string[]): ConflictError {
  return new ConflictError(
    `The function is used by agent ${listed(agentIds)}; remove it from those agents first.`,
    'FunctionInUse',
  );
}

export function faqCollectionInUse(agentIds: readonly string[]): ConflictError {
  return new ConflictError(
    `The FAQ collection is used by agent ${listed(agentIds)}; remove it from those agents first.`,
    'FaqCollectionInUse',
  );
}

export function knowledgeBaseInUse(agentIds: readonly string[]): ConflictError {
  return new ConflictError(
    `The knowledge base is used by agent ${listed(agentIds)}; remove it from those agents first.`,
    'KnowledgeBaseInUse',
  );
}
