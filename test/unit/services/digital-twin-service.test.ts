import { describe, expect, it } from 'vitest';
import { ORPHANED_CLAIM_AFTER_MS } from '../../../shared/domain/digital-twin-claim.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../../shared/domain/errors.js';
import type { NewDigitalTwinInput } from '../../../shared/services/digital-twin-service.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

const sarah: NewDigitalTwinInput = {
  firstName: 'Sarah',
  lastName: 'Johnson',
  description: 'VP of Customer Success at Acme Corp. Confident, warm, and knowledgeable.',
  gender: 'female',
  ethnicity: 'Caucasian',
  voiceUrl: 'https://example.com/recordings/sarah-voice-sample.wav',
  videoUrl: 'https://example.com/videos/sarah-speaking.mp4',
  externalClientId: 'sarah-johnson-001',
  version: 'v2',
};

async function seeded({ consent = true } = {}) {
  const world = createTestWorld();
  const seed = await seedOrganization(world);
  if (consent) await world.services.digitalTwinConsent.grant(seed.admin, seed.org.id, undefined);
  return { world, ...seed, key: keyOf(seed.project) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return (error as { code: string }).code;
}

describe('digital twins', () => {
  it('when no admin has consented, creation fails with DigitalTwinConsentRequired and stores nothing', async () => {
    const { world, key } = await seeded({ consent: false });
    const error = await world.services.digitalTwins.create(key, sarah).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).code).toBe('DigitalTwinConsentRequired');
    expect(world.companions.table.rows.size).toBe(0);
    expect(world.twinClaims.table.rows.size).toBe(0);
  });

  it('with consent, the seed request creates a pending twin with its voice and video awaiting intake', async () => {
    const { world, key } = await seeded();
    const twin = await world.services.digitalTwins.create(key, sarah);
    expect(twin).toMatchObject({
      personaType: 'digitalTwin',
      firstName: 'Sarah',
      lastName: 'Johnson',
      gender: 'female',
      ethnicity: 'Caucasian',
      version: 'v2',
      externalClientId: 'sarah-johnson-001',
      status: 'pending',
      voice: { status: 'pending' },
      media: {
        voice: { source: 'url', url: sarah.voiceUrl, status: 'awaiting' },
        video: { source: 'url', url: sarah.videoUrl, status: 'awaiting' },
      },
    });
    expect(world.events.events.map((e) => e.type)).toEqual(['companion.created']);
    const listed = await world.services.companions.list(key, { personaType: 'digitalTwin' }, { pageIndex: 0, pageSize: 20 });
    expect(listed.items.map((c) => c.id)).toEqual([twin.id]);
  });

  it('when the likeness does not match the version, the request is refused naming the field', async () => {
    const { world, key } = await seeded();
    const cases: [Partial<NewDigitalTwinInput>, string[]][] = [
      [{ version: 'v1', videoUrl: undefined }, ['pictureUrl']],
      [{ version: undefined, videoUrl: undefined }, ['pictureUrl']],
      [{ version: 'v2', videoUrl: undefined }, ['videoUrl']],
      [{ version: 'v2', pictureUrl: 'https://example.com/p.png' }, ['pictureUrl']],
      [{ version: 'v1', pictureUrl: 'https://example.com/p.png' }, ['videoUrl']],
      [{ voiceUrl: 'ftp://example.com/voice.wav' }, ['voiceUrl']],
    ];
    for (const [change, paths] of cases) {
      const error = await world.services.digitalTwins.create(key, { ...sarah, ...change }).catch((e: unknown) => e);
      expect(error, JSON.stringify(change)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.path)).toEqual(paths);
    }
    expect(world.twinClaims.table.rows.size).toBe(0);
    const plainHttp = await world.services.digitalTwins.create(key, { ...sarah, voiceUrl: 'http://example.com/voice.wav' }).catch((e: unknown) => e);
    expect(plainHttp).toMatchObject({ code: 'UrlNotAllowed' });
    expect(world.twinClaims.table.rows.size).toBe(0);
    await expect(
      world.services.digitalTwins.create(key, { ...sarah, version: undefined, videoUrl: undefined, pictureUrl: 'https://example.com/p.png' }),
    ).resolves.toMatchObject({ version: 'v1', media: { picture: { status: 'awaiting' } } });
  });

  it('when the externalClientId is already used in the project, creation fails with DigitalTwinAlreadyExists; other projects may reuse it', async () => {
    const { world, key, admin, org } = await seeded();
    await world.services.digitalTwins.create(key, sarah);
    expect(await codeOf(world.services.digitalTwins.create(key, { ...sarah, firstName: 'Sarah 2' }))).toBe('DigitalTwinAlreadyExists');

    const other = await world.services.projects.create(admin, org.id, { name: 'Other' });
    await expect(world.services.digitalTwins.create(keyOf(other), sarah)).resolves.toMatchObject({ externalClientId: sarah.externalClientId });
  });

  it('when two creations with the same externalClientId race, exactly one succeeds', async () => {
    const { world, key } = await seeded();
    const results = await Promise.allSettled([world.services.digitalTwins.create(key, sarah), world.services.digitalTwins.create(key, sarah)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(ConflictError);
    expect((rejected?.reason as ConflictError).code).toBe('DigitalTwinAlreadyExists');
    expect(world.companions.table.rows.size).toBe(1);
  });

  it('when a twin is deleted, its externalClientId can be used again', async () => {
    const { world, key } = await seeded();
    const first = await world.services.digitalTwins.create(key, sarah);
    await world.services.companions.delete(key, first.id, undefined);
    expect(world.twinClaims.table.rows.size).toBe(0);
    const second = await world.services.digitalTwins.create(key, sarah);
    expect(second.id).not.toBe(first.id);
  });

  it('when storing the twin fails after the claim, the claim is released so a retry succeeds', async () => {
    const { world, key } = await seeded();
    world.companions.beforeNextCreate = () => {
      throw new Error('store unavailable');
    };
    await expect(world.services.digitalTwins.create(key, sarah)).rejects.toThrow('store unavailable');
    expect(world.twinClaims.table.rows.size).toBe(0);
    await expect(world.services.digitalTwins.create(key, sarah)).resolves.toMatchObject({ externalClientId: sarah.externalClientId });
  });

  it('a claim without its twin holds while it may be a creation in progress, and is taken over once it is old', async () => {
    const { world, key } = await seeded();
    await world.twinClaims.create({
      projectId: key.projectId,
      externalClientId: sarah.externalClientId,
      companionId: 'comp_neverwritten',
      createdAt: world.clock.now().toISOString(),
    });
    expect(await codeOf(world.services.digitalTwins.create(key, sarah))).toBe('DigitalTwinAlreadyExists');

    world.clock.advance(ORPHANED_CLAIM_AFTER_MS + 1);
    const twin = await world.services.digitalTwins.create(key, sarah);
    await expect(world.twinClaims.get(key.projectId, sarah.externalClientId)).resolves.toMatchObject({ companionId: twin.id });
  });

  it('PATCH cannot empty the names of a twin', async () => {
    const { world, key } = await seeded();
    const twin = await world.services.digitalTwins.create(key, sarah);
    const error = await world.services.companions.update(key, twin.id, { lastName: '' }, undefined).catch((e: unknown) => e);
    expect((error as ValidationError).problems).toEqual([{ path: 'lastName', message: 'is required for a digital twin' }]);
  });
});
