import {
  DEFAULT_FUNCTION_TIMEOUT_MS,
  addressCheckUrlOf,
  agentFunctionViewOf,
  functionDefinitionProblems,
  functionHeadersSchema,
  headerNamesOf,
  type AgentFunction,
  type AgentFunctionView,
  type AgentFunctionWithSecretView,
  SIGNING_SECRET_PREFIX,
  type FunctionDefinitionInput,
  type FunctionHeaders,
} from '../domain/agent-function.js';
import type { AgentFunctionRepository } from '../domain/agent-function-repository.js';
import type { AgentRepository } from '../domain/agent-repository.js';
import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import { AGENTS_NAMED_IN_USE, functionInUse } from '../domain/companion-usage.js';
import { NotFoundError, ValidationError, type FieldProblem } from '../domain/errors.js';
import type { FunctionNameClaimRepository } from '../domain/function-name-claim-repository.js';
import { newId } from '../domain/ids.js';
import { dottedPathOfPointer, type JsonSchemaChecker } from '../domain/json-schema-checker.js';
import type { Logger } from '../domain/logger.js';
import { UrlNotAllowedError, type GuardedFetcher } from '../domain/outbound.js';
import { mapPage, type Page, type PageRequest } from '../domain/page.js';
import type { SealedSecret, SecretSealer } from '../domain/secret-sealer.js';
import { randomBytes } from 'node:crypto';
import { claimFunctionName, releaseFunctionNameUnlessHeld } from './function-name-claims.js';
import { checkIfMatch, withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface AgentFunctionServiceDeps {
  readonly agentFunctions: AgentFunctionRepository;
  readonly functionNameClaims: FunctionNameClaimRepository;
  readonly agents: AgentRepository;
  readonly jsonSchemaChecker: JsonSchemaChecker;
  readonly sealer: SecretSealer;
  readonly fetcher: GuardedFetcher;
  /** Local-only: endpoints may be loopback http:// or ws:// (COMPANION_ALLOW_PRIVATE_URLS). */
  readonly allowPrivateUrls: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * How long a write waits for the address check of an explicit endpoint. DNS that does not answer by then is no reason
 * to refuse it: every call checks the address again and refuses it if it must.
 */
const URL_CHECK_BUDGET_MS = 5_000;

/** What a definition becomes once checked: the stored fields, headers sealed. */
type CheckedDefinition = Pick<
  AgentFunction,
  'name' | 'description' | 'parameters' | 'flow' | 'url' | 'headerNames' | 'sealedHeaders' | 'prompt' | 'timeoutMs'
>;

/**
 * Functions (tools) of the API key's project. Names are unique per project through create-only name claims; the
 * headers of explicit functions are sealed before they are stored and never leave the service again through it.
 */
export class AgentFunctionService {
  constructor(private readonly deps: AgentFunctionServiceDeps) {}

  async list(principal: ApiKeyPrincipal, page: PageRequest): Promise<Page<AgentFunctionView>> {
    return mapPage(await this.deps.agentFunctions.list(principal.projectId, page), agentFunctionViewOf);
  }

  async get(principal: ApiKeyPrincipal, functionId: string): Promise<AgentFunctionView> {
    return agentFunctionViewOf(await this.functionOf(principal.projectId, functionId));
  }

  /** The view carries the signing secret of the new function: the only time it is shown. */
  async create(principal: ApiKeyPrincipal, input: FunctionDefinitionInput): Promise<AgentFunctionWithSecretView> {
    const definition = await this.checked(input);
    const id = newId('fn');
    const signingSecret = newSigningSecret();
    const sealedSigningSecret = await this.deps.sealer.seal(signingSecret);
    await claimFunctionName(this.deps, principal.projectId, definition.name, id);
    const now = this.deps.clock.now().toISOString();
    try {
      const created = await this.deps.agentFunctions.create({
        id,
        projectId: principal.projectId,
        orgId: principal.orgId,
        ...definition,
        sealedSigningSecret,
        created: now,
        updated: now,
      });
      return { ...agentFunctionViewOf(created), signingSecret };
    } catch (err) {
      await releaseFunctionNameUnlessHeld(this.deps, principal.projectId, definition.name, id);
      throw err;
    }
  }

  /**
   * PUT: the definition replaces the function's, headers included (left out, the function has none). A new name is
   * claimed before the function takes it and the old one released after, so the name is never free in between.
   */
  async replace(
    principal: ApiKeyPrincipal,
    functionId: string,
    input: FunctionDefinitionInput,
    ifMatch: string | undefined,
  ): Promise<AgentFunctionView> {
    const definition = await this.checked(input);
    let claimed = false;
    try {
      const { saved, previousName } = await withOptimisticRetry(async () => {
        const current = await this.functionOf(principal.projectId, functionId);
        checkIfMatch(ifMatch, current.etag);
        if (definition.name !== current.name && !claimed) {
          await claimFunctionName(this.deps, current.projectId, definition.name, current.id);
          claimed = true;
        }
        const now = this.deps.clock.now().toISOString();
        const replaced = await writeOrRetry(() => this.deps.agentFunctions.replace({ ...current, ...definition, updated: now }));
        return { saved: replaced, previousName: current.name };
      });
      if (previousName !== saved.name) await releaseFunctionNameUnlessHeld(this.deps, saved.projectId, previousName, saved.id);
      return agentFunctionViewOf(saved);
    } catch (err) {
      if (claimed) await releaseFunctionNameUnlessHeld(this.deps, principal.projectId, definition.name, functionId);
      throw err;
    }
  }

  /** Refused with FunctionInUse while an agent of the project lists the function. */
  async delete(principal: ApiKeyPrincipal, functionId: string, ifMatch: string | undefined): Promise<void> {
    const current = await this.functionOf(principal.projectId, functionId);
    checkIfMatch(ifMatch, current.etag);
    const users = await this.deps.agents.agentIdsUsingFunction(current.projectId, current.id, AGENTS_NAMED_IN_USE);
    if (users.length > 0) throw functionInUse(users);
    await this.deps.agentFunctions.delete(current.projectId, current.id, ifMatch === undefined ? undefined : current.etag);
    await releaseFunctionNameUnlessHeld(this.deps, current.projectId, current.name, current.id);
  }

  /** Replaces the signing secret; the new one is returned once. Calls signed with the old one stop at once. */
  async rotateSigningSecret(principal: ApiKeyPrincipal, functionId: string, ifMatch: string | undefined): Promise<AgentFunctionWithSecretView> {
    const signingSecret = newSigningSecret();
    const sealedSigningSecret = await this.deps.sealer.seal(signingSecret);
    const saved = await withOptimisticRetry(async () => {
      const current = await this.functionOf(principal.projectId, functionId);
      checkIfMatch(ifMatch, current.etag);
      const now = this.deps.clock.now().toISOString();
      return writeOrRetry(() => this.deps.agentFunctions.replace({ ...current, sealedSigningSecret, updated: now }));
    });
    return { ...agentFunctionViewOf(saved), signingSecret };
  }

  /** Opens the headers of an explicit function, for the call to its endpoint only. */
  async headersOf(fn: AgentFunction): Promise<FunctionHeaders> {
    if (fn.sealedHeaders === undefined) return {};
    return functionHeadersSchema.parse(JSON.parse(await this.deps.sealer.open(fn.sealedHeaders)));
  }

  /** Every rule of a definition, all problems reported together; then the endpoint's address; then the headers sealed. */
  private async checked(input: FunctionDefinitionInput): Promise<CheckedDefinition> {
    const problems: FieldProblem[] = functionDefinitionProblems(input, this.deps.allowPrivateUrls);
    const parameters = input.data.parameters;
    if (parameters !== undefined && !problems.some((p) => p.path.startsWith('data.parameters'))) {
      const schemaProblems = await this.deps.jsonSchemaChecker.problemsOf(parameters);
      problems.push(
        ...schemaProblems.map((p) => ({
          path: ['data.parameters', dottedPathOfPointer(p.pointer)].filter((s) => s !== '').join('.'),
          message: p.message,
        })),
      );
    }
    if (problems.length > 0) throw new ValidationError(problems);
    if (input.flow === 'explicit' && input.url !== undefined) await this.checkEndpointAddress(input.url);

    const headerNames = input.flow === 'explicit' ? headerNamesOf(input.headers) : [];
    let sealedHeaders: SealedSecret | undefined;
    if (headerNames.length > 0) sealedHeaders = await this.deps.sealer.seal(JSON.stringify(input.headers));
    return {
      name: input.data.name,
      description: emptyToUndefined(input.data.description),
      parameters,
      flow: input.flow,
      url: input.flow === 'explicit' ? input.url : undefined,
      headerNames,
      sealedHeaders,
      prompt: emptyToUndefined(input.prompt),
      timeoutMs: input.timeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS,
    };
  }

  /**
   * Refuses, with UrlNotAllowed, an endpoint whose host is (or resolves to) a loopback, private, link-local or metadata
   * address. Other trouble (a name that does not resolve yet) is for the call to judge.
   */
  private async checkEndpointAddress(url: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, URL_CHECK_BUDGET_MS);
    });
    try {
      await Promise.race([this.deps.fetcher.checkUrl(addressCheckUrlOf(url)), budget]);
    } catch (err) {
      if (err instanceof UrlNotAllowedError) throw new UrlNotAllowedError(`${err.reason} (url)`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async functionOf(projectId: string, functionId: string): Promise<AgentFunction> {
    const fn = await this.deps.agentFunctions.get(projectId, functionId);
    if (fn === undefined) throw new NotFoundError('Function');
    return fn;
  }
}

function newSigningSecret(): string {
  return `${SIGNING_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

function emptyToUndefined(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}
