import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CosmosClient, Database } from '@azure/cosmos';
import { createAzureCredential } from '../../shared/adapters/azure-credential.js';
import { CosmosApiKeyLookupRepository } from '../../shared/adapters/cosmos/api-key-lookup-repository.js';
import { CosmosApiKeyRepository } from '../../shared/adapters/cosmos/api-key-repository.js';
import { createCosmosClient } from '../../shared/adapters/cosmos/client.js';
import { COSMOS_CONTAINERS, ensureContainers } from '../../shared/adapters/cosmos/containers.js';
import { cosmosOperationCount, CountedContainer } from '../../shared/adapters/cosmos/counted-container.js';
import { CosmosMemberRosterRepository } from '../../shared/adapters/cosmos/member-roster-repository.js';
import { CosmosMembershipIndex } from '../../shared/adapters/cosmos/membership-index.js';
import { CosmosOrganizationRepository } from '../../shared/adapters/cosmos/organization-repository.js';
import { CosmosProjectRepository } from '../../shared/adapters/cosmos/project-repository.js';
import { hashApiKeySecret } from '../../shared/domain/api-key.js';
import { ConflictError, PreconditionFailedError } from '../../shared/domain/errors.js';
import { DEFAULT_ORGANIZATION_SETTINGS } from '../../shared/domain/organization.js';
import { emulatorConfig } from './helpers/test-runtime.js';

let client: CosmosClient;
let database: Database;
const container = (id: string) => new CountedContainer(database.container(id));
const now = '2025-01-01T00:00:00.000Z';

beforeAll(async () => {
  const config = emulatorConfig('repositories');
  client = createCosmosClient(config, () => createAzureCredential(config));
  database = await ensureContainers(client.database(config.cosmos.database));
});

afterAll(async () => {
  await database.delete();
  client.dispose();
});

describe('Cosmos repositories on the local Cosmos server', () => {
  it('creates every listed container with its partition key', async () => {
    for (const definition of COSMOS_CONTAINERS) {
      const { resource } = await database.container(definition.id).read();
      expect(resource?.partitionKey?.paths).toEqual([definition.partitionKeyPath]);
    }
  });

  it('round-trips an organization, refuses a second create, and refuses a replace with a stale ETag (412)', async () => {
    const repository = new CosmosOrganizationRepository(container('organizations'));
    const created = await repository.create({ id: 'org_rt1', name: 'One', settings: DEFAULT_ORGANIZATION_SETTINGS, createdAt: now, updatedAt: now });
    expect(created.etag).toEqual(expect.any(String));
    await expect(repository.get('org_rt1')).resolves.toEqual(created);
    await expect(
      repository.create({ id: 'org_rt1', name: 'Again', settings: DEFAULT_ORGANIZATION_SETTINGS, createdAt: now, updatedAt: now }),
    ).rejects.toBeInstanceOf(ConflictError);

    const renamed = await repository.replace({ ...created, name: 'Renamed' });
    expect(renamed.etag).not.toBe(created.etag);
    await expect(repository.replace({ ...created, name: 'Lost update' })).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(repository.get('org_rt1')).resolves.toMatchObject({ name: 'Renamed' });
    await expect(repository.get('org_missing')).resolves.toBeUndefined();
  });

  it('keeps optional member fields absent and replaces a roster only at its current ETag', async () => {
    const repository = new CosmosMemberRosterRepository(container('member-rosters'));
    const roster = await repository.create({
      orgId: 'org_rt2',
      members: [{ id: 'mem_a', userId: undefined, email: 'a@example.com', name: undefined, role: 'admin', createdAt: now, updatedAt: now }],
    });
    expect(roster.members[0]).toEqual({ id: 'mem_a', userId: undefined, email: 'a@example.com', name: undefined, role: 'admin', createdAt: now, updatedAt: now });
    await repository.replace({ ...roster, members: [] });
    await expect(repository.replace(roster)).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it('lists projects of one organization in creation order with counts, paging with TOP', async () => {
    const repository = new CosmosProjectRepository(container('projects'));
    for (let i = 0; i < 5; i += 1) {
      await repository.create({ id: `proj_p${i}`, orgId: 'org_pages', name: `P${i}`, description: '', createdAt: `2025-01-0${i + 1}T00:00:00.000Z`, updatedAt: now });
    }
    await repository.create({ id: 'proj_other', orgId: 'org_else', name: 'X', description: '', createdAt: now, updatedAt: now });

    const second = await repository.listByOrganization('org_pages', { pageIndex: 1, pageSize: 2 });

    expect(second.items.map((p) => p.id)).toEqual(['proj_p2', 'proj_p3']);
    expect(second).toMatchObject({ filteredCount: 5, totalCount: 5, pageIndex: 1, pageSize: 2 });
    const stale = (await repository.get('proj_p0'))!;
    await repository.replace({ ...stale, name: 'changed' });
    await expect(repository.delete('proj_p0', stale.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    await repository.delete('proj_p0');
    await repository.delete('proj_p0');
    await expect(repository.get('proj_p0')).resolves.toBeUndefined();
  });

  it("keeps API keys in their project's partition, with last use in a separate blind write", async () => {
    const repository = new CosmosApiKeyRepository(container('api-keys'));
    const base = { orgId: 'org_k', prefix: 'cmp_abcd', last4: 'wxyz', llm: { hosting: 'hosted' as const }, createdAt: now };
    await repository.create({ ...base, id: 'key_a1', projectId: 'proj_ka', name: 'A1', secretHash: hashApiKeySecret('a1') });
    await repository.create({ ...base, id: 'key_b1', projectId: 'proj_kb', name: 'B1', secretHash: hashApiKeySecret('b1') });
    await repository.recordLastUsed('proj_ka', 'key_a1', '2025-02-02T00:00:00.000Z');

    const listed = await repository.listByProject('proj_ka', { pageIndex: 0, pageSize: 20 });

    expect(listed.items.map((k) => [k.id, k.lastUsedAt])).toEqual([['key_a1', '2025-02-02T00:00:00.000Z']]);
    expect(listed.totalCount).toBe(1);
    // The partition key is part of the address: project B's partition does not hold project A's key.
    await expect(repository.get('proj_kb', 'key_a1')).resolves.toBeUndefined();
    await expect(repository.listIdsByProject('proj_kb')).resolves.toEqual(['key_b1']);
    await repository.delete('proj_ka', 'key_a1');
    await expect(repository.get('proj_ka', 'key_a1')).resolves.toBeUndefined();
  });

  it('finds a key lookup with exactly one store operation', async () => {
    const repository = new CosmosApiKeyLookupRepository(container('api-key-lookups'));
    const secretHash = hashApiKeySecret('lookup-secret');
    await repository.create({ secretHash, keyId: 'key_l', projectId: 'proj_l', orgId: 'org_l', hosting: 'custom', status: 'active' });
    await expect(
      repository.create({ secretHash, keyId: 'key_other', projectId: 'proj_l', orgId: 'org_l', hosting: 'hosted', status: 'active' }),
    ).rejects.toBeInstanceOf(ConflictError);

    const before = cosmosOperationCount();
    const found = await repository.find(secretHash);
    expect(cosmosOperationCount() - before).toBe(1);
    expect(found).toEqual({ secretHash, keyId: 'key_l', projectId: 'proj_l', orgId: 'org_l', hosting: 'custom', status: 'active' });

    await repository.delete(secretHash);
    await repository.delete(secretHash);
    await expect(repository.find(secretHash)).resolves.toBeUndefined();
  });

  it('indexes memberships per principal', async () => {
    const index = new CosmosMembershipIndex(container('memberships'));
    await index.put({ principalKey: 'user:u1', orgId: 'org_1', memberId: 'mem_1' });
    await index.put({ principalKey: 'user:u1', orgId: 'org_2', memberId: 'mem_2' });
    await index.put({ principalKey: 'user:u1', orgId: 'org_2', memberId: 'mem_2' });
    await index.put({ principalKey: 'user:u2', orgId: 'org_1', memberId: 'mem_3' });

    const entries = await index.listByPrincipal('user:u1');
    expect(entries.map((e) => e.orgId).sort()).toEqual(['org_1', 'org_2']);
    await index.remove('user:u1', 'org_1');
    await index.remove('user:u1', 'org_1');
    expect((await index.listByPrincipal('user:u1')).map((e) => e.orgId)).toEqual(['org_2']);
  });
});
