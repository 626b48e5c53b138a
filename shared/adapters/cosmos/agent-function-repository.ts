import { z } from 'zod';
import { functionFlowSchema, type AgentFunction, type NewAgentFunction } from '../../domain/agent-function.js';
import type { AgentFunctionRepository } from '../../domain/agent-function-repository.js';
import { ConflictError } from '../../domain/errors.js';
import type { Page, PageRequest } from '../../domain/page.js';
import { sealedSecretSchema } from '../../domain/secret-sealer.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';
import { listPageNewestFirst } from './top-n-paging.js';

const CONTAINER = 'functions';

/**
 * `parameters` is stored as JSON text: it is never queried, so indexing each of its paths would only cost, and its
 * property names (`$ref`, `$defs`, anything a schema author chose) stay the author's, untouched by the store.
 */
const parametersText = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.unknown()));

const functionDocument = z.object({
  id: z.string(),
  type: z.literal('function'),
  projectId: z.string(),
  orgId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  parametersJson: parametersText.optional(),
  flow: functionFlowSchema,
  url: z.string().optional(),
  headerNames: z.array(z.string()),
  sealedHeaders: sealedSecretSchema.optional(),
  sealedSigningSecret: sealedSecretSchema.optional(),
  prompt: z.string().optional(),
  timeoutMs: z.number().int().positive(),
  created: z.string(),
  updated: z.string(),
  _etag: z.string(),
});

function toFunction(document: unknown): AgentFunction {
  const { _etag, type: _type, parametersJson, ...d } = parseDocument(functionDocument, document, CONTAINER);
  return { ...d, parameters: parametersJson, etag: _etag };
}

function toDocument(fn: NewAgentFunction) {
  return {
    id: fn.id,
    type: 'function',
    projectId: fn.projectId,
    orgId: fn.orgId,
    name: fn.name,
    description: fn.description,
    parametersJson: fn.parameters === undefined ? undefined : JSON.stringify(fn.parameters),
    flow: fn.flow,
    url: fn.url,
    headerNames: fn.headerNames,
    sealedHeaders: fn.sealedHeaders,
    sealedSigningSecret: fn.sealedSigningSecret,
    prompt: fn.prompt,
    timeoutMs: fn.timeoutMs,
    created: fn.created,
    updated: fn.updated,
  };
}

/** Functions (tools), partitioned by project; the container also holds the project's function-name claims. */
export class CosmosAgentFunctionRepository implements AgentFunctionRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string, functionId: string): Promise<AgentFunction | undefined> {
    const document = await this.container.read(functionId, projectId);
    // A point read names the partition, but the checks keep isolation independent of the server honouring it; an id
    // can only name a function, never a claim, yet the type is checked too.
    if (document === undefined || document.projectId !== projectId || document.type !== 'function') return undefined;
    return toFunction(document);
  }

  async getMany(projectId: string, functionIds: readonly string[]): Promise<AgentFunction[]> {
    if (functionIds.length === 0) return [];
    if (functionIds.length === 1) {
      const one = await this.get(projectId, functionIds[0]!);
      return one === undefined ? [] : [one];
    }
    const rows = await this.container.query(
      {
        query: "SELECT * FROM c WHERE c.projectId = @projectId AND c.type = 'function' AND ARRAY_CONTAINS(@ids, c.id)",
        parameters: [
          { name: '@projectId', value: projectId },
          { name: '@ids', value: [...functionIds] },
        ],
      },
      projectId,
    );
    return rows.map(toFunction);
  }

  async list(projectId: string, page: PageRequest): Promise<Page<AgentFunction>> {
    const where = "c.projectId = @projectId AND c.type = 'function'";
    const parameters = [{ name: '@projectId', value: projectId }];
    return listPageNewestFirst(
      this.container,
      { where: where, parameters, partitionKey: projectId, orderBy: 'created', page },
      toFunction,
    );
  }

  async create(fn: NewAgentFunction): Promise<AgentFunction> {
    try {
      return toFunction(await this.container.create(toDocument(fn)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The function already exists.');
      throw err;
    }
  }

  async replace(fn: AgentFunction): Promise<AgentFunction> {
    return toFunction(await this.container.replace(fn.id, fn.projectId, toDocument(fn), fn.etag));
  }

  async delete(projectId: string, functionId: string, expectedEtag?: string): Promise<void> {
    await this.container.delete(functionId, projectId, expectedEtag);
  }
}
