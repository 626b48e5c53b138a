import { describe, expect, it } from 'vitest';
import { incomingMediaPath } from '../../../shared/domain/companion-media-intake.js';
import type { NewDigitalTwinInput } from '../../../shared/services/digital-twin-service.js';
import { makeImage, makeWav } from '../../support/media-fixtures.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

const twinInput: NewDigitalTwinInput = {
  firstName: 'Sarah',
  lastName: 'Johnson',
  description: 'VP of Customer Success.',
  gender: 'female',
  ethnicity: 'Caucasian',
  voiceUrl: 'https://media.example.com/voice.wav',
  pictureUrl: 'https://media.example.com/picture.jpg',
  externalClientId: 'sarah-1',
};

async function seeded() {
  const world = createTestWorld();
  const seed = await seedOrganization(world);
  await world.services.digitalTwinConsent.grant(seed.admin, seed.org.id, undefined);
  return { world, key: keyOf(seed.project) };
}

type World = Awaited<ReturnType<typeof seeded>>['world'];

/** Stores a file in the incoming path as the fetcher would, and runs the check the blob trigger would run. */
async function deliver(world: World, companion: { projectId: string; id: string }, kind: 'voice' | 'picture', bytes: Buffer, uploadId = 'url') {
  const path = incomingMediaPath(companion.projectId, companion.id, kind, uploadId);
  await world.mediaStore.write(path, bytes, 'application/octet-stream');
  const etag = world.mediaStore.files.get(path)!.etag;
  const check = () => world.services.mediaIntake.checkIncomingMedia({ projectId: companion.projectId, companionId: companion.id, kind, uploadId, bytes, etag });
  return { check, path };
}

const jobsOf = (world: World, kind: string, companionId: string) =>
  world.companionJobs.messages.filter((m) => m.kind === kind && m.message.companionId === companionId).length;

describe('media intake', () => {
  it('when a companion is created with media URLs, one fetch per URL is queued; without media, avatar generation is queued once', async () => {
    const { world, key } = await seeded();
    const twin = await world.services.digitalTwins.create(key, twinInput);
    expect(world.mediaFetchQueue.jobs.map((j) => [j.kind, j.url]).sort()).toEqual([
      ['picture', twinInput.pictureUrl],
      ['voice', twinInput.voiceUrl],
    ]);
    expect(jobsOf(world, 'avatarGeneration', twin.id)).toBe(0);

    const plain = await world.services.companions.create(key, { description: 'Made from its description' });
    expect(plain.mediaHandOff?.avatarGeneration).toBeDefined();
    expect(jobsOf(world, 'avatarGeneration', plain.id)).toBe(1);
    expect(world.events.events.find((e) => e.type === 'companion.created' && (e.data.companion as { id: string }).id === plain.id)).toBeDefined();
  });

  it('when the fetch cannot be queued, the new companion fails with MediaIntakeUnavailable instead of waiting for ever', async () => {
    const { world, key } = await seeded();
    world.mediaFetchQueue.failing = true;
    const twin = await world.services.digitalTwins.create(key, twinInput);
    expect(twin).toMatchObject({
      status: 'failed',
      failureReason: 'MediaIntakeUnavailable',
      media: { voice: { status: 'rejected', failureCode: 'MediaIntakeUnavailable' }, picture: { status: 'rejected' } },
    });
    world.companionJobs.failing = true;
    const plain = await world.services.companions.create(key, { description: 'x' });
    expect(plain).toMatchObject({ status: 'failed', failureReason: 'MediaIntakeUnavailable' });
  });

  it('when queueing the hand-off fails after the medium was accepted, the retried check sends it once and a further repeat sends nothing', async () => {
    const { world, key } = await seeded();
    const twin = await world.services.digitalTwins.create(key, twinInput);
    const picture = await deliver(world, twin, 'picture', await makeImage({ width: 1280, height: 720, format: 'jpeg' }));
    await expect(picture.check()).resolves.toBe('accepted');
    const voice = await deliver(world, twin, 'voice', makeWav({ seconds: 61, sampleRate: 8_000 }));

    world.companionJobs.failing = true;
    await expect(voice.check()).rejects.toThrow('queue unavailable');
    const stuck = (await world.companions.get(twin.projectId, twin.id))!;
    expect(stuck.media.voice?.status).toBe('accepted');
    expect(stuck.mediaHandOff).toBeUndefined();
    expect(world.mediaStore.files.has(voice.path)).toBe(true);

    world.companionJobs.failing = false;
    await expect(voice.check()).resolves.toBe('notExpected');
    await expect(voice.check()).resolves.toBe('notExpected');
    expect(jobsOf(world, 'avatarGeneration', twin.id)).toBe(1);
    expect(jobsOf(world, 'voiceProfile', twin.id)).toBe(1);
    expect(world.mediaStore.files.has(voice.path)).toBe(false);
  });

  it('when a twin’s picture was rejected, its accepted voice waits; an upload lifts the failure and hands the voice on', async () => {
    const { world, key } = await seeded();
    const twin = await world.services.digitalTwins.create(key, twinInput);
    await (await deliver(world, twin, 'picture', await makeImage({ width: 320, height: 180, format: 'jpeg' }))).check();
    await expect((await deliver(world, twin, 'voice', makeWav({ seconds: 61, sampleRate: 8_000 }))).check()).resolves.toBe('accepted');
    const failed = (await world.companions.get(twin.projectId, twin.id))!;
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'PictureTooSmall', voice: { status: 'pending' } });
    expect(jobsOf(world, 'voiceProfile', twin.id)).toBe(0);

    const voiceAgain = await world.services.mediaUploads.requestUpload(key, twin.id, { kind: 'voice', fileName: 'v.wav', contentType: 'audio/wav', size: 1000 }).catch((e: unknown) => e);
    expect(voiceAgain).toMatchObject({ code: 'MediaUploadNotAccepted' });
    const ticket = await world.services.mediaUploads.requestUpload(key, twin.id, { kind: 'picture', fileName: 'p.jpg', contentType: 'image/jpeg', size: 1000 });
    expect(ticket).toMatchObject({ method: 'PUT', kind: 'picture', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'image/jpeg' } });
    const reopened = (await world.companions.get(twin.projectId, twin.id))!;
    expect(reopened).toMatchObject({ status: 'pending', media: { picture: { source: 'upload', status: 'awaiting' } } });
    expect(reopened.failureReason).toBeUndefined();
    expect(jobsOf(world, 'voiceProfile', twin.id)).toBe(1);

    const upload = await deliver(world, twin, 'picture', await makeImage({ width: 1024, height: 768, format: 'jpeg' }), ticket.uploadId);
    await expect(upload.check()).resolves.toBe('accepted');
    const ready = (await world.companions.get(twin.projectId, twin.id))!;
    expect(ready.warnings?.map((w) => w.code)).toEqual(['PictureCroppedTo16x9']);
    expect(jobsOf(world, 'avatarGeneration', twin.id)).toBe(1);
    expect(jobsOf(world, 'voiceProfile', twin.id)).toBe(1);
  });

  it('when the incoming file was overwritten after the host read it, the stale check keeps and records nothing', async () => {
    const { world, key } = await seeded();
    const twin = await world.services.digitalTwins.create(key, twinInput);
    const first = await deliver(world, twin, 'voice', makeWav({ seconds: 61, sampleRate: 8_000 }));
    await world.mediaStore.write(first.path, makeWav({ seconds: 45, sampleRate: 8_000 }), 'audio/wav');
    await expect(first.check()).resolves.toBe('notExpected');
    const companion = (await world.companions.get(twin.projectId, twin.id))!;
    expect(companion.media.voice?.status).toBe('awaiting');
    expect([...world.mediaStore.files.keys()].filter((p) => p.includes('/media/'))).toEqual([]);
  });
});
