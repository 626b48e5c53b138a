import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowBrowserUploads, localServiceOrigins } from '../../local/emulators/azurite.js';
import { installFunctionsCore } from '../../local/functions-core/index.js';
import type { LocalHost } from '../../local/host/index.js';
import { COMPANION_MEDIA_FETCH_QUEUE } from '../../shared/adapters/queues.js';
import type { ApiKeyPrincipal } from '../../shared/domain/api-key-principal.js';
import { COMPANION_MEDIA_CONTAINER, type Companion } from '../../shared/domain/companion.js';
import { mediaUploadDeadlineJobSchema } from '../../shared/domain/media-fetch-job.js';
import { createRuntime, setRuntime, type Runtime } from '../../shared/runtime.js';
import { delay, waitFor } from '../fixtures/host-app/wait-for.js';
import { makeImage, makeWav } from '../support/media-fixtures.js';
import { hostCaller, sendBase64, startLoopbackServer, startOwnAzurite, startTestHost, type LoopbackServer, type OwnAzurite } from './helpers/local-host-harness.js';
import { emulatorConfig, silentLogger } from './helpers/test-runtime.js';

/**
 * Media declared as uploads at creation (`uploads`), end to end on an Azurite of this file's own and the shared Cosmos
 * server: the upload route, a PUT of the file to the upload URL as a browser sends it (CORS included), the
 * blob-triggered check, avatar generation and the voice profile by the local engines, and the deadline check that
 * rejects an upload that never came with UploadExpired. The runtime's clock can be moved forward, so deadlines come
 * without waiting 30 minutes.
 */

const API_KEY = 'uploads-at-creation-key-0123456789';
const DEV_TOKEN = 'uploads-at-creation-dev-admin-0123456789';
const MINUTE = 60_000;

let azurite: OwnAzurite;
let runtime: Runtime;
let host: LocalHost;
let principal: ApiKeyPrincipal;
let container: ContainerClient;
let queues: QueueServiceClient;
let picture: Buffer;
let voice: Buffer;
/** Serves the picture for a twin that gives it by URL. */
let mediaServer: LoopbackServer;

/** The services' clock: the real time plus an offset a test moves (and puts back). */
let clockOffsetMs = 0;
const clock = { now: () => new Date(Date.now() + clockOffsetMs) };

const call = hostCaller(() => host.url, API_KEY);

async function stored(id: string): Promise<Companion> {
  const companion = await runtime.services.companions.get(principal, id);
  if ('stock' in companion) throw new Error('not a project companion');
  return companion;
}

const until = (id: string, what: string, done: (c: Companion) => boolean, timeoutMs = 30_000) =>
  waitFor(async () => {
    const companion = await stored(id);
    return done(companion) ? companion : undefined;
  }, what, timeoutMs, 100);

/** Asks for an upload URL and PUTs the file to it as the dashboard's browser does, from the service's origin. */
async function upload(id: string, kind: 'picture' | 'voice', body: Buffer, contentType: string): Promise<string> {
  const ticket = await call('POST', `public/companions/${id}/uploads`, { kind, fileName: `file.${contentType.split('/')[1]}`, contentType, size: body.length });
  expect(ticket.status, JSON.stringify(ticket.json)).toBe(201);
  const put = await fetch(ticket.json.uploadUrl as string, {
    method: 'PUT',
    headers: { ...(ticket.json.headers as Record<string, string>), origin: host.url },
    body,
  });
  expect(put.status).toBe(201);
  expect(put.headers.get('access-control-allow-origin')).toBe(host.url);
  return ticket.json.uploadId as string;
}

beforeAll(async () => {
  [picture, voice] = await Promise.all([makeImage({ width: 1280, height: 720, format: 'png' }), Promise.resolve(makeWav({ seconds: 61, sampleRate: 8_000 }))]);
  mediaServer = await startLoopbackServer(new Map([['/picture.png', { body: picture, contentType: 'image/png' }]]));
  azurite = await startOwnAzurite('uploads-at-creation-azurite-');
  const settings = { AzureWebJobsStorage: azurite.connectionString, COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN, COMPANION_ALLOW_PRIVATE_URLS: '1' };
  runtime = await createRuntime(emulatorConfig('uploads-at-creation', settings), {
    logger: silentLogger,
    clock,
  });
  await runtime.ensureContainers();
  const { org } = await runtime.services.bootstrap.ensureLocalBootstrap({ apiKeySecret: API_KEY });
  principal = await runtime.services.apiKeys.authenticate(API_KEY);
  const admin = await runtime.services.manageAuthentication.authenticate(DEV_TOKEN);
  await runtime.services.digitalTwinConsent.grant(admin, org.id, undefined);
  setRuntime(runtime);

  installFunctionsCore();
  await import('../../functions/setup.js');
  await import('../../functions/companions.js');
  await import('../../functions/digital-twins.js');
  await import('../../functions/companion-uploads.js');
  await import('../../functions/companion-media-fetch.js');
  await import('../../functions/companion-media-check.js');
  await import('../../functions/companion-generation-jobs.js');
  host = await startTestHost(azurite.connectionString, 'uploads-at-creation-test');
  // What the local stack does once its host listens (local/stack.ts).
  await allowBrowserUploads(azurite.connectionString, localServiceOrigins(host.url));
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(COMPANION_MEDIA_CONTAINER);
  queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
}, 120_000);

afterAll(async () => {
  await host?.stop();
  setRuntime(undefined);
  await runtime?.dispose();
  await mediaServer?.close();
  await azurite?.stop();
}, 60_000);

describe('media declared as uploads at creation', () => {
  it('a companion created with uploads: ["picture"] waits for it; the uploaded PNG is checked and accepted and the companion completes', async () => {
    const created = await call('POST', 'public/companions', { description: 'A friendly guide', uploads: ['picture'] });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: 'pending', media: { picture: { source: 'upload', status: 'awaiting' } } });
    expect(created.json.media.picture).not.toHaveProperty('uploadDeadline');
    const id = created.json.id as string;
    const waiting = await stored(id);
    expect(waiting.mediaHandOff).toBeUndefined();
    expect(Date.parse(waiting.media.picture!.uploadDeadline!) - Date.parse(waiting.created)).toBe(30 * MINUTE);

    await upload(id, 'picture', picture, 'image/png');
    const accepted = await until(id, 'the uploaded picture to be accepted', (c) => c.media.picture?.status === 'accepted');
    expect(accepted.media.picture).toMatchObject({ source: 'upload', contentType: 'image/png', width: 1280, height: 720 });
    expect(await container.getBlobClient(`${principal.projectId}/${id}/media/picture.png`).exists()).toBe(true);
    const completed = await until(id, 'the companion to complete', (c) => c.status === 'completed');
    expect(completed.avatar.views.round).toBeDefined();
    expect(completed.mediaHandOff?.avatarGeneration).toBeDefined();
  }, 60_000);

  it('a twin created with uploads: ["voice", "picture"] completes once both uploads are accepted, and one with a picture URL takes the voice upload', async () => {
    const twin = {
      firstName: 'Sarah',
      lastName: 'Johnson',
      description: 'VP of Customer Success at Acme Corp.',
      gender: 'female',
      ethnicity: 'Caucasian',
    };
    const created = await call('POST', 'public/digital-twins', { ...twin, externalClientId: 'uploads-twin-1', uploads: ['voice', 'picture'] });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id = created.json.id as string;
    expect(created.json).toMatchObject({ status: 'pending', voice: { status: 'pending' }, media: { voice: { source: 'upload', status: 'awaiting' } } });

    await upload(id, 'voice', voice, 'audio/wav');
    await until(id, 'the voice to be accepted', (c) => c.media.voice?.status === 'accepted');
    // The likeness still awaits its upload: no avatar generation yet.
    await delay(300);
    expect((await stored(id)).mediaHandOff?.avatarGeneration).toBeUndefined();
    await upload(id, 'picture', picture, 'image/png');
    const done = await until(id, 'the twin to complete', (c) => c.status === 'completed');
    expect(done.voice?.status).toBe('ready');

    // The picture by URL (fetched), the voice uploaded.
    const mixed = await call('POST', 'public/digital-twins', { ...twin, externalClientId: 'uploads-twin-4', pictureUrl: `${mediaServer.base}/picture.png`, uploads: ['voice'] });
    expect(mixed.status, JSON.stringify(mixed.json)).toBe(201);
    const mixedId = mixed.json.id as string;
    expect(mixed.json.media).toMatchObject({ picture: { source: 'url', status: 'awaiting' }, voice: { source: 'upload', status: 'awaiting' } });
    await until(mixedId, 'the fetched picture to be accepted', (c) => c.media.picture?.status === 'accepted');
    expect((await stored(mixedId)).mediaHandOff?.avatarGeneration).toBeUndefined();
    await upload(mixedId, 'voice', voice, 'audio/wav');
    await until(mixedId, 'the mixed twin to complete', (c) => c.status === 'completed');

    // Errors at creation are field-level.
    const both = await call('POST', 'public/digital-twins', { ...twin, externalClientId: 'uploads-twin-2', voiceUrl: 'https://media.example.com/v.wav', uploads: ['voice', 'picture'] });
    expect(both).toMatchObject({ status: 400, json: { code: 'ValidationFailed' } });
    expect(both.json.errors.map((e: { path: string }) => e.path)).toEqual(['uploads.0']);
    const noVoice = await call('POST', 'public/digital-twins', { ...twin, externalClientId: 'uploads-twin-3', uploads: ['picture'] });
    expect(noVoice).toMatchObject({ status: 400, json: { code: 'ValidationFailed', errors: [{ path: 'voiceUrl' }] } });
    const wrongKind = await call('POST', 'public/companions', { description: 'd', version: 'v2', uploads: ['picture'] });
    expect(wrongKind).toMatchObject({ status: 400, json: { code: 'ValidationFailed', errors: [{ path: 'uploads.0' }] } });
    const voiceOnCompanion = await call('POST', 'public/companions', { description: 'd', uploads: ['voice'] });
    expect(voiceOnCompanion).toMatchObject({ status: 400, json: { code: 'ValidationFailed', errors: [{ path: 'uploads.0' }] } });
    const twice = await call('POST', 'public/companions', { description: 'd', uploads: ['picture', 'picture'] });
    expect(twice).toMatchObject({ status: 400, json: { code: 'ValidationFailed' } });
  }, 90_000);

  it('the deadline check, delivered through the queue after the deadline, rejects an upload that never came with UploadExpired, once; for an accepted upload it changes nothing', async () => {
    const created = await call('POST', 'public/companions', { description: 'Never uploaded', uploads: ['picture'] });
    const id = created.json.id as string;
    const deadline = (await stored(id)).media.picture!.uploadDeadline!;
    const check = mediaUploadDeadlineJobSchema.parse({ companionId: id, projectId: principal.projectId, orgId: principal.orgId, kind: 'picture', uploadDeadline: deadline });

    // The real check is hidden for 30 minutes; copies of it are sent here. Delivered early, it changes nothing.
    const before = await stored(id);
    expect(await runtime.services.mediaUploads.expireUpload(check)).toBe('notDue');
    expect((await stored(id)).etag).toBe(before.etag);

    clockOffsetMs = 31 * MINUTE;
    try {
      await sendBase64(queues, COMPANION_MEDIA_FETCH_QUEUE, check);
      const expired = await until(id, 'the upload to expire', (c) => c.status === 'failed');
      expect(expired).toMatchObject({ failureReason: 'UploadExpired', media: { picture: { source: 'upload', status: 'rejected', failureCode: 'UploadExpired' } } });
      const publicView = await call('GET', `public/companions/${id}`);
      expect(publicView.json).toMatchObject({ status: 'failed', failureReason: 'UploadExpired', media: { picture: { status: 'rejected', failureCode: 'UploadExpired' } } });
      // Delivered twice: nothing changes the second time.
      await sendBase64(queues, COMPANION_MEDIA_FETCH_QUEUE, check);
      expect(await runtime.services.mediaUploads.expireUpload(check)).toBe('notAwaited');
      await delay(500);
      expect((await stored(id)).etag).toBe(expired.etag);
    } finally {
      clockOffsetMs = 0;
    }

    // A replacement upload is taken, as after any rejection, and completes the companion.
    await upload(id, 'picture', picture, 'image/png');
    await until(id, 'the replacement to complete the companion', (c) => c.status === 'completed');

    // For a medium already uploaded and accepted, the check (however late) changes nothing.
    const accepted = await stored(id);
    clockOffsetMs = 120 * MINUTE;
    try {
      expect(await runtime.services.mediaUploads.expireUpload(check)).toBe('notAwaited');
    } finally {
      clockOffsetMs = 0;
    }
    expect((await stored(id)).etag).toBe(accepted.etag);
  }, 60_000);

  it('the local Azurite answers a browser’s CORS preflight for the PUT to an upload URL from the service’s origins, and no other', async () => {
    const created = await call('POST', 'public/companions', { description: 'Preflight', uploads: ['picture'] });
    const ticket = await call('POST', `public/companions/${created.json.id as string}/uploads`, { kind: 'picture', fileName: 'p.png', contentType: 'image/png', size: 1000 });
    const preflight = (origin: string) =>
      fetch(ticket.json.uploadUrl as string, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-ms-blob-type,content-type' },
      });
    const port = new URL(host.url).port;
    for (const origin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`]) {
      const answer = await preflight(origin);
      expect(answer.status, origin).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      expect(answer.headers.get('access-control-allow-methods')).toBe('PUT');
    }
    expect((await preflight('http://evil.example')).status).toBe(403);
  });
});
