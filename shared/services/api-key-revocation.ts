import type { ApiKey } from '../domain/api-key.js';
import type { ApiKeyLookupRepository } from '../domain/api-key-lookup-repository.js';
import type { ApiKeyRepository } from '../domain/api-key-repository.js';

export interface ApiKeyRevocationDeps {
  readonly apiKeys: ApiKeyRepository;
  readonly apiKeyLookups: ApiKeyLookupRepository;
}

/**
 * Revokes a key. The lookup document goes first: it is what authentication reads, so from the moment it is gone
 * every instance refuses the key on its next request; the key record follows. Both deletes are idempotent, so a
 * repeat after a crash in between finishes the job.
 */
export async function revokeApiKey(deps: ApiKeyRevocationDeps, key: Pick<ApiKey, 'projectId' | 'id' | 'secretHash'>): Promise<void> {
  await deps.apiKeyLookups.delete(key.secretHash);
  await deps.apiKeys.delete(key.projectId, key.id);
}

/** Revokes every key of a project (when the project is deleted). */
export async function revokeAllApiKeysOfProject(deps: ApiKeyRevocationDeps, projectId: string): Promise<void> {
  const keyIds = await deps.apiKeys.listIdsByProject(projectId);
  for (const keyId of keyIds) {
    const key = await deps.apiKeys.get(projectId, keyId);
    if (key !== undefined) await revokeApiKey(deps, key);
  }
}
