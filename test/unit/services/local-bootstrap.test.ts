import { describe, expect, it } from 'vitest';
import { createTestWorld } from '../fakes/test-services.js';

const SECRET = 'local-bootstrap-secret-0123456789';

describe('local bootstrap', () => {
  it('creates the Local organization, the Default project, the dev admin and a working hosted key', async () => {
    const world = createTestWorld({ devAdminToken: 'dev-admin-token-0123456789abcdef' });

    const result = await world.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: SECRET });

    expect(result.org.name).toBe('Local');
    expect(result.project).toMatchObject({ name: 'Default', orgId: result.org.id });
    const principal = await world.services.apiKeys.authenticate(SECRET);
    expect(principal).toMatchObject({ keyId: result.apiKeyId, projectId: result.project.id, hosting: 'hosted' });
    const devAdmin = await world.services.manageAuthentication.authenticate('dev-admin-token-0123456789abcdef');
    await expect(world.services.organizations.get(devAdmin, result.org.id)).resolves.toMatchObject({ role: 'admin' });
  });

  it('when run again, creates nothing new', async () => {
    const world = createTestWorld();
    const first = await world.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: SECRET });

    const second = await world.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: SECRET });

    expect(second.org.id).toBe(first.org.id);
    expect(second.project.id).toBe(first.project.id);
    expect(second.apiKeyId).toBe(first.apiKeyId);
    expect(world.organizations.table.rows.size).toBe(1);
    expect(world.projects.table.rows.size).toBe(1);
    expect(world.apiKeys.table.rows.size).toBe(1);
    expect(world.apiKeyLookups.rows.size).toBe(1);
    expect(world.rosters.table.rows.get(first.org.id)!.members).toHaveLength(1);
  });

  it('when the configured secret changes, the old secret stops working and the new one works', async () => {
    const world = createTestWorld();
    await world.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: SECRET });

    await world.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: `${SECRET}-rotated` });

    await expect(world.services.apiKeys.authenticate(SECRET)).rejects.toMatchObject({ code: 'InvalidApiKey' });
    await expect(world.services.apiKeys.authenticate(`${SECRET}-rotated`)).resolves.toMatchObject({ keyId: 'key_local' });
    expect(world.apiKeys.table.rows.size).toBe(1);
  });

  it('when the previous start crashed after writing the key but before its lookup, the next start completes it', async () => {
    const world = createTestWorld();
    await world.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: SECRET });
    world.apiKeyLookups.rows.clear();

    await world.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: SECRET });

    await expect(world.services.apiKeys.authenticate(SECRET)).resolves.toMatchObject({ keyId: 'key_local' });
  });

  it('refuses a secret that is not 20-200 URL-safe characters', async () => {
    const world = createTestWorld();
    await expect(
      world.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: 'short' }),
    ).rejects.toMatchObject({ code: 'ValidationFailed' });
  });
});
