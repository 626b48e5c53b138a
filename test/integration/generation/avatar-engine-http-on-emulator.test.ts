import { createHmac } from 'node:crypto';
import http from 'node:http';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { ApiKeyPrincipal } from '../../../shared/domain/api-key-principal.js';
import { avatarJobIdOf } from '../../../shared/domain/avatar-engine.js';
import type { Runtime } from '../../../shared/runtime.js';
import { startFakeAvatarEngine, type FakeAvatarEngine } from '../../fakes/avatar-engine.js';
import { waitFor } from '../../fixtures/host-app/wait-for.js';
import { makeImage } from '../../support/media-fixtures.js';
import { registrations } from '../helpers/function-registrations.js';
import { bootstrappedRuntime, releaseRuntime } from '../helpers/test-runtime.js';
import { RecordingEvents, companionStore, httpCaller, jobMessage, queueRunner, seedCompanion } from './generation-fixtures.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('../helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

const BOOTSTRAP_SECRET = 'bootstrap-secret-engine-http-0123456789';
const ENGINE_SECRET = 'engine-callback-secret-0123456789-abcdefghij';
const connectionString = inject('storageConnectionString');
const call = httpCaller(registrations);
const runQueue = queueRunner(registrations);
const key = { 'x-api-key': BOOTSTRAP_SECRET };
const events = new RecordingEvents();

let runtime: Runtime;
let principal: ApiKeyPrincipal;
let store: ReturnType<typeof companionStore>;
let engine: FakeAvatarEngine;
let picture: Buffer;
let bridge: http.Server;

/**
 * Stands in for the host in front of the callback function: the fake engine posts to it over real HTTP, and it hands
 * the request, bytes as sent, to the registered handler.
 */
async function startCallbackBridge(): Promise<string> {
  bridge = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const registration = registrations.http.get('avatar-engine-callback')!;
        const jobId = decodeURIComponent(/^\/callbacks\/avatar-engine\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
        const request = new HttpRequest({
          method: req.method ?? 'POST',
          url: `http://127.0.0.1${req.url ?? '/'}`,
          headers,
          params: { jobId },
          body: { bytes: Buffer.concat(chunks) },
        });
        const response = (await registration.handler(request, new InvocationContext({ invocationId: 'bridge', functionName: 'avatar-engine-callback' }))) as HttpResponseInit;
        res.writeHead(response.status ?? 200, response.headers as Record<string, string>);
        res.end(typeof response.body === 'string' ? response.body : undefined);
      })();
    });
  });
  await new Promise<void>((resolve) => bridge.listen(0, '127.0.0.1', () => resolve()));
  const address = bridge.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

beforeAll(async () => {
  engine = await startFakeAvatarEngine(ENGINE_SECRET);
  const bridgeUrl = await startCallbackBridge();
  ({ runtime } = await bootstrappedRuntime('engine-http', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: {
      AVATAR_ENGINE_URL: engine.url,
      AVATAR_ENGINE_CALLBACK_SECRET: ENGINE_SECRET,
      COMPANION_PUBLIC_BASE_URL: bridgeUrl,
      // The fake engine serves view URLs on loopback HTTP, which only this local-only setting lets the fetcher reach.
      COMPANION_ALLOW_PRIVATE_URLS: '1',
    },
    options: { events },
  }));
  await import('../../../functions/companions.js');
  await import('../../../functions/companion-assets.js');
  await import('../../../functions/companion-generation-jobs.js');
  await import('../../../functions/avatar-engine-callback.js');
  principal = await runtime.services.apiKeys.authenticate(BOOTSTRAP_SECRET);
  store = companionStore(runtime, connectionString);
  picture = await makeImage({ width: 1920, height: 1080, format: 'jpeg' });
});

beforeEach(() => {
  Object.assign(engine.behaviour, { outcome: 'succeed', signing: 'valid', delivery: 'inline', hold: false });
});

afterAll(async () => {
  await releaseRuntime(runtime);
  await engine.close();
  await new Promise<void>((resolve) => bridge.close(() => resolve()));
});

const seedWithPicture = () => seedCompanion(store, principal, { media: { picture: { bytes: picture, extension: 'jpg', contentType: 'image/jpeg' } } });
const statusOf = async (id: string) => (await store.companions.get(principal.projectId, id))?.status;

describe('avatar generation through the HTTP engine adapter and a fake rendering service', () => {
  it('submits a signed job with a short-lived URL of the picture, takes the signed report, and completes with all three views', async () => {
    const companion = await seedWithPicture();
    await runQueue('avatar-generation', jobMessage(companion));

    const submission = engine.submissions.find((s) => s.companionId === companion.id)!;
    expect(submission.signatureValid).toBe(true);
    expect(submission.jobId).toBe(avatarJobIdOf(companion.projectId, companion.id));
    expect(submission.sourceBytes).toBe(picture.length);
    expect(submission.body.source).toMatchObject({ kind: 'picture', contentType: 'image/jpeg' });
    expect(submission.body.source!.url).toContain('sig=');
    expect(submission.body.callbackUrl).toMatch(/\/callbacks\/avatar-engine\/avjob_/);

    await waitFor(async () => (await statusOf(companion.id)) === 'completed', 'the engine report to complete the companion');
    // The companion completes while the engine is still reading our answer to its report: wait for its record.
    const callback = await waitFor(async () => engine.callbacks.find((c) => c.jobId === submission.jobId), 'the engine to record our answer');
    expect(callback).toMatchObject({ status: 200, body: { outcome: 'applied' } });

    const got = (await call('public-companion-get', { headers: key, params: { id: companion.id } })).json!;
    expect(got.avatar.views).toMatchObject({
      round: { width: 512, height: 512, contentType: 'image/png' },
      rectangle: { width: 1280, height: 720, contentType: 'image/jpeg' },
      silhouette: { width: 1280, height: 720, contentType: 'image/png' },
    });
    expect(got.warnings).toContainEqual({ code: 'EngineNote', message: 'Rendered by the fake engine.' });
    const silhouette = await call('public-companion-asset-get', { headers: key, params: { id: companion.id, view: 'silhouette' } });
    expect(silhouette.status).toBe(200);
    expect((await sharp(silhouette.bytes).metadata()).hasAlpha).toBe(true);
    expect(events.statusesOf(companion.id)).toEqual([
      'companion.updated:generationCompleted',
      'companion.updated:readyToUse',
      'companion.updated:completed',
    ]);
  });

  it('refuses reports with a wrong, stale or missing signature with 401 and keeps waiting for a good one', async () => {
    engine.behaviour.hold = true;
    const companion = await seedWithPicture();
    await runQueue('avatar-generation', jobMessage(companion));
    const jobId = avatarJobIdOf(companion.projectId, companion.id);

    for (const signing of ['wrongSecret', 'stale', 'none'] as const) {
      const attempt = await engine.deliver(jobId, { signing });
      expect([signing, attempt.status, (attempt.body as { code: string }).code]).toEqual([signing, 401, 'InvalidSignature']);
    }
    expect(await statusOf(companion.id)).toBe('pending');

    expect((await engine.deliver(jobId)).body).toMatchObject({ outcome: 'applied' });
    expect(await statusOf(companion.id)).toBe('completed');
    // The engine repeating its report changes nothing.
    expect((await engine.deliver(jobId)).body).toMatchObject({ outcome: 'alreadyApplied' });
    expect(events.statusesOf(companion.id)).toHaveLength(3);
  });

  it('when the message is repeated while the engine renders, the job is not submitted again', async () => {
    engine.behaviour.hold = true;
    const companion = await seedWithPicture();
    await runQueue('avatar-generation', jobMessage(companion));
    await runQueue('avatar-generation', jobMessage(companion), 2);
    expect(engine.submissions.filter((s) => s.companionId === companion.id)).toHaveLength(1);
    const stored = await store.companions.get(companion.projectId, companion.id);
    expect(stored?.avatar.job).toMatchObject({ id: avatarJobIdOf(companion.projectId, companion.id), submittedAt: expect.any(String) });
  });

  it('fetches views the engine reports by URL through the guarded fetcher', async () => {
    engine.behaviour.delivery = 'url';
    const companion = await seedWithPicture();
    await runQueue('avatar-generation', jobMessage(companion));
    await waitFor(async () => (await statusOf(companion.id)) === 'completed', 'the URL report to complete the companion');
    const round = await call('public-companion-asset-get', { headers: key, params: { id: companion.id, view: 'round' } });
    expect((await sharp(round.bytes).metadata()).width).toBe(512);
  });

  it('when the engine reports a failure, the companion fails with the engine’s reason', async () => {
    engine.behaviour.outcome = 'fail';
    const companion = await seedWithPicture();
    await runQueue('avatar-generation', jobMessage(companion));
    await waitFor(async () => (await statusOf(companion.id)) === 'failed', 'the failure report');
    const got = (await call('public-companion-get', { headers: key, params: { id: companion.id } })).json!;
    expect(got.failureReason).toBe('AvatarGenerationFailed');
    expect(got.warnings).toContainEqual({
      code: 'AvatarEngineFailed',
      message: 'The avatar rendering service could not render this avatar (NoFaceDetected): No face was found in the source picture.',
    });
  });

  it('answers 404 for a job no companion waits for and 400 for a report about another job or an image that is not what it claims', async () => {
    engine.behaviour.hold = true;
    const companion = await seedWithPicture();
    await runQueue('avatar-generation', jobMessage(companion));
    const jobId = avatarJobIdOf(companion.projectId, companion.id);
    const signed = (body: string, secret = ENGINE_SECRET) => {
      const timestamp = Math.floor(Date.now() / 1000);
      return {
        'content-type': 'application/json',
        'x-engine-timestamp': String(timestamp),
        'x-engine-signature': `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
      };
    };
    const post = (id: string, body: string) => call('avatar-engine-callback', { params: { jobId: id }, headers: signed(body), body });

    const otherJob = avatarJobIdOf(companion.projectId, 'comp_nobody');
    const unknown = JSON.stringify({ jobId: otherJob, status: 'failed', error: { code: 'X', message: 'y' } });
    expect((await post(otherJob, unknown)).status).toBe(404);

    const mismatched = JSON.stringify({ jobId: otherJob, status: 'failed', error: { code: 'X', message: 'y' } });
    expect((await post(jobId, mismatched)).json).toMatchObject({ status: 400, code: 'ValidationFailed', errors: [{ path: 'jobId' }] });

    const tiny = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#f00' } }).png().toBuffer();
    const lying = JSON.stringify({
      jobId,
      status: 'succeeded',
      views: { round: { contentType: 'image/png', width: 512, height: 512, data: tiny.toString('base64') } },
    });
    const refused = await post(jobId, lying);
    expect(refused.json).toMatchObject({ status: 400, errors: [{ path: 'views.round' }] });
    expect(await statusOf(companion.id)).toBe('pending');
  });
});
