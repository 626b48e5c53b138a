import type { SqlParameter } from '@azure/cosmos';
import { z } from 'zod';
import { noiseReductionSchema, turnDetectionSchema, type Agent, type NewAgent } from '../../domain/agent.js';
import type { AgentRepository } from '../../domain/agent-repository.js';
import { ConflictError } from '../../domain/errors.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';
import { listPageNewestFirst } from './top-n-paging.js';

const CONTAINER = 'agents';

const agentDocument = z.object({
  id: z.string(),
  type: z.literal('agent'),
  projectId: z.string(),
  orgId: z.string(),
  companionId: z.string(),
  name: z.string(),
  language: z.string().optional(),
  voiceId: z.string().optional(),
  functions: z.array(z.string()),
  faqCollections: z.array(z.string()),
  knowledgeBaseId: z.string().optional(),
  providerSettings: z.object({
    instructions: z.string().optional(),
    temperature: z.number().optional(),
    turnDetection: turnDetectionSchema.optional(),
    noiseReduction: noiseReductionSchema.optional(),
  }),
  disableIdleTimeout: z.boolean(),
  idleTimeoutSeconds: z.number().int(),
  maxSessionSeconds: z.number().int(),
  tags: z.record(z.string(), z.string()),
  created: z.string(),
  updated: z.string(),
  _etag: z.string(),
});

const idRow = z.object({ id: z.string() });

function toAgent(document: unknown): Agent {
  const { _etag, type: _type, ...d } = parseDocument(agentDocument, document, CONTAINER);
  return { ...d, etag: _etag };
}

function toDocument(agent: NewAgent) {
  return {
    id: agent.id,
    type: 'agent',
    projectId: agent.projectId,
    orgId: agent.orgId,
    companionId: agent.companionId,
    name: agent.name,
    language: agent.language,
    voiceId: agent.voiceId,
    functions: agent.functions,
    faqCollections: agent.faqCollections,
    knowledgeBaseId: agent.knowledgeBaseId,
    providerSettings: agent.providerSettings,
    disableIdleTimeout: agent.disableIdleTimeout,
    idleTimeoutSeconds: agent.idleTimeoutSeconds,
    maxSessionSeconds: agent.maxSessionSeconds,
    tags: agent.tags,
    created: agent.created,
    updated: agent.updated,
  };
}

const AGENTS_OF_PROJECT = "c.projectId = @projectId AND c.type = 'agent'";

/** Agents, partitioned by project: reads, lists and the usage queries never leave the caller's project. */
export class CosmosAgentRepository implements AgentRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string, agentId: string): Promise<Agent | undefined> {
    const document = await this.container.read(agentId, projectId);
    // A point read names the partition, but the check keeps isolation independent of the server honouring it.
    if (document === undefined || document.projectId !== projectId) return undefined;
    return toAgent(document);
  }

  async list(projectId: string, page: PageRequest): Promise<Page<Agent>> {
    const parameters = [{ name: '@projectId', value: projectId }];
    return listPageNewestFirst(
      this.container,
      { where: AGENTS_OF_PROJECT, parameters, partitionKey: projectId, orderBy: 'created', page },
      toAgent,
    );
  }

  async listIds(projectId: string): Promise<string[]> {
    return this.ids(projectId, `SELECT c.id FROM c WHERE ${AGENTS_OF_PROJECT}`, []);
  }

  async agentIdsUsingCompanion(projectId: string, companionId: string, limit: number): Promise<string[]> {
    return this.ids(projectId, `SELECT TOP @limit c.id FROM c WHERE ${AGENTS_OF_PROJECT} AND c.companionId = @companionId`, [
      { name: '@limit', value: limit },
      { name: '@companionId', value: companionId },
    ]);
  }

  async agentIdsUsingFunction(projectId: string, functionId: string, limit: number): Promise<string[]> {
    return this.ids(projectId, `SELECT TOP @limit c.id FROM c WHERE ${AGENTS_OF_PROJECT} AND ARRAY_CONTAINS(c.functions, @functionId)`, [
      { name: '@limit', value: limit },
      { name: '@functionId', value: functionId },
    ]);
  }

  async agentIdsUsingFaqCollection(projectId: string, faqId: string, limit: number): Promise<string[]> {
    return this.ids(projectId, `SELECT TOP @limit c.id FROM c WHERE ${AGENTS_OF_PROJECT} AND ARRAY_CONTAINS(c.faqCollections, @faqId)`, [
      { name: '@limit', value: limit },
      { name: '@faqId', value: faqId },
    ]);
  }

  async agentIdsUsingKnowledgeBase(projectId: string, baseId: string, limit: number): Promise<string[]> {
    return this.ids(projectId, `SELECT TOP @limit c.id FROM c WHERE ${AGENTS_OF_PROJECT} AND c.knowledgeBaseId = @baseId`, [
      { name: '@limit', value: limit },
      { name: '@baseId', value: baseId },
    ]);
  }

  async create(agent: NewAgent): Promise<Agent> {
    try {
      return toAgent(await this.container.create(toDocument(agent)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The agent already exists.');
      throw err;
    }
  }

  async replace(agent: Agent): Promise<Agent> {
    return toAgent(await this.container.replace(agent.id, agent.projectId, toDocument(agent), agent.etag));
  }

  async delete(projectId: string, agentId: string, expectedEtag?: string): Promise<void> {
    await this.container.delete(agentId, projectId, expectedEtag);
  }

  private async ids(projectId: string, query: string, parameters: SqlParameter[]): Promise<string[]> {
    const rows = await this.container.query({ query, parameters: [{ name: '@projectId', value: projectId }, ...parameters] }, projectId);
    return rows.map((row) => parseDocument(idRow, row, CONTAINER).id).sort();
  }
}
