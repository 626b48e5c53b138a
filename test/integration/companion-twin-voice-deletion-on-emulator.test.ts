import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installFunctionsCore } from '../../local/functions-core/index.js';
import { startLocalHost, type LocalHost } from '../../local/host/index.js';
import { VOICE_PROFILE_QUEUE, poisonQueueOf } from '../../shared/adapters/queues.js';
import { speechResourceId } from '../../shared/adapters/voice/azure-personal-voice-engine.js';
import type { ApiKeyPrincipal } from '../../shared/domain/api-key-principal.js';
import type { Companion, VoiceProfileRef } from '../../shared/domain/companion.js';
import type { Runtime } from '../../shared/runtime.js';
import { delay, waitFor } from '../fixtures/host-app/wait-for.js';
import { startFakeSpeechService, type FakeSpeechService } from '../fakes/speech-service.js';
import { makeWav } from '../support/media-fixtures.js';
import { companionStore, jobMessage, seedCompanion } from './generation/generation-fixtures.js';
import { APP_DIR, hostCaller, sendBase64, startOwnAzurite, type OwnAzurite } from './helpers/local-host-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

/**
 * Deleting a digital twin whose voice is an Azure AI Speech personal voice (against the fake of the custom voice REST
 * API), through the real local host on an Azurite of this file's own: the DELETE queues the deletion of the personal
 * voice and its consent on the `voice-profile` queue, and the host's queue polling runs it, retries it on the speech
 * service's 503s, and sends it round again through the poison queue when every try failed. host.json is this repo's
 * except for a 1 s visibility timeout, so a failed try is retried after a second rather than 30.
 */

const API_KEY = 'twin-voice-deletion-key-0123456789abcd';
const SPEECH_KEY = 'fake-speech-key-twin-deletion-0123';
const sample = makeWav({ seconds: 61, sampleRate: 8_000 });

let speech: FakeSpeechService;
let azurite: OwnAzurite;
let runtime: Runtime;
let host: LocalHost;
let appDir: string;
let principal: ApiKeyPrincipal;
let queues: QueueServiceClient;

const call = hostCaller(() => host.url, API_KEY);

/** The host.json of the app with a short visibility timeout; the rest (5 tries, base64 messages) as deployed. */
function appDirWithQuickRetries(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'twin-voice-deletion-app-'));
  const hostJson = JSON.parse(readFileSync(path.join(APP_DIR, 'host.json'), 'utf8')) as { extensions: { queues: Record<string, unknown> } };
  hostJson.extensions.queues.visibilityTimeout = '00:00:01';
  writeFileSync(path.join(dir, 'host.json'), JSON.stringify(hostJson));
  return dir;
}

/** A twin whose personal voice the voice-profile job (run by the host) created in the fake. */
async function twinWithPersonalVoice(): Promise<{ twin: Companion; profile: Extract<VoiceProfileRef, { engine: 'azurePersonalVoice' }> }> {
  const store = companionStore(runtime, azurite.connectionString);
  const seeded = await seedCompanion(store, principal, {
    personaType: 'digitalTwin',
    media: { voice: { bytes: sample, extension: 'wav', contentType: 'audio/wav' } },
  });
  await sendBase64(queues, VOICE_PROFILE_QUEUE, jobMessage(seeded));
  const twin = await waitFor(
    async () => {
      const current = await store.companions.get(seeded.projectId, seeded.id);
      return current?.voice?.status === 'ready' ? current : undefined;
    },
    'the personal voice to be ready',
    20_000,
  );
  const profile = twin.voice?.profile;
  if (profile?.engine !== 'azurePersonalVoice') throw new Error('the twin has no personal voice');
  expect(speech.personalVoices.get(profile.personalVoiceId)?.status).toBe('Succeeded');
  expect(speech.consents.get(profile.consentId)?.status).toBe('Succeeded');
  return { twin, profile };
}

const deletesOf = (companionId: string) => speech.deletes.filter((d) => d.resource.includes(companionId));

async function messageCount(queueName: string): Promise<number> {
  const queue = queues.getQueueClient(queueName);
  if (!(await queue.exists())) return 0;
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

beforeAll(async () => {
  speech = await startFakeSpeechService(SPEECH_KEY);
  azurite = await startOwnAzurite('twin-voice-deletion-azurite-');
  ({ runtime } = await bootstrappedRuntime('twin-voice-deletion', {
    apiKeySecret: API_KEY,
    settings: { AzureWebJobsStorage: azurite.connectionString, SPEECH_ENDPOINT: speech.endpoint, SPEECH_KEY },
  }));
  principal = await runtime.services.apiKeys.authenticate(API_KEY);
  queues = QueueServiceClient.fromConnectionString(azurite.connectionString);

  installFunctionsCore();
  await import('../../functions/setup.js');
  await import('../../functions/companions.js');
  await import('../../functions/companion-generation-jobs.js');
  appDir = appDirWithQuickRetries();
  host = await startLocalHost({
    appDir,
    port: 0,
    host: '127.0.0.1',
    settings: { AzureWebJobsStorage: azurite.connectionString, AzureFunctionsWebHost__hostid: 'twin-voice-deletion' },
    log: () => undefined,
    tuning: { blobPollIntervalMs: 100, queueMinPollingIntervalMs: 50, shutdownTimeoutMs: 10_000 },
  });
}, 120_000);

beforeEach(() => {
  // The runtime's engine polls operations at its production interval; finishing on the first poll keeps tests quick.
  Object.assign(speech.behaviour, { pollsToFinish: 1, consentFailure: undefined, voiceFailure: undefined, failingDeletes: 0, deleteFailureStatus: 503 });
});

afterAll(async () => {
  await host?.stop();
  await releaseRuntime(runtime);
  await azurite?.stop();
  await speech?.close();
  if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
}, 60_000);

describe('deleting a digital twin deletes its Azure AI Speech personal voice', () => {
  it('when a twin with a personal voice is deleted, the DELETE answers 204 and the queued job deletes the personal voice, then its consent', async () => {
    const { twin, profile } = await twinWithPersonalVoice();

    const deleted = await call('DELETE', `public/companions/${twin.id}`);
    expect(deleted.status).toBe(204);
    expect((await call('GET', `public/companions/${twin.id}`)).status).toBe(404);

    await waitFor(() => deletesOf(twin.id).length === 2, 'the personal voice and the consent to be deleted');
    expect(deletesOf(twin.id)).toEqual([
      { resource: `personalvoices/${profile.personalVoiceId}`, status: 204 },
      { resource: `consents/${profile.consentId}`, status: 204 },
    ]);
    expect(speech.personalVoices.has(profile.personalVoiceId)).toBe(false);
    expect(speech.consents.has(profile.consentId)).toBe(false);
    // The Speech project is the Companion project's, shared by its other twins.
    expect(speech.projects.has(profile.speechProjectId)).toBe(true);
  });

  it('when the deletion job is delivered again, it finds both gone and finishes without error', async () => {
    const { twin, profile } = await twinWithPersonalVoice();
    expect((await call('DELETE', `public/companions/${twin.id}`)).status).toBe(204);
    await waitFor(() => deletesOf(twin.id).length === 2, 'the first deletion');

    await sendBase64(queues, VOICE_PROFILE_QUEUE, { ...jobMessage(twin), job: 'deleteVoiceProfile', profile });
    await waitFor(() => deletesOf(twin.id).length === 4, 'the repeated deletion');
    expect(deletesOf(twin.id).slice(2)).toEqual([
      { resource: `personalvoices/${profile.personalVoiceId}`, status: 404 },
      { resource: `consents/${profile.consentId}`, status: 404 },
    ]);
    await waitFor(async () => (await messageCount(VOICE_PROFILE_QUEUE)) === 0, 'the repeated message to be completed');
    expect(await messageCount(poisonQueueOf(VOICE_PROFILE_QUEUE))).toBe(0);
  });

  it('when the speech service answers 503, the DELETE still answers 204 at once and the queue retries the deletion until it succeeds', async () => {
    const { twin, profile } = await twinWithPersonalVoice();
    Object.assign(speech.behaviour, { failingDeletes: 2, deleteFailureStatus: 503 });

    const started = Date.now();
    expect((await call('DELETE', `public/companions/${twin.id}`)).status).toBe(204);
    expect(Date.now() - started).toBeLessThan(2_000);

    await waitFor(() => !speech.consents.has(profile.consentId), 'the retried deletion to finish', 20_000);
    expect(deletesOf(twin.id)).toEqual([
      { resource: `personalvoices/${profile.personalVoiceId}`, status: 503 },
      { resource: `personalvoices/${profile.personalVoiceId}`, status: 503 },
      { resource: `personalvoices/${profile.personalVoiceId}`, status: 204 },
      { resource: `consents/${profile.consentId}`, status: 204 },
    ]);
    expect(speech.personalVoices.has(profile.personalVoiceId)).toBe(false);
    expect(await messageCount(poisonQueueOf(VOICE_PROFILE_QUEUE))).toBe(0);
  });

  it('when the speech service fails every try, the deletion goes through the poison queue back onto the queue for a later round', async () => {
    const { twin, profile } = await twinWithPersonalVoice();
    Object.assign(speech.behaviour, { failingDeletes: 1_000, deleteFailureStatus: 503 });
    expect((await call('DELETE', `public/companions/${twin.id}`)).status).toBe(204);

    // host.json maxDequeueCount: 5 tries, then the poison function sends it back, invisible for the next round.
    await waitFor(() => deletesOf(twin.id).length === 5, 'five failed tries', 30_000);
    // The fifth try's failure moves the message to the poison queue, whose function sends it back for later.
    await delay(2_000);
    expect(await messageCount(poisonQueueOf(VOICE_PROFILE_QUEUE))).toBe(0);
    expect(await messageCount(VOICE_PROFILE_QUEUE)).toBe(1);
    // Waiting for its round (minutes away): not tried again meanwhile, and the voice is still there to delete.
    expect(deletesOf(twin.id)).toHaveLength(5);
    expect(speech.personalVoices.has(profile.personalVoiceId)).toBe(true);
  });

  it('a twin whose voice profile was never made queues no deletion', async () => {
    const store = companionStore(runtime, azurite.connectionString);
    const twin = await seedCompanion(store, principal, { personaType: 'digitalTwin' });
    const before = await messageCount(VOICE_PROFILE_QUEUE);
    expect((await call('DELETE', `public/companions/${twin.id}`)).status).toBe(204);
    expect(await messageCount(VOICE_PROFILE_QUEUE)).toBe(before);
    expect(deletesOf(twin.id)).toEqual([]);
  });

  it('a twin deleted while its voice was being made has the personal voice made meanwhile deleted too', async () => {
    const store = companionStore(runtime, azurite.connectionString);
    const twin = await seedCompanion(store, principal, {
      personaType: 'digitalTwin',
      media: { voice: { bytes: sample, extension: 'wav', contentType: 'audio/wav' } },
    });
    // The voice job is mid-way (its consent made, the personal voice not yet) when the twin is deleted: each operation
    // now takes three polls, two seconds apart. No hand-off was recorded, so the DELETE itself queues nothing.
    speech.behaviour.pollsToFinish = 3;
    const making = runtime.services.voiceProfiles.createProfile(jobMessage(twin));
    await waitFor(() => speech.consents.has(speechResourceId(`${twin.id}-consent`)), 'the consent to be created');
    expect((await call('DELETE', `public/companions/${twin.id}`)).status).toBe(204);
    expect(await making).toBe('companionDeletedMeanwhile');

    await waitFor(() => !speech.personalVoices.has(speechResourceId(`${twin.id}-voice`)) && !speech.consents.has(speechResourceId(`${twin.id}-consent`)), 'the late personal voice to be deleted', 20_000);
    expect(deletesOf(twin.id).map((d) => d.status)).toEqual([204, 204]);
  }, 30_000);
});
