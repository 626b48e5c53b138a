import {
  displayPrefixOf,
  generateApiKeySecret,
  hashApiKeySecret,
  isAcceptableApiKeySecret,
  last4Of,
  secretHashesEqual,
  type ApiKey,
} from '../domain/api-key.js';
import type { ApiKeyLookupRepository } from '../domain/api-key-lookup-repository.js';
import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { ApiKeyRepository } from '../domain/api-key-repository.js';
import type { Clock } from '../domain/clock.js';
import { NotFoundError, UnauthorizedError, ValidationError } from '../domain/errors.js';
import type { ManagePrincipal } from '../domain/identity.js';
import { newId } from '../domain/ids.js';
import { llmEndpointProblem, viewOfLlmConfig, type LlmConfigInput, type LlmConfigView, type StoredLlmConfig } from '../domain/llm-config.js';
import type { Page, PageRequest } from '../domain/page.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import type { SecretSealer } from '../domain/secret-sealer.js';
import type { ApiKeyLastUsedRecorder } from './api-key-last-used.js';
import type { SubscriptionGate } from './marketplace-subscription-gate.js';
import { revokeApiKey } from './api-key-revocation.js';
import type { OrganizationAccess } from './organization-access.js';

/** What clients see of a key: never the secret (after creation), its hash or the LLM credential. */
export interface ApiKeyView {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly prefix: string;
  readonly last4: string;
  readonly hosting: StoredLlmConfig['hosting'];
  readonly llm: LlmConfigView;
  readonly createdAt: string;
  readonly lastUsedAt: string | undefined;
}

export interface CreatedApiKey {
  readonly apiKey: ApiKeyView;
  /** Shown once, in the creation response; only its hash is stored. */
  readonly secret: string;
}

export interface NewApiKeyInput {
  readonly name: string;
  readonly llm: LlmConfigInput;
}

export interface ApiKeyServiceDeps {
  readonly access: OrganizationAccess;
  readonly projects: ProjectRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly apiKeyLookups: ApiKeyLookupRepository;
  readonly sealer: SecretSealer;
  readonly lastUsed: ApiKeyLastUsedRecorder;
  /** Refuses keys of organizations whose Marketplace subscription is suspended or cancelled (cached up to 30 s). */
  readonly subscriptionGate?: Pick<SubscriptionGate, 'assertActive'> | undefined;
  /** Local-only COMPANION_ALLOW_PRIVATE_URLS: a custom LLM endpoint may be loopback http://. */
  readonly allowPrivateUrls: boolean;
  readonly clock: Clock;
}

export function viewOfApiKey(key: ApiKey): ApiKeyView {
  return {
    id: key.id,
    projectId: key.projectId,
    name: key.name,
    prefix: key.prefix,
    last4: key.last4,
    hosting: key.llm.hosting,
    llm: viewOfLlmConfig(key.llm),
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
  };
}

/** API keys: created, listed and revoked by admins of the project's organization; resolved on every public call. */
export class ApiKeyService {
  constructor(private readonly deps: ApiKeyServiceDeps) {}

  async create(principal: ManagePrincipal, projectId: string, input: NewApiKeyInput): Promise<CreatedApiKey> {
    const { project } = await this.deps.access.requireProjectAdmin(principal, projectId);
    const endpointProblem = llmEndpointProblem(input.llm, this.deps.allowPrivateUrls);
    if (endpointProblem !== undefined) throw new ValidationError([{ path: 'llm.endpoint', message: endpointProblem }]);
    const secret = generateApiKeySecret();
    const key = await this.store({
      keyId: newId('key'),
      projectId: project.id,
      orgId: project.orgId,
      name: input.name,
      secret,
      llm: await this.sealLlmConfig(input.llm),
    });
    // A concurrent project deletion may have listed the keys before this one existed: check again, and revoke.
    if ((await this.deps.projects.get(project.id)) === undefined) {
      await revokeApiKey(this.deps, key);
      throw new NotFoundError('Project');
    }
    return { apiKey: viewOfApiKey(key), secret };
  }

  async list(principal: ManagePrincipal, projectId: string, page: PageRequest): Promise<Page<ApiKeyView>> {
    await this.deps.access.requireProjectAdmin(principal, projectId);
    const keys = await this.deps.apiKeys.listByProject(projectId, page);
    return { ...keys, items: keys.items.map(viewOfApiKey) };
  }

  async get(principal: ManagePrincipal, projectId: string, keyId: string): Promise<ApiKeyView> {
    await this.deps.access.requireProjectAdmin(principal, projectId);
    const key = await this.deps.apiKeys.get(projectId, keyId);
    if (key === undefined) throw new NotFoundError('API key');
    return viewOfApiKey(key);
  }

  async revoke(principal: ManagePrincipal, projectId: string, keyId: string): Promise<void> {
    await this.deps.access.requireProjectAdmin(principal, projectId);
    const key = await this.deps.apiKeys.get(projectId, keyId);
    if (key === undefined) throw new NotFoundError('API key');
    await revokeApiKey(this.deps, key);
  }

  /**
   * Resolves `X-Api-Key` with one point read of the lookup document. Nothing about the key is cached across requests,
   * so a revocation holds on the very next request on every instance. The organization's Marketplace subscription
   * status is cached per instance for at most 30 seconds (SubscriptionGate), so a suspension holds within that time
   * and the common request still costs one read.
   */
  async authenticate(secret: string | undefined): Promise<ApiKeyPrincipal> {
    if (secret === undefined || !isAcceptableApiKeySecret(secret)) throw invalidApiKey();
    const secretHash = hashApiKeySecret(secret);
    const lookup = await this.deps.apiKeyLookups.find(secretHash);
    if (lookup?.status !== 'active' || !secretHashesEqual(lookup.secretHash, secretHash)) throw invalidApiKey();
    await this.deps.subscriptionGate?.assertActive(lookup.orgId);
    await this.deps.lastUsed.recordUse(lookup.projectId, lookup.keyId);
    return { keyId: lookup.keyId, projectId: lookup.projectId, orgId: lookup.orgId, hosting: lookup.hosting };
  }

  /**
   * Writes the key record, then its lookup. In this order a crash in between leaves a listed key that does not
   * authenticate (its secret was never shown), never a working key that no admin can see or revoke.
   */
  async store(input: {
    keyId: string;
    projectId: string;
    orgId: string;
    name: string;
    secret: string;
    llm: StoredLlmConfig;
  }): Promise<ApiKey> {
    const secretHash = hashApiKeySecret(input.secret);
    const key = await this.deps.apiKeys.create({
      id: input.keyId,
      projectId: input.projectId,
      orgId: input.orgId,
      name: input.name,
      prefix: displayPrefixOf(input.secret),
      last4: last4Of(input.secret),
      secretHash,
      llm: input.llm,
      createdAt: this.deps.clock.now().toISOString(),
    });
    await this.deps.apiKeyLookups.create({
      secretHash,
      keyId: key.id,
      projectId: key.projectId,
      orgId: key.orgId,
      hosting: key.llm.hosting,
      status: 'active',
    });
    return key;
  }

  async sealLlmConfig(llm: LlmConfigInput): Promise<StoredLlmConfig> {
    if (llm.hosting === 'hosted') return { hosting: 'hosted' };
    return {
      hosting: 'custom',
      endpoint: llm.endpoint,
      deployment: llm.deployment,
      realtimeDeployment: llm.realtimeDeployment,
      embeddingDeployment: llm.embeddingDeployment,
      apiVersion: llm.apiVersion,
      credential: llm.apiKey === undefined ? 'managedIdentity' : 'apiKey',
      sealedApiKey: llm.apiKey === undefined ? undefined : await this.deps.sealer.seal(llm.apiKey),
    };
  }
}

function invalidApiKey(): UnauthorizedError {
  return new UnauthorizedError('InvalidApiKey', 'The API key is missing, unknown or revoked (header X-Api-Key).');
}
