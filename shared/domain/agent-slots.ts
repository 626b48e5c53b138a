/**
 * The agents an organization holds, as slots on one document per organization: the org-wide limit holds under
 * concurrent creations in any of its projects, because a slot is taken by an ETag-conditional write of that document
 * before the agent is created. Counting agents instead would let two requests at 99 both see room.
 */
export interface AgentSlot {
  readonly agentId: string;
  readonly projectId: string;
  readonly reservedAt: string;
}

export interface OrganizationAgentSlots {
  readonly orgId: string;
  readonly slots: readonly AgentSlot[];
  readonly updated: string;
  readonly etag: string;
}

export type NewOrganizationAgentSlots = Omit<OrganizationAgentSlots, 'etag'>;

/**
 * A slot whose agent was never created (the request died between the two writes) is given back after this long; a
 * live request creates its agent within seconds.
 */
export const ORPHANED_AGENT_SLOT_MS = 10 * 60 * 1000;
