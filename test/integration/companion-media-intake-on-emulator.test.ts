import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionsCore, installFunctionsCore } from '../../local/functions-core/index.js';
import type { LocalHost } from '../../local/host/index.js';
import { invokeRegistration } from '../../local/host/invoke.js';
import { jsonData, stringData, triggerBindingOf } from '../../local/host/rpc-data.js';
import { AVATAR_GENERATION_QUEUE, BLOB_TRIGGER_POISON_QUEUE, COMPANION_MEDIA_FETCH_QUEUE, VOICE_PROFILE_QUEUE, poisonQueueOf } from '../../shared/adapters/queues.js';
import type { ApiKeyPrincipal } from '../../shared/domain/api-key-principal.js';
import { COMPANION_MEDIA_CONTAINER, type Companion } from '../../shared/domain/companion.js';
import { companionJobMessageSchema } from '../../shared/domain/companion-jobs.js';
import type { DomainError } from '../../shared/domain/errors.js';
import { toProblem } from '../../shared/http/problem.js';
import { createRuntime, setRuntime, type Runtime } from '../../shared/runtime.js';
import { delay, waitFor } from '../fixtures/host-app/wait-for.js';
import { MiB, makeImage, makeWav, renamedTextFile, wavSecondsForBytes } from '../support/media-fixtures.js';
import { hostCaller, listBlobNames, sendBase64 as sendBase64To, startLoopbackServer, startOwnAzurite, startTestHost, type LoopbackServer, type OwnAzurite } from './helpers/local-host-harness.js';
import { emulatorConfig, silentLogger } from './helpers/test-runtime.js';

/**
 * The media intake end to end on its own Azurite (its queues and the `companions` container are nobody else's, so
 * every message can be counted) and the shared Cosmos server: the local host serves only the companion routes and
 * the intake's functions, so the generation queues fill up unconsumed and show what was handed off.
 */

const API_KEY = 'media-intake-bootstrap-key-0123456789';
const DEV_TOKEN = 'media-intake-dev-admin-token-0123456789';

let azurite: OwnAzurite;
let runtime: Runtime;
/** The same emulators with COMPANION_ALLOW_PRIVATE_URLS off, as in Azure. */
let strictRuntime: Runtime;
let host: LocalHost;
let mediaServer: LoopbackServer;
let mediaBase: string;
let principal: ApiKeyPrincipal;
let container: ContainerClient;
let queues: QueueServiceClient;

/** What the loopback media server answers, by path. */
const served = new Map<string, { status?: number; body?: Buffer; contentType?: string; location?: string }>();

const media: Record<string, Buffer> = {};

const call = hostCaller(() => host.url, API_KEY);

/** The stored companion with its internal fields (blob paths, hand-off marks). */
async function stored(id: string): Promise<Companion> {
  const companion = await runtime.services.companions.get(principal, id);
  if ('stock' in companion) throw new Error('not a project companion');
  return companion;
}

async function until(id: string, what: string, done: (c: Companion) => boolean, timeoutMs = 20_000): Promise<Companion> {
  return waitFor(async () => {
    const companion = await stored(id);
    return done(companion) ? companion : undefined;
  }, what, timeoutMs, 100);
}

const settled = (c: Companion) => c.status === 'failed' || Object.values(c.media).every((m) => m.status === 'accepted');

/** Every message read so far from a queue nobody consumes here, by queue. */
const seen = new Map<string, unknown[]>();
async function messagesOf(queueName: string): Promise<unknown[]> {
  const queue = queues.getQueueClient(queueName);
  const list = seen.get(queueName) ?? [];
  seen.set(queueName, list);
  if (!(await queue.exists())) return list;
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 3600 });
    if (receivedMessageItems.length === 0) break;
    for (const message of receivedMessageItems) list.push(JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8')));
  }
  return list;
}
async function jobsFor(queueName: string, companionId: string): Promise<number> {
  return (await messagesOf(queueName)).filter((m) => companionJobMessageSchema.parse(m).companionId === companionId).length;
}

const blobNames = (prefix: string) => listBlobNames(container, prefix);
const sendBase64 = (queueName: string, message: unknown) => sendBase64To(queues, queueName, message);

const twin = (externalClientId: string, voicePath: string, picturePath = '/picture-16x9.jpg') => ({
  firstName: 'Sarah',
  lastName: 'Johnson',
  description: 'VP of Customer Success at Acme Corp.',
  gender: 'female',
  ethnicity: 'Caucasian',
  externalClientId,
  voiceUrl: `${mediaBase}${voicePath}`,
  pictureUrl: `${mediaBase}${picturePath}`,
});

beforeAll(async () => {
  [media['picture-16x9.jpg'], media['picture-4x3.png'], media['picture-small.jpg']] = await Promise.all([
    makeImage({ width: 1280, height: 720, format: 'jpeg' }),
    makeImage({ width: 1024, height: 768, format: 'png' }),
    makeImage({ width: 320, height: 180, format: 'jpeg' }),
  ]);
  // 8 kHz mono keeps long recordings small: 61 s is about 1 MB, 301 s about 4.8 MB.
  media['voice-61s.wav'] = makeWav({ seconds: 61, sampleRate: 8_000 });
  media['voice-45s.wav'] = makeWav({ seconds: 45, sampleRate: 8_000 });
  media['voice-301s.wav'] = makeWav({ seconds: 301, sampleRate: 8_000 });
  media['voice-11mb.wav'] = makeWav({ seconds: wavSecondsForBytes(11 * MiB), sampleRate: 16_000 });
  media['voice-renamed.wav'] = renamedTextFile('voice.wav').bytes;
  const types: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', wav: 'audio/wav' };
  for (const [name, body] of Object.entries(media)) served.set(`/${name}`, { body, contentType: types[name.split('.').pop()!] });
  // A server that does not say what it sends: the stored type comes from the bytes.
  served.set('/voice-61s.wav', { body: media['voice-61s.wav'], contentType: 'application/octet-stream' });
  served.set('/missing.png', { status: 404, body: Buffer.from('not found') });
  served.set('/unavailable.png', { status: 503, body: Buffer.from('try later') });
  served.set('/to-private.png', { status: 302, location: 'http://10.0.0.7/picture.png' });

  mediaServer = await startLoopbackServer(served);
  mediaBase = mediaServer.base;

  azurite = await startOwnAzurite('media-intake-azurite-');
  const storage = { AzureWebJobsStorage: azurite.connectionString };
  runtime = await createRuntime(emulatorConfig('media-intake', { ...storage, COMPANION_ALLOW_PRIVATE_URLS: '1', COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN }), {
    logger: silentLogger,
  });
  strictRuntime = await createRuntime(emulatorConfig('media-intake-strict', storage), { logger: silentLogger });
  await Promise.all([runtime.ensureContainers(), strictRuntime.ensureContainers()]);
  const { org } = await runtime.services.bootstrap.ensureLocalBootstrap({ apiKeySecret: API_KEY });
  await strictRuntime.services.bootstrap.ensureLocalBootstrap({ apiKeySecret: API_KEY });
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
  await import('../../functions/blob-trigger-poison.js');
  host = await startTestHost(azurite.connectionString, 'media-intake-test');
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(COMPANION_MEDIA_CONTAINER);
  queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
}, 120_000);

afterAll(async () => {
  await host?.stop();
  setRuntime(undefined);
  await Promise.all([runtime?.dispose(), strictRuntime?.dispose()]);
  await mediaServer?.close();
  await azurite?.stop();
}, 60_000);

describe('media intake: URLs fetched by the guarded fetcher, uploads, blob-triggered checks', () => {
  it('when a twin’s voice and picture URLs serve good files (loopback allowed locally), both are fetched, checked and accepted, and each generation job is handed off', async () => {
    const created = await call('POST', 'public/digital-twins', twin('media-ok-1', '/voice-61s.wav'));
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: 'pending', media: { voice: { source: 'url', status: 'awaiting' }, picture: { source: 'url', status: 'awaiting' } } });
    const id = created.json.id as string;

    const done = await until(id, 'both media accepted', (c) => c.media.voice?.status === 'accepted' && c.media.picture?.status === 'accepted');
    const prefix = `${principal.projectId}/${id}/`;
    expect(done).toMatchObject({
      status: 'pending',
      voice: { status: 'pending' },
      media: {
        voice: { status: 'accepted', blobPath: `${prefix}media/voice.wav`, contentType: 'audio/wav', durationSeconds: 61 },
        picture: { status: 'accepted', blobPath: `${prefix}media/picture.jpg`, contentType: 'image/jpeg', width: 1280, height: 720 },
      },
    });
    expect(done.warnings).toBeUndefined();
    await waitFor(async () => (await blobNames(`${prefix}incoming/`)).length === 0, 'the incoming files to be removed');
    expect(await blobNames(prefix)).toEqual([`${prefix}media/picture.jpg`, `${prefix}media/voice.wav`]);
    const voice = container.getBlobClient(`${prefix}media/voice.wav`);
    expect((await voice.downloadToBuffer()).equals(media['voice-61s.wav']!)).toBe(true);
    expect((await voice.getProperties()).contentType).toBe('audio/wav');

    const handedOff = await until(id, 'the hand-off marks', (c) => c.mediaHandOff?.avatarGeneration !== undefined && c.mediaHandOff.voiceProfile !== undefined);
    expect(handedOff.status).toBe('pending');
    // The hand-off sends, then records; two checks finishing at the same moment may both send a job before either
    // records it. Delivery is at-least-once by design and the generation jobs are idempotent, so what holds is: each
    // job is queued, and each check sends it at most once.
    for (const queue of [AVATAR_GENERATION_QUEUE, VOICE_PROFILE_QUEUE]) {
      const queued = await jobsFor(queue, id);
      expect(queued, queue).toBeGreaterThanOrEqual(1);
      expect(queued, queue).toBeLessThanOrEqual(2);
    }
    const publicView = await call('GET', `public/companions/${id}`);
    expect(publicView.json.media.voice).toEqual({ source: 'url', url: `${mediaBase}/voice-61s.wav`, status: 'accepted' });
  });

  it.each([
    ['45 s', 'VoiceSampleTooShort', '/voice-45s.wav'],
    ['301 s', 'VoiceSampleTooLong', '/voice-301s.wav'],
    ['11 MB', 'VoiceSampleTooLarge', '/voice-11mb.wav'],
    ['a renamed text file', 'VoiceSampleInvalidFormat', '/voice-renamed.wav'],
  ])('when a twin’s voice sample is %s, the twin fails with %s', async (_what, code, voicePath) => {
    const created = await call('POST', 'public/digital-twins', twin(`media-bad-${code}`, voicePath));
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const failed = await until(id, `the twin to fail with ${code}`, (c) => c.status === 'failed');
    expect(failed).toMatchObject({ failureReason: code, voice: { status: 'failed', failureReason: code }, media: { voice: { status: 'rejected', failureCode: code } } });
    const publicView = await call('GET', `public/companions/${id}`);
    expect(publicView.json).toMatchObject({ status: 'failed', failureReason: code, voice: { status: 'failed', failureReason: code } });
    // A rejected twin is handed to no job, and a rejected file is not kept.
    await until(id, 'the picture check to settle too', (c) => c.media.picture?.status === 'accepted');
    expect(await jobsFor(AVATAR_GENERATION_QUEUE, id)).toBe(0);
    expect(await jobsFor(VOICE_PROFILE_QUEUE, id)).toBe(0);
    await waitFor(async () => (await blobNames(`${principal.projectId}/${id}/incoming/`)).length === 0, 'the incoming files to be removed');
    expect(await blobNames(`${principal.projectId}/${id}/media/voice`)).toEqual([]);
  }, 40_000);

  it('when a 4:3 picture is uploaded through the upload URL, it is checked, kept centre-cropped to 16:9 with a warning, and a repeated trigger changes nothing', async () => {
    // The picture URL fails its check first; the upload replaces it.
    const created = await call('POST', 'public/companions', { description: 'A friendly guide', pictureUrl: `${mediaBase}/picture-small.jpg` });
    const id = created.json.id as string;
    await until(id, 'the small picture to be rejected', (c) => c.status === 'failed');
    expect((await stored(id)).failureReason).toBe('PictureTooSmall');

    const picture = media['picture-4x3.png']!;
    const ticket = await call('POST', `public/companions/${id}/uploads`, { kind: 'picture', fileName: 'me.png', contentType: 'image/png', size: picture.length });
    expect(ticket.status).toBe(201);
    expect(ticket.json).toMatchObject({ method: 'PUT', kind: 'picture', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'image/png' } });
    expect(ticket.json.uploadId).toMatch(/^upl_/);
    const lifetime = Date.parse(ticket.json.expiresAt as string) - Date.now();
    expect(lifetime).toBeGreaterThan(14 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(15 * 60_000);
    const uploadUrl = new URL(ticket.json.uploadUrl as string);
    expect(uploadUrl.origin).toBe(new URL(container.url).origin);
    expect(uploadUrl.pathname).toMatch(new RegExp(`/${COMPANION_MEDIA_CONTAINER}/${principal.projectId}/${id}/incoming/picture/${ticket.json.uploadId as string}$`));
    expect(uploadUrl.searchParams.get('sp')).toBe('cw');
    // The failure the old picture caused is lifted while the upload is awaited.
    const reopened = await stored(id);
    expect(reopened).toMatchObject({ status: 'pending', media: { picture: { source: 'upload', status: 'awaiting' } } });
    expect(reopened.failureReason).toBeUndefined();

    // The URL writes exactly its one file and reads nothing.
    const put = await fetch(uploadUrl, { method: 'PUT', headers: ticket.json.headers as Record<string, string>, body: picture });
    expect(put.status).toBe(201);
    const etag = put.headers.get('etag')!;
    expect((await fetch(uploadUrl)).status).toBe(403);
    const elsewhere = new URL(uploadUrl);
    elsewhere.pathname = elsewhere.pathname.replace(/[^/]+$/, 'upl_someoneelsesfile0000');
    expect((await fetch(elsewhere, { method: 'PUT', headers: ticket.json.headers as Record<string, string>, body: 'x' })).status).toBe(403);

    const accepted = await until(id, 'the uploaded picture to be accepted', (c) => c.media.picture?.status === 'accepted');
    const blobPath = `${principal.projectId}/${id}/media/picture.png`;
    expect(accepted).toMatchObject({ status: 'pending', media: { picture: { source: 'upload', status: 'accepted', blobPath, width: 1024, height: 576 } } });
    expect(accepted.warnings).toEqual([expect.objectContaining({ code: 'PictureCroppedTo16x9' })]);
    const kept = await sharp(await container.getBlobClient(blobPath).downloadToBuffer()).metadata();
    expect([kept.format, kept.width, kept.height]).toEqual(['png', 1024, 576]);
    await waitFor(async () => (await blobNames(`${principal.projectId}/${id}/incoming/`)).length === 0, 'the upload to be removed');
    const publicView = await call('GET', `public/companions/${id}`);
    expect(publicView.json.warnings).toEqual([expect.objectContaining({ code: 'PictureCroppedTo16x9' })]);

    const handedOff = await until(id, 'the hand-off mark', (c) => c.mediaHandOff?.avatarGeneration !== undefined);
    expect(await jobsFor(AVATAR_GENERATION_QUEUE, id)).toBe(1);

    // The same blob version delivered again, through the registered function and the programming model.
    const registration = functionsCore.functions.find((f) => f.metadata.name === 'companion-media-check')!;
    const uploadId = ticket.json.uploadId as string;
    await invokeRegistration(functionsCore, registration, {
      inputData: [{ name: triggerBindingOf(registration).name, data: { bytes: picture } }],
      triggerMetadata: {
        projectId: stringData(principal.projectId),
        companionId: stringData(id),
        kind: stringData('picture'),
        uploadId: stringData(uploadId),
        BlobTrigger: stringData(`${COMPANION_MEDIA_CONTAINER}/${principal.projectId}/${id}/incoming/picture/${uploadId}`),
        Properties: jsonData({ ETag: etag }),
      },
    });
    // And a late second upload to the same kind: checked, found not expected, removed.
    await container.getBlockBlobClient(`${principal.projectId}/${id}/incoming/picture/${uploadId}`).uploadData(media['picture-16x9.jpg']!);
    await waitFor(async () => (await blobNames(`${principal.projectId}/${id}/incoming/`)).length === 0, 'the late upload to be removed');
    const after = await stored(id);
    expect(after.etag).toBe(handedOff.etag);
    expect(await jobsFor(AVATAR_GENERATION_QUEUE, id)).toBe(1);
    expect((await container.getBlobClient(blobPath).getProperties()).contentType).toBe('image/png');

    const again = await call('POST', `public/companions/${id}/uploads`, { kind: 'picture', fileName: 'other.png', contentType: 'image/png', size: 1000 });
    expect(again).toMatchObject({ status: 409, json: { code: 'MediaUploadNotAccepted' } });
  }, 60_000);

  it('when an upload is refused up front (kind, declared size) or the file sent is larger than declared, the answer names the problem', async () => {
    const created = await call('POST', 'public/digital-twins', twin('media-upload-1', '/voice-45s.wav'));
    const id = created.json.id as string;
    await until(id, 'the short voice to fail the twin', (c) => c.status === 'failed' && c.media.picture?.status === 'accepted');

    const tooBig = await call('POST', `public/companions/${id}/uploads`, { kind: 'voice', fileName: 'voice.wav', contentType: 'audio/wav', size: 11 * MiB });
    expect(tooBig).toMatchObject({ status: 400, json: { code: 'VoiceSampleTooLarge' } });
    const video = await call('POST', `public/companions/${id}/uploads`, { kind: 'video', fileName: 'me.mp4', contentType: 'video/mp4', size: 1000 });
    expect(video).toMatchObject({ status: 400, json: { code: 'ValidationFailed', errors: [{ path: 'kind' }] } });
    const accepted = await call('POST', `public/companions/${id}/uploads`, { kind: 'picture', fileName: 'me.jpg', contentType: 'image/jpeg', size: 1000 });
    expect(accepted).toMatchObject({ status: 409, json: { code: 'MediaUploadNotAccepted' } });
    const plain = await call('POST', 'public/companions', { description: 'No twin' });
    const voiceOnPlain = await call('POST', `public/companions/${plain.json.id as string}/uploads`, { kind: 'voice', fileName: 'v.wav', contentType: 'audio/wav', size: 1000 });
    expect(voiceOnPlain).toMatchObject({ status: 400, json: { code: 'ValidationFailed' } });

    // The client declares 1 kB and sends 11 MB: the check measures the file, not the declaration.
    const ticket = await call('POST', `public/companions/${id}/uploads`, { kind: 'voice', fileName: 'voice.wav', contentType: 'audio/wav', size: 1000 });
    expect(ticket.status).toBe(201);
    expect(await stored(id)).toMatchObject({ status: 'pending', voice: { status: 'pending' }, media: { voice: { source: 'upload', status: 'awaiting' } } });
    const put = await fetch(ticket.json.uploadUrl as string, { method: 'PUT', headers: ticket.json.headers as Record<string, string>, body: media['voice-11mb.wav'] });
    expect(put.status).toBe(201);
    const failed = await until(id, 'the oversize upload to fail the twin', (c) => c.status === 'failed');
    expect(failed).toMatchObject({ failureReason: 'VoiceSampleTooLarge', voice: { status: 'failed', failureReason: 'VoiceSampleTooLarge' } });
  }, 40_000);

  it('when media URLs point to loopback, link-local or private addresses and private URLs are not allowed, creation is refused with UrlNotAllowed and nothing is created', async () => {
    const strictPrincipal = await strictRuntime.services.apiKeys.authenticate(API_KEY);
    const before = await strictRuntime.services.companions.list(strictPrincipal, {}, { pageIndex: 0, pageSize: 1 });
    for (const url of [
      'https://127.0.0.1/avatar.png',
      'https://localhost:8443/avatar.png',
      'https://[::1]/avatar.png',
      'https://169.254.169.254/latest/meta-data/iam',
      'https://10.1.2.3/avatar.png',
      'https://192.168.0.10/avatar.png',
    ]) {
      const error = await strictRuntime.services.companions.create(strictPrincipal, { description: 'x', pictureUrl: url }).then(
        () => undefined,
        (err: unknown) => err as DomainError,
      );
      expect(error, url).toBeDefined();
      expect(toProblem(error).problem, url).toMatchObject({ status: 400, code: 'UrlNotAllowed' });
    }
    const after = await strictRuntime.services.companions.list(strictPrincipal, {}, { pageIndex: 0, pageSize: 1 });
    expect(after.totalCount).toBe(before.totalCount);

    // With loopback allowed (local only), other private addresses are still refused, here through HTTP.
    const privateUrl = await call('POST', 'public/companions', { description: 'x', pictureUrl: 'https://10.1.2.3/avatar.png' });
    expect(privateUrl).toMatchObject({ status: 400, json: { code: 'UrlNotAllowed' } });
    expect(privateUrl.json.detail).toContain('pictureUrl');
    const metadata = await call('POST', 'public/digital-twins', { ...twin('media-meta-1', '/voice-61s.wav'), voiceUrl: 'https://169.254.169.254/voice.wav' });
    expect(metadata).toMatchObject({ status: 400, json: { code: 'UrlNotAllowed' } });
  });

  it('when a URL redirects to a private address or answers 404, the medium is rejected when fetched and the companion fails with the code', async () => {
    const redirected = await call('POST', 'public/companions', { description: 'x', pictureUrl: `${mediaBase}/to-private.png` });
    const missing = await call('POST', 'public/companions', { description: 'y', pictureUrl: `${mediaBase}/missing.png` });
    const [a, b] = await Promise.all([
      until(redirected.json.id as string, 'the redirect to be refused', settled),
      until(missing.json.id as string, 'the 404 to be refused', settled),
    ]);
    expect(a).toMatchObject({ status: 'failed', failureReason: 'UrlNotAllowed', media: { picture: { status: 'rejected', failureCode: 'UrlNotAllowed' } } });
    expect(b).toMatchObject({ status: 'failed', failureReason: 'UrlUnreachable', media: { picture: { status: 'rejected', failureCode: 'UrlUnreachable' } } });
  });

  it('when a fetch keeps failing, its last try fails the companion; a poisoned fetch or check fails it too, never leaving it pending', async () => {
    const created = await call('POST', 'public/companions', { description: 'x', pictureUrl: `${mediaBase}/unavailable.png` });
    const id = created.json.id as string;
    const job = { companionId: id, projectId: principal.projectId, orgId: principal.orgId, kind: 'picture' as const, url: `${mediaBase}/unavailable.png` };
    // The queue's first try meets a 503 and leaves the message for a retry (host.json: 30 s later).
    await expect(runtime.services.mediaFetch.fetch(job, { dequeueCount: 1, maxAttempts: 5 })).rejects.toThrow(/retried/);
    expect((await stored(id)).status).toBe('pending');
    await expect(runtime.services.mediaFetch.fetch(job, { dequeueCount: 5, maxAttempts: 5 })).resolves.toBe('rejected');
    expect(await stored(id)).toMatchObject({ status: 'failed', failureReason: 'UrlUnreachable' });

    // A message the host moved to the poison queue (every try failed for a reason of our own).
    const poisoned = await call('POST', 'public/companions', { description: 'x', pictureUrl: `${mediaBase}/unavailable.png?p` });
    const poisonedId = poisoned.json.id as string;
    await sendBase64(poisonQueueOf(COMPANION_MEDIA_FETCH_QUEUE), { ...job, companionId: poisonedId, url: `${mediaBase}/unavailable.png?p` });
    const fetchFailed = await until(poisonedId, 'the poisoned fetch to fail the companion', (c) => c.status === 'failed');
    expect(fetchFailed).toMatchObject({ failureReason: 'MediaFetchFailed', media: { picture: { status: 'rejected', failureCode: 'MediaFetchFailed' } } });

    // An upload whose check failed on every try, as the host reports it.
    const ticket = await call('POST', `public/companions/${poisonedId}/uploads`, { kind: 'picture', fileName: 'p.jpg', contentType: 'image/jpeg', size: 1000 });
    expect(ticket.status).toBe(201);
    expect((await stored(poisonedId)).status).toBe('pending');
    await sendBase64(BLOB_TRIGGER_POISON_QUEUE, {
      Type: 'BlobTrigger',
      FunctionId: 'Host.Functions.companion-media-check',
      BlobType: 'BlockBlob',
      ContainerName: COMPANION_MEDIA_CONTAINER,
      BlobName: `${principal.projectId}/${poisonedId}/incoming/picture/${ticket.json.uploadId as string}`,
      ETag: '"0x8DCAFE"',
    });
    const checkFailed = await until(poisonedId, 'the poisoned check to fail the companion', (c) => c.status === 'failed');
    expect(checkFailed).toMatchObject({ failureReason: 'MediaCheckFailed', media: { picture: { source: 'upload', status: 'rejected', failureCode: 'MediaCheckFailed' } } });
  }, 40_000);

  it('when a companion has no media it goes to avatar generation at creation, once, and takes no uploads; a file for a deleted companion is removed', async () => {
    const created = await call('POST', 'public/companions', { description: 'Generated from the description' });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect((await stored(id)).mediaHandOff?.avatarGeneration).toBeDefined();
    expect(await jobsFor(AVATAR_GENERATION_QUEUE, id)).toBe(1);
    const upload = await call('POST', `public/companions/${id}/uploads`, { kind: 'picture', fileName: 'p.jpg', contentType: 'image/jpeg', size: 1000 });
    expect(upload).toMatchObject({ status: 409, json: { code: 'MediaUploadNotAccepted' } });

    expect((await call('DELETE', `public/companions/${id}`)).status).toBe(204);
    const late = `${principal.projectId}/${id}/incoming/picture/upl_latefilelatefile0000`;
    await container.getBlockBlobClient(late).uploadData(media['picture-16x9.jpg']!);
    await waitFor(async () => (await blobNames(`${principal.projectId}/${id}/`)).length === 0, 'the orphaned upload to be removed');
    await delay(300);
    expect(await jobsFor(AVATAR_GENERATION_QUEUE, id)).toBe(1);
  });
});
