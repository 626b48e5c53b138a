import type { Agent, NewAgent } from '../../../shared/domain/agent.js';
import type { AgentFunction, NewAgentFunction } from '../../../shared/domain/agent-function.js';
import type { AgentFunctionRepository } from '../../../shared/domain/agent-function-repository.js';
import type { AgentRepository } from '../../../shared/domain/agent-repository.js';
import type { NewOrganizationAgentSlots, OrganizationAgentSlots } from '../../../shared/domain/agent-slots.js';
import type { AgentSlotRepository } from '../../../shared/domain/agent-slot-repository.js';
import type { FunctionNameClaim, NewFunctionNameClaim } from '../../../shared/domain/function-name-claim.js';
import type { FunctionNameClaimRepository } from '../../../shared/domain/function-name-claim-repository.js';
import { pageOfArray, type Page, type PageRequest } from '../../../shared/domain/page.js';
import { Table } from './in-memory-ports.js';

const newestFirst = <T extends { created: string; id: string }>(a: T, b: T) => b.created.localeCompare(a.created) || b.id.localeCompare(a.id);

export class InMemoryAgentFunctionRepository implements AgentFunctionRepository {
  readonly table = new Table<AgentFunction>();
  /** Runs once before the next create: lets a test make the store fail after the name was claimed. */
  beforeNextCreate: (() => void) | undefined;

  private keyOf(projectId: string, functionId: string) {
    return `${projectId}|${functionId}`;
  }
  async get(projectId: string, functionId: string) {
    return this.table.get(this.keyOf(projectId, functionId));
  }
  async getMany(projectId: string, functionIds: readonly string[]) {
    const found = await Promise.all(functionIds.map((id) => this.get(projectId, id)));
    return found.filter((f): f is AgentFunction => f !== undefined);
  }
  async list(projectId: string, page: PageRequest): Promise<Page<AgentFunction>> {
    return pageOfArray(this.table.values().filter((f) => f.projectId === projectId).sort(newestFirst), page);
  }
  async create(fn: NewAgentFunction) {
    const hook = this.beforeNextCreate;
    this.beforeNextCreate = undefined;
    hook?.();
    return this.table.create(this.keyOf(fn.projectId, fn.id), fn);
  }
  async replace(fn: AgentFunction) {
    return this.table.replace(this.keyOf(fn.projectId, fn.id), fn);
  }
  async delete(projectId: string, functionId: string, expectedEtag?: string) {
    this.table.delete(this.keyOf(projectId, functionId), expectedEtag);
  }
}

export class InMemoryFunctionNameClaimRepository implements FunctionNameClaimRepository {
  readonly table = new Table<FunctionNameClaim>();

  private keyOf(projectId: string, name: string) {
    return `${projectId}|${name}`;
  }
  async get(projectId: string, name: string) {
    return this.table.get(this.keyOf(projectId, name));
  }
  async create(claim: NewFunctionNameClaim) {
    return this.table.create(this.keyOf(claim.projectId, claim.name), claim);
  }
  async delete(projectId: string, name: string, expectedEtag?: string) {
    this.table.delete(this.keyOf(projectId, name), expectedEtag);
  }
}

export class InMemoryAgentRepository implements AgentRepository {
  readonly table = new Table<Agent>();
  /** Runs once before the next create: lets a test make the store fail after the slot was taken. */
  beforeNextCreate: (() => void) | undefined;

  private keyOf(projectId: string, agentId: string) {
    return `${projectId}|${agentId}`;
  }
  private ofProject(projectId: string) {
    return this.table.values().filter((a) => a.projectId === projectId);
  }
  async get(projectId: string, agentId: string) {
    return this.table.get(this.keyOf(projectId, agentId));
  }
  async list(projectId: string, page: PageRequest): Promise<Page<Agent>> {
    return pageOfArray(this.ofProject(projectId).sort(newestFirst), page);
  }
  async listIds(projectId: string) {
    return this.ofProject(projectId)
      .map((a) => a.id)
      .sort();
  }
  async agentIdsUsingCompanion(projectId: string, companionId: string, limit: number) {
    return this.ofProject(projectId)
      .filter((a) => a.companionId === companionId)
      .map((a) => a.id)
      .sort()
      .slice(0, limit);
  }
  async agentIdsUsingFaqCollection(projectId: string, faqId: string, limit: number) {
    return this.ofProject(projectId)
      .filter((a) => a.faqCollections.includes(faqId))
      .map((a) => a.id)
      .sort()
      .slice(0, limit);
  }
  async agentIdsUsingKnowledgeBase(projectId: string, baseId: string, limit: number) {
    return this.ofProject(projectId)
      .filter((a) => a.knowledgeBaseId === baseId)
      .map((a) => a.id)
      .sort()
      .slice(0, limit);
  }
  async agentIdsUsingFunction(projectId: string, functionId: string, limit: number) {
    return this.ofProject(projectId)
      .filter((a) => a.functions.includes(functionId))
      .map((a) => a.id)
      .sort()
      .slice(0, limit);
  }
  async create(agent: NewAgent) {
    const hook = this.beforeNextCreate;
    this.beforeNextCreate = undefined;
    hook?.();
    return this.table.create(this.keyOf(agent.projectId, agent.id), agent);
  }
  async replace(agent: Agent) {
    return this.table.replace(this.keyOf(agent.projectId, agent.id), agent);
  }
  async delete(projectId: string, agentId: string, expectedEtag?: string) {
    this.table.delete(this.keyOf(projectId, agentId), expectedEtag);
  }
}

export class InMemoryAgentSlotRepository implements AgentSlotRepository {
  readonly table = new Table<OrganizationAgentSlots>();

  async get(orgId: string) {
    return this.table.get(orgId);
  }
  async create(slots: NewOrganizationAgentSlots) {
    return this.table.create(slots.orgId, slots);
  }
  async replace(slots: OrganizationAgentSlots) {
    return this.table.replace(slots.orgId, slots);
  }
}
