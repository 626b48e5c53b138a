import {
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  DEFAULT_MAX_SESSION_SECONDS,
  MAX_AGENTS_PER_ORGANIZATION,
  type Agent,
  type AgentDefinition,
  type NoiseReduction,
  type ProviderSettings,
  type TurnDetection,
} from '../domain/agent.js';
import type { AgentFunctionRepository } from '../domain/agent-function-repository.js';
import type { AgentRepository } from '../domain/agent-repository.js';
import type { AgentSlotRepository } from '../domain/agent-slot-repository.js';
import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import type { Tags } from '../domain/companion.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import { NotFoundError } from '../domain/errors.js';
import type { FaqRepository } from '../domain/faq-repository.js';
import { newId } from '../domain/ids.js';
import type { KnowledgeBaseRepository } from '../domain/knowledge/knowledge-base-repository.js';
import type { Logger } from '../domain/logger.js';
import type { Page, PageRequest } from '../domain/page.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import { ALL_REFERENCES, checkAgentReferences } from './agent-references.js';
import { AgentSlots } from './agent-slots.js';
import { checkIfMatch, withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface NewAgentInput {
  readonly companionId: string;
  readonly name: string;
  readonly language?: string | undefined;
  readonly voiceId?: string | undefined;
  readonly functions?: readonly string[] | undefined;
  readonly faqCollections?: readonly string[] | undefined;
  readonly knowledgeBaseId?: string | undefined;
  readonly providerSettings?:
    | {
        readonly instructions?: string | undefined;
        readonly temperature?: number | undefined;
        readonly turnDetection?: TurnDetection | undefined;
        /** Null, like leaving it out, means none. */
        readonly noiseReduction?: NoiseReduction | null | undefined;
      }
    | undefined;
  readonly disableIdleTimeout?: boolean | undefined;
  readonly idleTimeoutSeconds?: number | undefined;
  readonly maxSessionSeconds?: number | undefined;
  readonly tags?: Tags | undefined;
}

/**
 * PATCH: each field given replaces the agent's (arrays and tags as a whole); null removes an optional one. In
 * `providerSettings` each setting given replaces that setting, and null removes it.
 */
export interface AgentChanges {
  readonly companionId?: string | undefined;
  readonly name?: string | undefined;
  readonly language?: string | null | undefined;
  readonly voiceId?: string | null | undefined;
  readonly functions?: readonly string[] | undefined;
  readonly faqCollections?: readonly string[] | undefined;
  readonly knowledgeBaseId?: string | null | undefined;
  readonly providerSettings?:
    | {
        readonly instructions?: string | null | undefined;
        readonly temperature?: number | null | undefined;
        readonly turnDetection?: TurnDetection | null | undefined;
        readonly noiseReduction?: NoiseReduction | null | undefined;
      }
    | undefined;
  readonly disableIdleTimeout?: boolean | undefined;
  readonly idleTimeoutSeconds?: number | undefined;
  readonly maxSessionSeconds?: number | undefined;
  readonly tags?: Tags | undefined;
}

export interface AgentServiceDeps {
  readonly agents: AgentRepository;
  readonly agentSlots: AgentSlotRepository;
  readonly companions: CompanionRepository;
  readonly agentFunctions: AgentFunctionRepository;
  readonly faqs: FaqRepository;
  readonly knowledgeBases: KnowledgeBaseRepository;
  readonly projects: ProjectRepository;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface AgentServiceOptions {
  /** Agents per organization; API.md's 100 unless a test needs to reach the limit quickly. */
  readonly maxAgentsPerOrganization?: number;
}

/** `undefined` keeps the current value, `null` removes it, anything else replaces it. */
function patched<T>(change: T | null | undefined, current: T | undefined): T | undefined {
  if (change === undefined) return current;
  return change ?? undefined;
}

/** Settings left empty are not stored, so that an agent without them reads the same however it was written. */
function compactSettings(settings: ProviderSettings): ProviderSettings {
  return Object.fromEntries(
    Object.entries(settings).filter(([, value]) => value !== undefined && value !== ''),
  ) as ProviderSettings;
}

/** A definition from what a client gave, defaults applied: for a new agent, or a session's inline configuration. */
export function agentDefinitionOf(input: NewAgentInput): AgentDefinition {
  return {
    companionId: input.companionId,
    name: input.name,
    language: input.language,
    voiceId: input.voiceId,
    functions: [...(input.functions ?? [])],
    faqCollections: [...(input.faqCollections ?? [])],
    knowledgeBaseId: input.knowledgeBaseId,
    providerSettings: compactSettings({
      instructions: input.providerSettings?.instructions,
      temperature: input.providerSettings?.temperature,
      turnDetection: input.providerSettings?.turnDetection,
      noiseReduction: input.providerSettings?.noiseReduction ?? undefined,
    }),
    disableIdleTimeout: input.disableIdleTimeout ?? false,
    idleTimeoutSeconds: input.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
    maxSessionSeconds: input.maxSessionSeconds ?? DEFAULT_MAX_SESSION_SECONDS,
    tags: input.tags ?? {},
  };
}

/**
 * Agents of the API key's project: a companion assembled with instructions, knowledge, functions and FAQs. Every id
 * an agent refers to must exist in the same project, and an organization holds a bounded number of agents.
 */
export class AgentService {
  private readonly slots: AgentSlots;

  constructor(
    private readonly deps: AgentServiceDeps,
    options: AgentServiceOptions = {},
  ) {
    this.slots = new AgentSlots(deps, options.maxAgentsPerOrganization ?? MAX_AGENTS_PER_ORGANIZATION);
  }

  async list(principal: ApiKeyPrincipal, page: PageRequest): Promise<Page<Agent>> {
    return this.deps.agents.list(principal.projectId, page);
  }

  async get(principal: ApiKeyPrincipal, agentId: string): Promise<Agent> {
    return this.agentOf(principal.projectId, agentId);
  }

  /** Checks every reference, takes one of the organization's agent slots, then creates the agent. */
  async create(principal: ApiKeyPrincipal, input: NewAgentInput): Promise<Agent> {
    const definition = agentDefinitionOf(input);
    await checkAgentReferences(this.deps, principal.projectId, definition, ALL_REFERENCES);

    const id = newId('agent');
    await this.slots.reserve(principal.orgId, principal.projectId, id);
    const now = this.deps.clock.now().toISOString();
    try {
      return await this.deps.agents.create({ ...definition, id, projectId: principal.projectId, orgId: principal.orgId, created: now, updated: now });
    } catch (err) {
      await this.releaseQuietly(principal.orgId, id);
      throw err;
    }
  }

  /** Applies the changes and checks again only the references they touch; a change that changes nothing is not written. */
  async update(principal: ApiKeyPrincipal, agentId: string, changes: AgentChanges, ifMatch: string | undefined): Promise<Agent> {
    return withOptimisticRetry(async () => {
      const current = await this.agentOf(principal.projectId, agentId);
      checkIfMatch(ifMatch, current.etag);
      const settings = changes.providerSettings;
      const next: Agent = {
        ...current,
        companionId: changes.companionId ?? current.companionId,
        name: changes.name ?? current.name,
        language: patched(changes.language, current.language),
        voiceId: patched(changes.voiceId, current.voiceId),
        functions: changes.functions === undefined ? current.functions : [...changes.functions],
        faqCollections: changes.faqCollections === undefined ? current.faqCollections : [...changes.faqCollections],
        knowledgeBaseId: patched(changes.knowledgeBaseId, current.knowledgeBaseId),
        providerSettings:
          settings === undefined
            ? current.providerSettings
            : compactSettings({
                instructions: patched(settings.instructions, current.providerSettings.instructions),
                temperature: patched(settings.temperature, current.providerSettings.temperature),
                turnDetection: patched(settings.turnDetection, current.providerSettings.turnDetection),
                noiseReduction: patched(settings.noiseReduction, current.providerSettings.noiseReduction),
              }),
        disableIdleTimeout: changes.disableIdleTimeout ?? current.disableIdleTimeout,
        idleTimeoutSeconds: changes.idleTimeoutSeconds ?? current.idleTimeoutSeconds,
        maxSessionSeconds: changes.maxSessionSeconds ?? current.maxSessionSeconds,
        tags: changes.tags ?? current.tags,
      };
      if (JSON.stringify(definitionOf(next)) === JSON.stringify(definitionOf(current))) return current;
      await checkAgentReferences(this.deps, current.projectId, next, {
        companionAndVoice: next.companionId !== current.companionId || next.voiceId !== current.voiceId,
        functions: changes.functions !== undefined,
        faqCollections: changes.faqCollections !== undefined,
        knowledgeBase: next.knowledgeBaseId !== current.knowledgeBaseId,
      });
      return writeOrRetry(() => this.deps.agents.replace({ ...next, updated: this.deps.clock.now().toISOString() }));
    });
  }

  async delete(principal: ApiKeyPrincipal, agentId: string, ifMatch: string | undefined): Promise<void> {
    const current = await this.agentOf(principal.projectId, agentId);
    checkIfMatch(ifMatch, current.etag);
    await this.deps.agents.delete(current.projectId, current.id, ifMatch === undefined ? undefined : current.etag);
    await this.slots.release(current.orgId, current.id);
  }

  /** After a failed creation the slot must not outlive it, but failing to free it must not hide the real error. */
  private async releaseQuietly(orgId: string, agentId: string): Promise<void> {
    try {
      await this.slots.release(orgId, agentId);
    } catch (err) {
      // Left as is, the slot counts as orphaned once it is old enough and is given back when the organization is full.
      this.deps.logger.warn('releasing an agent slot after a failed creation failed', { orgId, agentId, err });
    }
  }

  private async agentOf(projectId: string, agentId: string): Promise<Agent> {
    const agent = await this.deps.agents.get(projectId, agentId);
    if (agent === undefined) throw new NotFoundError('Agent');
    return agent;
  }
}

/** The fields a client sets, in a fixed order, to tell whether a PATCH changes anything. */
function definitionOf(agent: Agent): AgentDefinition {
  return {
    companionId: agent.companionId,
    name: agent.name,
    language: agent.language,
    voiceId: agent.voiceId,
    functions: agent.functions,
    faqCollections: agent.faqCollections,
    knowledgeBaseId: agent.knowledgeBaseId,
    providerSettings: {
      instructions: agent.providerSettings.instructions,
      temperature: agent.providerSettings.temperature,
      turnDetection: agent.providerSettings.turnDetection,
      noiseReduction: agent.providerSettings.noiseReduction,
    },
    disableIdleTimeout: agent.disableIdleTimeout,
    idleTimeoutSeconds: agent.idleTimeoutSeconds,
    maxSessionSeconds: agent.maxSessionSeconds,
    tags: Object.fromEntries(Object.entries(agent.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}
