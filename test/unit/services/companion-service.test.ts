import { describe, expect, it } from 'vitest';
import { COMPANION_MEDIA_CONTAINER } from '../../../shared/domain/companion.js';
import { ForbiddenError, NotFoundError, PreconditionFailedError, ValidationError } from '../../../shared/domain/errors.js';
import { STOCK_COMPANIONS } from '../../../shared/domain/stock-companions.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { createTestWorld, seedOrganization, type TestWorld } from '../fakes/test-services.js';

const page = { pageIndex: 0, pageSize: 20 };

async function seeded(options: { allowPrivateUrls?: boolean } = {}) {
  const world = createTestWorld(options);
  const seed = await seedOrganization(world);
  return { world, ...seed, key: keyOf(seed.project) };
}

function problemsOf(error: unknown) {
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).problems;
}

describe('companions', () => {
  it('when a companion is created, it starts pending with its media awaiting and a companion.created event is queued', async () => {
    const { world, key, org, project } = await seeded();

    const companion = await world.services.companions.create(key, {
      description: 'A helpful guide',
      firstName: 'Ava',
      pictureUrl: 'https://media.example.com/ava.png',
      tags: { team: 'support' },
    });

    expect(companion).toMatchObject({
      id: expect.stringMatching(/^comp_/),
      projectId: project.id,
      orgId: org.id,
      personaType: 'companion',
      firstName: 'Ava',
      lastName: '',
      version: 'v1',
      status: 'pending',
      media: { picture: { source: 'url', url: 'https://media.example.com/ava.png', status: 'awaiting' } },
    });
    expect(world.events.events).toEqual([
      {
        id: expect.stringMatching(/^evt_/),
        type: 'companion.created',
        orgId: org.id,
        projectId: project.id,
        occurredAt: world.clock.now().toISOString(),
        data: { companion: expect.objectContaining({ id: companion.id, etag: `"${companion.etag}"` }) },
      },
    ]);
    const published = JSON.stringify(world.events.events[0]!.data);
    expect(published).not.toContain('projectId');
    expect(published).not.toContain('blobPath');
  });

  it('when the likeness does not suit the version, the request is refused naming the field', async () => {
    const { world, key } = await seeded();
    const v1WithVideo = await world.services.companions
      .create(key, { description: 'x', version: 'v1', videoUrl: 'https://m.example.com/a.mp4' })
      .catch((e: unknown) => e);
    expect(problemsOf(v1WithVideo)).toEqual([{ path: 'videoUrl', message: expect.stringContaining('v2') }]);
    const v2WithPicture = await world.services.companions
      .create(key, { description: 'x', version: 'v2', pictureUrl: 'https://m.example.com/a.png' })
      .catch((e: unknown) => e);
    expect(problemsOf(v2WithPicture)).toEqual([{ path: 'pictureUrl', message: expect.stringContaining('v1') }]);
    expect(world.companions.table.rows.size).toBe(0);
    expect(world.events.events).toEqual([]);
  });

  it('when a media URL is plain HTTP it is not allowed, with credentials it is invalid; loopback HTTP only with the local-only setting', async () => {
    const strict = await seeded();
    const http = await strict.world.services.companions
      .create(strict.key, { description: 'x', pictureUrl: 'http://127.0.0.1:8080/a.png' })
      .catch((e: unknown) => e);
    expect(http).toMatchObject({ code: 'UrlNotAllowed' });
    const credentials = await strict.world.services.companions
      .create(strict.key, { description: 'x', pictureUrl: 'https://user:secret@m.example.com/a.png' })
      .catch((e: unknown) => e);
    expect(problemsOf(credentials)).toEqual([{ path: 'pictureUrl', message: 'must not contain credentials' }]);

    const local = await seeded({ allowPrivateUrls: true });
    await expect(
      local.world.services.companions.create(local.key, { description: 'x', pictureUrl: 'http://127.0.0.1:8080/a.png' }),
    ).resolves.toMatchObject({ media: { picture: { url: 'http://127.0.0.1:8080/a.png' } } });
    const remoteHttp = await local.world.services.companions
      .create(local.key, { description: 'x', pictureUrl: 'http://media.example.com/a.png' })
      .catch((e: unknown) => e);
    expect(remoteHttp).toMatchObject({ code: 'UrlNotAllowed' });
  });

  it('lists with every filter combined, newest first, counting matches and the whole project', async () => {
    const { world, key, admin, org } = await seeded();
    const make = async (input: Parameters<TestWorld['services']['companions']['create']>[1]) => {
      world.clock.advance(1000);
      return world.services.companions.create(key, input);
    };
    const ava = await make({ description: 'Friendly SUPPORT agent', firstName: 'Ava', gender: 'female', ethnicity: 'Caucasian', tags: { team: 'support', tier: 'gold' } });
    const ben = await make({ description: 'Sales', firstName: 'Ben', gender: 'male', ethnicity: 'African', tags: { team: 'sales' } });
    const cy = await make({ description: 'Quiet', firstName: 'Cy', headline: 'Support lead', gender: 'nonBinary', tags: { team: 'support' } });
    world.companions.table.rows.set(`${key.projectId}|${ben.id}`, { ...ben, status: 'failed' });
    const other = await world.services.projects.create(admin, org.id, { name: 'Other' });
    await world.services.companions.create(keyOf(other), { description: 'support elsewhere' });

    const ids = async (filter: Parameters<TestWorld['services']['companions']['list']>[1], p = page) => {
      const result = await world.services.companions.list(key, filter, p);
      return { ids: result.items.map((c) => c.id), filteredCount: result.filteredCount, totalCount: result.totalCount };
    };

    expect(await ids({})).toEqual({ ids: [cy.id, ben.id, ava.id], filteredCount: 3, totalCount: 3 });
    expect(await ids({ search: 'support' })).toEqual({ ids: [cy.id, ava.id], filteredCount: 2, totalCount: 3 });
    expect(await ids({ statuses: ['pending'] })).toMatchObject({ ids: [cy.id, ava.id] });
    expect(await ids({ statuses: ['failed', 'completed'] })).toMatchObject({ ids: [ben.id] });
    expect(await ids({ gender: 'male' })).toMatchObject({ ids: [ben.id] });
    expect(await ids({ ethnicity: 'Caucasian' })).toMatchObject({ ids: [ava.id] });
    expect(await ids({ personaType: 'digitalTwin' })).toMatchObject({ ids: [], filteredCount: 0, totalCount: 3 });
    expect(await ids({ tags: [{ key: 'team', value: 'support' }] })).toMatchObject({ ids: [cy.id, ava.id] });
    expect(await ids({ tags: [{ key: 'team', value: 'support' }, { key: 'tier', value: 'gold' }] })).toMatchObject({ ids: [ava.id] });
    expect(await ids({ search: 'SUPPORT', gender: 'nonBinary' })).toMatchObject({ ids: [cy.id], filteredCount: 1 });
    expect(await ids({}, { pageIndex: 1, pageSize: 2 })).toEqual({ ids: [ava.id], filteredCount: 3, totalCount: 3 });
  });

  it("when a key names another project's companion, it is not found and not listed", async () => {
    const { world, key, admin, org } = await seeded();
    const other = await world.services.projects.create(admin, org.id, { name: 'Other' });
    const theirs = await world.services.companions.create(keyOf(other), { description: 'theirs' });

    await expect(world.services.companions.get(key, theirs.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.companions.update(key, theirs.id, { headline: 'mine' }, undefined)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.companions.delete(key, theirs.id, undefined)).rejects.toBeInstanceOf(NotFoundError);
    expect((await world.services.companions.list(key, {}, page)).totalCount).toBe(0);
    await expect(world.services.companions.get(keyOf(other), theirs.id)).resolves.toMatchObject({ description: 'theirs' });
  });

  it('when a companion is changed, only what may change changes, a stale If-Match is refused and a no-op writes nothing', async () => {
    const { world, key } = await seeded();
    const created = await world.services.companions.create(key, { description: 'Before', gender: 'female', tags: { a: '1' } });
    world.clock.advance(5000);

    const changed = await world.services.companions.update(
      key,
      created.id,
      { headline: 'New headline', description: 'After', tags: { b: '2' }, firstName: 'Zoe' },
      `"${created.etag}"`,
    );
    expect(changed).toMatchObject({ headline: 'New headline', description: 'After', tags: { b: '2' }, firstName: 'Zoe', gender: 'female' });
    expect(changed.updated).toBe(world.clock.now().toISOString());
    expect(changed.created).toBe(created.created);
    expect(changed.etag).not.toBe(created.etag);
    expect(world.events.events.map((e) => e.type)).toEqual(['companion.created', 'companion.updated']);

    await expect(world.services.companions.update(key, created.id, { headline: 'Again' }, `"${created.etag}"`)).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    const same = await world.services.companions.update(key, created.id, { headline: 'New headline', tags: { b: '2' } }, undefined);
    expect(same.etag).toBe(changed.etag);
    expect(world.events.events).toHaveLength(2);
  });

  it('when a companion is deleted, its files go and no other companion’s do, and companion.deleted is queued', async () => {
    const { world, key } = await seeded();
    const doomed = await world.services.companions.create(key, { description: 'doomed' });
    const keeper = await world.services.companions.create(key, { description: 'keeper' });
    world.blobs.put(COMPANION_MEDIA_CONTAINER, `${key.projectId}/${doomed.id}/picture/source`);
    world.blobs.put(COMPANION_MEDIA_CONTAINER, `${key.projectId}/${doomed.id}/views/round.png`);
    world.blobs.put(COMPANION_MEDIA_CONTAINER, `${key.projectId}/${doomed.id}x/lookalike.png`);
    world.blobs.put(COMPANION_MEDIA_CONTAINER, `${key.projectId}/${keeper.id}/picture/source`);

    await expect(world.services.companions.delete(key, doomed.id, '"stale"')).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(world.blobs.names(COMPANION_MEDIA_CONTAINER)).toHaveLength(4);

    await world.services.companions.delete(key, doomed.id, `"${doomed.etag}"`);

    await expect(world.services.companions.get(key, doomed.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(world.blobs.names(COMPANION_MEDIA_CONTAINER)).toEqual(
      [`${key.projectId}/${doomed.id}x/lookalike.png`, `${key.projectId}/${keeper.id}/picture/source`].sort(),
    );
    const deleted = world.events.events.at(-1)!;
    expect(deleted).toMatchObject({ type: 'companion.deleted', data: { companion: { id: doomed.id } } });
  });

  it('when a digital twin with a personal voice is deleted, the deletion of the voice and its consent is queued with its ids before the record goes', async () => {
    const { world, key, admin, org } = await seeded();
    await world.services.digitalTwinConsent.grant(admin, org.id, undefined);
    const twin = await world.services.digitalTwins.create(key, {
      firstName: 'Sarah',
      lastName: 'Johnson',
      description: 'VP of Customer Success',
      gender: 'female',
      ethnicity: 'Caucasian',
      externalClientId: 'sarah-1',
      voiceUrl: 'https://media.example.com/voice.wav',
      pictureUrl: 'https://media.example.com/sarah.jpg',
    });
    const profile = {
      engine: 'azurePersonalVoice' as const,
      personalVoiceId: `${twin.id}-voice`,
      speakerProfileId: 'speaker-1',
      consentId: `${twin.id}-consent`,
      speechProjectId: `companion-${twin.projectId}`,
    };
    const withVoice = await world.companions.replace({ ...twin, voice: { status: 'ready', profile } });

    world.companionJobs.failing = true;
    await expect(world.services.companions.delete(key, twin.id, undefined)).rejects.toThrow(/queue unavailable/);
    expect((await world.services.companions.get(key, twin.id)).etag).toBe(withVoice.etag);

    world.companionJobs.failing = false;
    await world.services.companions.delete(key, twin.id, undefined);
    await expect(world.services.companions.get(key, twin.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(world.companionJobs.messages.filter((m) => m.kind === 'voiceProfileDeletion')).toEqual([
      {
        kind: 'voiceProfileDeletion',
        message: { companionId: twin.id, projectId: twin.projectId, orgId: twin.orgId, job: 'deleteVoiceProfile', profile },
        delaySeconds: undefined,
      },
    ]);
  });

  it('when a companion that is not a twin is deleted, no voice deletion is queued', async () => {
    const { world, key } = await seeded();
    const plain = await world.services.companions.create(key, { description: 'plain' });
    await world.services.companions.delete(key, plain.id, undefined);
    expect(world.companionJobs.messages.filter((m) => m.kind === 'voiceProfileDeletion')).toEqual([]);
  });

  it('every project reads the stock catalog by id, and nobody can change or delete a stock companion', async () => {
    const { world, key } = await seeded();
    const stock = STOCK_COMPANIONS[0]!;
    await expect(world.services.companions.get(key, stock.id)).resolves.toMatchObject({ id: stock.id, stock: true, status: 'completed' });
    await expect(world.services.companions.update(key, stock.id, { headline: 'mine' }, undefined)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.companions.delete(key, stock.id, undefined)).rejects.toBeInstanceOf(ForbiddenError);
    expect(world.services.catalog.stock({ pageIndex: 0, pageSize: 100 }).items.length).toBeGreaterThanOrEqual(4);
  });

  it('when the event queue is unavailable, the change stands and the lost event is logged with its id', async () => {
    const { world, key } = await seeded();
    world.events.failing = true;
    const companion = await world.services.companions.create(key, { description: 'still created' });
    await expect(world.services.companions.get(key, companion.id)).resolves.toMatchObject({ id: companion.id });
    expect(world.logger.lines).toEqual([
      expect.objectContaining({
        level: 'error',
        properties: expect.objectContaining({ eventId: expect.stringMatching(/^evt_/), type: 'companion.created', companionId: companion.id }),
      }),
    ]);
  });
});
