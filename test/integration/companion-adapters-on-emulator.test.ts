import { randomUUID } from 'node:crypto';
import type { CosmosClient, Database } from '@azure/cosmos';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAzureCredential } from '../../shared/adapters/azure-credential.js';
import { AzureBlobStore } from '../../shared/adapters/blob-store.js';
import { createCosmosClient } from '../../shared/adapters/cosmos/client.js';
import { CosmosCompanionRepository } from '../../shared/adapters/cosmos/companion-repository.js';
import { ensureContainers } from '../../shared/adapters/cosmos/containers.js';
import { CountedContainer } from '../../shared/adapters/cosmos/counted-container.js';
import { CosmosDigitalTwinClaimRepository } from '../../shared/adapters/cosmos/digital-twin-claim-repository.js';
import { CosmosOrganizationRepository } from '../../shared/adapters/cosmos/organization-repository.js';
import { QueueEventPublisher } from '../../shared/adapters/queue-event-publisher.js';
import type { NewCompanion } from '../../shared/domain/companion.js';
import { ConflictError, PreconditionFailedError } from '../../shared/domain/errors.js';
import { DEFAULT_ORGANIZATION_SETTINGS } from '../../shared/domain/organization.js';
import { webhookEventSchema } from '../../shared/domain/webhook-event.js';
import { emulatorConfig } from './helpers/test-runtime.js';

let client: CosmosClient;
let database: Database;
const container = (id: string) => new CountedContainer(database.container(id));
const connectionString = inject('storageConnectionString');

beforeAll(async () => {
  const config = emulatorConfig('companion-adapters');
  client = createCosmosClient(config, () => createAzureCredential(config));
  database = await ensureContainers(client.database(config.cosmos.database));
});

afterAll(async () => {
  await database.delete();
  client.dispose();
});

function companion(id: string, projectId: string, created: string, changes: Partial<NewCompanion> = {}): NewCompanion {
  return {
    id,
    projectId,
    orgId: 'org_c',
    personaType: 'companion',
    firstName: '',
    lastName: '',
    description: 'plain',
    headline: '',
    version: 'v1',
    tags: {},
    status: 'pending',
    avatar: { views: {} },
    media: {},
    created,
    updated: created,
    ...changes,
  };
}

describe('companion storage on the local Cosmos server', () => {
  it('filters, searches without regard to case, pages newest first and counts within the project only', async () => {
    const repository = new CosmosCompanionRepository(container('companions'));
    await repository.create(companion('comp_f1', 'proj_f', '2025-01-01T00:00:00.000Z', { firstName: 'Ava', gender: 'female', ethnicity: 'Caucasian', tags: { team: 'support', tier: 'gold' } }));
    await repository.create(companion('comp_f2', 'proj_f', '2025-01-02T00:00:00.000Z', { description: 'Sells SOFTWARE', gender: 'male', status: 'failed', tags: { team: 'sales' } }));
    await repository.create(companion('comp_f3', 'proj_f', '2025-01-03T00:00:00.000Z', { headline: 'Software support', personaType: 'digitalTwin', externalClientId: 'x-1', voice: { status: 'pending' }, media: { voice: { source: 'url', url: 'https://x/v.wav', status: 'awaiting' } } }));
    await repository.create(companion('comp_f4', 'proj_other', '2025-01-04T00:00:00.000Z', { description: 'software elsewhere', tags: { team: 'support' } }));

    const ids = async (filter: Parameters<typeof repository.list>[1], page = { pageIndex: 0, pageSize: 10 }) => {
      const result = await repository.list('proj_f', filter, page);
      return { ids: result.items.map((c) => c.id), filteredCount: result.filteredCount, totalCount: result.totalCount };
    };
    expect(await ids({})).toEqual({ ids: ['comp_f3', 'comp_f2', 'comp_f1'], filteredCount: 3, totalCount: 3 });
    expect(await ids({ search: 'softWARE' })).toEqual({ ids: ['comp_f3', 'comp_f2'], filteredCount: 2, totalCount: 3 });
    expect(await ids({ statuses: ['failed', 'completed'] })).toMatchObject({ ids: ['comp_f2'] });
    expect(await ids({ personaType: 'digitalTwin' })).toMatchObject({ ids: ['comp_f3'] });
    expect(await ids({ gender: 'female', ethnicity: 'Caucasian' })).toMatchObject({ ids: ['comp_f1'] });
    expect(await ids({ tags: [{ key: 'team', value: 'support' }] })).toMatchObject({ ids: ['comp_f1'] });
    expect(await ids({ tags: [{ key: 'team', value: 'support' }, { key: 'tier', value: 'silver' }] })).toMatchObject({ ids: [], filteredCount: 0 });
    expect(await ids({}, { pageIndex: 1, pageSize: 2 })).toEqual({ ids: ['comp_f1'], filteredCount: 3, totalCount: 3 });

    const twin = await repository.get('proj_f', 'comp_f3');
    expect(twin).toMatchObject({ externalClientId: 'x-1', voice: { status: 'pending' }, media: { voice: { status: 'awaiting' } } });
    expect(twin).not.toHaveProperty('searchText');
    await expect(repository.get('proj_f', 'comp_f4')).resolves.toBeUndefined();
  });

  it('replaces only at the current ETag, keeps search in step with the text, and deletes idempotently', async () => {
    const repository = new CosmosCompanionRepository(container('companions'));
    const created = await repository.create(companion('comp_r1', 'proj_r', '2025-01-01T00:00:00.000Z'));
    await expect(repository.create(companion('comp_r1', 'proj_r', '2025-01-01T00:00:00.000Z'))).rejects.toBeInstanceOf(ConflictError);
    const changed = await repository.replace({ ...created, description: 'Now speaks Klingon' });
    await expect(repository.replace({ ...created, description: 'lost' })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await repository.list('proj_r', { search: 'klingon' }, { pageIndex: 0, pageSize: 5 })).items.map((c) => c.id)).toEqual(['comp_r1']);
    await expect(repository.delete('proj_r', 'comp_r1', created.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    await repository.delete('proj_r', 'comp_r1', changed.etag);
    await repository.delete('proj_r', 'comp_r1');
    await expect(repository.get('proj_r', 'comp_r1')).resolves.toBeUndefined();
  });

  it('lets one twin claim an externalClientId per project, and releases it only at its ETag', async () => {
    const claims = new CosmosDigitalTwinClaimRepository(container('companion-claims'));
    const claim = await claims.create({ projectId: 'proj_t', externalClientId: 'sarah-1', companionId: 'comp_a', createdAt: '2025-01-01T00:00:00.000Z' });
    await expect(
      claims.create({ projectId: 'proj_t', externalClientId: 'sarah-1', companionId: 'comp_b', createdAt: '2025-01-01T00:00:00.000Z' }),
    ).rejects.toBeInstanceOf(ConflictError);
    await claims.create({ projectId: 'proj_u', externalClientId: 'sarah-1', companionId: 'comp_c', createdAt: '2025-01-01T00:00:00.000Z' });
    await expect(claims.get('proj_t', 'sarah-1')).resolves.toEqual(claim);
    await expect(claims.delete('proj_t', 'sarah-1', 'stale-etag')).rejects.toBeInstanceOf(PreconditionFailedError);
    await claims.delete('proj_t', 'sarah-1', claim.etag);
    await expect(claims.get('proj_t', 'sarah-1')).resolves.toBeUndefined();
    await expect(claims.get('proj_u', 'sarah-1')).resolves.toMatchObject({ companionId: 'comp_c' });
  });

  it("keeps an organization's digital twin consent until it is withdrawn", async () => {
    const organizations = new CosmosOrganizationRepository(container('organizations'));
    const now = '2025-01-01T00:00:00.000Z';
    const org = await organizations.create({ id: 'org_consent', name: 'C', settings: DEFAULT_ORGANIZATION_SETTINGS, createdAt: now, updatedAt: now });
    expect(org.digitalTwinConsent).toBeUndefined();
    const granted = await organizations.replace({ ...org, digitalTwinConsent: { grantedBy: 'oid-1', grantedAt: now } });
    await expect(organizations.get('org_consent')).resolves.toMatchObject({ digitalTwinConsent: { grantedBy: 'oid-1', grantedAt: now } });
    await organizations.replace({ ...granted, digitalTwinConsent: undefined });
    expect((await organizations.get('org_consent'))?.digitalTwinConsent).toBeUndefined();
  });
});

describe('companion blobs and events on Azurite', () => {
  it("deletes every blob under a companion's folder and nothing beside it", async () => {
    const blobs = BlobServiceClient.fromConnectionString(connectionString);
    const containerName = `companions-${randomUUID().slice(0, 8)}`;
    const store = new AzureBlobStore(blobs);
    await expect(store.deleteByPrefix(containerName, 'proj_a/comp_1/')).resolves.toBe(0);

    const containerClient = blobs.getContainerClient(containerName);
    await containerClient.create();
    const names = ['proj_a/comp_1/picture/source', 'proj_a/comp_1/views/round.png', 'proj_a/comp_12/picture/source', 'proj_b/comp_1/x'];
    for (const name of names) await containerClient.getBlockBlobClient(name).upload('x', 1);
    for (let i = 0; i < 120; i += 1) await containerClient.getBlockBlobClient(`proj_a/comp_1/many/${i}`).upload('x', 1);

    await expect(store.deleteByPrefix(containerName, 'proj_a/comp_1/')).resolves.toBe(122);
    const left: string[] = [];
    for await (const blob of containerClient.listBlobsFlat()) left.push(blob.name);
    expect(left.sort()).toEqual(['proj_a/comp_12/picture/source', 'proj_b/comp_1/x']);
    await expect(store.deleteByPrefix(containerName, 'proj_a/comp_1')).rejects.toThrow();
    await containerClient.delete();
  });

  it('queues events base64-encoded, creating the queue when it is missing', async () => {
    const queue = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(`events-${randomUUID().slice(0, 8)}`);
    const publisher = new QueueEventPublisher(queue);
    const event = {
      id: 'evt_1',
      type: 'companion.created' as const,
      orgId: 'org_1',
      projectId: 'proj_1',
      occurredAt: '2025-01-01T00:00:00.000Z',
      data: { companion: { id: 'comp_1', description: 'ünïcödé' } },
    };
    await publisher.publish(event);
    await publisher.publish({ ...event, id: 'evt_2' });

    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 10 });
    const decoded = receivedMessageItems.map((m) => webhookEventSchema.parse(JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8'))));
    expect(decoded).toEqual([event, { ...event, id: 'evt_2' }]);
    await queue.delete();
  });
});
