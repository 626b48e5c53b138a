import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosClient } from '@azure/cosmos';
import { Agent } from 'node:https';
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { cosmosOperationCount } from '../../shared/adapters/cosmos/counted-container.js';
import { NotFoundError } from '../../shared/domain/errors.js';
import type { ManagePrincipal } from '../../shared/domain/identity.js';
import type { Runtime } from '../../shared/runtime.js';
import { emulatorRuntime } from './helpers/test-runtime.js';

const DEV_TOKEN = 'dev-admin-token-integration-0123456789';
const BOOTSTRAP_SECRET = 'bootstrap-secret-integration-0123';
let runtime: Runtime;

const user = (userId: string, email?: string): ManagePrincipal => ({ userId, email, name: undefined, kind: 'entra' });

async function organizationWithProject(name: string) {
  const admin = user(`${name}-admin`);
  const org = await runtime.services.organizations.create({ name, firstAdmin: { userId: admin.userId } });
  const project = await runtime.services.projects.create(admin, org.id, { name: `${name} project` });
  return { admin, org, project };
}

/** Counts documents straight from the store, bypassing the code under test. */
async function countDocuments(containerId: string): Promise<number> {
  const client = new CosmosClient({
    endpoint: inject('cosmosEndpoint'),
    key: inject('cosmosKey'),
    agent: new Agent({ ca: readFileSync(inject('cosmosCertFile')) }),
  });
  try {
    const { resources } = await client
      .database(runtime.config.cosmos.database)
      .container(containerId)
      .items.query<number>('SELECT VALUE COUNT(1) FROM c')
      .fetchAll();
    return resources.reduce((a, b) => a + b, 0);
  } finally {
    client.dispose();
  }
}

beforeAll(async () => {
  runtime = await emulatorRuntime('tenancy', { COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN });
});

afterAll(async () => {
  await runtime.dispose();
});

describe('tenancy on the real Cosmos emulator', () => {
  it("a key of project A resolves to A and never reaches project B's data", async () => {
    const a = await organizationWithProject('alpha');
    const b = await organizationWithProject('beta');
    const keyA = await runtime.services.apiKeys.create(a.admin, a.project.id, { name: 'A', llm: { hosting: 'hosted' } });
    await runtime.services.apiKeys.create(b.admin, b.project.id, { name: 'B', llm: { hosting: 'hosted' } });

    const principal = await runtime.services.apiKeys.authenticate(keyA.secret);

    expect(principal).toMatchObject({ projectId: a.project.id, orgId: a.org.id });
    await expect(runtime.services.publicProject.describe(principal)).resolves.toEqual({
      project: { id: a.project.id, name: 'alpha project' },
      organization: { id: a.org.id, name: 'alpha' },
    });
    const listedByB = await runtime.services.apiKeys.list(b.admin, b.project.id, { pageIndex: 0, pageSize: 20 });
    expect(listedByB.items.map((k) => k.name)).toEqual(['B']);
    await expect(runtime.services.apiKeys.get(b.admin, b.project.id, keyA.apiKey.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(runtime.services.apiKeys.list(b.admin, a.project.id, { pageIndex: 0, pageSize: 20 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('resolves a key with one store operation once warm', async () => {
    const a = await organizationWithProject('warm');
    const { secret } = await runtime.services.apiKeys.create(a.admin, a.project.id, { name: 'W', llm: { hosting: 'hosted' } });
    await runtime.services.apiKeys.authenticate(secret);

    const before = cosmosOperationCount();
    for (let i = 0; i < 10; i += 1) await runtime.services.apiKeys.authenticate(secret);

    expect((cosmosOperationCount() - before) / 10).toBe(1);
  });

  it('a revoked key fails on the next lookup', async () => {
    const a = await organizationWithProject('revoke');
    const { apiKey, secret } = await runtime.services.apiKeys.create(a.admin, a.project.id, { name: 'R', llm: { hosting: 'hosted' } });
    await runtime.services.apiKeys.authenticate(secret);

    await runtime.services.apiKeys.revoke(a.admin, a.project.id, apiKey.id);

    await expect(runtime.services.apiKeys.authenticate(secret)).rejects.toMatchObject({ code: 'InvalidApiKey' });
  });

  it('a customer-hosted key keeps its LLM credential sealed in the store', async () => {
    const a = await organizationWithProject('byo');
    const { apiKey } = await runtime.services.apiKeys.create(a.admin, a.project.id, {
      name: 'BYO',
      llm: { hosting: 'custom', endpoint: 'https://contoso.openai.azure.com', deployment: 'gpt-4o', apiKey: 'plain-llm-key-42' },
    });
    const client = new CosmosClient({
      endpoint: inject('cosmosEndpoint'),
      key: inject('cosmosKey'),
      agent: new Agent({ ca: readFileSync(inject('cosmosCertFile')) }),
    });
    try {
      const { resource } = await client.database(runtime.config.cosmos.database).container('api-keys').item(apiKey.id, a.project.id).read();
      expect(JSON.stringify(resource)).not.toContain('plain-llm-key-42');
      expect(resource?.llm?.sealedApiKey?.ciphertext).toEqual(expect.any(String));
    } finally {
      client.dispose();
    }
  });

  it('the member role is enforced and the last admin is kept', async () => {
    const a = await organizationWithProject('roles');
    const member = await runtime.services.members.add(a.admin, a.org.id, { userId: 'roles-member', role: 'member' });
    await expect(runtime.services.projects.create(user('roles-member'), a.org.id, { name: 'no' })).rejects.toMatchObject({
      code: 'Forbidden',
    });
    const adminMember = (await runtime.services.members.list(a.admin, a.org.id, { pageIndex: 0, pageSize: 20 })).items.find(
      (m) => m.id !== member.id,
    )!;
    await expect(runtime.services.members.remove(a.admin, a.org.id, adminMember.id, undefined)).rejects.toMatchObject({ code: 'LastAdmin' });
  });

  it('the local bootstrap is idempotent across restarts', async () => {
    const first = await runtime.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: BOOTSTRAP_SECRET });
    const counts = {
      organizations: await countDocuments('organizations'),
      projects: await countDocuments('projects'),
      apiKeys: await countDocuments('api-keys'),
      lookups: await countDocuments('api-key-lookups'),
    };

    // A restart builds a fresh runtime on the same database.
    const { createRuntime } = await import('../../shared/runtime.js');
    const restarted = await createRuntime(runtime.config, { logger: { warn: () => undefined, error: () => undefined } });
    const second = await restarted.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: BOOTSTRAP_SECRET });
    await restarted.dispose();

    expect(second.org.id).toBe(first.org.id);
    expect(second.project.id).toBe(first.project.id);
    expect(second.apiKeyId).toBe(first.apiKeyId);
    expect({
      organizations: await countDocuments('organizations'),
      projects: await countDocuments('projects'),
      apiKeys: await countDocuments('api-keys'),
      lookups: await countDocuments('api-key-lookups'),
    }).toEqual(counts);
    const devAdmin = await runtime.services.manageAuthentication.authenticate(DEV_TOKEN);
    const me = await runtime.services.organizations.overview(devAdmin);
    expect(me.memberships).toEqual([{ organization: { id: first.org.id, name: 'Local' }, memberId: expect.any(String), role: 'admin' }]);
    await expect(runtime.services.apiKeys.authenticate(BOOTSTRAP_SECRET)).resolves.toMatchObject({ projectId: first.project.id });
  });
});
