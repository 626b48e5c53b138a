import { describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError, PreconditionFailedError, ValidationError } from '../../../shared/domain/errors.js';
import { UrlNotAllowedError } from '../../../shared/domain/outbound.js';
import { createTestWorld, entraUser, seedOrganization } from '../fakes/test-services.js';

const URL = 'https://hooks.example.com/companion';
const firstPage = { pageIndex: 0, pageSize: 20 };

describe('project webhooks', () => {
  it('makes the secret on the first PUT only, seals it, and never shows it again', async () => {
    const world = createTestWorld();
    const { admin, project } = await seedOrganization(world);

    const created = await world.services.webhooks.put(admin, project.id, { url: URL }, undefined);
    expect(created.created).toBe(true);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.webhook).toMatchObject({ url: URL, enabled: true, events: ['session.started', 'session.closed', 'companion.created', 'companion.updated', 'companion.deleted'] });
    expect(JSON.stringify([...world.webhooks.table.rows.values()])).not.toContain(created.secret!);

    const replaced = await world.services.webhooks.put(admin, project.id, { url: `${URL}/v2`, events: ['companion.deleted'], enabled: false }, undefined);
    expect(replaced).toMatchObject({ created: false, secret: undefined, webhook: { url: `${URL}/v2`, events: ['companion.deleted'], enabled: false } });
    expect(replaced.webhook.secretCreatedAt).toBe(created.webhook.secretCreatedAt);
    const stored = (await world.webhooks.get(project.id))!;
    await expect(world.sealer.open(stored.sealedSecret)).resolves.toBe(created.secret);
    expect(JSON.stringify(await world.services.webhooks.get(admin, project.id))).not.toContain(created.secret!.slice(6));
  });

  it('rotates the secret, keeping the previous one valid for 24 hours', async () => {
    const world = createTestWorld();
    const { admin, project } = await seedOrganization(world);
    const first = await world.services.webhooks.put(admin, project.id, { url: URL }, undefined);
    world.clock.advance(60_000);

    const rotated = await world.services.webhooks.rotateSecret(admin, project.id, undefined);

    expect(rotated.secret).not.toBe(first.secret);
    expect(rotated.webhook.previousSecretExpiresAt).toBe(new Date(world.clock.now().getTime() + 24 * 3600 * 1000).toISOString());
    const stored = (await world.webhooks.get(project.id))!;
    await expect(world.sealer.open(stored.sealedSecret)).resolves.toBe(rotated.secret);
    await expect(world.sealer.open(stored.sealedPreviousSecret!)).resolves.toBe(first.secret);
    world.clock.advance(24 * 3600 * 1000 + 1);
    expect((await world.services.webhooks.get(admin, project.id)).previousSecretExpiresAt).toBeUndefined();
  });

  it('lets only admins of the organization configure it: members get 403, outsiders 404', async () => {
    const world = createTestWorld();
    const { member, admin, project } = await seedOrganization(world);

    await expect(world.services.webhooks.put(member, project.id, { url: URL }, undefined)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.webhooks.put(entraUser('stranger'), project.id, { url: URL }, undefined)).rejects.toBeInstanceOf(NotFoundError);
    await world.services.webhooks.put(admin, project.id, { url: URL }, undefined);
    await expect(world.services.webhooks.get(member, project.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.webhooks.rotateSecret(member, project.id, undefined)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.webhooks.listDeliveries(member, project.id, firstPage)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.webhooks.delete(member, project.id, undefined)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses private, loopback and plain-http URLs with UrlNotAllowed, and malformed ones with ValidationFailed', async () => {
    const world = createTestWorld();
    const { admin, project } = await seedOrganization(world);

    for (const url of ['https://10.0.0.5/hook', 'https://169.254.169.254/latest', 'https://localhost/hook', 'http://hooks.example.com/hook']) {
      await expect(world.services.webhooks.put(admin, project.id, { url }, undefined), url).rejects.toBeInstanceOf(UrlNotAllowedError);
    }
    await expect(world.services.webhooks.put(admin, project.id, { url: 'https://user:pw@hooks.example.com/' }, undefined)).rejects.toBeInstanceOf(ValidationError);
    expect(await world.webhooks.get(project.id)).toBeUndefined();
  });

  it('takes loopback http with the local-only setting', async () => {
    const world = createTestWorld({ allowPrivateUrls: true });
    const { admin, project } = await seedOrganization(world);

    await expect(world.services.webhooks.put(admin, project.id, { url: 'http://127.0.0.1:9/hook' }, undefined)).resolves.toMatchObject({ created: true });
  });

  it('honours If-Match on PUT, rotation and DELETE, and answers 404 once deleted', async () => {
    const world = createTestWorld();
    const { admin, project } = await seedOrganization(world);
    await expect(world.services.webhooks.put(admin, project.id, { url: URL }, '"nothing-yet"')).rejects.toBeInstanceOf(PreconditionFailedError);
    const { webhook } = await world.services.webhooks.put(admin, project.id, { url: URL }, undefined);

    await expect(world.services.webhooks.put(admin, project.id, { url: URL }, '"stale"')).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(world.services.webhooks.rotateSecret(admin, project.id, '"stale"')).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(world.services.webhooks.delete(admin, project.id, '"stale"')).rejects.toBeInstanceOf(PreconditionFailedError);
    await world.services.webhooks.delete(admin, project.id, `"${webhook.etag}"`);

    await expect(world.services.webhooks.get(admin, project.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.webhooks.delete(admin, project.id, undefined)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.webhooks.rotateSecret(admin, project.id, undefined)).rejects.toBeInstanceOf(NotFoundError);
  });
});
