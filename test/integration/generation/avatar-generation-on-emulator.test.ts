import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { LOCAL_ENGINE_WARNINGS } from '../../../shared/adapters/avatar/local-avatar-engine.js';
import { createLocalAvatarViews, SILHOUETTE_ABSENT_REASON } from '../../../shared/adapters/media/local-avatar-views.js';
import type { ApiKeyPrincipal } from '../../../shared/domain/api-key-principal.js';
import { companionBlobPrefix } from '../../../shared/domain/companion.js';
import type { Runtime } from '../../../shared/runtime.js';
import { makeImage, makeMp4, makeWav } from '../../support/media-fixtures.js';
import { registrations } from '../helpers/function-registrations.js';
import { bootstrappedRuntime, releaseRuntime } from '../helpers/test-runtime.js';
import {
  RecordingEvents,
  blobNames,
  companionStore,
  httpCaller,
  jobMessage,
  queueRunner,
  seedCompanion,
} from './generation-fixtures.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('../helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

const BOOTSTRAP_SECRET = 'bootstrap-secret-generation-0123456789';
const connectionString = inject('storageConnectionString');
const call = httpCaller(registrations);
const runQueue = queueRunner(registrations);
const key = (secret = BOOTSTRAP_SECRET) => ({ 'x-api-key': secret });
const events = new RecordingEvents();

let runtime: Runtime;
let principal: ApiKeyPrincipal;
let store: ReturnType<typeof companionStore>;
let otherProjectKey: string;
let picture: Buffer;

const getCompanion = async (id: string) => (await call('public-companion-get', { headers: key(), params: { id } })).json!;

beforeAll(async () => {
  const started = await bootstrappedRuntime('generation', { apiKeySecret: BOOTSTRAP_SECRET, options: { events } });
  runtime = started.runtime;
  const { org } = started.bootstrap;
  await import('../../../functions/companions.js');
  await import('../../../functions/catalog.js');
  await import('../../../functions/companion-assets.js');
  await import('../../../functions/companion-generation-jobs.js');

  principal = await runtime.services.apiKeys.authenticate(BOOTSTRAP_SECRET);
  store = companionStore(runtime, connectionString);
  const admin = { userId: 'dev-admin', email: undefined, name: undefined, kind: 'devAdmin' } as const;
  const otherProject = await runtime.services.projects.create(admin, org.id, { name: 'Other' });
  otherProjectKey = (await runtime.services.apiKeys.create(admin, otherProject.id, { name: 'other', llm: { hosting: 'hosted' } })).secret;
  picture = await makeImage({ width: 1920, height: 1080, format: 'jpeg' });
});

afterAll(() => releaseRuntime(runtime));

const pictureMedia = () => ({ picture: { bytes: picture, extension: 'jpg', contentType: 'image/jpeg' } });

describe('avatar generation with the local engine, through the queue-triggered function on the emulators', () => {
  it('when a 1920×1080 picture is accepted, the companion gets a 512×512 round PNG and a 1280×720 rectangle JPEG and completes', async () => {
    const companion = await seedCompanion(store, principal, { media: pictureMedia() });
    await runQueue('avatar-generation', jobMessage(companion));

    const got = await getCompanion(companion.id);
    expect(got.status).toBe('completed');
    expect(got.avatar.views).toEqual({
      round: { url: `/public/companions/${companion.id}/assets/round`, contentType: 'image/png', width: 512, height: 512 },
      rectangle: { url: `/public/companions/${companion.id}/assets/rectangle`, contentType: 'image/jpeg', width: 1280, height: 720 },
    });
    expect(got.previewUrl).toBe(`/public/companions/${companion.id}/assets/rectangle`);
    expect(got.warnings).toContainEqual({ code: 'SilhouetteViewUnavailable', message: SILHOUETTE_ABSENT_REASON });
    expect(JSON.stringify(got)).not.toContain('blobPath');

    const names = await blobNames(store.blobs, `${companionBlobPrefix(companion.projectId, companion.id)}views/`);
    expect(names.map((n) => n.split('/').pop())).toEqual(['rectangle.jpg', 'round.png']);
  });

  it('serves each view with its type, ETag and cache header, answers If-None-Match with 304, and an absent view with 404', async () => {
    const companion = await seedCompanion(store, principal, { media: pictureMedia() });
    await runQueue('avatar-generation', jobMessage(companion));

    const round = await call('public-companion-asset-get', { headers: key(), params: { id: companion.id, view: 'round' } });
    expect(round.status).toBe(200);
    expect(round.headers.get('content-type')).toBe('image/png');
    expect(round.headers.get('cache-control')).toBe('private, max-age=300');
    expect(round.headers.get('etag')).toMatch(/^".+"$/);
    expect(Number(round.headers.get('content-length'))).toBe(round.bytes.length);
    const decoded = await sharp(round.bytes).metadata();
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['png', 512, 512]);

    const rectangle = await call('public-companion-asset-get', { headers: key(), params: { id: companion.id, view: 'rectangle' } });
    expect(rectangle.headers.get('content-type')).toBe('image/jpeg');
    expect((await sharp(rectangle.bytes).metadata()).width).toBe(1280);

    const again = await call('public-companion-asset-get', {
      headers: { ...key(), 'if-none-match': round.headers.get('etag')! },
      params: { id: companion.id, view: 'round' },
    });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);

    const silhouette = await call('public-companion-asset-get', { headers: key(), params: { id: companion.id, view: 'silhouette' } });
    expect([silhouette.status, silhouette.json?.code]).toEqual([404, 'NotFound']);
    const badView = await call('public-companion-asset-get', { headers: key(), params: { id: companion.id, view: 'square' } });
    expect([badView.status, badView.json?.code]).toEqual([400, 'ValidationFailed']);
  });

  it("never serves another project's views, and refuses calls without an API key", async () => {
    const companion = await seedCompanion(store, principal, { media: pictureMedia() });
    await runQueue('avatar-generation', jobMessage(companion));
    const other = await call('public-companion-asset-get', { headers: key(otherProjectKey), params: { id: companion.id, view: 'round' } });
    expect([other.status, other.json?.code]).toEqual([404, 'NotFound']);
    const anonymous = await call('public-companion-asset-get', { params: { id: companion.id, view: 'round' } });
    expect(anonymous.status).toBe(401);
  });

  it('moves pending → generationCompleted → readyToUse → completed in that order, one companion.updated event per step', async () => {
    const companion = await seedCompanion(store, principal, { media: pictureMedia() });
    await runQueue('avatar-generation', jobMessage(companion));
    expect(events.statusesOf(companion.id)).toEqual([
      'companion.updated:generationCompleted',
      'companion.updated:readyToUse',
      'companion.updated:completed',
    ]);
    const generated = events.events.find((e) => (e.data.companion as { id: string }).id === companion.id)!;
    expect(JSON.stringify(generated)).toContain(`/public/companions/${companion.id}/assets/round`);
  });

  it('when the message is repeated, during or after the job, nothing is generated or moved twice', async () => {
    const companion = await seedCompanion(store, principal, { media: pictureMedia() });
    // Two deliveries at once (two instances), then a late third.
    await Promise.all([runQueue('avatar-generation', jobMessage(companion)), runQueue('avatar-generation', jobMessage(companion), 2)]);
    const after = await store.companions.get(companion.projectId, companion.id);
    await runQueue('avatar-generation', jobMessage(companion), 3);

    expect(events.statusesOf(companion.id)).toEqual([
      'companion.updated:generationCompleted',
      'companion.updated:readyToUse',
      'companion.updated:completed',
    ]);
    const final = await store.companions.get(companion.projectId, companion.id);
    expect(final?.etag).toBe(after?.etag);
    expect(final?.status).toBe('completed');
    expect(await blobNames(store.blobs, `${companionBlobPrefix(companion.projectId, companion.id)}views/`)).toHaveLength(2);
  });

  it('when the companion has no picture, its views are cut from a portrait generated from its description, gender and ethnicity', async () => {
    const companion = await seedCompanion(store, principal);
    await runQueue('avatar-generation', jobMessage(companion));

    const got = await getCompanion(companion.id);
    expect(got.status).toBe('completed');
    expect(got.avatar.views.round).toMatchObject({ width: 512, height: 512, contentType: 'image/png' });
    expect(got.warnings).toContainEqual(LOCAL_ENGINE_WARNINGS.portraitGenerated);

    // The same portrait the renderer draws for this companion (seeded with its id), so a retry writes the same bytes.
    const renderer = createLocalAvatarViews();
    const portrait = await renderer.generatePortrait({ description: companion.description, gender: 'female', ethnicity: 'Caucasian', seed: companion.id });
    const expected = await renderer.deriveViews(portrait.bytes);
    const served = await call('public-companion-asset-get', { headers: key(), params: { id: companion.id, view: 'rectangle' } });
    expect(served.bytes.equals(expected.views.rectangle!.bytes)).toBe(true);
  });

  it('when a v2 companion has a video, the local engine says plainly that it could not use it and draws a portrait instead', async () => {
    const companion = await seedCompanion(store, principal, {
      version: 'v2',
      media: { video: { bytes: makeMp4({ seconds: 10 }), extension: 'mp4', contentType: 'video/mp4' } },
    });
    await runQueue('avatar-generation', jobMessage(companion));
    const got = await getCompanion(companion.id);
    expect(got.status).toBe('completed');
    expect(got.avatar.views.rectangle).toMatchObject({ width: 1280, height: 720 });
    expect(got.warnings).toContainEqual(LOCAL_ENGINE_WARNINGS.videoNotUsed);
    expect(LOCAL_ENGINE_WARNINGS.videoNotUsed.message).toMatch(/cannot decode video frames/);
  });

  it('when a message arrives before the media is accepted, it changes nothing (the intake queues again later)', async () => {
    const companion = await seedCompanion(store, principal, {
      media: { picture: { bytes: picture, extension: 'jpg', contentType: 'image/jpeg', status: 'checking' } },
    });
    await runQueue('avatar-generation', jobMessage(companion));
    const stored = await store.companions.get(companion.projectId, companion.id);
    expect(stored?.status).toBe('pending');
    expect(stored?.avatar.views).toEqual({});
    expect(events.statusesOf(companion.id)).toEqual([]);
  });

  it('when a message names another organization or a deleted companion, or is malformed, it is dropped', async () => {
    const companion = await seedCompanion(store, principal, { media: pictureMedia() });
    await runQueue('avatar-generation', { ...jobMessage(companion), orgId: 'org_someoneelse' });
    await runQueue('avatar-generation', { ...jobMessage(companion), companionId: 'comp_gone' });
    await runQueue('avatar-generation', { companionId: 42 });
    await runQueue('avatar-generation', 'not json');
    expect((await store.companions.get(companion.projectId, companion.id))?.status).toBe('pending');
  });
});

describe('failure after retries (poison queue)', () => {
  it('when the job fails on every try, the poison-queue function marks the companion failed with a reason, once', async () => {
    // The picture is recorded as accepted but is not in storage: every try fails.
    const companion = await seedCompanion(store, principal, { media: pictureMedia(), skipFiles: true });
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await expect(runQueue('avatar-generation', jobMessage(companion), attempt)).rejects.toThrow();
    }
    expect((await store.companions.get(companion.projectId, companion.id))?.status).toBe('pending');

    await runQueue('avatar-generation-poison', jobMessage(companion));
    await runQueue('avatar-generation-poison', jobMessage(companion));
    const got = await getCompanion(companion.id);
    expect(got).toMatchObject({ status: 'failed', failureReason: 'AvatarGenerationFailed' });
    expect(got.warnings).toContainEqual(expect.objectContaining({ code: 'AvatarGenerationFailed' }));
    expect(events.statusesOf(companion.id)).toEqual(['companion.updated:failed']);

    // A late message for the failed companion does not revive it.
    await runQueue('avatar-generation', jobMessage(companion), 6);
    expect((await store.companions.get(companion.projectId, companion.id))?.status).toBe('failed');
  });

  it('when a poison message arrives for a companion that completed, it is left as it is', async () => {
    const companion = await seedCompanion(store, principal, { media: pictureMedia() });
    await runQueue('avatar-generation', jobMessage(companion));
    await runQueue('avatar-generation-poison', jobMessage(companion));
    expect((await store.companions.get(companion.projectId, companion.id))?.status).toBe('completed');
  });
});

describe('voice profiles with the local engine', () => {
  const twinMedia = () => ({
    ...pictureMedia(),
    voice: { bytes: makeWav({ seconds: 61, sampleRate: 8_000 }), extension: 'wav', contentType: 'audio/wav' },
  });

  it('when the voice is ready first, the twin waits at pending, then completes with its views', async () => {
    const twin = await seedCompanion(store, principal, { personaType: 'digitalTwin', media: twinMedia() });
    await runQueue('voice-profile', jobMessage(twin));
    const voiced = await store.companions.get(twin.projectId, twin.id);
    expect(voiced?.status).toBe('pending');
    expect(voiced?.voice).toMatchObject({ status: 'ready', profile: { engine: 'local', blobPath: `${companionBlobPrefix(twin.projectId, twin.id)}voice/profile.wav` } });
    const profile = await store.assets.read(`${companionBlobPrefix(twin.projectId, twin.id)}voice/profile.wav`);
    expect(profile?.bytes.equals(twinMedia().voice.bytes)).toBe(true);

    await runQueue('avatar-generation', jobMessage(twin));
    const got = await getCompanion(twin.id);
    expect(got).toMatchObject({ status: 'completed', voice: { status: 'ready' } });
    expect(got.voice).not.toHaveProperty('profile');
    expect(events.statusesOf(twin.id)).toEqual([
      'companion.updated:pending',
      'companion.updated:generationCompleted',
      'companion.updated:readyToUse',
      'companion.updated:completed',
    ]);
  });

  it('when the views are ready first, the twin stops at readyToUse until its voice profile is ready', async () => {
    const twin = await seedCompanion(store, principal, { personaType: 'digitalTwin', media: twinMedia() });
    await runQueue('avatar-generation', jobMessage(twin));
    expect((await store.companions.get(twin.projectId, twin.id))?.status).toBe('readyToUse');

    await runQueue('voice-profile', jobMessage(twin));
    await runQueue('voice-profile', jobMessage(twin), 2);
    expect(await getCompanion(twin.id)).toMatchObject({ status: 'completed', voice: { status: 'ready' } });
    expect(events.statusesOf(twin.id)).toEqual([
      'companion.updated:generationCompleted',
      'companion.updated:readyToUse',
      'companion.updated:completed',
    ]);
  });

  it('when the voice job fails on every try, the poison-queue function fails the twin and its voice', async () => {
    const twin = await seedCompanion(store, principal, { personaType: 'digitalTwin', media: twinMedia() });
    await runQueue('avatar-generation', jobMessage(twin));
    await runQueue('voice-profile-poison', jobMessage(twin));
    expect(await getCompanion(twin.id)).toMatchObject({
      status: 'failed',
      failureReason: 'VoiceProfileFailed',
      voice: { status: 'failed', failureReason: 'VoiceProfileFailed' },
    });
  });

  it('when a voice profile message names a companion that is not a twin, it is ignored', async () => {
    const companion = await seedCompanion(store, principal, { media: pictureMedia() });
    await runQueue('voice-profile', jobMessage(companion));
    expect((await store.companions.get(companion.projectId, companion.id))?.voice).toBeUndefined();
  });
});

describe('stock catalog previews', () => {
  it('serves each stock companion a 1920×1080 PNG portrait at its previewUrl, the same bytes every time', async () => {
    const list = await call('public-companion-stock-list', { headers: key() });
    const ava = list.json!.items.find((c: { id: string }) => c.id === 'comp_stock-ava');
    expect(ava.previewUrl).toBe('/public/companions/stock/comp_stock-ava/preview');

    const first = await call('public-companion-stock-preview-get', { headers: key(), params: { id: 'comp_stock-ava' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    const decoded = await sharp(first.bytes).metadata();
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['png', 1920, 1080]);

    const second = await call('public-companion-stock-preview-get', { headers: key(), params: { id: 'comp_stock-ava' } });
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    const cached = await call('public-companion-stock-preview-get', {
      headers: { ...key(), 'if-none-match': first.headers.get('etag')! },
      params: { id: 'comp_stock-ava' },
    });
    expect(cached.status).toBe(304);

    const kofi = await call('public-companion-stock-preview-get', { headers: key(), params: { id: 'comp_stock-kofi' } });
    expect(kofi.bytes.equals(first.bytes)).toBe(false);
    const unknown = await call('public-companion-stock-preview-get', { headers: key(), params: { id: 'comp_stock-nobody' } });
    expect(unknown.status).toBe(404);
  });
});
