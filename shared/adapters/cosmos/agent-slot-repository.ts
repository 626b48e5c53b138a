import { z } from 'zod';
import type { NewOrganizationAgentSlots, OrganizationAgentSlots } from '../../domain/agent-slots.js';
import type { AgentSlotRepository } from '../../domain/agent-slot-repository.js';
import { ConflictError } from '../../domain/errors.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'agent-slots';

/** One document per organization: its id is the organization id, and so is its partition key. */
const slotsDocument = z.object({
  id: z.string(),
  type: z.literal('agentSlots'),
  orgId: z.string(),
  slots: z.array(z.object({ agentId: z.string(), projectId: z.string(), reservedAt: z.string() })),
  updated: z.string(),
  _etag: z.string(),
});

function toSlots(document: unknown): OrganizationAgentSlots {
  const d = parseDocument(slotsDocument, document, CONTAINER);
  return { orgId: d.orgId, slots: d.slots, updated: d.updated, etag: d._etag };
}

function toDocument(slots: NewOrganizationAgentSlots) {
  return {
    id: slots.orgId,
    type: 'agentSlots',
    orgId: slots.orgId,
    slots: slots.slots.map((slot) => ({ agentId: slot.agentId, projectId: slot.projectId, reservedAt: slot.reservedAt })),
    updated: slots.updated,
  };
}

export class CosmosAgentSlotRepository implements AgentSlotRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(orgId: string): Promise<OrganizationAgentSlots | undefined> {
    const document = await this.container.read(orgId, orgId);
    if (document === undefined || document.orgId !== orgId) return undefined;
    return toSlots(document);
  }

  async create(slots: NewOrganizationAgentSlots): Promise<OrganizationAgentSlots> {
    try {
      return toSlots(await this.container.create(toDocument(slots)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError("The organization's agent slots already exist.");
      throw err;
    }
  }

  async replace(slots: OrganizationAgentSlots): Promise<OrganizationAgentSlots> {
    return toSlots(await this.container.replace(slots.orgId, slots.orgId, toDocument(slots), slots.etag));
  }
}
