import { describe, expect, it } from 'vitest';
import { incomingMediaPath, isMediaFailureCode } from '../../../shared/domain/companion-media-intake.js';
import { ValidationError } from '../../../shared/domain/errors.js';
import { parseInput } from '../../../shared/http/zod-problems.js';
import { createCompanionBody } from '../../../shared/http/schemas/companion.js';
import { createDigitalTwinBody } from '../../../shared/http/schemas/digital-twin.js';
import type { NewDigitalTwinInput } from '../../../shared/services/digital-twin-service.js';
import { makeImage } from '../../support/media-fixtures.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

const MINUTE = 60_000;

const twinInput: NewDigitalTwinInput = {
  firstName: 'Sarah',
  lastName: 'Johnson',
  description: 'VP of Customer Success.',
  gender: 'female',
  ethnicity: 'Caucasian',
  externalClientId: 'sarah-1',
  uploads: ['voice', 'picture'],
};

async function seeded() {
  const world = createTestWorld();
  const seed = await seedOrganization(world);
  await world.services.digitalTwinConsent.grant(seed.admin, seed.org.id, undefined);
  return { world, key: keyOf(seed.project) };
}

async function problemPaths(work: Promise<unknown>): Promise<string[]> {
  const error = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).problems.map((p) => p.path);
}

describe('media declared as uploads at creation', () => {
  it('the create bodies take a unique list of kinds, and a twin no longer needs voiceUrl in the body', () => {
    expect(parseInput(createCompanionBody, { description: 'd', uploads: ['picture'] })).toMatchObject({ uploads: ['picture'] });
    expect(() => parseInput(createCompanionBody, { description: 'd', uploads: ['picture', 'picture'] })).toThrow(ValidationError);
    expect(() => parseInput(createCompanionBody, { description: 'd', uploads: ['audio'] })).toThrow(ValidationError);
    const { externalClientId, firstName, lastName, description, gender, ethnicity } = twinInput;
    expect(parseInput(createDigitalTwinBody, { externalClientId, firstName, lastName, description, gender, ethnicity, uploads: ['voice'] })).toMatchObject({
      uploads: ['voice'],
    });
  });

  it('refuses a kind given both ways, the wrong likeness for the version, voice on a companion, and a twin without a voice or likeness', async () => {
    const { world, key } = await seeded();
    const companions = world.services.companions;
    expect(await problemPaths(companions.create(key, { description: 'd', pictureUrl: 'https://m.example.com/p.png', uploads: ['picture'] }))).toEqual([
      'uploads.0',
    ]);
    expect(await problemPaths(companions.create(key, { description: 'd', uploads: ['video'] }))).toEqual(['uploads.0']);
    expect(await problemPaths(companions.create(key, { description: 'd', version: 'v2', uploads: ['video', 'picture'] }))).toEqual(['uploads.1']);
    expect(await problemPaths(companions.create(key, { description: 'd', uploads: ['picture', 'voice'] }))).toEqual(['uploads.1']);

    const twins = world.services.digitalTwins;
    expect(await problemPaths(twins.create(key, { ...twinInput, uploads: ['picture'] }))).toEqual(['voiceUrl']);
    expect(await problemPaths(twins.create(key, { ...twinInput, uploads: ['voice'] }))).toEqual(['pictureUrl']);
    expect(await problemPaths(twins.create(key, { ...twinInput, version: 'v2', uploads: ['voice'] }))).toEqual(['videoUrl']);
    expect(await problemPaths(twins.create(key, { ...twinInput, version: 'v2', uploads: ['voice', 'picture'] }))).toEqual(['uploads.1', 'videoUrl']);
    expect(await problemPaths(twins.create(key, { ...twinInput, voiceUrl: 'https://m.example.com/v.wav' }))).toEqual(['uploads.0']);
    expect(world.twinClaims.table.rows.size).toBe(0);
  });

  it('records each declared kind as an awaited upload with a deadline 30 minutes on, queues its deadline check, and hands nothing to generation yet', async () => {
    const { world, key } = await seeded();
    const start = world.clock.now().getTime();
    const twin = await world.services.digitalTwins.create(key, { ...twinInput, uploads: ['voice'], pictureUrl: 'https://m.example.com/p.jpg' });
    const deadline = new Date(start + 30 * MINUTE).toISOString();
    expect(twin).toMatchObject({
      status: 'pending',
      media: { voice: { source: 'upload', status: 'awaiting', uploadDeadline: deadline }, picture: { source: 'url', status: 'awaiting' } },
    });
    expect(world.mediaFetchQueue.jobs.map((j) => j.kind)).toEqual(['picture']);
    expect(world.mediaFetchQueue.deadlines).toEqual([
      { job: { companionId: twin.id, projectId: twin.projectId, orgId: twin.orgId, kind: 'voice', uploadDeadline: deadline }, delaySeconds: 30 * 60 },
    ]);
    expect(twin.mediaHandOff).toBeUndefined();
    expect(world.companionJobs.messages).toEqual([]);
  });

  it('the upload route accepts the declared medium; once its file is accepted, avatar generation is handed off', async () => {
    const { world, key } = await seeded();
    const companion = await world.services.companions.create(key, { description: 'd', uploads: ['picture'] });
    expect(companion.mediaHandOff).toBeUndefined();
    world.clock.advance(10 * MINUTE);
    const events = world.events.events.length;
    const ticket = await world.services.mediaUploads.requestUpload(key, companion.id, { kind: 'picture', fileName: 'p.png', contentType: 'image/png', size: 1000 });
    // The URL's 15 minutes and 15 of grace from now, later than the creation's deadline: the record moves, unseen.
    const moved = (await world.companions.get(companion.projectId, companion.id))!;
    expect(moved.media.picture).toMatchObject({ source: 'upload', status: 'awaiting', uploadDeadline: new Date(world.clock.now().getTime() + 30 * MINUTE).toISOString() });
    expect(world.events.events.length).toBe(events);
    expect(world.mediaFetchQueue.deadlines.map((d) => d.delaySeconds)).toEqual([30 * 60, 30 * 60]);

    const bytes = await makeImage({ width: 1280, height: 720, format: 'png' });
    const path = incomingMediaPath(companion.projectId, companion.id, 'picture', ticket.uploadId);
    await world.mediaStore.write(path, bytes, 'image/png');
    const etag = world.mediaStore.files.get(path)!.etag;
    await expect(
      world.services.mediaIntake.checkIncomingMedia({ projectId: companion.projectId, companionId: companion.id, kind: 'picture', uploadId: ticket.uploadId, bytes, etag }),
    ).resolves.toBe('accepted');
    const handedOff = (await world.companions.get(companion.projectId, companion.id))!;
    expect(handedOff.mediaHandOff?.avatarGeneration).toBeDefined();
    expect(world.companionJobs.messages.filter((m) => m.kind === 'avatarGeneration')).toHaveLength(1);

    // Its deadline check, later, changes nothing.
    world.clock.advance(60 * MINUTE);
    for (const { job } of world.mediaFetchQueue.deadlines) await expect(world.services.mediaUploads.expireUpload(job)).resolves.toBe('notAwaited');
    expect((await world.companions.get(companion.projectId, companion.id))!.etag).toBe(handedOff.etag);
  });

  it('an upload that never comes is rejected with UploadExpired at its latest deadline, once; a replacement may then be uploaded', async () => {
    const { world, key } = await seeded();
    const twin = await world.services.digitalTwins.create(key, { ...twinInput, uploads: ['voice', 'picture'] });
    const [creationCheck] = world.mediaFetchQueue.deadlines;
    world.clock.advance(25 * MINUTE);
    await world.services.mediaUploads.requestUpload(key, twin.id, { kind: 'voice', fileName: 'v.wav', contentType: 'audio/wav', size: 1000 });
    const urlCheck = world.mediaFetchQueue.deadlines.at(-1)!;

    // The creation's check of the voice comes at 30 minutes: the upload URL moved its deadline to 55, so it waits.
    world.clock.advance(5 * MINUTE);
    const voiceCreationCheck = world.mediaFetchQueue.deadlines.find((d) => d.job.kind === 'voice')!;
    await expect(world.services.mediaUploads.expireUpload(voiceCreationCheck.job)).resolves.toBe('notDue');
    // The picture's is due: the twin fails with UploadExpired, and the voice keeps waiting.
    const pictureCheck = world.mediaFetchQueue.deadlines.find((d) => d.job.kind === 'picture')!;
    expect(creationCheck).toBeDefined();
    await expect(world.services.mediaUploads.expireUpload(pictureCheck.job)).resolves.toBe('expired');
    const failed = (await world.companions.get(twin.projectId, twin.id))!;
    expect(failed).toMatchObject({
      status: 'failed',
      failureReason: 'UploadExpired',
      media: { picture: { source: 'upload', status: 'rejected', failureCode: 'UploadExpired' }, voice: { status: 'awaiting' } },
    });
    expect(isMediaFailureCode('UploadExpired')).toBe(true);
    expect(world.events.events.filter((e) => e.type === 'companion.updated')).toHaveLength(1);
    // Delivered again: nothing changes.
    await expect(world.services.mediaUploads.expireUpload(pictureCheck.job)).resolves.toBe('notAwaited');
    expect((await world.companions.get(twin.projectId, twin.id))!.etag).toBe(failed.etag);

    // The URL's own check at 55 minutes rejects the voice too; the first reason stays.
    world.clock.advance(25 * MINUTE);
    await expect(world.services.mediaUploads.expireUpload(urlCheck.job)).resolves.toBe('expired');
    expect((await world.companions.get(twin.projectId, twin.id))!).toMatchObject({
      failureReason: 'UploadExpired',
      voice: { status: 'failed', failureReason: 'UploadExpired' },
      media: { voice: { status: 'rejected', failureCode: 'UploadExpired' } },
    });

    // Like any rejected medium, it takes a replacement upload, which lifts the failure while awaited.
    await world.services.mediaUploads.requestUpload(key, twin.id, { kind: 'picture', fileName: 'p.png', contentType: 'image/png', size: 1000 });
    expect((await world.companions.get(twin.projectId, twin.id))!.media.picture).toMatchObject({ source: 'upload', status: 'awaiting' });
  });

  it('a deadline check delivered before its deadline is sent again for the rest of the wait', async () => {
    const { world, key } = await seeded();
    const companion = await world.services.companions.create(key, { description: 'd', uploads: ['picture'] });
    const [check] = world.mediaFetchQueue.deadlines;
    world.clock.advance(29 * MINUTE);
    await expect(world.services.mediaUploads.expireUpload(check!.job)).resolves.toBe('notDue');
    expect(world.mediaFetchQueue.deadlines.at(-1)).toEqual({ job: check!.job, delaySeconds: 60 });
    expect((await world.companions.get(companion.projectId, companion.id))!.status).toBe('pending');
  });

  it('when the deadline check cannot be queued at creation, the awaited upload is rejected with MediaIntakeUnavailable', async () => {
    const { world, key } = await seeded();
    world.mediaFetchQueue.failing = true;
    const companion = await world.services.companions.create(key, { description: 'd', uploads: ['picture'] });
    expect(companion).toMatchObject({ status: 'failed', failureReason: 'MediaIntakeUnavailable', media: { picture: { status: 'rejected' } } });
  });
});
