import type { NewOrganizationAgentSlots, OrganizationAgentSlots } from './agent-slots.js';

/** The agent slots of each organization; every operation names the organization, which is the partition. */
export interface AgentSlotRepository {
  get(orgId: string): Promise<OrganizationAgentSlots | undefined>;
  /** Create-only: rejects with ConflictError when the organization's document exists. */
  create(slots: NewOrganizationAgentSlots): Promise<OrganizationAgentSlots>;
  /** Replaces when the stored ETag is still `slots.etag`, else rejects with PreconditionFailedError. */
  replace(slots: OrganizationAgentSlots): Promise<OrganizationAgentSlots>;
}
