import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NotFoundError, UnauthorizedError } from '../../../shared/domain/errors.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

const firstPage = { pageIndex: 0, pageSize: 20 };

describe('API keys', () => {
  it('returns the secret once, stores only its SHA-256 hash, and lists the key without it', async () => {
    const world = createTestWorld();
    const { admin, project } = await seedOrganization(world);

    const { apiKey, secret } = await world.services.apiKeys.create(admin, project.id, { name: 'Prod', llm: { hosting: 'hosted' } });

    expect(secret).toMatch(/^cmp_[A-Za-z0-9_-]{40}$/);
    expect(apiKey).toMatchObject({ name: 'Prod', prefix: secret.slice(0, 8), last4: secret.slice(-4), hosting: 'hosted' });
    const stored = world.apiKeys.table.rows.values().next().value!;
    expect(stored.secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify([...world.apiKeys.table.rows.values(), ...world.apiKeyLookups.rows.values()])).not.toContain(secret);
    const listed = await world.services.apiKeys.list(admin, project.id, firstPage);
    expect(listed.items).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(8, -4));
  });

  it('seals the customer LLM API key at rest and never shows it', async () => {
    const world = createTestWorld();
    const { admin, project } = await seedOrganization(world);

    const { apiKey } = await world.services.apiKeys.create(admin, project.id, {
      name: 'BYO',
      llm: { hosting: 'custom', endpoint: 'https://contoso.openai.azure.com', deployment: 'gpt-4o', apiKey: 'customer-secret-123' },
    });

    expect(apiKey.llm).toEqual({
      hosting: 'custom',
      endpoint: 'https://contoso.openai.azure.com',
      deployment: 'gpt-4o',
      realtimeDeployment: undefined,
      embeddingDeployment: undefined,
      apiVersion: undefined,
      useManagedIdentity: false,
    });
    const stored = world.apiKeys.table.rows.values().next().value!;
    expect(JSON.stringify(stored)).not.toContain('customer-secret-123');
    expect(stored.llm.hosting === 'custom' && stored.llm.sealedApiKey).toBeTruthy();
    if (stored.llm.hosting === 'custom' && stored.llm.sealedApiKey) {
      await expect(world.sealer.open(stored.llm.sealedApiKey)).resolves.toBe('customer-secret-123');
    }
  });

  it('takes a plain http:// LLM endpoint only on loopback and only where the local setting allows it', async () => {
    const strict = createTestWorld();
    const seeded = await seedOrganization(strict);
    const llm = (endpoint: string) => ({ hosting: 'custom' as const, endpoint, deployment: 'gpt', apiKey: 'k' });
    for (const endpoint of ['http://127.0.0.1:9999', 'http://contoso.example']) {
      await expect(strict.services.apiKeys.create(seeded.admin, seeded.project.id, { name: 'x', llm: llm(endpoint) })).rejects.toMatchObject({
        code: 'ValidationFailed',
        problems: [{ path: 'llm.endpoint', message: 'must be an https:// URL' }],
      });
    }
    const local = createTestWorld({ allowPrivateUrls: true });
    const { admin, project } = await seedOrganization(local);
    await expect(local.services.apiKeys.create(admin, project.id, { name: 'x', llm: llm('http://contoso.example') })).rejects.toMatchObject({
      code: 'ValidationFailed',
    });
    const created = await local.services.apiKeys.create(admin, project.id, { name: 'x', llm: llm('http://127.0.0.1:9999') });
    expect(created.apiKey.llm).toMatchObject({ endpoint: 'http://127.0.0.1:9999' });
  });

  it('authenticates a key with one lookup read and fixes its project and organization', async () => {
    const world = createTestWorld();
    const { org, admin, project } = await seedOrganization(world);
    const { apiKey, secret } = await world.services.apiKeys.create(admin, project.id, { name: 'k', llm: { hosting: 'hosted' } });
    world.apiKeyLookups.reads = 0;
    await world.services.apiKeys.authenticate(secret); // the first use also records lastUsedAt
    world.apiKeyLookups.reads = 0;
    const keyOpsBefore = world.apiKeys.table.operations;

    const principal = await world.services.apiKeys.authenticate(secret);

    expect(principal).toEqual({ keyId: apiKey.id, projectId: project.id, orgId: org.id, hosting: 'hosted' });
    expect(world.apiKeyLookups.reads).toBe(1);
    expect(world.apiKeys.table.operations).toBe(keyOpsBefore);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['unknown', 'cmp_' + 'x'.repeat(40)],
    ['malformed', 'not a key!'],
  ])('when the key is %s, authentication fails with 401 InvalidApiKey', async (_label, secret) => {
    const world = createTestWorld();
    const attempt = world.services.apiKeys.authenticate(secret);
    await expect(attempt).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(attempt).rejects.toMatchObject({ code: 'InvalidApiKey' });
  });

  it('when a key is revoked, the very next request with it fails', async () => {
    const world = createTestWorld();
    const { admin, project } = await seedOrganization(world);
    const { apiKey, secret } = await world.services.apiKeys.create(admin, project.id, { name: 'k', llm: { hosting: 'hosted' } });
    await world.services.apiKeys.authenticate(secret);

    await world.services.apiKeys.revoke(admin, project.id, apiKey.id);

    await expect(world.services.apiKeys.authenticate(secret)).rejects.toMatchObject({ code: 'InvalidApiKey' });
    await expect(world.services.apiKeys.get(admin, project.id, apiKey.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('records last use at most once per minute per key', async () => {
    const world = createTestWorld();
    const { admin, project } = await seedOrganization(world);
    const { apiKey, secret } = await world.services.apiKeys.create(admin, project.id, { name: 'k', llm: { hosting: 'hosted' } });

    for (let i = 0; i < 5; i += 1) await world.services.apiKeys.authenticate(secret);
    expect(world.apiKeys.lastUsedWrites).toBe(1);
    world.clock.advance(59_000);
    await world.services.apiKeys.authenticate(secret);
    expect(world.apiKeys.lastUsedWrites).toBe(1);
    world.clock.advance(1_000);
    await world.services.apiKeys.authenticate(secret);
    expect(world.apiKeys.lastUsedWrites).toBe(2);

    const shown = await world.services.apiKeys.get(admin, project.id, apiKey.id);
    expect(shown.lastUsedAt).toBe('2025-01-01T00:01:00.000Z');
  });

  it("a key of project A resolves to project A only, and B's admin cannot see or revoke it", async () => {
    const world = createTestWorld();
    const a = await seedOrganization(world, 'Alpha');
    const b = await seedOrganization(world, 'Beta');
    const keyA = await world.services.apiKeys.create(a.admin, a.project.id, { name: 'a', llm: { hosting: 'hosted' } });

    const principal = await world.services.apiKeys.authenticate(keyA.secret);
    expect(principal.projectId).toBe(a.project.id);
    await expect(world.services.publicProject.describe(principal)).resolves.toEqual({
      project: { id: a.project.id, name: 'Alpha project' },
      organization: { id: a.org.id, name: 'Alpha' },
    });
    await expect(world.services.apiKeys.revoke(b.admin, a.project.id, keyA.apiKey.id)).rejects.toBeInstanceOf(NotFoundError);
    // Naming B's project with A's key id finds nothing either.
    await expect(world.services.apiKeys.revoke(b.admin, b.project.id, keyA.apiKey.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('when a project is deleted, its keys stop working', async () => {
    const world = createTestWorld();
    const { org, admin, project } = await seedOrganization(world);
    const one = await world.services.apiKeys.create(admin, project.id, { name: 'one', llm: { hosting: 'hosted' } });
    const two = await world.services.apiKeys.create(admin, project.id, { name: 'two', llm: { hosting: 'hosted' } });

    await world.services.projects.delete(admin, org.id, project.id, undefined);

    await expect(world.services.apiKeys.authenticate(one.secret)).rejects.toMatchObject({ code: 'InvalidApiKey' });
    await expect(world.services.apiKeys.authenticate(two.secret)).rejects.toMatchObject({ code: 'InvalidApiKey' });
    expect(world.apiKeys.table.rows.size).toBe(0);
    await expect(world.services.projects.get(admin, org.id, project.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('when the project is deleted while a key is being created, the new key is revoked', async () => {
    const world = createTestWorld();
    const { admin, project } = await seedOrganization(world);
    const originalCreate = world.apiKeyLookups.create.bind(world.apiKeyLookups);
    world.apiKeyLookups.create = async (lookup) => {
      await originalCreate(lookup);
      world.projects.table.rows.delete(project.id);
    };

    await expect(world.services.apiKeys.create(admin, project.id, { name: 'late', llm: { hosting: 'hosted' } })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(world.apiKeyLookups.rows.size).toBe(0);
  });
});

describe('GET /public/project', () => {
  it('costs only the key lookup once warm, and shows a rename within 30 seconds', async () => {
    const world = createTestWorld();
    const { org, admin, project } = await seedOrganization(world);
    const { secret } = await world.services.apiKeys.create(admin, project.id, { name: 'k', llm: { hosting: 'hosted' } });
    await world.services.publicProject.describe(await world.services.apiKeys.authenticate(secret));
    const projectReads = world.projects.table.operations;
    const orgReads = world.organizations.table.operations;
    world.apiKeyLookups.reads = 0;

    const view = await world.services.publicProject.describe(await world.services.apiKeys.authenticate(secret));

    expect(view.project.name).toBe('Acme project');
    expect(world.apiKeyLookups.reads).toBe(1);
    expect(world.projects.table.operations).toBe(projectReads);
    expect(world.organizations.table.operations).toBe(orgReads);

    await world.services.projects.update(admin, org.id, project.id, { name: 'Renamed' }, undefined);
    world.clock.advance(30_000);
    const later = await world.services.publicProject.describe(await world.services.apiKeys.authenticate(secret));
    expect(later.project.name).toBe('Renamed');
  });
});
